"""``/api/domain/<domain>`` and ``/api/domains``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.model import DomainChanges
from gateway.resolvers import domains
from gateway.resolvers.context import Context
from gateway.rest import envelope, serialize
from gateway.rest.endpoint import endpoint
from gateway.rest.params import Params

CREATE_PARAMS = {
    "cn", "name", "quota", "language", "transport", "defaultQuota", "maxUserQuota",
    "numberOfUsers", "numberOfAliases", "numberOfLists", "minPasswordLength", "maxPasswordLength",
}
UPDATE_PARAMS = CREATE_PARAMS | {"accountStatus"}


def _changes(params: Params) -> DomainChanges:
    return DomainChanges(
        description=params.text("name", "cn"),
        active=params.status(),
        transport=params.text("transport"),
        quota=params.integer("quota"),
        max_users=params.integer("numberOfUsers"),
        max_aliases=params.integer("numberOfAliases"),
        max_lists=params.integer("numberOfLists"),
        default_user_quota=params.integer("defaultQuota"),
        max_user_quota=params.integer("maxUserQuota"),
        min_password_length=params.integer("minPasswordLength"),
        max_password_length=params.integer("maxPasswordLength"),
        default_language=params.text("language"),
    )


@endpoint
async def get_domain(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    found = await domains.get_domain(ctx=ctx, name=request.path_params["domain"])
    usage = await domains.domain_usage(ctx=ctx, names=[found.name])
    return envelope.success(envelope.style_of(request), serialize.domain(found, usage[found.name]))


@endpoint
async def list_domains(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"name_only", "disabled_only"})
    found = await domains.list_domains(ctx=ctx, active=False if params.flag("disabled_only") else None)
    if params.flag("name_only"):
        return envelope.success(envelope.style_of(request), [d.name for d in found])
    usage = await domains.domain_usage(ctx=ctx, names=[d.name for d in found])
    return envelope.success(envelope.style_of(request), [serialize.domain(d, usage[d.name]) for d in found])


@endpoint
async def create_domain(request: Request, ctx: Context, params: Params) -> Response:
    params.only(CREATE_PARAMS)
    await domains.create_domain(ctx=ctx, name=request.path_params["domain"], changes=_changes(params))
    return envelope.success(envelope.style_of(request), status=201)


@endpoint
async def update_domain(request: Request, ctx: Context, params: Params) -> Response:
    params.only(UPDATE_PARAMS)
    await domains.update_domain(ctx=ctx, name=request.path_params["domain"], changes=_changes(params))
    return envelope.success(envelope.style_of(request))


@endpoint
async def delete_domain(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    days = request.path_params.get("days")
    await domains.delete_domain(ctx=ctx, name=request.path_params["domain"], keep_mailbox_days=days)
    return envelope.success(envelope.style_of(request))
