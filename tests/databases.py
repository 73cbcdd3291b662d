"""Throw-away databases on the SQL servers the test suite talks to.

SQLite files live in the test's temporary directory; MariaDB
(127.0.0.1:3306, root) and PostgreSQL (127.0.0.1:5432, postgres) get
uniquely named databases that are dropped afterwards. The server addresses
can be changed with ``TEST_MARIADB_URL`` and ``TEST_POSTGRESQL_URL``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

T = TypeVar("T")

SERVER_URLS = {
    "mariadb": os.environ.get("TEST_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306/mysql"),
    "postgresql": os.environ.get("TEST_POSTGRESQL_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
}
SQL_KINDS = ("sqlite", "mariadb", "postgresql")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, whatever loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def admin_statements(kind: str, *statements: str) -> None:
    """Run ``statements`` on the server of ``kind`` as its administrator, outside any transaction."""
    engine = create_async_engine(SERVER_URLS[kind], isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@cache
def server_problem(kind: str) -> str | None:
    """Why the server of ``kind`` cannot be used, or None when it answers."""
    if kind == "sqlite":
        return None
    try:
        run_sync(admin_statements(kind, "SELECT 1"))
    except Exception as exc:  # any failure to connect means the server is missing
        return f"{kind} at {make_url(SERVER_URLS[kind]).render_as_string(hide_password=True)}: {exc!r}"
    return None


def database_url(kind: str, name: str, directory: Path) -> str:
    """The DSN of database ``name`` on the server of ``kind``."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory / (name + '.sqlite3')}"
    return make_url(SERVER_URLS[kind]).set(database=name).render_as_string(hide_password=False)


def create_database(kind: str, name: str) -> None:
    if kind == "mariadb":
        run_sync(admin_statements(kind, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"))
    elif kind == "postgresql":
        run_sync(admin_statements(kind, f'CREATE DATABASE "{name}"'))


def drop_database(kind: str, name: str) -> None:
    if kind == "mariadb":
        run_sync(admin_statements(kind, f"DROP DATABASE IF EXISTS `{name}`"))
    elif kind == "postgresql":
        run_sync(admin_statements(kind, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass(frozen=True)
class DatabasePair:
    """A fresh, empty ``vmail``, ``iredapd`` and ``amavisd`` database on one server."""

    kind: str
    vmail: str
    iredapd: str
    amavisd: str
    names: tuple[str, str, str]

    @classmethod
    def named(cls, kind: str, names: tuple[str, str, str], directory: Path) -> DatabasePair:
        """The pair (and amavisd) of databases ``names`` on the server of ``kind``."""
        urls = [database_url(kind, name, directory) for name in names]
        return cls(kind=kind, vmail=urls[0], iredapd=urls[1], amavisd=urls[2], names=names)

    @property
    def urls(self) -> tuple[tuple[str, str], ...]:
        """(DSN, database) of each database."""
        return ((self.vmail, "vmail"), (self.iredapd, "iredapd"), (self.amavisd, "amavisd"))


DATABASE_LABELS = ("vmail", "iredapd", "amavisd")


def unique_names() -> tuple[str, str, str]:
    vmail, iredapd, amavisd = (unique_name(label) for label in DATABASE_LABELS)
    return vmail, iredapd, amavisd


def unique_name(label: str) -> str:
    return f"gwtest_{uuid.uuid4().hex[:10]}_{label}"


class PreparedPool:
    """Database pairs holding iRedMail's schema, emptied and reused between tests.

    Creating two databases and their tables costs seconds on MariaDB and
    PostgreSQL; deleting the rows of a used pair costs milliseconds. A pair
    whose tables a test dropped or changed is dropped instead of reused.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._free: dict[str, list[DatabasePair]] = {}
        self._all: list[DatabasePair] = []
        self._sqlite_template: DatabasePair | None = None

    def sqlite_copy(self, directory: Path) -> DatabasePair:
        """A new SQLite pair in ``directory``: copies of files given iRedMail's schema once per pool."""
        if self._sqlite_template is None:
            self._sqlite_template = self.take("sqlite")
        names = unique_names()
        template = self._sqlite_template
        for source, name in zip(template.names, names, strict=True):
            shutil.copyfile(self._directory / f"{source}.sqlite3", directory / f"{name}.sqlite3")
        return DatabasePair.named("sqlite", names, directory)

    def take(self, kind: str) -> DatabasePair:
        free = self._free.setdefault(kind, [])
        if free:
            return free.pop()
        names = unique_names()
        for name in names:
            create_database(kind, name)
        pair = DatabasePair.named(kind, names, self._directory)
        self._all.append(pair)
        run_sync(_prepare(pair))
        return pair

    def give_back(self, pair: DatabasePair) -> None:
        if run_sync(emptied(pair)):
            self._free.setdefault(pair.kind, []).append(pair)
        else:
            self._all.remove(pair)
            for name in pair.names:
                drop_database(pair.kind, name)

    def close(self) -> None:
        for pair in self._all:
            for name in pair.names:
                drop_database(pair.kind, name)
        self._all.clear()
        self._free.clear()


async def _prepare(pair: DatabasePair) -> None:
    from gateway.backends.sql.audit import SqlAuditLog
    from gateway.backends.sql.engine import make_engine
    from gateway.backends.sql.schema import prepare_schema

    for dsn, database in pair.urls:
        engine = make_engine(dsn, database)
        try:
            status = await prepare_schema(engine, database)  # type: ignore[arg-type]
            assert status.created, status
            if database == "vmail":  # the tests give iRedAdmin's admin log the vmail database
                await SqlAuditLog(engine).ready()
        finally:
            await engine.dispose()


async def emptied(pair: DatabasePair) -> bool:
    """Delete every row; False when the schema is no longer complete."""
    from gateway.backends.sql.audit import log_table
    from gateway.backends.sql.engine import make_engine
    from gateway.backends.sql.schema import check_schema
    from gateway.backends.sql.tables import amavisd_metadata, gateway_sessions, iredapd_metadata, vmail_metadata

    metadata_of = {"vmail": vmail_metadata, "iredapd": iredapd_metadata, "amavisd": amavisd_metadata}
    for dsn, database in pair.urls:
        metadata = metadata_of[database]
        engine = make_engine(dsn, database)
        try:
            if not (await check_schema(engine, database)).ok:  # type: ignore[arg-type]
                return False
            async with engine.begin() as conn:
                for table in reversed(metadata.sorted_tables):
                    await conn.execute(table.delete())
                # iRedAdmin's tables the gateway uses, when tests put them here
                for table in (gateway_sessions, log_table) if database == "vmail" else ():
                    if await conn.run_sync(_has_table, table.name):
                        await conn.execute(table.delete())
        except Exception:  # a pair that cannot be emptied is not reused
            return False
        finally:
            await engine.dispose()
    return True


def _has_table(conn: Connection, name: str) -> bool:
    return inspect(conn).has_table(name)


@contextmanager
def prepared_pair(kind: str, tmp_path: Path, shared: PreparedPool) -> Iterator[DatabasePair]:
    """A vmail/iredapd/amavisd set holding iRedMail's schema and no rows.

    SQLite pairs are new files in ``tmp_path``; server pairs are reused after their rows are deleted.
    """
    if kind == "sqlite":
        yield shared.sqlite_copy(tmp_path)
        return
    pair = shared.take(kind)
    try:
        yield pair
    finally:
        shared.give_back(pair)
