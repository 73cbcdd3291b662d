"""Holding a normal admin's limits across the domains it manages while a write runs.

The admin's account row is locked first, before any other read of the
transaction, so writers of the same admin take turns and each one counts
what the others committed (MariaDB's snapshot starts after the lock).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.base import AdminBound
from gateway.backends.sql import tables as t
from gateway.backends.sql.admins import ALL_DOMAINS
from gateway.model import AdminUsage


async def lock_admin(conn: AsyncConnection, bound: AdminBound | None) -> None:
    """Lock the admin's ``admin`` row (or its mailbox row) until the transaction ends."""
    if bound is None:
        return
    await conn.execute(select(t.admin.c.username).where(t.admin.c.username == bound.username).with_for_update())
    await conn.execute(
        select(t.mailbox.c.username).where(t.mailbox.c.username == bound.username).with_for_update()
    )


async def admin_usage(conn: AsyncConnection, username: str) -> AdminUsage:
    """What the domains ``username`` manages hold now."""
    a = t.domain_admins
    managed = select(a.c.domain).where(a.c.username == username, a.c.domain != ALL_DOMAINS)
    domains = int((await conn.execute(select(func.count()).select_from(managed.subquery()))).scalar() or 0)
    users, quota = (
        await conn.execute(
            select(func.count(), func.coalesce(func.sum(t.mailbox.c.quota), 0)).where(t.mailbox.c.domain.in_(managed))
        )
    ).one()
    aliases = (await conn.execute(select(func.count()).where(t.alias.c.domain.in_(managed)))).scalar()
    lists = (await conn.execute(select(func.count()).where(t.maillists.c.domain.in_(managed)))).scalar()
    return AdminUsage(
        domains=domains, users=int(users), aliases=int(aliases or 0), lists=int(lists or 0), allocated_quota=int(quota)
    )


async def check_admin(conn: AsyncConnection, bound: AdminBound | None) -> None:
    """Call the bound's check with what the admin's domains hold now, this transaction's writes included."""
    if bound is not None:
        bound.check(await admin_usage(conn, bound.username))
