"""Whether addresses are taken by any account of ``vmail``."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t


async def address_taken(conn: AsyncConnection, address: str) -> bool:
    """Whether ``address`` is used by any account (mailbox, alias, list, forwarding)."""
    probes = union_all(
        select(literal(1)).where(t.forwardings.c.address == address),
        select(literal(1)).where(t.alias.c.address == address),
        select(literal(1)).where(t.mailbox.c.username == address),
        select(literal(1)).where(t.maillists.c.address == address),
        select(literal(1)).where(t.admin.c.username == address),
    )
    return (await conn.execute(probes)).first() is not None


async def addresses_taken(conn: AsyncConnection, wanted: Collection[str]) -> set[str]:
    """Which of ``wanted`` are used by any account, as ``address_taken`` asks for one."""
    names = list(wanted)
    probes = union_all(
        select(t.forwardings.c.address).where(t.forwardings.c.address.in_(names)),
        select(t.alias.c.address).where(t.alias.c.address.in_(names)),
        select(t.mailbox.c.username).where(t.mailbox.c.username.in_(names)),
        select(t.maillists.c.address).where(t.maillists.c.address.in_(names)),
        select(t.admin.c.username).where(t.admin.c.username.in_(names)),
    )
    return {str(row[0]) for row in await conn.execute(probes)}
