"""Admin accounts in ``vmail``: standalone ``admin`` rows and ``domain_admins`` rights."""

from __future__ import annotations

from sqlalchemy import exists, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.clock import utcnow

ALL_DOMAINS = "ALL"


async def global_admin_exists(conn: AsyncConnection) -> bool:
    """Whether any account holds a ``domain_admins`` row for ``ALL``."""
    query = select(exists().where(t.domain_admins.c.domain == ALL_DOMAINS))
    return bool((await conn.execute(query)).scalar())


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
