"""Admin accounts in ``vmail``: standalone ``admin`` rows and ``domain_admins`` rights."""

from __future__ import annotations

from sqlalchemy import exists, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.clock import utcnow

ALL_DOMAINS = "ALL"


async def global_admin_exists(conn: AsyncConnection) -> bool:
    """Whether any account holds a ``domain_admins`` row for ``ALL``."""
    query = select(exists().where(t.domain_admins.c.domain == ALL_DOMAINS))
    return bool((await conn.execute(query)).scalar())


async def account_exists(conn: AsyncConnection, email: str) -> bool:
    """Whether ``email`` is a mailbox, admin, alias or forwarding address already."""
    probes = union_all(
        select(literal(1)).where(t.admin.c.username == email),
        select(literal(1)).where(t.mailbox.c.username == email),
        select(literal(1)).where(t.alias.c.address == email),
        select(literal(1)).where(t.forwardings.c.address == email),
    ).subquery()
    return bool((await conn.execute(select(func.count()).select_from(probes))).scalar())


async def domain_is_hosted(conn: AsyncConnection, domain: str) -> bool:
    """Whether ``domain`` is a mail domain or an alias domain of this server."""
    probes = union_all(
        select(literal(1)).where(t.domain.c.domain == domain),
        select(literal(1)).where(t.alias_domain.c.alias_domain == domain),
    ).subquery()
    return bool((await conn.execute(select(func.count()).select_from(probes))).scalar())


async def insert_global_admin(conn: AsyncConnection, *, email: str, password_hash: str, name: str = "") -> None:
    """Write a standalone global admin the way iRedMail does: ``admin`` + ``domain_admins(ALL)``."""
    now = utcnow()
    await conn.execute(
        insert(t.admin).values(
            username=email,
            password=password_hash,
            name=name,
            language="en_US",
            passwordlastchange=now,
            created=now,
            active=1,
        )
    )
    await conn.execute(
        insert(t.domain_admins).values(username=email, domain=ALL_DOMAINS, created=now, active=1)
    )
