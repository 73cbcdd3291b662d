"""``/api/domain/<domain>`` and ``/api/domains``."""

from __future__ import annotations

from typing import Any

from gateway.model import DomainChanges
from gateway.resolvers import domains
from gateway.resolvers.context import Context
from gateway.rest import serialize, shapes
from gateway.rest.declare import FLAG, INTEGER, TEXT, ApiRoute, Param, Values
from gateway.rest.fields import DISABLED_ONLY, DISPLAY_NAME, DOMAIN, STATUS, TRANSPORT, active_filter, deletion_routes

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
CREATE_PARAMS = (DISPLAY_NAME, TRANSPORT, *LIMITS)
UPDATE_PARAMS = (DISPLAY_NAME, STATUS, TRANSPORT, *LIMITS)


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


async def _get(ctx: Context, values: Values) -> dict[str, Any]:
    found = await domains.get_domain(ctx=ctx, name=values["domain"])
    usage = await domains.domain_usage(ctx=ctx, names=[found.name])
    return serialize.domain(found, usage[found.name])


async def _list(ctx: Context, values: Values) -> list[Any]:
    found = await domains.list_domains(ctx=ctx, active=active_filter(values))
    if values["name_only"]:
        return [d.name for d in found]
    usage = await domains.domain_usage(ctx=ctx, names=[d.name for d in found])
    return [serialize.domain(d, usage[d.name]) for d in found]


async def _create(ctx: Context, values: Values) -> None:
    await domains.create_domain(ctx=ctx, name=values["domain"], changes=_changes(values))


async def _update(ctx: Context, values: Values) -> None:
    await domains.update_domain(ctx=ctx, name=values["domain"], changes=_changes(values))


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
