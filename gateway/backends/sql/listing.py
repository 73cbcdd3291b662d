"""Pages and batches for dashboards: keyset pagination and one statement per batch."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.aliases import alias_from_row, alias_members
from gateway.backends.sql.domains import domain_from_row
from gateway.backends.sql.forwardings import USER_TARGETS, with_targets
from gateway.backends.sql.mailboxes import user_forwardings, user_from_row
from gateway.backends.sql.port import SqlPort
from gateway.backends.sql.reads import read
from gateway.model import Alias, Domain, Page, PageQuery, Stats, UsedQuota, User

T = TypeVar("T")


def _filters(table: Table, key: str, text_columns: tuple[str, ...], query: PageQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.active is not None:
        conditions.append(table.c.active == int(query.active))
    if query.search:
        needle = query.search.lower()
        conditions.append(
            or_(*(func.lower(table.c[name]).contains(needle, autoescape=True) for name in (key, *text_columns)))
        )
    return conditions


async def page_domains(conn: AsyncConnection, names: Collection[str] | None, query: PageQuery) -> Page[Domain]:
    d = t.domain
    conditions = _filters(d, "domain", ("description",), query)
    if names is not None:
        conditions.append(d.c.domain.in_(list(names)))
    total = (await conn.execute(select(func.count()).select_from(d).where(*conditions))).scalar_one()
    page = select(d).where(*conditions).order_by(d.c.domain).limit(query.first + 1)
    if query.after is not None:
        page = page.where(d.c.domain > query.after)
    rows = (await conn.execute(page)).all()
    return Page(
        items=tuple(domain_from_row(row) for row in rows[: query.first]),
        total=int(total),
        has_next=len(rows) > query.first,
    )


async def _grouped_pages(
    conn: AsyncConnection,
    table: Table,
    key: str,
    text_columns: tuple[str, ...],
    domains: list[str],
    query: PageQuery,
) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """The first rows of each domain (ROW_NUMBER per domain) and each domain's total, in two statements."""
    conditions = [table.c.domain.in_(domains), *_filters(table, key, text_columns, query)]
    totals_query = select(table.c.domain, func.count()).where(*conditions).group_by(table.c.domain)
    totals = {row[0]: int(row[1]) for row in await conn.execute(totals_query)}
    if query.after is not None:
        conditions.append(table.c[key] > query.after)
    number = func.row_number().over(partition_by=table.c.domain, order_by=table.c[key]).label("position")
    ranked = select(table, number).where(*conditions).subquery()
    page: Select[Any] = (
        select(ranked).where(ranked.c.position <= query.first + 1).order_by(ranked.c.domain, ranked.c[key])
    )
    grouped: dict[str, list[Any]] = {name: [] for name in domains}
    for row in await conn.execute(page):
        grouped[row.domain].append(row)
    return grouped, totals


def _pages(
    grouped: dict[str, list[Any]], totals: dict[str, int], first: int, build: Callable[[Any], T]
) -> dict[str, Page[T]]:
    return {
        name: Page(
            items=tuple(build(row) for row in rows[:first]), total=totals.get(name, 0), has_next=len(rows) > first
        )
        for name, rows in grouped.items()
    }


