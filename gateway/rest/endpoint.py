"""Turning a resolver call into an API answer."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import ErrorCode, Forbidden, GatewayError, client_details
from gateway.logs import current_request_id
from gateway.model import Actor
from gateway.request_context import end_session, request_context, start_session
from gateway.resolvers import audit
from gateway.resolvers.access import require_actor
from gateway.resolvers.context import Context
from gateway.rest import envelope
from gateway.rest.clients import client_address, is_allowed
from gateway.rest.declare import ApiRoute, Session
from gateway.rest.params import Params

log = logging.getLogger("gateway.rest")

Endpoint = Callable[[Request], Awaitable[Response]]


def check_client(request: Request) -> None:
    """``API_DISABLED`` when the API is off; ``NOT_AUTHORIZED`` for clients outside RESTFUL_API_CLIENTS."""
    settings = request.app.state.settings
    if not settings.enable_restful_api:
        raise Forbidden(ErrorCode.API_DISABLED)
    if settings.restrict_api_access:
        peer = request.client.host if request.client else None
        client = client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.trusted_proxies)
        if not is_allowed(client, request.app.state.api_clients):
            raise Forbidden(ErrorCode.NOT_AUTHORIZED)


def endpoint(route: ApiRoute) -> Endpoint:
    """Run ``route``: client check, session, parameters, the resolver call, and the envelope for every answer."""

    async def run(request: Request) -> Response:
        style = envelope.style_of(request)
        try:
            check_client(request)
            ctx = await request_context(request)
            if route.session is Session.REQUIRED:
                require_actor(ctx)
            values = route.values(await Params.read(request), request.path_params)
            result = await audit.audited(ctx, route.action(values), lambda: route.call(ctx, values), _opened)
            return await _answer(request, route, ctx, result)
        except GatewayError as exc:
            if exc.http_status == 500:  # a GatewayError naming no client mistake: a failure like any other
                return internal_error(request, exc)
            detail = f" ({exc.detail})" if exc.detail else ""
            log.info("%s %s -> %s%s", request.method, request.url.path, exc.code, detail)
            return envelope.failure(style, exc.code, exc.http_status, client_details(exc))
        except Exception as exc:
            return internal_error(request, exc)

    return run


def _opened(result: object) -> Actor | None:
    """The admin a login route's call returns."""
    return result if isinstance(result, Actor) else None


async def _answer(request: Request, route: ApiRoute, ctx: Context, result: object) -> Response:
    """The success envelope with the route's status; the session opened or ended where the route says."""
    style = envelope.style_of(request)
    if route.session is Session.OPENS:
        if not isinstance(result, Actor):
            raise TypeError(f"{route.method} {route.path} opens a session but its call returned no Actor")
        response = envelope.success(style, status=route.status)
        await start_session(request, response, ctx, result)
    elif route.session is Session.ENDS:
        response = envelope.success(style, status=route.status)
        await end_session(request, response, ctx)
    elif result is None:
        response = envelope.success(style, status=route.status)
    else:
        response = envelope.success(style, result, route.status)
    return response


def internal_error(request: Request, exc: Exception) -> Response:
    """Any unexpected failure: a request id for the client, the detail only in the log."""
    request_id = current_request_id() or uuid.uuid4().hex[:12]
    log.exception("request %s failed: %s %s", request_id, request.method, request.url.path, exc_info=exc)
    style = request.app.state.settings.api_envelope
    response = envelope.failure(style, ErrorCode.INTERNAL_ERROR, ErrorCode.INTERNAL_ERROR.http_status)
    response.headers["X-Request-ID"] = request_id
    return response
