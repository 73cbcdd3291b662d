"""``/api/throttle/{global|<domain>|<mail>}/{inbound|outbound}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import InvalidInput
from gateway.resolvers import throttles
from gateway.resolvers.context import Context
from gateway.resolvers.throttles import ThrottleInput
from gateway.rest import envelope, serialize
from gateway.rest.endpoint import endpoint
from gateway.rest.params import Params

LIMITS = ("msg_size", "max_msgs", "max_quota", "max_rcpts")


@endpoint
async def get_throttle(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    found = await throttles.get_throttle(
        ctx=ctx, target=request.path_params["target"], kind=request.path_params["kind"]
    )
    return envelope.success(envelope.style_of(request), serialize.throttle(found))


@endpoint
async def set_throttle(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"period", *LIMITS})
    period = params.integer("period")
    if period is None:
        raise InvalidInput("INVALID_PERIOD", "period is required")
    data = ThrottleInput(period=period, **{name: params.integer(name) for name in LIMITS})
    await throttles.set_throttle(
        ctx=ctx, target=request.path_params["target"], kind=request.path_params["kind"], data=data
    )
    return envelope.success(envelope.style_of(request))


@endpoint
async def delete_throttle(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    await throttles.delete_throttle(
        ctx=ctx, target=request.path_params["target"], kind=request.path_params["kind"]
    )
    return envelope.success(envelope.style_of(request))
