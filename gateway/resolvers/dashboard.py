"""Pages, batches and totals for dashboards, within what the actor may see."""

from __future__ import annotations

import base64
import binascii

from gateway import addresses
from gateway.errors import ErrorCode, InvalidInput
from gateway.model import Alias, Domain, Page, PageQuery, Stats, Throttle, UsedQuota, User
from gateway.resolvers.access import require_actor, require_domain
from gateway.resolvers.context import Context

MAX_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 255


def encode_cursor(key: str) -> str:
    """An opaque cursor for the item with sort key ``key``."""
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode_cursor(cursor: str) -> str:
    """The sort key of a cursor made by ``encode_cursor``; anything else is ``INVALID_CURSOR``."""
    try:
        key = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput(ErrorCode.INVALID_CURSOR) from None
    if not key or encode_cursor(key) != cursor:
        raise InvalidInput(ErrorCode.INVALID_CURSOR)
    return key


def page_query(
    first: int, after: str | None = None, search: str | None = None, active: bool | None = None
) -> PageQuery:
    """Validate pagination arguments: 1 ≤ first ≤ MAX_PAGE_SIZE, a cursor made by ``encode_cursor``."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(ErrorCode.INVALID_PAGE_SIZE, f"first must be between 1 and {MAX_PAGE_SIZE}")
    key = None if after is None else _decode_cursor(after)
    if search is not None and (len(search) > MAX_SEARCH_LENGTH or not search.isprintable()):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "search is too long or not printable")
    return PageQuery(first=first, after=key, search=search or None, active=active)


async def domains_page(*, ctx: Context, query: PageQuery) -> Page[Domain]:
    """A page of the domains the actor manages, by name."""
    actor = require_actor(ctx)
    return await ctx.listing.page_domains(None if actor.is_global else actor.domains, query)


def _managed(ctx: Context, domains: list[str]) -> list[str]:
    for domain in domains:
        require_domain(ctx, domain)
    return domains


async def users_pages(*, ctx: Context, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
    """A page of users for each domain, in one batch."""
    return await ctx.listing.page_users(_managed(ctx, domains), query)


async def aliases_pages(*, ctx: Context, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
    """A page of aliases for each domain, in one batch."""
    return await ctx.listing.page_aliases(_managed(ctx, domains), query)


def _emails_managed(ctx: Context, emails: list[str]) -> list[str]:
    _managed(ctx, sorted({addresses.domain_of(email) for email in emails}))
    return emails


async def used_quota(*, ctx: Context, emails: list[str]) -> dict[str, UsedQuota]:
    """What Dovecot counted for each mailbox."""
    return await ctx.listing.used_quota(_emails_managed(ctx, emails))


async def alias_memberships(*, ctx: Context, emails: list[str]) -> dict[str, tuple[str, ...]]:
    """The aliases each address is a member of, among the domains the actor manages."""
    actor = require_actor(ctx)
    found = await ctx.listing.alias_memberships(_emails_managed(ctx, emails))
    return {
        email: tuple(alias for alias in aliases if actor.may_manage(addresses.domain_of(alias)))
        for email, aliases in found.items()
    }


async def domain_admins(*, ctx: Context, domains: list[str]) -> dict[str, tuple[str, ...]]:
    """The admins of each domain."""
    return await ctx.listing.domain_admins(_managed(ctx, domains))


async def throttles_of(*, ctx: Context, accounts: list[str]) -> list[Throttle]:
    """Throttle rows of domains (``@domain``) and addresses the actor manages."""
    for account in accounts:
        require_domain(ctx, account.lstrip("@").rsplit("@", 1)[-1])
    return await ctx.throttles.list(accounts)


async def stats(*, ctx: Context) -> Stats:
    """Totals over the domains the actor manages."""
    actor = require_actor(ctx)
    return await ctx.listing.stats(None if actor.is_global else actor.domains)
