"""``/api/user/<mail>`` and ``/api/users/<domain>``."""

from __future__ import annotations

from typing import Any

from gateway.resolvers import users
from gateway.resolvers.context import Context
from gateway.resolvers.user_routing import get_routing
from gateway.resolvers.users import UserInput
from gateway.rest import serialize, shapes, user_routing
from gateway.rest.admins import IS_GLOBAL_ADMIN
from gateway.rest.declare import INTEGER, TEXT, ApiRoute, Param, Values
from gateway.rest.fields import (
    DISABLED_ONLY,
    DISPLAY_NAME,
    DOMAIN,
    EMAIL_ONLY,
    MAIL,
    PASSWORD,
    PASSWORD_HASH,
    STATUS,
    TRANSPORT,
    active_filter,
    deletion_routes,
)

LANGUAGE = Param("language", TEXT, "Language of the user's mail interface, like en_US", aliases=("preferredLanguage",))
QUOTA = Param("quota", INTEGER, "Mailbox quota in MB (0 = unlimited)", aliases=("mailQuota",))
EMPLOYEE_ID = Param("employeeid", TEXT, "Employee number")
PASSWORDS = (PASSWORD, PASSWORD_HASH)
CREATE_PARAMS = (DISPLAY_NAME, *PASSWORDS, LANGUAGE, QUOTA, TRANSPORT, EMPLOYEE_ID)
UPDATE_PARAMS = (
    DISPLAY_NAME, *PASSWORDS, LANGUAGE, QUOTA, TRANSPORT, STATUS, EMPLOYEE_ID, IS_GLOBAL_ADMIN, *user_routing.PARAMS,
)  # fmt: skip
BULK_PARAMS = (*PASSWORDS, LANGUAGE, TRANSPORT, STATUS)


def _input(values: Values) -> UserInput:
    return UserInput(
        name=values.get("name"),
        password=values["password"],
        password_hash=values["password_hash"],
        language=values["language"],
        quota=values.get("quota"),
        transport=values["transport"],
        active=values.get("accountStatus"),
        employee_id=values.get("employeeid"),
        is_global_admin=values.get("isGlobalAdmin"),
    )


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    return serialize.user(*await users.get_routed_user(ctx=ctx, email=values["mail"]))


async def _list(ctx: Context, values: Values) -> list[Any]:
    found = await users.list_users(ctx=ctx, domain=values["domain"], active=active_filter(values))
    if values["email_only"]:
        return [user.email for user in found]
    routing = await get_routing(ctx=ctx, emails=[user.email for user in found])
    return [serialize.user(user, routing.get(user.email)) for user in found]


async def _create(ctx: Context, values: Values) -> None:
    await users.add_user(ctx=ctx, email=values["mail"], data=_input(values))


async def _update(ctx: Context, values: Values) -> None:
    await users.change_user(
        ctx=ctx, email=values["mail"], data=_input(values), routing=user_routing.routing_input(values)
    )


async def _set_password(ctx: Context, values: Values) -> None:
    await users.set_password(
        ctx=ctx, email=values["mail"], password=values["password"], password_hash=values["password_hash"]
    )


async def _delete(ctx: Context, values: Values) -> None:
    await users.delete_user(ctx=ctx, email=values["mail"], keep_mailbox_days=values.get("days"))


async def _update_domain_users(ctx: Context, values: Values) -> None:
    await users.update_domain_users(ctx=ctx, domain=values["domain"], data=_input(values))


async def _set_domain_password(ctx: Context, values: Values) -> None:
    await users.set_domain_password(
        ctx=ctx, domain=values["domain"], password=values["password"], password_hash=values["password_hash"]
    )


ROUTES = (
    ApiRoute("GET", "/user/{mail}", "A mail user", _get, path_values=(MAIL,), answers=shapes.USER),
    ApiRoute(
        "POST", "/user/{mail}", "Create a mail user (password or password_hash required)", _create,
        params=CREATE_PARAMS, path_values=(MAIL,), status=201,
    ),
    ApiRoute("PUT", "/user/{mail}", "Change a mail user", _update, params=UPDATE_PARAMS, path_values=(MAIL,)),
    *deletion_routes("/user/{mail}", "Delete a mail user", _delete, MAIL),
    ApiRoute(
        "PUT", "/user/{mail}/password", "Change a user's password (neither given: an empty password)",
        _set_password, params=PASSWORDS, path_values=(MAIL,),
    ),
    ApiRoute(
        "GET", "/users/{domain}", "List a domain's mail users",
        _list,
        params=(DISABLED_ONLY, EMAIL_ONLY), path_values=(DOMAIN,), answers=shapes.USERS,
    ),
    ApiRoute(
        "PUT", "/users/{domain}", "Change every mail user of a domain", _update_domain_users,
        params=BULK_PARAMS, path_values=(DOMAIN,),
    ),
    ApiRoute(
        "PUT", "/users/{domain}/password", "Give every mail user of a domain the same password",
        _set_domain_password, params=PASSWORDS, path_values=(DOMAIN,),
    ),
)
