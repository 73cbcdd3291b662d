"""``/api/user/<mail>`` and ``/api/users/<domain>``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.resolvers import users
from gateway.resolvers.context import Context
from gateway.resolvers.users import UserInput
from gateway.rest import envelope, serialize
from gateway.rest.endpoint import endpoint
from gateway.rest.params import Params

CREATE_PARAMS = {"cn", "name", "password", "password_hash", "language", "preferredLanguage", "mailQuota", "quota",
                 "transport", "employeeid"}
UPDATE_PARAMS = CREATE_PARAMS | {"accountStatus"}
BULK_PARAMS = {"accountStatus", "language", "preferredLanguage", "transport", "password", "password_hash"}


def _input(params: Params) -> UserInput:
    return UserInput(
        name=params.text("name", "cn"),
        password=params.text("password"),
        password_hash=params.text("password_hash"),
        language=params.text("language", "preferredLanguage"),
        quota=params.integer("quota", "mailQuota"),
        transport=params.text("transport"),
        active=params.status(),
        employee_id=params.text("employeeid"),
    )


@endpoint
async def get_user(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    found = await users.get_user(ctx=ctx, email=request.path_params["mail"])
    return envelope.success(envelope.style_of(request), serialize.user(found))


@endpoint
async def list_users(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"email_only", "disabled_only"})
    found = await users.list_users(
        ctx=ctx, domain=request.path_params["domain"], active=False if params.flag("disabled_only") else None
    )
    if params.flag("email_only"):
        return envelope.success(envelope.style_of(request), [u.email for u in found])
    return envelope.success(envelope.style_of(request), [serialize.user(u) for u in found])


@endpoint
async def create_user(request: Request, ctx: Context, params: Params) -> Response:
    params.only(CREATE_PARAMS)
    await users.create_user(ctx=ctx, email=request.path_params["mail"], data=_input(params))
    return envelope.success(envelope.style_of(request), status=201)


@endpoint
async def update_user(request: Request, ctx: Context, params: Params) -> Response:
    params.only(UPDATE_PARAMS)
    await users.update_user(ctx=ctx, email=request.path_params["mail"], data=_input(params))
    return envelope.success(envelope.style_of(request))


@endpoint
async def set_password(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"password", "password_hash"})
    data = UserInput(password=params.text("password"), password_hash=params.text("password_hash"))
    if data.password is None and data.password_hash is None:
        data = UserInput(password="")
    await users.update_user(ctx=ctx, email=request.path_params["mail"], data=data)
    return envelope.success(envelope.style_of(request))


@endpoint
async def delete_user(request: Request, ctx: Context, params: Params) -> Response:
    params.only(())
    days = request.path_params.get("days")
    await users.delete_user(ctx=ctx, email=request.path_params["mail"], keep_mailbox_days=days)
    return envelope.success(envelope.style_of(request))


@endpoint
async def update_domain_users(request: Request, ctx: Context, params: Params) -> Response:
    params.only(BULK_PARAMS)
    await users.update_domain_users(ctx=ctx, domain=request.path_params["domain"], data=_input(params))
    return envelope.success(envelope.style_of(request))


@endpoint
async def set_domain_password(request: Request, ctx: Context, params: Params) -> Response:
    params.only({"password", "password_hash"})
    await users.set_domain_password(
        ctx=ctx,
        domain=request.path_params["domain"],
        password=params.text("password"),
        password_hash=params.text("password_hash"),
    )
    return envelope.success(envelope.style_of(request))
