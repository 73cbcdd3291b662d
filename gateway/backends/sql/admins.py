"""Admin accounts in ``vmail``: standalone ``admin`` rows and ``domain_admins`` rights."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    bindparam,
    exists,
    insert,
    literal_column,
    null,
    select,
    union_all,
)
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
    rows = union_all(
        select(a.c.username, a.c.domain).where(a.c.username.in_(chosen)),
        select(m.c.username, literal_column(f"'{ALL_DOMAINS}'")).where(
            m.c.username.in_(chosen), m.c.isglobaladmin == 1
        ),
    )
    for username, domain in await conn.execute(rows):
        held.setdefault(username, set()).add(domain)
    return {
        username: Actor(username=username, is_global=ALL_DOMAINS in domains, domains=frozenset(domains - {ALL_DOMAINS}))
        for username, domains in held.items()
    }


def _standing(with_password: bool) -> Any:
    """One statement for everything that decides an account's admin rights (reference 3.6).

    Tagged rows: ``d`` each active ``domain_admins`` domain, ``a`` the ``admin`` row (settings, active),
    ``m`` the mailbox row (active, isadmin, isglobaladmin); with the stored hash when ``with_password``.
    """
    a, admin, m = t.domain_admins, t.admin, t.mailbox
    username: BindParameter[str] = bindparam("username")
    no_text, zero = null(), literal_column("0", Integer)
    return union_all(
        select(literal_column("'d'").label("kind"), a.c.domain.label("text"), zero, zero, zero, no_text).where(
            a.c.username == username, a.c.active == 1
        ),
        select(
            literal_column("'a'"), admin.c.settings, admin.c.active, zero, zero,
            admin.c.password if with_password else no_text,
        ).where(admin.c.username == username),
        select(
            literal_column("'m'"), no_text, m.c.active, m.c.isadmin, m.c.isglobaladmin,
            m.c.password if with_password else no_text,
        ).where(m.c.username == username),
    )  # fmt: skip


_STANDING = _standing(with_password=False)
_STANDING_WITH_PASSWORD = _standing(with_password=True)


def _actor_of(username: str, rows: list[tuple[Any, ...]]) -> Actor | None:
    """The rights the rows of ``_standing`` give ``username``, None when it is no active admin."""
    rights = {str(row[1]) for row in rows if row[0] == "d"}
    admin_row = next((row for row in rows if row[0] == "a"), None)
    mailbox_row = next((row for row in rows if row[0] == "m"), None)
    if admin_row is not None:
        # a normal admin allowed to create domains may log in before it manages any
        if not admin_row[2] or not (rights or may_create_domains(parse_settings(admin_row[1]))):
            return None
    else:
        if mailbox_row is None or not mailbox_row[2]:
            return None
        if mailbox_row[4]:
            rights.add(ALL_DOMAINS)
        if not (mailbox_row[3] or mailbox_row[4]) or not rights:
            return None
    is_global = ALL_DOMAINS in rights
    return Actor(username=username, is_global=is_global, domains=frozenset(rights - {ALL_DOMAINS}))


async def load_actor(conn: AsyncConnection, username: str) -> Actor | None:
    """The admin rights of ``username`` as iRedMail defines them (reference 3.6), in one statement."""
    return _actor_of(username, [tuple(row) for row in await conn.execute(_STANDING, {"username": username})])


async def load_credentials(conn: AsyncConnection, username: str) -> str | None:
    """The stored hash of ``username`` when it is an active admin (its ``admin`` row's, else its mailbox's)."""
    rows = [tuple(row) for row in await conn.execute(_STANDING_WITH_PASSWORD, {"username": username})]
    if _actor_of(username, rows) is None:
        return None
    stored = next((row[5] for kind in "am" for row in rows if row[0] == kind and row[5] is not None), None)
    return None if stored is None else str(stored)


class SqlAdmins(SqlPort):
    """The ``AdminStore`` over ``vmail``."""

    async def admin_credentials(self, username: str) -> str | None:
        """The stored hash of an active admin account, None for anyone else."""
        async with self.reading() as conn:
            return await load_credentials(conn, username)

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

