"""iRedAdmin's admin log: the ``log`` table of the ``iredadmin`` database, which the panel shows as its admin log.

The table is iRedAdmin's own (``SQL/iredadmin.{mysql,pgsql}``). A real
iRedAdmin database has it; where it is missing (the embedded SQLite
database, a database made for the gateway alone) it is created on first
use with the panel's columns and indexes, so the panel can read it later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Select

from gateway.backends.sql.port import SqlPort
from gateway.model import AuditEntry, AuditQuery, Page

log_metadata = MetaData()
log_table = Table(
    "log",
    log_metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("timestamp", DateTime, nullable=False),
    Column("admin", String(255), nullable=False),
    Column("ip", String(40), nullable=False),
    Column("domain", String(255), nullable=False),
    Column("username", String(255), nullable=False),
    Column("event", String(20), nullable=False),
    Column("loglevel", String(10), nullable=False),
    Column("msg", Text),
)

_INDEXED = ("timestamp", "admin", "ip", "domain", "username", "event", "loglevel")
# ``AuditEntry`` field -> ``log`` column, for every field but ``id``
_COLUMNS = {**{name: name for name in _INDEXED}, "message": "msg"}

# iRedAdmin's columns, types and indexes (MySQL: SQL/iredadmin.mysql; PostgreSQL: SQL/iredadmin.pgsql).
_MYSQL = """CREATE TABLE IF NOT EXISTS `log` (
    `id` BIGINT(20) UNSIGNED AUTO_INCREMENT,
    `timestamp` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `admin` VARCHAR(255) NOT NULL,
    `ip` VARCHAR(40) NOT NULL,
    `domain` VARCHAR(255) NOT NULL DEFAULT '',
    `username` VARCHAR(255) NOT NULL DEFAULT '',
    `event` VARCHAR(20) NOT NULL DEFAULT '',
    `loglevel` VARCHAR(10) NOT NULL DEFAULT 'info',
    `msg` TEXT,
    PRIMARY KEY (id),
    {indexes}
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""".format(indexes=",\n    ".join(f"INDEX ({name})" for name in _INDEXED))


def _portable(id_column: str, timestamp_type: str) -> str:
    """The table on PostgreSQL (``SERIAL``, ``TIMESTAMP WITHOUT TIME ZONE``) and SQLite (generic types)."""
    return f"""CREATE TABLE IF NOT EXISTS log (
    id {id_column},
    timestamp {timestamp_type} NOT NULL DEFAULT CURRENT_TIMESTAMP,
    admin VARCHAR(255) NOT NULL,
    ip VARCHAR(40) NOT NULL,
    domain VARCHAR(255) NOT NULL DEFAULT '',
    username VARCHAR(255) NOT NULL DEFAULT '',
    event VARCHAR(20) NOT NULL DEFAULT '',
    loglevel VARCHAR(10) NOT NULL DEFAULT 'info',
    msg TEXT
)"""


_PGSQL = _portable("SERIAL PRIMARY KEY", "TIMESTAMP WITHOUT TIME ZONE")
_SQLITE = _portable("INTEGER PRIMARY KEY AUTOINCREMENT", "DATETIME")
# the panel's PostgreSQL schema indexes every column but admin
_PGSQL_INDEXED = tuple(name for name in _INDEXED if name != "admin")


def _ddl(dialect: str) -> list[str]:
    if dialect in ("mysql", "mariadb"):
        return [_MYSQL]
    if dialect == "postgresql":
        return [_PGSQL, *(f"CREATE INDEX IF NOT EXISTS idx_log_{name} ON log ({name})" for name in _PGSQL_INDEXED)]
    return [_SQLITE, *(f"CREATE INDEX IF NOT EXISTS idx_log_{name} ON log ({name})" for name in _INDEXED)]


def _create(conn: Connection) -> None:
    # look first: iRedAdmin's own database account may read and write the table but not create one
    if inspect(conn).has_table(log_table.name):
        return
    for statement in _ddl(conn.dialect.name):
        conn.exec_driver_sql(statement)


def _filtered(query: AuditQuery, statement: Select[Any]) -> Select[Any]:
    table = log_table
    conditions = []
    if query.admin is not None:
        conditions.append(table.c.admin == query.admin)
    if query.domain is not None:
        conditions.append(table.c.domain == query.domain)
    if query.event is not None:
        conditions.append(table.c.event == query.event)
    if query.since is not None:
        conditions.append(table.c.timestamp >= query.since)
    if query.until is not None:
        conditions.append(table.c.timestamp <= query.until)
    if query.domains is not None:
        conditions.append(table.c.domain.in_(sorted(query.domains)))
    return statement.where(*conditions)


def _entry(row: Mapping[str, Any]) -> AuditEntry:
    values = {field: row[column] for field, column in _COLUMNS.items()}
    values["message"] = values["message"] or ""
    return AuditEntry(id=int(row["id"]), **values)


class SqlAuditLog(SqlPort):
    """An ``AuditLogStore`` on the ``iredadmin`` database."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._ready = False
        self._preparing = asyncio.Lock()

    async def ready(self) -> None:
        """Create ``log`` where it is missing (once per process); otherwise check that the database answers,
        unless it has just answered (a request's session is read on it first)."""
        if self._ready:
            if not self.answered_lately():
                async with self.reading() as conn:
                    await conn.execute(select(1))
            return
        async with self._preparing:
            if not self._ready:
                async with self.writing() as conn:
                    await conn.run_sync(_create)
                self._ready = True

    async def record(self, entry: AuditEntry) -> None:
        async with self.writing() as conn:
            await conn.execute(
                insert(log_table).values({column: getattr(entry, field) for field, column in _COLUMNS.items()})
            )

    async def page(self, query: AuditQuery) -> Page[AuditEntry]:
        if not self._ready:
            await self.ready()
        table = log_table
        async with self.reading() as conn:
            total = int((await conn.execute(_filtered(query, select(func.count()).select_from(table)))).scalar_one())
            rows = await self._rows(conn, query)
        items = tuple(rows[: query.limit])
        return Page(items=items, total=total, has_next=len(rows) > query.limit)

    async def _rows(self, conn: AsyncConnection, query: AuditQuery) -> list[AuditEntry]:
        table = log_table
        statement = _filtered(query, select(table))
        if query.before_id is not None:
            statement = statement.where(table.c.id < query.before_id)
        statement = statement.order_by(table.c.id.desc()).offset(query.offset).limit(query.limit + 1)
        return [_entry(row._mapping) for row in await conn.execute(statement)]
