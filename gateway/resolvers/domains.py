"""Mail domains: create, read, update, delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from gateway import addresses
from gateway.errors import ErrorCode, Forbidden, InvalidInput, NotFound
from gateway.model import Actor, Domain, DomainChanges, DomainRouting, DomainUsage
from gateway.resolvers import domain_routing, validation
from gateway.resolvers.access import require_actor, require_domain, require_global
from gateway.resolvers.admin_limits import admin_bound
from gateway.resolvers.context import Context
from gateway.resolvers.domain_routing import RoutingInput

_CHECKS: dict[str, Callable[[Any], Any]] = {
    "description": validation.display_name,
    "transport": validation.transport,
    "quota": validation.quota,
    "max_users": validation.account_limit,
    "max_aliases": validation.account_limit,
    "max_lists": validation.account_limit,
    "default_user_quota": validation.quota,
    "max_user_quota": validation.quota,
    "min_password_length": validation.password_length,
    "max_password_length": validation.password_length,
    "default_language": validation.language,
}


# what only a global admin may change: the domain's limits, state and routing
GLOBAL_ONLY = (
    "quota", "max_users", "max_aliases", "max_lists", "max_user_quota", "active", "transport", "backupmx",
)


def _given(changes: DomainChanges) -> dict[str, Any]:
    return {key: value for key, value in vars(changes).items() if value is not None and key != "routing"}


def _validated(changes: DomainChanges) -> DomainChanges:
    return replace(changes, **{k: _CHECKS[k](v) for k, v in _given(changes).items() if k in _CHECKS})


def validated_changes(changes: DomainChanges) -> DomainChanges:
    """``changes`` with each value checked and normalised as creating or updating a domain does."""
    return _validated(changes)


def _check_coherent(domain: Domain) -> None:
    """Reject settings that contradict each other."""
    if domain.min_password_length and domain.max_password_length and (
        domain.min_password_length > domain.max_password_length
    ):
        raise InvalidInput(ErrorCode.INVALID_PASSWORD_LENGTH_RANGE)
    if domain.max_user_quota and domain.default_user_quota > domain.max_user_quota:
        raise InvalidInput(ErrorCode.INVALID_DEFAULT_QUOTA)


def _applied(domain: Domain, changes: DomainChanges) -> Domain:
    return replace(domain, **_given(changes))


async def get_domain(*, ctx: Context, name: str) -> Domain:
    """One domain the actor manages."""
    name = addresses.domain_name(name)
    require_domain(ctx, name)
    domain = await ctx.domains.get_domain(name)
    if domain is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return domain


async def list_domains(*, ctx: Context, active: bool | None = None) -> list[Domain]:
    """The domains the actor manages, by name."""
    actor = require_actor(ctx)
    names = None if actor.is_global else actor.domains
    return await ctx.domains.list_domains(names=names, active=active)


async def list_domains_named(*, ctx: Context, names: list[str]) -> list[Domain]:
    """The domains of ``names`` that exist, for an actor managing all of them."""
    for name in names:
        require_domain(ctx, name)
    return await ctx.domains.list_domains(names=names)


async def domain_usage(*, ctx: Context, names: list[str]) -> dict[str, DomainUsage]:
    """Counts and quota figures of domains the actor manages."""
    for name in names:
        require_domain(ctx, name)
    return await ctx.domains.domain_usage(names)


async def _with_routing(
    ctx: Context, actor: Actor, name: str, changes: DomainChanges, routing: RoutingInput | None
) -> tuple[DomainChanges, bool]:
    """``changes`` carrying the checked ``routing``; True when the domain must already be a backup MX."""
    if routing is None:
        return changes, False
    data = domain_routing.checked(routing)
    if not actor.is_global and data.global_only():
        raise Forbidden(ErrorCode.PERMISSION_DENIED)
    changes, needs_backupmx = domain_routing.with_backupmx(name, changes, data)
    await domain_routing.check_catchall(ctx, name, data)
    return replace(changes, routing=domain_routing.routing_update(actor, name, data)), needs_backupmx


async def get_routing(*, ctx: Context, names: list[str]) -> dict[str, DomainRouting]:
    """The routing of domains the actor manages."""
    for name in names:
        require_domain(ctx, name)
    return await ctx.domains.domain_routing(names)


async def create_domain(
    *, ctx: Context, name: str, changes: DomainChanges, routing: RoutingInput | None = None
) -> Domain:
    """Create a domain: global admins, and normal admins allowed ``maxDomains`` (the domain becomes theirs,
    without the limits, status and routing only global admins set)."""
    actor = require_actor(ctx)
    bound = None
    if not actor.is_global:
        limits = await ctx.admins.admin_limits(actor.username)
        if limits is None or limits.max_domains <= 0:
            raise Forbidden(ErrorCode.PERMISSION_DENIED)
        if any(getattr(changes, key) is not None for key in GLOBAL_ONLY):
            raise Forbidden(ErrorCode.PERMISSION_DENIED)
        bound = await admin_bound(ctx, "domains")
    name = addresses.domain_name(name)
    changes = _validated(changes)
    changes, needs_backupmx = await _with_routing(ctx, actor, name, changes, routing)
    if needs_backupmx:
        raise InvalidInput(ErrorCode.BACKUPMX_CONFLICT, "primarymx needs is_backupmx=yes")
    if changes.active is False:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "a new domain is always created active")
    blank = Domain(
        name=name, description="", active=True, transport="dovecot", backupmx=False, quota=0, max_users=0,
        max_aliases=0, max_lists=0, default_user_quota=0, max_user_quota=0, min_password_length=0,
        max_password_length=0, default_language="", created=None, modified=None,
    )
    _check_coherent(_applied(blank, changes))
    # rows left by an earlier domain of that name
    async with ctx.throttles.clearing_domain(name), ctx.spam_policies.clearing_domain(name):
        await ctx.domains.create_domain(name, changes, bound)
    created = await ctx.domains.get_domain(name)
    if created is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return created


async def update_domain(
    *, ctx: Context, name: str, changes: DomainChanges, routing: RoutingInput | None = None
) -> Domain:
    """Update a domain the actor manages; only global admins change its limits and where its mail goes."""
    name = addresses.domain_name(name)
    actor = require_domain(ctx, name)
    changes = _validated(changes)
    if not actor.is_global and any(getattr(changes, key) is not None for key in GLOBAL_ONLY):
        raise Forbidden(ErrorCode.PERMISSION_DENIED)
    changes, needs_backupmx = await _with_routing(ctx, actor, name, changes, routing)

    def check(current: Domain, usage: DomainUsage) -> None:
        if needs_backupmx and not current.backupmx:
            raise InvalidInput(ErrorCode.BACKUPMX_CONFLICT, "primarymx needs is_backupmx=yes")
        _check_coherent(_applied(current, changes))

    await ctx.domains.update_domain(name, changes, check)
    return await get_domain(ctx=ctx, name=name)


# a century: beyond any retention policy, and far inside the dates Python and SQL can hold
MAX_KEEP_DAYS = 36_500


def deletion_date(keep_days: int) -> date | None:
    """When the mailboxes' directories may go: never (None) for 0 days; at most ``MAX_KEEP_DAYS`` ahead."""
    if keep_days < 0 or keep_days > MAX_KEEP_DAYS:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"keep_mailbox_days must be 0 to {MAX_KEEP_DAYS}")
    return date.today() + timedelta(days=keep_days) if keep_days else None


async def delete_domain(*, ctx: Context, name: str, keep_mailbox_days: int | None = None) -> None:
    """Delete a domain and its accounts (global admins only); mail stays on disk."""
    actor = require_global(ctx)
    name = addresses.domain_name(name)
    days = ctx.settings.mailbox_keep_days if keep_mailbox_days is None else keep_mailbox_days
    emails = await ctx.users.user_emails(name)
    delete_date = deletion_date(days)
    async with ctx.throttles.clearing_domain(name), ctx.spam_policies.clearing_domain(name):
        await ctx.domains.delete_domain(name, admin=actor.username, delete_date=delete_date)
    await ctx.sessions.delete_for(emails)

