"""Mail aliases in ``vmail``: the ``alias`` row and its ``is_list`` member rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.addresses import domain_of
from gateway.backends.base import AdminBound, AliasUpdate, DomainCheck
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import retried
from gateway.backends.sql.forwardings import ALIAS_MEMBERS, targets_of, with_targets
from gateway.backends.sql.new_accounts import new_account
from gateway.backends.sql.port import SqlPort
from gateway.backends.sql.reads import read
from gateway.clock import utcnow
from gateway.errors import ErrorCode, NotFound
from gateway.model import Alias


def alias_from_row(row: Row[Any], members: tuple[str, ...]) -> Alias:
    return Alias(
        address=row.address,
        domain=row.domain,
        name=row.name or "",
        access_policy=row.accesspolicy or "public",
        active=bool(row.active),
        members=members,
        created=row.created,
    )


async def alias_members(conn: AsyncConnection, addresses: list[str]) -> dict[str, tuple[str, ...]]:
    return await targets_of(conn, addresses, t.forwardings.c.is_list)


async def fetch_alias(conn: AsyncConnection, address: str, *, lock: bool = False) -> Alias | None:
    query = select(t.alias).where(t.alias.c.address == address)
    if lock:
        query = query.with_for_update()
    found = await with_targets(conn, query, *ALIAS_MEMBERS)
    return alias_from_row(*found[0]) if found else None


async def fetch_aliases(conn: AsyncConnection, domain: str, *, active: bool | None = None) -> list[Alias]:
    query = select(t.alias).where(t.alias.c.domain == domain).order_by(t.alias.c.address)
    if active is not None:
        query = query.where(t.alias.c.active == int(active))
    return [alias_from_row(*found) for found in await with_targets(conn, query, *ALIAS_MEMBERS)]


async def insert_alias(conn: AsyncConnection, alias: Alias) -> None:
    await conn.execute(
        insert(t.alias).values(
            address=alias.address,
            name=alias.name,
            accesspolicy=alias.access_policy,
            domain=alias.domain,
            created=utcnow(),
            active=int(alias.active),
        )
    )
    await add_members(conn, alias.address, alias.members, active=alias.active)


async def add_members(conn: AsyncConnection, address: str, members: Iterable[str], *, active: bool) -> None:
    rows = [
        {
            "address": address,
            "forwarding": member,
            "domain": domain_of(address),
            "dest_domain": domain_of(member),
            "is_list": 1,
            "active": int(active),
        }
        for member in members
    ]
    if rows:
        await conn.execute(insert(t.forwardings), rows)


async def remove_members(conn: AsyncConnection, address: str, members: Iterable[str]) -> None:
    wanted = list(members)
    if wanted:
        await conn.execute(
            delete(t.forwardings).where(
                t.forwardings.c.address == address,
                t.forwardings.c.is_list == 1,
                t.forwardings.c.forwarding.in_(wanted),
            )
        )


async def update_alias_row(conn: AsyncConnection, current: Alias, updated: Alias) -> None:
    """Write the difference between ``current`` and ``updated``."""
    values: dict[str, Any] = {}
    if updated.name != current.name:
        values["name"] = updated.name
    if updated.access_policy != current.access_policy:
        values["accesspolicy"] = updated.access_policy
    if updated.active != current.active:
        values["active"] = int(updated.active)
    old, new = set(current.members), set(updated.members)
    if values or old != new:
        values["modified"] = utcnow()
        await conn.execute(update(t.alias).where(t.alias.c.address == current.address).values(**values))
    if updated.active != current.active:
        await conn.execute(
            update(t.forwardings)
            .where(t.forwardings.c.address == current.address)
            .values(active=int(updated.active))
        )
    await remove_members(conn, current.address, sorted(old - new))
    await add_members(conn, current.address, sorted(new - old), active=updated.active)


async def delete_alias_rows(conn: AsyncConnection, address: str) -> None:
    await conn.execute(delete(t.alias).where(t.alias.c.address == address))
    await conn.execute(delete(t.forwardings).where(t.forwardings.c.address == address))
    await conn.execute(delete(t.moderators).where(t.moderators.c.address == address))


class SqlAliases(SqlPort):
    """The ``AliasStore`` over ``vmail``."""

    async def get_alias(self, address: str) -> Alias | None:
        return await read(self, fetch_alias, address)

    async def list_aliases(self, domain: str, *, active: bool | None = None) -> list[Alias]:
        return await read(self, fetch_aliases, domain, active=active)

    @retried
    async def create_alias(self, alias: Alias, check: DomainCheck, bound: AdminBound | None = None) -> None:
        async with self.writing() as conn, new_account(conn, bound, alias.domain, alias.address) as (domain, usage):
            check(domain, usage)
            await insert_alias(conn, alias)

    @retried
    async def update_alias(self, address: str, apply: AliasUpdate) -> None:
        async with self.writing() as conn:
            current = await fetch_alias(conn, address, lock=True)
            if current is None:
                raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
            await update_alias_row(conn, current, apply(current))

    @retried
    async def delete_alias(self, address: str) -> None:
        async with self.writing() as conn:
            if await fetch_alias(conn, address, lock=True) is None:
                raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
            await delete_alias_rows(conn, address)
