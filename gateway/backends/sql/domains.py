"""Mail domains in ``vmail``: the ``domain`` row and everything beneath it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.base import AdminBound, DomainCheck
from gateway.backends.sql import tables as t
from gateway.backends.sql.admin_limits import check_admin, lock_admin
from gateway.backends.sql.domain_routing import destinations, read_routing, write_routing
from gateway.backends.sql.engine import retried
from gateway.backends.sql.port import SqlPort
from gateway.backends.sql.reads import read
from gateway.backends.sql.settings_column import format_settings, parse_settings, setting_int
from gateway.clock import utcnow
from gateway.errors import Conflict, ErrorCode, NotFound
from gateway.model import Destination, Domain, DomainChanges, DomainRouting, DomainUsage

SETTING_KEYS = {
    "default_user_quota": "default_user_quota",
    "max_user_quota": "max_user_quota",
    "min_password_length": "min_passwd_length",
    "max_password_length": "max_passwd_length",
    "default_language": "default_language",
}
COLUMN_KEYS = {
    "description": "description",
    "transport": "transport",
    "quota": "maxquota",
    "max_users": "mailboxes",
    "max_aliases": "aliases",
    "max_lists": "maillists",
}


def domain_from_row(row: Row[Any]) -> Domain:
    settings = parse_settings(row.settings)
    return Domain(
        name=row.domain,
        description=row.description or "",
        active=bool(row.active),
        transport=row.transport or "",
        backupmx=bool(row.backupmx),
        quota=int(row.maxquota or 0),
        max_users=int(row.mailboxes or 0),
        max_aliases=int(row.aliases or 0),
        max_lists=int(row.maillists or 0),
        default_user_quota=setting_int(settings, "default_user_quota"),
        max_user_quota=setting_int(settings, "max_user_quota"),
        min_password_length=setting_int(settings, "min_passwd_length"),
        max_password_length=setting_int(settings, "max_passwd_length"),
        default_language=settings.get("default_language", ""),
        created=row.created,
        modified=row.modified,
    )


def _column_values(changes: DomainChanges) -> dict[str, Any]:
    values: dict[str, Any] = {
        column: getattr(changes, name)
        for name, column in COLUMN_KEYS.items()
        if getattr(changes, name) is not None
    }
    if changes.active is not None:
        values["active"] = int(changes.active)
    if changes.backupmx is not None:
        values["backupmx"] = int(changes.backupmx)
    return values


def _merged_settings(current: str | None, changes: DomainChanges) -> str | None:
    given = {key: getattr(changes, name) for name, key in SETTING_KEYS.items() if getattr(changes, name) is not None}
    if not given:
        return None
    merged: dict[str, Any] = dict(parse_settings(current))
    for key, value in given.items():
        # 0 / '' mean "no own value" for every one of these keys
        if value in (0, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    return format_settings(merged)


async def fetch_domain(conn: AsyncConnection, name: str, *, lock: bool = False) -> Domain | None:
    query = select(t.domain).where(t.domain.c.domain == name)
    if lock:
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    return domain_from_row(row) if row else None


async def fetch_domains(
    conn: AsyncConnection, *, names: Collection[str] | None = None, active: bool | None = None
) -> list[Domain]:
    query = select(t.domain).order_by(t.domain.c.domain)
    if names is not None:
        query = query.where(t.domain.c.domain.in_(list(names)))
    if active is not None:
        query = query.where(t.domain.c.active == int(active))
    return [domain_from_row(row) for row in await conn.execute(query)]


async def is_hosted(conn: AsyncConnection, name: str) -> bool:
    """Whether ``name`` is a mail domain or an alias domain."""
    found = await conn.execute(
        select(literal(1)).where(t.domain.c.domain == name).union_all(
            select(literal(1)).where(t.alias_domain.c.alias_domain == name)
        )
    )
    return found.first() is not None


async def insert_domain(conn: AsyncConnection, name: str, changes: DomainChanges) -> None:
    values = _column_values(changes)
    values.setdefault("transport", "dovecot")
    values.update(domain=name, active=1, created=utcnow())
    settings = _merged_settings(None, changes)
    if settings is not None:
        values["settings"] = settings
    await conn.execute(insert(t.domain).values(**values))


async def update_domain_row(conn: AsyncConnection, current: Domain, changes: DomainChanges) -> None:
    values = _column_values(changes)
    settings_now = (
        await conn.execute(select(t.domain.c.settings).where(t.domain.c.domain == current.name))
    ).scalar()
    settings = _merged_settings(settings_now, changes)
    if settings is not None:
        values["settings"] = settings
    if not values:
        return
    values["modified"] = utcnow()
    await conn.execute(update(t.domain).where(t.domain.c.domain == current.name).values(**values))


async def domain_usage(conn: AsyncConnection, names: Collection[str]) -> dict[str, DomainUsage]:
    """User and alias counts, allocated quota (MB) and used bytes/messages per domain."""
    wanted = list(names)
    result = {name: DomainUsage(0, 0, 0, 0, 0) for name in wanted}
    if not wanted:
        return result
    users = await conn.execute(
        select(t.mailbox.c.domain, func.count(), func.coalesce(func.sum(t.mailbox.c.quota), 0))
        .where(t.mailbox.c.domain.in_(wanted))
        .group_by(t.mailbox.c.domain)
    )
    alias_rows = await conn.execute(
        select(t.alias.c.domain, func.count()).where(t.alias.c.domain.in_(wanted)).group_by(t.alias.c.domain)
    )
    aliases = {row[0]: int(row[1]) for row in alias_rows}
    used = {
        row[0]: (int(row[1]), int(row[2]))
        for row in await conn.execute(
            select(
                t.used_quota.c.domain,
                func.coalesce(func.sum(t.used_quota.c.bytes), 0),
                func.coalesce(func.sum(t.used_quota.c.messages), 0),
            )
            .where(t.used_quota.c.domain.in_(wanted))
            .group_by(t.used_quota.c.domain)
        )
    }
    counted = {row[0]: (int(row[1]), int(row[2])) for row in users}
    for name in wanted:
        count, allocated = counted.get(name, (0, 0))
        used_bytes, used_messages = used.get(name, (0, 0))
        result[name] = DomainUsage(
            users=count,
            aliases=int(aliases.get(name, 0)),
            allocated_quota=allocated,
            used_bytes=used_bytes,
            used_messages=used_messages,
        )
    return result


def record_deleted_mailboxes(condition: Any, *, admin: str, delete_date: date | None) -> Any:
    """INSERT … SELECT of the mailboxes matching ``condition`` into ``deleted_mailboxes``,
    with the absolute maildir and the last usage Dovecot recorded."""
    m, q = t.mailbox, t.used_quota
    maildir = m.c.storagebasedirectory + literal("/") + m.c.storagenode + literal("/") + m.c.maildir
    used = select(q.c.bytes, q.c.messages, q.c.username).subquery()
    source = (
        select(
            m.c.username,
            m.c.domain,
            maildir,
            func.coalesce(used.c.bytes, 0),
            func.coalesce(used.c.messages, 0),
            literal(admin),
            literal(delete_date, t.deleted_mailboxes.c.delete_date.type),
            literal(utcnow(), t.deleted_mailboxes.c.timestamp.type),
        )
        .select_from(m.outerjoin(used, used.c.username == m.c.username))
        .where(condition)
    )
    return insert(t.deleted_mailboxes).from_select(
        ["username", "domain", "maildir", "bytes", "messages", "admin", "delete_date", "timestamp"], source
    )


async def delete_domain_rows(conn: AsyncConnection, name: str, *, admin: str, delete_date: date | None) -> None:
    """Remove a domain and every account row beneath it (storage reference 3.2)."""
    await conn.execute(record_deleted_mailboxes(t.mailbox.c.domain == name, admin=admin, delete_date=delete_date))
    for table in (
        t.domain, t.alias, t.domain_admins, t.mailbox, t.recipient_bcc_domain, t.recipient_bcc_user,
        t.sender_bcc_domain, t.sender_bcc_user, t.forwardings, t.moderators, t.used_quota,
        t.maillists, t.maillist_owners,
    ):
        await conn.execute(delete(table).where(table.c.domain == name))
    await conn.execute(
        delete(t.alias_domain).where(
            or_(t.alias_domain.c.alias_domain == name, t.alias_domain.c.target_domain == name)
        )
    )
    await conn.execute(
        delete(t.domain_admins).where(t.domain_admins.c.username.endswith(f"@{name}", autoescape=True))
    )
    await conn.execute(
        delete(t.sender_relayhost).where(
            or_(
                t.sender_relayhost.c.account == f"@{name}",
                t.sender_relayhost.c.account.endswith(f"@{name}", autoescape=True),
            )
        )
    )


async def locked_domain(conn: AsyncConnection, name: str) -> Domain:
    """The domain's row, locked until the transaction ends; ``NO_SUCH_DOMAIN`` when not hosted."""
    domain = await fetch_domain(conn, name, lock=True)
    if domain is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return domain


