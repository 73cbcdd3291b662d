"""``/api/domain/<domain>`` and ``/api/domains``."""

from __future__ import annotations

from typing import Any

from gateway.errors import ErrorCode, InvalidInput
from gateway.model import DomainChanges
from gateway.resolvers import domains
from gateway.resolvers.context import Context
from gateway.resolvers.domain_routing import RoutingInput
from gateway.rest import serialize, shapes
from gateway.rest.declare import COMMA_LIST, FLAG, INTEGER, TEXT, ApiRoute, Param, Values
from gateway.rest.fields import (
    DISABLED_ONLY,
    DISPLAY_NAME,
    DOMAIN,
    STATUS,
    TRANSPORT,
    active_filter,
    deletion_routes,
    list_change,
)

LIMITS = (
    Param("quota", INTEGER, "Domain quota in MB, the sum of its users' quotas (0 = unlimited)"),
    Param("numberOfUsers", INTEGER, "Most mail users (0 = unlimited, -1 = none)"),
    Param("numberOfAliases", INTEGER, "Most mail aliases (0 = unlimited, -1 = none)"),
    Param("numberOfLists", INTEGER, "Most mailing lists (0 = unlimited, -1 = none)"),
    Param("defaultQuota", INTEGER, "Quota in MB of a new user given none"),
    Param("maxUserQuota", INTEGER, "Largest quota in MB of one user (0 = unlimited)"),
    Param("minPasswordLength", INTEGER, "Shortest password of its users (0 = the global setting)"),
    Param("maxPasswordLength", INTEGER, "Longest password of its users (0 = the global setting)"),
    Param("language", TEXT, "Default language of new users, like en_US"),
)
ROUTING = (
    Param("aliasDomains", COMMA_LIST, "Alias domains (replaces them all; empty removes all)", example="example.net"),
    Param("catchall", COMMA_LIST, "Catch-all targets for unknown addresses (empty removes it)",
          example="postmaster@example.com"),
    Param("is_backupmx", TEXT, "yes: be a backup MX, relaying the domain's mail to its primary MX; no: deliver"),
    Param("primarymx", TEXT, "The backup MX domain's primary MX host or IP (default: its MX records)",
          example="192.0.2.10"),
    Param("outboundRelay", TEXT, "Relay host for mail its users send, like [192.0.2.1]:25 (empty removes it)",
          example="[192.0.2.1]:25"),
    Param("senderBcc", TEXT, "Address that gets a copy of all mail sent from the domain (empty removes it)"),
    Param("recipientBcc", TEXT, "Address that gets a copy of all mail sent to the domain (empty removes it)"),
    Param("services", COMMA_LIST, "Domain services, like self-service (replaces them all)"),
)
SWITCHES = (
    Param("addAliasDomain", COMMA_LIST, "Alias domains to add"),
    Param("removeAliasDomain", COMMA_LIST, "Alias domains to remove"),
    Param("addService", COMMA_LIST, "Domain services to enable"),
    Param("removeService", COMMA_LIST, "Domain services to disable"),
    Param("disableDomainProfile", COMMA_LIST, "Domain profile pages its admins may not change, like catchall,bcc"),
    Param("enableDomainProfile", COMMA_LIST, "Domain profile pages its admins may change again"),
    Param("disableUserProfile", COMMA_LIST, "User profile pages hidden from its users' admins"),
    Param("enableUserProfile", COMMA_LIST, "User profile pages shown again"),
    Param("disableUserPreference", COMMA_LIST, "Self-service preferences its users may not change"),
    Param("enableUserPreference", COMMA_LIST, "Self-service preferences its users may change again"),
)
CREATE_PARAMS = (DISPLAY_NAME, TRANSPORT, *LIMITS, *ROUTING)
UPDATE_PARAMS = (DISPLAY_NAME, STATUS, TRANSPORT, *LIMITS, *ROUTING, *SWITCHES)
_YES_NO = {"yes": True, "no": False}


def _changes(values: Values) -> DomainChanges:
    return DomainChanges(
        description=values["name"],
        active=values.get("accountStatus"),
        transport=values["transport"],
        quota=values["quota"],
        max_users=values["numberOfUsers"],
        max_aliases=values["numberOfAliases"],
        max_lists=values["numberOfLists"],
        default_user_quota=values["defaultQuota"],
        max_user_quota=values["maxUserQuota"],
        min_password_length=values["minPasswordLength"],
        max_password_length=values["maxPasswordLength"],
        default_language=values["language"],
    )


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    try:
        return _YES_NO[value.strip().lower()]
    except KeyError:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "is_backupmx must be yes or no") from None


def _routing(values: Values) -> RoutingInput | None:
    given = [p.name for p in (*ROUTING, *SWITCHES) if values.get(p.name) is not None]
    if not given:
        return None
    return RoutingInput(
        alias_domains=list_change(values, ("aliasDomains", "addAliasDomain", "removeAliasDomain")),
        catchall=values["catchall"],
        backupmx=_flag(values["is_backupmx"]),
        primary_mx=values["primarymx"],
        relayhost=values["outboundRelay"],
        sender_bcc=values["senderBcc"],
        recipient_bcc=values["recipientBcc"],
        services=list_change(values, ("services", "addService", "removeService")),
        disabled_domain_profiles=list_change(values, ("", "disableDomainProfile", "enableDomainProfile")),
        disabled_user_profiles=list_change(values, ("", "disableUserProfile", "enableUserProfile")),
        disabled_user_preferences=list_change(values, ("", "disableUserPreference", "enableUserPreference")),
    )


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    found = await domains.get_domain(ctx=ctx, name=values["domain"])
    usage = await domains.domain_usage(ctx=ctx, names=[found.name])
    routing = await domains.get_routing(ctx=ctx, names=[found.name])
    return serialize.domain(found, usage[found.name], routing.get(found.name))


async def _list(ctx: Context, values: Values) -> list[Any]:
    found = await domains.list_domains(ctx=ctx, active=active_filter(values))
    if values["name_only"]:
        return [d.name for d in found]
    names = [d.name for d in found]
    usage = await domains.domain_usage(ctx=ctx, names=names)
    routing = await domains.get_routing(ctx=ctx, names=names)
    return [serialize.domain(d, usage[d.name], routing.get(d.name)) for d in found]


async def _create(ctx: Context, values: Values) -> None:
    await domains.create_domain(ctx=ctx, name=values["domain"], changes=_changes(values), routing=_routing(values))


async def _update(ctx: Context, values: Values) -> None:
    await domains.update_domain(ctx=ctx, name=values["domain"], changes=_changes(values), routing=_routing(values))


async def _delete(ctx: Context, values: Values) -> None:
    await domains.delete_domain(ctx=ctx, name=values["domain"], keep_mailbox_days=values.get("days"))


ROUTES = (
    ApiRoute(
        "GET", "/domains", "List the domains the admin manages", _list,
        params=(DISABLED_ONLY, Param("name_only", FLAG, "List the domain names only")), answers=shapes.DOMAINS,
    ),
    ApiRoute("GET", "/domain/{domain}", "A domain with its usage", _get, path_values=(DOMAIN,), answers=shapes.DOMAIN),
    ApiRoute(
        "POST", "/domain/{domain}", "Create a domain", _create,
        params=CREATE_PARAMS, path_values=(DOMAIN,), status=201,
    ),
    ApiRoute("PUT", "/domain/{domain}", "Change a domain", _update, params=UPDATE_PARAMS, path_values=(DOMAIN,)),
    *deletion_routes("/domain/{domain}", "Delete a domain and its accounts", _delete, DOMAIN),
)
