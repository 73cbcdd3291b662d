"""``/api/greylisting/…``: iRedAPD greylisting of the server, a domain or an address, and its whitelists."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from gateway.model import GreylistingSetting
from gateway.resolvers import greylisting
from gateway.resolvers.context import Context
from gateway.resolvers.greylisting import GreylistingState, GreylistingWhitelists
from gateway.rest.declare import TEXT, ApiRoute, Param, PathValue, Values
from gateway.rest.fields import list_params

TARGET = PathValue("target", "global, a domain name or an e-mail address", "example.com")
PATH = "/greylisting/{target}"
WHITELISTS = "/greylisting/{target}/whitelists"
SPF_DOMAINS = "/greylisting/whitelist_spf_domains"
STATUS = Param("status", TEXT, "enable or disable", required=True)
SENDERS = list_params(("senders", "addSenders", "removeSenders"), (
    "Replace the whitelist (rows of iRedAPD's SPF job are kept)",
    "Senders to whitelist: IP, network, user@domain, @domain, @.domain",
    "Senders to remove from the whitelist",
))  # fmt: skip
DOMAINS = list_params(("domains", "addDomains", "removeDomains"), (
    "Replace the domains whose SPF/MX hosts are whitelisted",
    "Domains to add",
    "Domains to remove, with the hosts whitelisted for them",
))  # fmt: skip


def _row(value: GreylistingSetting) -> dict[str, Any]:
    """The row under iRedAPD's column names, ``active`` as 0/1."""
    return {**asdict(value), "active": int(value.active)}


def _state(value: GreylistingState) -> dict[str, Any]:
    status = None if value.active is None else ("enable" if value.active else "disable")
    return {"account": value.account, "status": status, "settings": [_row(row) for row in value.rows]}


def _whitelists(value: GreylistingWhitelists) -> dict[str, Any]:
    data: dict[str, Any] = {"account": value.account, "senders": list(value.senders)}
    if value.account == "@.":
        data["spf_domains"] = list(value.spf_domains)
        data["spf_hosts"] = [{"sender": row.sender, "comment": row.comment} for row in value.spf_hosts]
    return data


async def _all(ctx: Context, values: Values) -> list[dict[str, Any]]:
    return [_row(row) for row in await greylisting.all_greylisting(ctx=ctx)]


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    return _state(await greylisting.get_greylisting(ctx=ctx, target=values["target"]))


async def _set(ctx: Context, values: Values) -> None:
    await greylisting.set_greylisting(ctx=ctx, target=values["target"], status=values["status"])


async def _delete(ctx: Context, values: Values) -> None:
    await greylisting.delete_greylisting(ctx=ctx, target=values["target"])


async def _get_whitelists(ctx: Context, values: Values) -> dict[str, Any]:
    return _whitelists(await greylisting.get_whitelists(ctx=ctx, target=values["target"]))


async def _update_whitelists(ctx: Context, values: Values) -> None:
    await greylisting.update_whitelists(
        ctx=ctx, target=values["target"], senders=values["senders"], add=values["addSenders"],
        remove=values["removeSenders"],
    )  # fmt: skip


async def _update_spf_domains(ctx: Context, values: Values) -> None:
    await greylisting.update_spf_domains(
        ctx=ctx, domains=values["domains"], add=values["addDomains"], remove=values["removeDomains"]
    )


# the fixed paths come first: Starlette takes the first route whose path matches
ROUTES = (
    ApiRoute("GET", "/greylisting/all", "Every greylisting setting of the server (global admins)", _all),
    ApiRoute(
        "POST", SPF_DOMAINS, "Change the domains whose SPF/MX hosts iRedAPD's hourly job whitelists",
        _update_spf_domains, params=DOMAINS,
    ),
    ApiRoute("GET", PATH, "An account's greylisting status (null: inherited) and rows", _get, path_values=(TARGET,)),
    ApiRoute(
        "POST", PATH, "Enable or disable greylisting for an account", _set, params=(STATUS,), path_values=(TARGET,)
    ),
    ApiRoute("DELETE", PATH, "Remove an account's own status: it inherits again", _delete, path_values=(TARGET,)),
    ApiRoute("GET", WHITELISTS, "The senders never greylisted for an account", _get_whitelists, path_values=(TARGET,)),
    ApiRoute(
        "POST", WHITELISTS, "Replace, add or remove whitelisted senders", _update_whitelists, params=SENDERS,
        path_values=(TARGET,),
    ),
)