def _usage_figures(name: Any) -> tuple[Any, ...]:
    """Scalar subqueries of ``domain_usage``'s figures for the domain ``name`` (a column or a value)."""
    m, q = t.mailbox, t.used_quota
    return (
        select(func.count()).where(m.c.domain == name).scalar_subquery(),
        select(func.coalesce(func.sum(m.c.quota), 0)).where(m.c.domain == name).scalar_subquery(),
        select(func.count()).where(t.alias.c.domain == name).scalar_subquery(),
        select(func.coalesce(func.sum(q.c.bytes), 0)).where(q.c.domain == name).scalar_subquery(),
        select(func.coalesce(func.sum(q.c.messages), 0)).where(q.c.domain == name).scalar_subquery(),
    )


def _usage_of(figures: Sequence[Any]) -> DomainUsage:
    users, allocated, aliases, used_bytes, used_messages = (int(value or 0) for value in figures)
    return DomainUsage(
        users=users, aliases=aliases, allocated_quota=allocated, used_bytes=used_bytes, used_messages=used_messages
    )


_LOCKED_WITH_USAGE = (
    select(t.domain, *_usage_figures(t.domain.c.domain)).where(t.domain.c.domain == bindparam("name")).with_for_update()
)
_USAGE = select(*_usage_figures(bindparam("name")))


