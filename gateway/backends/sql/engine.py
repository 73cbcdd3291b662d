"""Async engines for the ``vmail`` and ``iredapd`` databases."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import anyio
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from gateway.errors import ConfigurationError, Conflict

log = logging.getLogger(__name__)

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


_MYSQL_CONNECTION_ERRORS = {2002, 2003, 2005, 2006, 2013, 2055}


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (as opposed to a failing statement)."""
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        if isinstance(orig, OSError):
            return True
        code = orig.args[0] if orig is not None and orig.args else None
        if isinstance(code, int) and code in _MYSQL_CONNECTION_ERRORS:
            return True
        if isinstance(code, str) and code.startswith("unable to open database file"):
            return True
    return False


# A transaction the server chose to abort so that another could go on: deadlock and
# lock wait timeout on MariaDB/MySQL, deadlock and serialization failure on PostgreSQL.
_MYSQL_RETRYABLE = {1213, 1205}
_POSTGRESQL_RETRYABLE = {"40P01", "40001"}
WRITE_ATTEMPTS = 5

P = ParamSpec("P")
R = TypeVar("R")


def is_retryable(exc: BaseException) -> bool:
    """Whether ``exc`` aborted a whole transaction that may simply be run again."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated or exc.orig is None:
        return False
    orig = exc.orig
    code = orig.args[0] if orig.args else None
    if isinstance(code, int) and code in _MYSQL_RETRYABLE:
        return True
    return getattr(orig, "sqlstate", None) in _POSTGRESQL_RETRYABLE


def retried(write: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run a write that opens its own transaction again when the database aborted it.

    The write must be safe to repeat: its checks read the state anew in each
    transaction. After ``WRITE_ATTEMPTS`` aborts the caller gets 409
    ``CONCURRENT_CHANGE``: other writers keep changing the same rows.
    """

    @wraps(write)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return await write(*args, **kwargs)
            except DBAPIError as exc:
                if not is_retryable(exc):
                    raise
                log.info("%s: transaction aborted (%s), attempt %d", write.__qualname__, exc.orig, attempt)
            # spread the contenders out, a little more each time
            await anyio.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise Conflict("CONCURRENT_CHANGE", f"{write.__qualname__}: aborted {WRITE_ATTEMPTS} times")

    return run
