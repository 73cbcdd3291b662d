"""Admin accounts: standalone admins, who manages a domain, and password checks (global admins only).

Every change that takes an admin's password, status or rights away ends its
sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from gateway import addresses
from gateway.errors import ErrorCode, Forbidden, InvalidInput, NotAuthenticated, NotFound
from gateway.model import Admin, AdminChanges, AdminLimits, Page, PageQuery
from gateway.passwords import verify_password as password_matches
from gateway.resolvers import validation
from gateway.resolvers.access import require_domain, require_global
from gateway.resolvers.auth import DECOY_HASH
from gateway.resolvers.context import Context
from gateway.resolvers.users import AccountInput, hash_input

QUOTA_UNITS = {"MB": 1, "GB": 1024, "TB": 1048576}
LIMIT_FIELDS = ("max_domains", "max_users", "max_aliases", "max_lists")


@dataclass
class AdminInput(AccountInput):
    """What a client gives to create or update a standalone admin; ``None`` = not given."""

    active: bool | None = None
    is_global: bool | None = None
    max_domains: int | None = None
    max_quota: int | None = None
    quota_unit: str | None = None
    max_users: int | None = None
    max_aliases: int | None = None
    max_lists: int | None = None
    disable_viewing_mail_log: bool | None = None
    disable_managing_quarantined_mails: bool | None = None


def _limits(data: AdminInput, current: AdminLimits) -> AdminLimits | None:
    """The limits given (merged into ``current``), None when none is given."""
    given = {
        name: validation.account_limit(getattr(data, name)) for name in LIMIT_FIELDS if getattr(data, name) is not None
    }
    if data.quota_unit is not None and data.max_quota is None:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "quotaUnit needs maxQuota")
    if data.max_quota is not None:
        unit = QUOTA_UNITS.get((data.quota_unit or "MB").upper())
        if unit is None:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, "quotaUnit is MB, GB or TB")
        if data.max_quota < 0:
            raise InvalidInput(ErrorCode.INVALID_QUOTA)
        given["max_quota"] = validation.quota(data.max_quota * unit)
    return replace(current, **given) if given else None


async def _changes(ctx: Context, data: AdminInput, current: Admin | None) -> AdminChanges:
    return AdminChanges(
        name=None if data.name is None else validation.display_name(data.name),
        password_hash=await hash_input(ctx, data, None),
        language=None if data.language is None else validation.language(data.language),
        active=data.active,
        is_global=data.is_global,
        limits=_limits(data, current.limits if current is not None else AdminLimits()),
        disable_viewing_mail_log=data.disable_viewing_mail_log,
        disable_managing_quarantined_mails=data.disable_managing_quarantined_mails,
    )


async def get_admin(*, ctx: Context, email: str) -> Admin:
    """One standalone admin."""
    require_global(ctx)
    admin = await ctx.admins.get_admin(addresses.member_address(email))
    if admin is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    return admin


async def list_admins(*, ctx: Context, active: bool | None = None) -> list[Admin]:
    """Standalone admins and mail users holding admin rights, with the domains each manages."""
    require_global(ctx)
    return await ctx.admins.list_admins(active=active)


async def create_admin(*, ctx: Context, email: str, data: AdminInput) -> Admin:
    """A standalone admin at an address outside the hosted domains."""
    require_global(ctx)
    email = addresses.mailbox_address(email)
    if data.password is None and data.password_hash is None:
        raise InvalidInput(ErrorCode.PW_EMPTY)
    changes = await _changes(ctx, data, None)
    await ctx.admins.create_admin(email, changes)
    return await get_admin(ctx=ctx, email=email)


async def update_admin(*, ctx: Context, email: str, data: AdminInput) -> Admin:
    """Change a standalone admin; a new password, disabling or demoting ends its sessions."""
    actor = require_global(ctx)
    current = await get_admin(ctx=ctx, email=email)
    if current.email == actor.username and (data.active is False or data.is_global is False):
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "an admin cannot disable or demote itself")
    changes = await _changes(ctx, data, current)
    await ctx.admins.update_admin(current.email, changes)
    if changes.password_hash is not None or changes.active is False or changes.is_global is False:
        await ctx.sessions.delete_for([current.email])
    return await get_admin(ctx=ctx, email=current.email)


async def delete_admin(*, ctx: Context, email: str) -> None:
    """Remove a standalone admin and its rights; its sessions end."""
    actor = require_global(ctx)
    email = addresses.member_address(email)
    if email == actor.username:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "an admin cannot delete its own account")
    await ctx.admins.delete_admin(email)
    await ctx.sessions.delete_for([email])


async def set_domain_admins(
    *, ctx: Context, domain: str, add: list[str], remove: list[str], remove_all: bool = False
) -> list[str]:
    """Add and remove the admins of a domain; returns who manages it now.

    An added address must be a standalone admin or a mailbox; a mail user
    left managing nothing loses its admin flag, and whoever is no longer an
    admin at all loses its sessions.
    """
    require_global(ctx)
    domain = addresses.domain_name(domain)
    added = sorted({addresses.member_address(email) for email in add})
    removed = sorted({addresses.member_address(email) for email in remove})
    if not (added or removed or remove_all):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "give addAdmin, removeAdmin or removeAllAdmins")
    before = set((await ctx.listing.domain_admins([domain])).get(domain, ()))
    await ctx.admins.set_domain_admins(domain, add=added, remove=removed, remove_all=remove_all)
    now = (await ctx.listing.domain_admins([domain])).get(domain, ())
    for email in sorted(before - set(now)):
        if await ctx.admins.load_actor(email) is None:
            await ctx.sessions.delete_for([email])
    return list(now)


async def verify_password(*, ctx: Context, kind: Literal["admin", "user"], email: str, password: str) -> None:
    """Whether ``password`` is the account's (``INVALID_CREDENTIALS`` if not), compared in constant time;
    at most ``AttemptLimiter.limit`` tries per account and window."""
    require_global(ctx)
    email = addresses.member_address(email)
    ctx.attempts.attempt(f"{kind} {email}")
    plain = password.strip()  # as iRedAdmin does
    stored = await ctx.admins.stored_hash(email, admin=kind == "admin")
    matches = await ctx.in_thread(password_matches, stored or DECOY_HASH, plain or " ")
    if not (matches and stored and plain):
        raise NotAuthenticated(ErrorCode.INVALID_CREDENTIALS)


async def admins_page(*, ctx: Context, query: PageQuery) -> Page[Admin]:
    """A page of every admin by address; ``search`` matches the address or the name."""
    found = await list_admins(ctx=ctx, active=query.active)
    if query.search:
        needle = query.search.lower()
        found = [admin for admin in found if needle in admin.email or needle in admin.name.lower()]
    after = [admin for admin in found if query.after is None or admin.email > query.after]
    return Page(items=tuple(after[: query.first]), total=len(found), has_next=len(after) > query.first)


async def domain_admin_accounts(*, ctx: Context, domains: list[str]) -> dict[str, tuple[Admin, ...]]:
    """The existing admin accounts of each domain the actor manages (global admins not included)."""
    for domain in domains:
        require_domain(ctx, domain)
    named = await ctx.listing.domain_admins(domains)
    accounts = {admin.email: admin for admin in await ctx.admins.list_admins()}
    return {
        domain: tuple(accounts[email] for email in emails if email in accounts) for domain, emails in named.items()
    }
