"""``/api/maillist/<mail>``: mailing lists where the backend has them, ``NOT_SUPPORTED`` elsewhere."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.resolvers import maillists
from gateway.resolvers.context import Context
from gateway.rest import envelope, serialize
from gateway.rest.aliases import CREATE_PARAMS, UPDATE_PARAMS, alias_input
from gateway.rest.endpoint import endpoint
from gateway.rest.params import Params


@endpoint
async def get_maillist(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    found = await maillists.get_maillist(ctx=ctx, address=request.path_params["mail"])
    return envelope.success(envelope.style_of(request), serialize.alias(found))


@endpoint
async def create_maillist(request: Request, ctx: Context, params: Params) -> Response:
    params.only(CREATE_PARAMS)
    await maillists.create_maillist(ctx=ctx, address=request.path_params["mail"], data=alias_input(params))
    return envelope.success(envelope.style_of(request), status=201)


@endpoint
async def update_maillist(request: Request, ctx: Context, params: Params) -> Response:
    params.only(UPDATE_PARAMS)
    await maillists.update_maillist(ctx=ctx, address=request.path_params["mail"], data=alias_input(params))
    return envelope.success(envelope.style_of(request))


@endpoint
async def delete_maillist(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"archive"})
    await maillists.delete_maillist(ctx=ctx, address=request.path_params["mail"])
    return envelope.success(envelope.style_of(request))
