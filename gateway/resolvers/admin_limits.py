"""A normal admin's own limits (``maxDomains``, ``maxUsers``, ``maxAliases``, ``maxLists``, ``maxQuota``),
counted across every domain it manages and held by the store while it writes (see ``AdminBound``).

Global admins and mail users holding admin rights have none. 0 = no limit, -1 = may not add any.
"""

from __future__ import annotations

from typing import Literal

from gateway.backends.base import AdminBound
from gateway.errors import Conflict, ErrorCode
from gateway.model import AdminLimits, AdminUsage
from gateway.resolvers.access import require_actor
from gateway.resolvers.context import Context

Counted = Literal["domains", "users", "aliases", "lists"]


def _over(limit: int, count: int) -> bool:
    return limit == -1 or 0 < limit < count


async def admin_bound(ctx: Context, counted: Counted | None, *, quota: int | None = None) -> AdminBound | None:
    """The actor's limits on one more of ``counted`` and, when a mailbox gets ``quota`` MB, on allocated
    quota; None when the actor has none. An unlimited mailbox (0) is refused at once under a quota limit."""
    actor = require_actor(ctx)
    if actor.is_global:
        return None
    limits = await ctx.admins.admin_limits(actor.username)
    if limits is None or limits == AdminLimits():
        return None
    maximum = {
        "domains": limits.max_domains,
        "users": limits.max_users,
        "aliases": limits.max_aliases,
        "lists": limits.max_lists,
    }

    if quota == 0 and limits.max_quota:
        raise Conflict(ErrorCode.EXCEEDED_ADMIN_LIMIT, "under a quota limit every mailbox needs a quota")

    def check(usage: AdminUsage) -> None:
        if counted is not None and _over(maximum[counted], getattr(usage, counted)):
            raise Conflict(ErrorCode.EXCEEDED_ADMIN_LIMIT, f"the admin's limit of {counted} is reached")
        if quota is not None and limits.max_quota and usage.allocated_quota > limits.max_quota:
            raise Conflict(ErrorCode.EXCEEDED_ADMIN_LIMIT, "the admin's quota limit is reached")

    return AdminBound(actor.username, check)

