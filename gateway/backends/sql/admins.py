"""Admin accounts in ``vmail``: standalone ``admin`` rows and ``domain_admins`` rights."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.admin_settings import may_create_domains
from gateway.backends.sql import tables as t
from gateway.backends.sql.port import SqlPort
from gateway.backends.sql.settings_column import parse_settings
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


async def load_actor(conn: AsyncConnection, username: str) -> Actor | None:
    """The admin rights of ``username`` as iRedMail defines them (reference 3.6)."""
    rights = set(
        (
            await conn.execute(
                select(t.domain_admins.c.domain).where(
                    t.domain_admins.c.username == username, t.domain_admins.c.active == 1
                )
            )
        ).scalars()
    )
    admin_row = (
        await conn.execute(select(t.admin.c.active, t.admin.c.settings).where(t.admin.c.username == username))
    ).first()
    if admin_row is not None:
        # a normal admin allowed to create domains may log in before it manages any
        if not admin_row.active or not (rights or may_create_domains(parse_settings(admin_row.settings))):
            return None
    else:
        mailbox_row = (
            await conn.execute(
                select(t.mailbox.c.active, t.mailbox.c.isadmin, t.mailbox.c.isglobaladmin).where(
                    t.mailbox.c.username == username
                )
            )
        ).first()
        if mailbox_row is None or not mailbox_row.active:
            return None
        if mailbox_row.isglobaladmin:
            rights.add(ALL_DOMAINS)
        if not (mailbox_row.isadmin or mailbox_row.isglobaladmin) or not rights:
            return None
    is_global = ALL_DOMAINS in rights
    return Actor(username=username, is_global=is_global, domains=frozenset(rights - {ALL_DOMAINS}))


class SqlAdmins(SqlPort):
    """The ``AdminStore`` over ``vmail``."""

    async def admin_credentials(self, username: str) -> str | None:
        """The stored hash of an active admin account, None for anyone else."""
        async with self.reading() as conn:
            if await load_actor(conn, username) is None:
                return None
            stored = (await conn.execute(select(t.admin.c.password).where(t.admin.c.username == username))).scalar()
            if stored is None:
                stored = (
                    await conn.execute(select(t.mailbox.c.password).where(t.mailbox.c.username == username))
                ).scalar()
            return str(stored) if stored is not None else None

    async def load_actor(self, username: str) -> Actor | None:
        async with self.reading() as conn:
            return await load_actor(conn, username)

    async def admin_rights(self, emails: Collection[str]) -> dict[str, Actor]:
        if not emails:
            return {}
        async with self.reading() as conn:
            return await rights_of(conn, emails)

    async def domain_user_rights(self, domain: str) -> dict[str, Actor]:
        async with self.reading() as conn:
            return await rights_of(conn, select(t.mailbox.c.username).where(t.mailbox.c.domain == domain))

