"""``/api/alias/<mail>`` and ``/api/aliases/<domain>``."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from gateway.model import Alias
from gateway.resolvers import aliases
from gateway.resolvers.aliases import AliasInput
from gateway.resolvers.context import Context
from gateway.rest import serialize, shapes
from gateway.rest.declare import COMMA_LIST, TEXT, ApiRoute, Param, Values
from gateway.rest.fields import DISABLED_ONLY, DISPLAY_NAME, DOMAIN, EMAIL_ONLY, MAIL, STATUS, account_list

ACCESS_POLICY = Param(
    "accessPolicy", TEXT,
    "Who may send to it: public, domain, subdomain, membersonly, moderatorsonly, membersandmoderatorsonly",
)
MEMBERS = Param(
    "members", COMMA_LIST, "Member addresses (on change: replaces them all)",
    example="john@example.com,jane@example.com",
)
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


class _Read(Protocol):
    def __call__(self, *, ctx: Context, address: str) -> Awaitable[Alias]: ...


class _Remove(Protocol):
    def __call__(self, *, ctx: Context, address: str) -> Awaitable[object]: ...


class _Write(Protocol):
    def __call__(self, *, ctx: Context, address: str, data: AliasInput) -> Awaitable[object]: ...


def member_routes(
    path: str, noun: str, *, get: _Read, create: _Write, update: _Write, delete: _Remove
) -> tuple[ApiRoute, ...]:
    """GET, POST, PUT and DELETE of an address with members (``path`` has ``{mail}``): aliases and mailing lists."""

    async def read(ctx: Context, values: Values) -> dict[str, Any]:
        return serialize.alias(await get(ctx=ctx, address=values["mail"]))

    async def make(ctx: Context, values: Values) -> None:
        await create(ctx=ctx, address=values["mail"], data=alias_input(values))

    async def change(ctx: Context, values: Values) -> None:
        await update(ctx=ctx, address=values["mail"], data=alias_input(values))

    async def remove(ctx: Context, values: Values) -> None:
        await delete(ctx=ctx, address=values["mail"])

    return (
        ApiRoute("GET", path, f"A {noun}", read, path_values=(MAIL,), answers=shapes.ALIAS),
        ApiRoute("POST", path, f"Create a {noun}", make, params=CREATE_PARAMS, path_values=(MAIL,), status=201),
        ApiRoute("PUT", path, f"Change a {noun}", change, params=UPDATE_PARAMS, path_values=(MAIL,)),
        ApiRoute("DELETE", path, f"Delete a {noun}", remove, path_values=(MAIL,)),
    )


ROUTES = (
    *member_routes(
        "/alias/{mail}", "mail alias",
        get=aliases.get_alias, create=aliases.add_alias, update=aliases.change_alias, delete=aliases.delete_alias,
    ),
    ApiRoute(
        "GET", "/aliases/{domain}", "List a domain's mail aliases",
        account_list(aliases.list_aliases, lambda alias: alias.address, serialize.alias),
        params=(DISABLED_ONLY, EMAIL_ONLY), path_values=(DOMAIN,), answers=shapes.ALIASES,
    ),
)
