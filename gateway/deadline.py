"""The request deadline: every answer leaves within ``GATEWAY_REQUEST_TIMEOUT``.

The storage layers bound each of their own waits; this is the backstop for
a request that makes many of them. When the deadline passes before the
answer has started, the client gets 503 ``BACKEND_UNAVAILABLE`` (the API
envelope under ``/api``, a GraphQL error on ``/graphql``), as it does for an
unavailable storage failure that escapes a handler, and the request's
task is cancelled without being waited for. Cancellation rolls a SQL
transaction back and discards its connection; an LDAP call already running
in its worker thread finishes first, and a write it made is undone, so the
directory keeps no half of it. ``Deadline.unfinished`` holds those cancelled
tasks until they end, so that shutting down can wait for them.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import BackendUnavailable, ErrorCode
from gateway.rest import envelope
from gateway.rest.envelope import Style

log = logging.getLogger("gateway.deadline")

EXEMPT = frozenset({"/healthz", "/readyz"})  # they never wait on storage longer than their own bounds


class Deadline:
    """ASGI middleware cutting HTTP requests off at ``seconds``."""

    def __init__(self, app: ASGIApp, seconds: float, style: Style, unfinished: set[asyncio.Task[None]]) -> None:
        self.app = app
        self.seconds = seconds
        self.style = style
        self.unfinished = unfinished

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        started = expired = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if expired:
                return  # the client has its answer; the cut-off request says nothing more
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.seconds)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done:
            failure = task.exception()
            if failure is None:
                return
            if started or not unavailable(failure):
                raise failure
            # e.g. GraphQL's context, loaded before any resolver can turn the failure into an error
            log.warning("%s %s -> %s: %s", scope["method"], scope["path"], _CODE, failure.__class__.__name__)
            await self._unavailable(scope, receive, send)
            return
        expired = True
        task.cancel()
        self.unfinished.add(task)
        task.add_done_callback(self._finished)
        log.warning("%s %s -> %s: no answer within %g s", scope["method"], scope["path"], _CODE, self.seconds)
        if not started:
            await self._unavailable(scope, receive, send)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.unfinished.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("a request cut off at its deadline ended with %r", task.exception())

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        status = _CODE.http_status
        response: Response
        if path == "/api" or path.startswith("/api/"):
            response = envelope.failure(self.style, _CODE, status)
        elif path == "/graphql":
            error = {"message": _CODE, "extensions": {"code": _CODE}}
            response = JSONResponse({"data": None, "errors": [error]}, status)
        else:
            response = JSONResponse({"error": _CODE}, status)
        await response(scope, receive, send)


_CODE = ErrorCode.BACKEND_UNAVAILABLE


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says storage did not answer (in time)."""
    return isinstance(exc, BackendUnavailable)


async def wind_down(unfinished: set[asyncio.Task[None]], seconds: float) -> None:
    """Wait up to ``seconds`` for requests cut off at their deadline to finish cleaning up."""
    if unfinished:
        await asyncio.wait(set(unfinished), timeout=seconds)
