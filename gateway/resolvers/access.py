"""Who may do what: global admins everything, domain admins their domains.

Changing an account also takes the rights it holds as an admin: a domain
admin may not change an account whose rights exceed its own (a global admin,
or the admin of a domain it does not manage), whether or not that account is
active, lest it take those rights over by setting the password.
"""

from __future__ import annotations

from gateway import addresses
from gateway.errors import ErrorCode, Forbidden, NotAuthenticated
from gateway.model import Actor
from gateway.resolvers.context import Context


def require_actor(ctx: Context) -> Actor:
    """The logged-in admin, or ``LOGIN_REQUIRED``."""
    if ctx.actor is None:
        raise NotAuthenticated(ErrorCode.LOGIN_REQUIRED)
    return ctx.actor


def require_global(ctx: Context) -> Actor:
    """A global admin, or ``PERMISSION_DENIED``."""
    actor = require_actor(ctx)
    if not actor.is_global:
        raise Forbidden(ErrorCode.PERMISSION_DENIED)
    return actor


def require_domain(ctx: Context, domain: str) -> Actor:
    """An admin of ``domain`` (or a global admin), or ``PERMISSION_DENIED``."""
    actor = require_actor(ctx)
    if not actor.may_manage(domain):
        raise Forbidden(ErrorCode.PERMISSION_DENIED)
    return actor


def managed_address(ctx: Context, address: str) -> str:
    """``address`` normalized, when its domain is one the actor manages (else ``PERMISSION_DENIED``)."""
    address = addresses.member_address(address)
    require_domain(ctx, addresses.domain_of(address))
    return address


def exceeds(rights: Actor, actor: Actor) -> bool:
    """Whether ``rights`` reach beyond what ``actor`` may do."""
    if actor.is_global:
        return False
    return rights.is_global or not rights.domains <= actor.domains


async def require_account(ctx: Context, email: str) -> Actor:
    """An admin of ``email``'s domain whose rights cover the account's, or ``PERMISSION_DENIED``."""
    actor = require_domain(ctx, addresses.domain_of(email))
    if not actor.is_global:
        rights = (await ctx.admins.admin_rights([email])).get(email)
        if rights is not None and exceeds(rights, actor):
            raise Forbidden(ErrorCode.PERMISSION_DENIED, "the account holds rights beyond the admin's")
    return actor


async def exceeding_users(ctx: Context, actor: Actor, domain: str) -> frozenset[str]:
    """The users of ``domain`` whose rights exceed the actor's: bulk changes leave them alone."""
    if actor.is_global:
        return frozenset()
    rights = await ctx.admins.domain_user_rights(domain)
    return frozenset(email for email, held in rights.items() if exceeds(held, actor))
