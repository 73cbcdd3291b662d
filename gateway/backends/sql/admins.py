"""Admin accounts in ``vmail``: standalone ``admin`` rows and ``domain_admins`` rights."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.clock import utcnow
from gateway.model import Actor

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


async def rights_of(conn: AsyncConnection, accounts: Collection[str] | Select[Any]) -> dict[str, Actor]:
    """The rights each account holds, active or not: its ``domain_admins`` rows and ``mailbox.isglobaladmin``.

    ``accounts`` lists addresses or selects them; accounts holding no right are left out. A row
    counts whatever the account's flags say: the flags alone may turn it into a right later.
    """
    a, m = t.domain_admins, t.mailbox
    chosen = list(accounts) if not isinstance(accounts, Select) else accounts
    held: dict[str, set[str]] = {}
    for username, domain in await conn.execute(select(a.c.username, a.c.domain).where(a.c.username.in_(chosen))):
        held.setdefault(username, set()).add(domain)
    flagged = select(m.c.username).where(m.c.username.in_(chosen), m.c.isglobaladmin == 1)
    for username in (await conn.execute(flagged)).scalars():
        held.setdefault(username, set()).add(ALL_DOMAINS)
    return {
        username: Actor(username=username, is_global=ALL_DOMAINS in domains, domains=frozenset(domains - {ALL_DOMAINS}))
        for username, domains in held.items()
    }
