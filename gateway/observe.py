"""Each HTTP request once, from outside everything else: its id, its log line and its metrics.

The request id (a proxy's ``X-Request-ID`` when it is a plain token, else a
new one) is bound to every record logged while the request runs; an
``INTERNAL_ERROR`` answer names it in ``X-Request-ID``. The log line names the route template, the admin
the session belongs to and the client's address (behind trusted proxies);
never the query string, the body or a header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bound_contextvars

from gateway.metrics import Metrics
from gateway.request_context import ADMIN_KEY
from gateway.rest.clients import Network, client_address

log = logging.getLogger("gateway.request")

UNMATCHED = "<unmatched>"  # one label for every unknown path, so scans add no series
_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The path template of the route ``scope`` goes to (``/api/user/{mail}``), mounts included."""
    partial: tuple[BaseRoute, Scope] | None = None
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            return _template(route, {**scope, **child})
        if match is Match.PARTIAL and partial is None:
            partial = (route, {**scope, **child})
    return _template(*partial) if partial is not None else UNMATCHED


def _template(route: BaseRoute, scope: Scope) -> str:
    path: str = getattr(route, "path", "")
    if isinstance(route, Mount):
        if not route.routes:
            return f"{path}/{{path}}"
        inner = route_template(route.routes, scope)
        return UNMATCHED if inner == UNMATCHED else path + inner
    return path or UNMATCHED


class Observe:
    """ASGI middleware: the request id, one log line and the request metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics, proxies: tuple[Network, ...]) -> None:
        self.app = app
        self.metrics = metrics
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex[:12]
        route = route_template(scope["app"].routes, scope)
        status = 500
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, sending)
            finally:
                seconds = time.perf_counter() - started
                self.metrics.observe_request(route, scope["method"], status, seconds)
                peer = scope["client"][0] if scope.get("client") else None
                log.log(
                    logging.WARNING if status >= 500 else logging.INFO,
                    "request",
                    extra={
                        "admin": scope.get("state", {}).get(ADMIN_KEY),
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_s": round(seconds, 6),
                        "client": client_address(peer, headers.get("x-forwarded-for"), self.proxies),
                    },
                )
