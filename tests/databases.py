"""Throw-away databases on the SQL servers the test suite talks to.

SQLite files live in the test's temporary directory; MariaDB
(127.0.0.1:3306, root) and PostgreSQL (127.0.0.1:5432, postgres) get
uniquely named databases that are dropped afterwards. The server addresses
can be changed with ``TEST_MARIADB_URL`` and ``TEST_POSTGRESQL_URL``.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
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


async def _admin(kind: str, *statements: str) -> None:
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
        run_sync(_admin(kind, "SELECT 1"))
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
        run_sync(_admin(kind, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"))
    elif kind == "postgresql":
        run_sync(_admin(kind, f'CREATE DATABASE "{name}"'))


def drop_database(kind: str, name: str) -> None:
    if kind == "mariadb":
        run_sync(_admin(kind, f"DROP DATABASE IF EXISTS `{name}`"))
    elif kind == "postgresql":
        run_sync(_admin(kind, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass(frozen=True)
class DatabasePair:
    """A fresh, empty ``vmail`` and ``iredapd`` database on one server."""

    kind: str
    vmail: str
    iredapd: str
    names: tuple[str, str]


def unique_name(label: str) -> str:
    return f"gwtest_{uuid.uuid4().hex[:10]}_{label}"
