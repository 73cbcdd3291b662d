"""Writes of admin rights: the ``domain_admins`` ``ALL`` row and the mailbox admin flags."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.admins import ALL_DOMAINS
from gateway.clock import utcnow


async def set_global_row(conn: AsyncConnection, email: str, is_global: bool) -> None:
    a = t.domain_admins
    await conn.execute(delete(a).where(a.c.username == email, a.c.domain == ALL_DOMAINS))
    if is_global:
        await conn.execute(insert(a).values(username=email, domain=ALL_DOMAINS, created=utcnow(), active=1))


async def revoke_if_no_domains(conn: AsyncConnection, emails: Collection[str]) -> None:
    """Mailboxes of ``emails`` left with no ``domain_admins`` row lose the admin flag."""
    if emails:
        m = t.mailbox
        holders = select(t.domain_admins.c.username)
        await conn.execute(
            update(m).where(m.c.username.in_(list(emails)), m.c.username.not_in(holders)).values(isadmin=0)
        )


async def set_user_global(conn: AsyncConnection, email: str, is_global: bool) -> None:
    """Promote a mailbox (``isglobaladmin``, ``isadmin``, the ``ALL`` row) or demote it, keeping its domains."""
    await set_global_row(conn, email, is_global)
    values = {"isglobaladmin": int(is_global)}
    if is_global:
        values["isadmin"] = 1
    await conn.execute(update(t.mailbox).where(t.mailbox.c.username == email).values(**values))
    if not is_global:
        await revoke_if_no_domains(conn, [email])
