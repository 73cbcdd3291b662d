"""Renaming a mail user or alias in ``vmail``: every stored copy of the address, in one transaction.

The mailbox keeps its maildir (Dovecot reads the stored path). Rows naming
the old address elsewhere follow it: forwardings (the account's own, alias
memberships, other users' forwardings, catch-all targets), moderators and
list owners, admin rights, BCC rows and targets, the sender relayhost and
Dovecot's used quota (storage reference 2.6).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import Column, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.aliases import fetch_alias
from gateway.backends.sql.domains import locked_domain
from gateway.backends.sql.engine import retried
from gateway.backends.sql.mailboxes import address_taken, fetch_user
from gateway.backends.sql.port import SqlPort
from gateway.clock import utcnow
from gateway.errors import Conflict, ErrorCode, NotFound

BCC_TABLES = (t.sender_bcc_user, t.recipient_bcc_user, t.sender_bcc_domain, t.recipient_bcc_domain)


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[1]


async def rewrite(
    conn: AsyncConnection, table: Table, column: str, old: str, new: str, *, paired: str | None = None
) -> None:
    """Set ``column`` from ``old`` to ``new``; with ``paired`` (unique together with it), a row that would
    repeat one already naming ``new`` is dropped instead."""
    if paired is not None:
        partner: Column[str] = table.c[paired]
        have = (await conn.execute(select(partner).where(table.c[column] == new))).scalars().all()
        if have:
            await conn.execute(delete(table).where(table.c[column] == old, partner.in_(list(have))))
    await conn.execute(update(table).where(table.c[column] == old).values({column: new}))


async def follow_forwardings(conn: AsyncConnection, old: str, new: str) -> None:
    """The ``forwardings`` rows of ``old`` and those naming it, with their domain columns."""
    f = t.forwardings
    await rewrite(conn, f, "address", old, new, paired="forwarding")
    await conn.execute(update(f).where(f.c.address == new).values(domain=_domain(new)))
    await rewrite(conn, f, "forwarding", old, new, paired="address")
    await conn.execute(update(f).where(f.c.forwarding == new).values(dest_domain=_domain(new)))


async def follow_references(conn: AsyncConnection, old: str, new: str) -> None:
    """Rows of other objects naming ``old``: forwardings, moderators, list owners, BCC targets."""
    await follow_forwardings(conn, old, new)
    await rewrite(conn, t.moderators, "moderator", old, new, paired="address")
    await rewrite(conn, t.maillist_owners, "owner", old, new, paired="address")
    for table in BCC_TABLES:
        await rewrite(conn, table, "bcc_address", old, new)


async def move_used_quota(conn: AsyncConnection, old: str, new: str) -> None:
    """Dovecot's count of ``old`` becomes that of ``new`` (any row of ``new`` was left by an earlier account)."""
    q = t.used_quota
    await conn.execute(delete(q).where(q.c.username == new))
    await conn.execute(update(q).where(q.c.username == old).values(username=new, domain=_domain(new)))


async def rename_user_rows(conn: AsyncConnection, old: str, new: str) -> None:
    now = utcnow()
    await conn.execute(
        update(t.mailbox).where(t.mailbox.c.username == old).values(username=new, domain=_domain(new), modified=now)
    )
    await follow_references(conn, old, new)
    await rewrite(conn, t.domain_admins, "username", old, new, paired="domain")
    for table in (t.sender_bcc_user, t.recipient_bcc_user):  # a row of ``new`` was left by an earlier account
        await conn.execute(delete(table).where(table.c.username == new))
        await conn.execute(update(table).where(table.c.username == old).values(username=new, domain=_domain(new)))
    await conn.execute(delete(t.sender_relayhost).where(t.sender_relayhost.c.account == new))
    await rewrite(conn, t.sender_relayhost, "account", old, new)
    await move_used_quota(conn, old, new)


async def rename_alias_rows(conn: AsyncConnection, old: str, new: str) -> None:
    await conn.execute(
        update(t.alias).where(t.alias.c.address == old).values(address=new, domain=_domain(new), modified=utcnow())
    )
    await follow_references(conn, old, new)
    await rewrite(conn, t.moderators, "address", old, new, paired="moderator")
    await conn.execute(update(t.moderators).where(t.moderators.c.address == new).values(domain=_domain(new)))


async def hold_rename(conn: AsyncConnection, old: str, new: str, fetch: Callable[..., Awaitable[object]]) -> None:
    """Hold the domain row of ``old``, then lock the account ``fetch`` reads at ``old``; ``new`` must be free."""
    await locked_domain(conn, _domain(old))
    if await fetch(conn, old, lock=True) is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    if await address_taken(conn, new):
        raise Conflict(ErrorCode.ALREADY_EXISTS)


class SqlRenames(SqlPort):
    """The ``RenameStore`` over ``vmail``: holds the domain row, then checks and rewrites."""

    @retried
    async def rename_user(self, email: str, new_email: str) -> None:
        async with self.writing() as conn:
            await hold_rename(conn, email, new_email, fetch_user)
            await rename_user_rows(conn, email, new_email)

    @retried
    async def rename_alias(self, address: str, new_address: str) -> None:
        async with self.writing() as conn:
            await hold_rename(conn, address, new_address, fetch_alias)
            await rename_alias_rows(conn, address, new_address)
