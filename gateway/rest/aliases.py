"""``/api/alias/<mail>`` and ``/api/aliases/<domain>``."""

from __future__ import annotations

from typing import Any

from gateway.resolvers import aliases
from gateway.resolvers.aliases import AliasInput
from gateway.resolvers.context import Context
from gateway.rest import serialize
from gateway.rest.declare import COMMA_LIST, TEXT, ApiRoute, Param, Values
from gateway.rest.fields import DISABLED_ONLY, DISPLAY_NAME, DOMAIN, EMAIL_ONLY, MAIL, STATUS, active_filter

ACCESS_POLICY = Param(
    "accessPolicy", TEXT,
    "Who may send to it: public, domain, subdomain, membersonly, moderatorsonly, membersandmoderatorsonly",
)
MEMBERS = Param("members", COMMA_LIST, "Member addresses (on change: replaces them all)")
CREATE_PARAMS = (DISPLAY_NAME, ACCESS_POLICY, MEMBERS)
UPDATE_PARAMS = (
    DISPLAY_NAME, ACCESS_POLICY, STATUS, MEMBERS,
    Param("addMember", COMMA_LIST, "Addresses to add to the members"),
    Param("removeMember", COMMA_LIST, "Addresses to remove from the members"),
)


def alias_input(values: Values) -> AliasInput:
    return AliasInput(
        name=values["name"],
        access_policy=values["accessPolicy"],
        active=values.get("accountStatus"),
        members=values["members"],
        add_members=values.get("addMember") or (),
        remove_members=values.get("removeMember") or (),
    )


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    return serialize.alias(await aliases.get_alias(ctx=ctx, address=values["mail"]))


async def _list(ctx: Context, values: Values) -> list[Any]:
    found = await aliases.list_aliases(ctx=ctx, domain=values["domain"], active=active_filter(values))
    if values["email_only"]:
        return [a.address for a in found]
    return [serialize.alias(a) for a in found]


async def _create(ctx: Context, values: Values) -> None:
    await aliases.create_alias(ctx=ctx, address=values["mail"], data=alias_input(values))


async def _update(ctx: Context, values: Values) -> None:
    await aliases.update_alias(ctx=ctx, address=values["mail"], data=alias_input(values))


async def _delete(ctx: Context, values: Values) -> None:
    await aliases.delete_alias(ctx=ctx, address=values["mail"])


ROUTES = (
    ApiRoute("GET", "/alias/{mail}", "A mail alias", _get, path_values=(MAIL,)),
    ApiRoute(
        "POST", "/alias/{mail}", "Create a mail alias", _create,
        params=CREATE_PARAMS, path_values=(MAIL,), status=201,
    ),
    ApiRoute("PUT", "/alias/{mail}", "Change a mail alias", _update, params=UPDATE_PARAMS, path_values=(MAIL,)),
    ApiRoute("DELETE", "/alias/{mail}", "Delete a mail alias", _delete, path_values=(MAIL,)),
    ApiRoute(
        "GET", "/aliases/{domain}", "List a domain's mail aliases", _list,
        params=(DISABLED_ONLY, EMAIL_ONLY), path_values=(DOMAIN,),
    ),
)