async def locked_domain_usage(conn: AsyncConnection, name: str) -> tuple[Domain, DomainUsage]:
    """``locked_domain`` and what the domain holds, counted once the lock is held.

    One statement where the counts are read after the lock is granted (SQLite holds the write lock
    from BEGIN; MariaDB reads the subqueries of the locked row after locking it). PostgreSQL reads
    a whole statement in the snapshot taken before a lock wait: the counts follow in a second one.
    """
    if conn.dialect.name == "postgresql":
        domain = await locked_domain(conn, name)
        return domain, _usage_of((await conn.execute(_USAGE, {"name": name})).one())
    row = (await conn.execute(_LOCKED_WITH_USAGE, {"name": name})).first()
    if row is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return domain_from_row(row), _usage_of(row[len(t.domain.columns) :])


async def apply_routing(conn: AsyncConnection, name: str, changes: DomainChanges) -> None:
    """Apply the routing update ``changes`` carries, if any, to what domain ``name`` holds."""
    if changes.routing is None:
        return
    current = (await read_routing(conn, [name])).get(name, DomainRouting())
    await write_routing(conn, name, current, changes.routing(current))


class SqlDomains(SqlPort):
    """The ``DomainStore`` over ``vmail``: one transaction per operation."""

    async def get_domain(self, name: str) -> Domain | None:
        return await read(self, fetch_domain, name)

    async def list_domains(self, *, names: Collection[str] | None = None, active: bool | None = None) -> list[Domain]:
        return await read(self, fetch_domains, names=names, active=active)

    async def domain_usage(self, names: Collection[str]) -> dict[str, DomainUsage]:
        return await read(self, domain_usage, names)

    @retried
    async def create_domain(self, name: str, changes: DomainChanges, bound: AdminBound | None = None) -> None:
        async with self.writing() as conn:
            await lock_admin(conn, bound)
            if await is_hosted(conn, name):
                raise Conflict(ErrorCode.ALREADY_EXISTS)
            await insert_domain(conn, name, changes)
            if bound is not None:
                await conn.execute(
                    insert(t.domain_admins).values(username=bound.username, domain=name, created=utcnow(), active=1)
                )
                await check_admin(conn, bound)
            await apply_routing(conn, name, changes)

    @retried
    async def update_domain(self, name: str, changes: DomainChanges, check: DomainCheck) -> None:
        async with self.writing() as conn:
            current, usage = await locked_domain_usage(conn, name)
            check(current, usage)
            await update_domain_row(conn, current, changes)
            await apply_routing(conn, name, changes)

    @retried
    async def delete_domain(self, name: str, *, admin: str, delete_date: date | None) -> None:
        async with self.writing() as conn:
            await locked_domain(conn, name)
            await delete_domain_rows(conn, name, admin=admin, delete_date=delete_date)

    async def domain_routing(self, names: Collection[str]) -> dict[str, DomainRouting]:
        return await read(self, read_routing, names)

    async def destinations(self, addresses: Collection[str]) -> dict[str, Destination]:
        return await read(self, destinations, addresses)
