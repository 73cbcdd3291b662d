"""``forwardings`` rows in ``vmail``: a user's own targets (``is_forwarding=1``), an alias's members (``is_list=1``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Row, Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import retried
from gateway.backends.sql.port import SqlPort
from gateway.errors import ErrorCode, NotFound

# an account's address column and the flag of its rows: a user's own targets, an alias's members
USER_TARGETS = (t.mailbox.c.username, t.forwardings.c.is_forwarding)
ALIAS_MEMBERS = (t.alias.c.address, t.forwardings.c.is_list)


async def targets_of(conn: AsyncConnection, addresses: Sequence[str], flag: Column[Any]) -> dict[str, tuple[str, ...]]:
    """The ``forwarding`` of each of ``addresses``' rows with ``flag`` set, in order (none: left out)."""
    if not addresses:
        return {}
    f = t.forwardings
    rows = await conn.execute(
        select(f.c.address, f.c.forwarding)
        .where(f.c.address.in_(addresses), flag == 1)
        .order_by(f.c.address, f.c.forwarding)
    )
    result: dict[str, list[str]] = {}
    for address, target in rows:
        result.setdefault(address, []).append(target)
    return {address: tuple(targets) for address, targets in result.items()}


async def with_targets(
    conn: AsyncConnection, query: Select[Any], address: Column[Any], flag: Column[Any]
) -> list[tuple[Row[Any], tuple[str, ...]]]:
    """Each row ``query`` selects, with the ``targets_of`` its ``address`` column."""
    rows = (await conn.execute(query)).all()
    targets = await targets_of(conn, [row._mapping[address] for row in rows], flag)
    return [(row, targets.get(row._mapping[address], ())) for row in rows]


class SqlForwardings(SqlPort):
    """The ``ForwardingStore`` over ``vmail``: one row per target, the self row keeping a local copy."""

    @retried
    async def set_forwardings(self, email: str, targets: Sequence[str]) -> None:
        async with self.writing() as conn:
            mailbox = t.mailbox
            found = (
                await conn.execute(select(mailbox.c.domain, mailbox.c.active).where(mailbox.c.username == email))
            ).first()
            if found is None:
                raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
            f = t.forwardings
            await conn.execute(delete(f).where(f.c.address == email, f.c.is_forwarding == 1))
            rows = [
                {
                    "address": email,
                    "forwarding": target,
                    "domain": found.domain,
                    "dest_domain": target.rsplit("@", 1)[1],
                    "is_forwarding": 1,
                    "active": found.active,  # a disabled user's forwardings stay off, as the panel keeps them
                }
                for target in (targets or (email,))
            ]
            await conn.execute(insert(f), rows)
