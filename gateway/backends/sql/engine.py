"""Async engines for the ``vmail`` and ``iredapd`` databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from gateway.errors import ConfigurationError

ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "mysql": "mysql+asyncmy",
    "mariadb": "mysql+asyncmy",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
SUPPORTED = {"sqlite+aiosqlite", "mysql+asyncmy", "mysql+aiomysql", "mariadb+asyncmy", "postgresql+asyncpg"}


def parse_dsn(dsn: str, setting: str) -> URL:
    """Parse a DSN, choosing the async driver when only the database is named.

    ``mysql://``, ``postgresql://`` and ``sqlite:///`` become their async
    forms; anything else raises ``ConfigurationError`` naming ``setting``.
    """
    try:
        url = make_url(dsn)
    except ArgumentError as exc:
        raise ConfigurationError(detail=f"{setting}: not a database URL ({exc.__class__.__name__})") from None
    name = url.drivername
    if name in ASYNC_DRIVERS:
        url = url.set(drivername=ASYNC_DRIVERS[name])
    if url.drivername not in SUPPORTED:
        raise ConfigurationError(
            detail=f"{setting}: unsupported database driver {name!r}; use sqlite, mysql/mariadb or postgresql"
        )
    if not url.database:
        raise ConfigurationError(detail=f"{setting}: the URL names no database")
    if url.drivername.startswith("mysql") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def dialect_of(engine: AsyncEngine) -> str:
    """``sqlite``, ``mysql`` or ``postgresql``."""
    return engine.dialect.name


def make_engine(dsn: str, setting: str) -> AsyncEngine:
    """Create the async engine for one database, with pre-ping."""
    url = parse_dsn(dsn, setting)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.drivername.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_async_engine(url, **kwargs)
    if url.drivername.startswith("sqlite"):
        _sqlite_write_locking(engine)
    return engine


def _sqlite_write_locking(engine: AsyncEngine) -> None:
    """Make SQLite write transactions take the write lock at BEGIN.

    A deferred BEGIN lets two writers read the same state and then fail to
    upgrade their locks; ``BEGIN IMMEDIATE`` serializes writers the way row
    locks do on MariaDB and PostgreSQL. Reads keep a deferred BEGIN so they
    do not queue behind each other.
    """
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(sync_engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_LOCK, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITE_LOCK = "gateway_write_lock"


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One write transaction: committed at the end, rolled back on error.

    On SQLite it holds the database's write lock from the start; on MariaDB
    and PostgreSQL writers lock rows (``SELECT … FOR UPDATE``) as they go.
    """
    async with engine.connect() as conn:
        await conn.execution_options(**{_WRITE_LOCK: True})
        async with conn.begin():
            yield conn


# MySQL/MariaDB error numbers meaning "cannot reach the server" or "the server refuses this login":
# 1040 too many connections, 1044 no access to the database, 1045/1698 access denied,
# 1049 unknown database, 1226 the account's connection limit; 20xx are the client's connection errors.
_MYSQL_UNAVAILABLE = {1040, 1044, 1045, 1049, 1226, 1698, 2002, 2003, 2005, 2006, 2013, 2055}
# SQLSTATEs of the same meaning (PostgreSQL; MySQL reports some too): class 08 connection
# exception, class 28 invalid authorization; 3D000 unknown database, 53300 too many
# connections, 57P03 the server is starting up or shutting down.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "28")
_UNAVAILABLE_SQLSTATES = {"3D000", "53300", "57P03"}


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached or refuses the gateway's login.

    Such a failure is the operator's to fix, or passes; it answers
    ``BACKEND_UNAVAILABLE``. A failing statement is not one of them.
    """
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, OSError):
        return True
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and (
        sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or sqlstate in _UNAVAILABLE_SQLSTATES
    ):
        return True
    code = orig.args[0] if orig is not None and orig.args else None
    if isinstance(code, int):
        return code in _MYSQL_UNAVAILABLE
    return isinstance(code, str) and code.startswith("unable to open database file")
