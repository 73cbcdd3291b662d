"""``/api/user/<mail>/change_email/<new_mail>`` and ``/api/alias/<mail>/change_email/<new_mail>``."""

from __future__ import annotations

from gateway.resolvers import renames
from gateway.resolvers.context import Context
from gateway.rest.declare import ApiRoute, PathValue, Values
from gateway.rest.fields import MAIL

NEW_MAIL = PathValue("new_mail", "The account's new e-mail address, in the same domain", "johnny@example.com")


async def _rename_user(ctx: Context, values: Values) -> None:
    await renames.rename_user(ctx=ctx, email=values["mail"], new_email=values["new_mail"])


async def _rename_alias(ctx: Context, values: Values) -> None:
    await renames.rename_alias(ctx=ctx, address=values["mail"], new_address=values["new_mail"])


ROUTES = (
    ApiRoute(
        "POST", "/user/{mail}/change_email/{new_mail}",
        "Give a mail user a new address in its domain; its mail, forwardings, aliases and rights follow",
        _rename_user, path_values=(MAIL, NEW_MAIL), audit="update", subject="user address",
    ),
    ApiRoute(
        "POST", "/alias/{mail}/change_email/{new_mail}",
        "Give a mail alias a new address in its domain; its members stay, memberships naming it follow",
        _rename_alias, path_values=(MAIL, NEW_MAIL), audit="update", subject="mail alias address",
    ),
)
