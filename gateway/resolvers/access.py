"""Who may do what: global admins everything, domain admins their domains."""

from __future__ import annotations

from gateway.errors import Forbidden, NotAuthenticated
from gateway.model import Actor
from gateway.resolvers.context import Context


def require_actor(ctx: Context) -> Actor:
    """The logged-in admin, or ``LOGIN_REQUIRED``."""
    if ctx.actor is None:
        raise NotAuthenticated("LOGIN_REQUIRED")
    return ctx.actor


def require_global(ctx: Context) -> Actor:
    """A global admin, or ``PERMISSION_DENIED``."""
    actor = require_actor(ctx)
    if not actor.is_global:
        raise Forbidden("PERMISSION_DENIED")
    return actor


def require_domain(ctx: Context, domain: str) -> Actor:
    """An admin of ``domain`` (or a global admin), or ``PERMISSION_DENIED``."""
    actor = require_actor(ctx)
    if not actor.may_manage(domain):
        raise Forbidden("PERMISSION_DENIED")
    return actor
