"""``/api/login`` and ``/api/logout``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.request_context import end_session, start_session
from gateway.resolvers import auth
from gateway.resolvers.context import Context
from gateway.rest import envelope
from gateway.rest.endpoint import public_endpoint
from gateway.rest.params import Params


@public_endpoint
async def login(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"username", "password"})
    actor = await auth.login(ctx=ctx, username=params.text("username") or "", password=params.text("password") or "")
    response = envelope.success(envelope.style_of(request))
    await start_session(request, response, ctx, actor)
    return response


@public_endpoint
async def logout(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    response = envelope.success(envelope.style_of(request))
    await end_session(request, response, ctx)
    return response
