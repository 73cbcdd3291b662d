"""``/api/alias/<mail>`` and ``/api/aliases/<domain>``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.resolvers import aliases
from gateway.resolvers.aliases import AliasInput
from gateway.resolvers.context import Context
from gateway.rest import envelope, serialize
from gateway.rest.endpoint import endpoint
from gateway.rest.params import Params

CREATE_PARAMS = {"cn", "name", "accessPolicy", "members"}
UPDATE_PARAMS = CREATE_PARAMS | {"accountStatus", "addMember", "removeMember"}


def alias_input(params: Params) -> AliasInput:
    return AliasInput(
        name=params.text("name", "cn"),
        access_policy=params.text("accessPolicy"),
        active=params.status(),
        members=params.listing("members"),
        add_members=params.listing("addMember") or (),
        remove_members=params.listing("removeMember") or (),
    )


@endpoint
async def get_alias(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    found = await aliases.get_alias(ctx=ctx, address=request.path_params["mail"])
    return envelope.success(envelope.style_of(request), serialize.alias(found))


@endpoint
async def list_aliases(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"email_only", "disabled_only"})
    found = await aliases.list_aliases(
        ctx=ctx, domain=request.path_params["domain"], active=False if params.flag("disabled_only") else None
    )
    if params.flag("email_only"):
        return envelope.success(envelope.style_of(request), [a.address for a in found])
    return envelope.success(envelope.style_of(request), [serialize.alias(a) for a in found])


@endpoint
async def create_alias(request: Request, ctx: Context, params: Params) -> Response:
    params.only(CREATE_PARAMS)
    await aliases.create_alias(ctx=ctx, address=request.path_params["mail"], data=alias_input(params))
    return envelope.success(envelope.style_of(request), status=201)


@endpoint
async def update_alias(request: Request, ctx: Context, params: Params) -> Response:
    params.only(UPDATE_PARAMS)
    await aliases.update_alias(ctx=ctx, address=request.path_params["mail"], data=alias_input(params))
    return envelope.success(envelope.style_of(request))


@endpoint
async def delete_alias(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    await aliases.delete_alias(ctx=ctx, address=request.path_params["mail"])
    return envelope.success(envelope.style_of(request))