async def page_users(conn: AsyncConnection, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
    grouped, totals = await _grouped_pages(conn, t.mailbox, "username", ("name",), domains, query)
    emails = [row.username for rows in grouped.values() for row in rows[: query.first]]
    forwardings = await user_forwardings(conn, emails)
    return _pages(grouped, totals, query.first, lambda row: user_from_row(row, forwardings.get(row.username, ())))


async def page_aliases(conn: AsyncConnection, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
    grouped, totals = await _grouped_pages(conn, t.alias, "address", ("name",), domains, query)
    addresses = [row.address for rows in grouped.values() for row in rows[: query.first]]
    members = await alias_members(conn, addresses)
    return _pages(grouped, totals, query.first, lambda row: alias_from_row(row, members.get(row.address, ())))


async def users_by_email(conn: AsyncConnection, emails: list[str]) -> dict[str, User]:
    query = select(t.mailbox).where(t.mailbox.c.username.in_(emails))
    found = await with_targets(conn, query, *USER_TARGETS)
    return {row.username: user_from_row(row, targets) for row, targets in found}


async def used_quota(conn: AsyncConnection, emails: list[str]) -> dict[str, UsedQuota]:
    q = t.used_quota
    rows = await conn.execute(select(q.c.username, q.c.bytes, q.c.messages).where(q.c.username.in_(emails)))
    return {row.username: UsedQuota(bytes=int(row.bytes or 0), messages=int(row.messages or 0)) for row in rows}


async def alias_memberships(conn: AsyncConnection, emails: list[str]) -> dict[str, tuple[str, ...]]:
    """The alias addresses each address is a member of."""
    f = t.forwardings
    rows = await conn.execute(
        select(f.c.forwarding, f.c.address)
        .where(f.c.forwarding.in_(emails), f.c.is_list == 1)
        .order_by(f.c.forwarding, f.c.address)
    )
    result: dict[str, list[str]] = {}
    for member, address in rows:
        result.setdefault(member, []).append(address)
    return {member: tuple(addresses) for member, addresses in result.items()}


async def domain_admins(conn: AsyncConnection, domains: list[str]) -> dict[str, tuple[str, ...]]:
    """The accounts holding an active ``domain_admins`` row for each domain."""
    a = t.domain_admins
    rows = await conn.execute(
        select(a.c.domain, a.c.username).where(a.c.domain.in_(domains), a.c.active == 1).order_by(a.c.username)
    )
    result: dict[str, list[str]] = {}
    for domain, username in rows:
        result.setdefault(domain, []).append(username)
    return {domain: tuple(usernames) for domain, usernames in result.items()}


async def stats(conn: AsyncConnection, names: Collection[str] | None) -> Stats:
    """Totals over ``names`` (every domain when None)."""
    d, m, a, q = t.domain, t.mailbox, t.alias, t.used_quota

    def scoped(table: Table) -> list[ColumnElement[bool]]:
        return [] if names is None else [table.c.domain.in_(list(names))]

    domains = (
        await conn.execute(select(func.count(), func.coalesce(func.sum(d.c.active), 0)).where(*scoped(d)))
    ).one()
    users = (
        await conn.execute(
            select(func.count(), func.coalesce(func.sum(m.c.active), 0), func.coalesce(func.sum(m.c.quota), 0))
            .where(*scoped(m))
        )
    ).one()
    aliases = (await conn.execute(select(func.count()).select_from(a).where(*scoped(a)))).scalar_one()
    used = (
        await conn.execute(
            select(func.coalesce(func.sum(q.c.bytes), 0), func.coalesce(func.sum(q.c.messages), 0)).where(*scoped(q))
        )
    ).one()
    return Stats(
        domains=int(domains[0]),
        active_domains=int(domains[1]),
        users=int(users[0]),
        active_users=int(users[1]),
        aliases=int(aliases),
        allocated_quota=int(users[2]),
        used_bytes=int(used[0]),
        used_messages=int(used[1]),
    )


class SqlListing(SqlPort):
    """The ``ListingStore`` over ``vmail``: one read per call."""

    async def page_domains(self, names: Collection[str] | None, query: PageQuery) -> Page[Domain]:
        return await read(self, page_domains, names, query)

    async def page_users(self, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
        return await read(self, page_users, domains, query)

    async def page_aliases(self, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
        return await read(self, page_aliases, domains, query)

    async def users_by_email(self, emails: list[str]) -> dict[str, User]:
        return await read(self, users_by_email, emails)

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        return await read(self, used_quota, emails)

    async def alias_memberships(self, emails: list[str]) -> dict[str, tuple[str, ...]]:
        return await read(self, alias_memberships, emails)

    async def domain_admins(self, domains: list[str]) -> dict[str, tuple[str, ...]]:
        return await read(self, domain_admins, domains)

    async def stats(self, names: Collection[str] | None) -> Stats:
        return await read(self, stats, names)
