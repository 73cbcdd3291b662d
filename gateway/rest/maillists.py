"""``/api/maillist/<mail>``: mailing lists where the backend has them, ``NOT_SUPPORTED`` elsewhere."""

from __future__ import annotations

from typing import Any

from gateway.resolvers import maillists
from gateway.resolvers.context import Context
from gateway.rest import serialize
from gateway.rest.aliases import CREATE_PARAMS, UPDATE_PARAMS, alias_input
from gateway.rest.declare import ApiRoute, Values
from gateway.rest.fields import MAIL


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    return serialize.alias(await maillists.get_maillist(ctx=ctx, address=values["mail"]))


async def _create(ctx: Context, values: Values) -> None:
    await maillists.create_maillist(ctx=ctx, address=values["mail"], data=alias_input(values))


async def _update(ctx: Context, values: Values) -> None:
    await maillists.update_maillist(ctx=ctx, address=values["mail"], data=alias_input(values))


async def _delete(ctx: Context, values: Values) -> None:
    await maillists.delete_maillist(ctx=ctx, address=values["mail"])


ROUTES = (
    ApiRoute("GET", "/maillist/{mail}", "A mailing list", _get, path_values=(MAIL,)),
    ApiRoute(
        "POST", "/maillist/{mail}", "Create a mailing list", _create,
        params=CREATE_PARAMS, path_values=(MAIL,), status=201,
    ),
    ApiRoute("PUT", "/maillist/{mail}", "Change a mailing list", _update, params=UPDATE_PARAMS, path_values=(MAIL,)),
    ApiRoute("DELETE", "/maillist/{mail}", "Delete a mailing list", _delete, path_values=(MAIL,)),
)
