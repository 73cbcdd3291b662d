"""Async engines for the ``vmail`` and ``iredapd`` databases."""

from __future__ import annotations

import logging
import math
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import anyio
from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

from gateway.errors import BackendUnavailable, ConfigurationError, Conflict, ErrorCode, GatewayError

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


DATABASE_TIMEOUT = 10.0
# A transaction left idle this many database timeouts (at least a minute) was abandoned by a client that
# went away; the server ends it so that its row locks do not outlive the client.
IDLE_TRANSACTION_FACTOR = 6
_MARIADB_STATEMENT_TIME_EXCEEDED = 1969


def make_engine(dsn: str, setting: str, *, timeout: float = DATABASE_TIMEOUT) -> AsyncEngine:
    """Create the async engine for one database, every wait bounded by ``timeout``.

    ``timeout`` seconds bound the wait for a pooled connection, opening a
    connection and each statement: asyncmy's connect and read timeouts plus
    MariaDB's ``max_statement_time``; asyncpg's connect and command timeouts;
    SQLite's busy timeout. A statement that runs out of time discards its
    connection (it is never returned to the pool mid-protocol) and surfaces as
    unavailability, so the request answers 503 ``BACKEND_UNAVAILABLE``. A pooled connection is
    pinged only when it comes back from idling (``_ping_after_idle``).
    """
    url = parse_dsn(dsn, setting)
    if timeout <= 0:
        raise ConfigurationError(detail=f"{setting}: the database timeout must be positive")
    idle_transaction = max(60.0, IDLE_TRANSACTION_FACTOR * timeout)
    connect_args: dict[str, Any]
    if url.drivername.startswith("sqlite"):
        connect_args = {"timeout": timeout}
    elif url.drivername.startswith("postgresql"):
        connect_args = {
            "timeout": timeout,
            "command_timeout": timeout,
            "server_settings": {"idle_in_transaction_session_timeout": str(int(idle_transaction * 1000))},
        }
    else:
        connect_args = {"connect_timeout": timeout, "read_timeout": timeout}
    engine = create_async_engine(
        url,
        pool_timeout=timeout,
        hide_parameters=True,  # statement parameters (password hashes) never reach an error message or log
        poolclass=BoundedPool,
        connect_args=connect_args,
    )
    _timeouts_are_unavailability(engine)
    _ping_after_idle(engine)
    if url.drivername.startswith("sqlite"):
        _sqlite_write_locking(engine)
    elif url.drivername.startswith("mysql"):
        _mariadb_session_limits(engine, timeout, idle_transaction)
    return engine


class BoundedPool(AsyncAdaptedQueuePool):
    """The async queue pool, whose wait for a free connection ends in ``TimeoutError``.

    SQLAlchemy's own pool timeout is not a ``TimeoutError``; the builtin one
    is what a silent database gives everywhere else, and the request answers
    503 for it.
    """

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except PoolTimeout as exc:
            raise TimeoutError(f"no free database connection within {self.timeout():g} s") from exc


# A pooled connection idle this long is pinged before it is handed out (a server restart or an idle
# timeout may have ended it meanwhile); one in steady use is handed out as it is.
PING_AFTER_IDLE = 1.0
_IDLE_SINCE = "gateway_idle_since"


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Ping a connection that idled in the pool before handing it out; a dead one is replaced at once.

    A ping on every checkout costs each request a round trip per connection. Idle connections are
    the ones a server restart or idle timeout ends unnoticed: they are pinged, and a failed ping makes
    the pool open a new connection instead (SQLAlchemy retries a checkout whose listener raises
    ``DisconnectionError``). A connection that dies while in steady use fails its statement: the
    request answers 503 and the pool drops every connection opened before that failure.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            log.info("%s database: a pooled connection is gone (%s); opening another", engine.url.database,
                     exc.__class__.__name__)  # fmt: skip
            raise DisconnectionError() from exc


def _timeouts_are_unavailability(engine: AsyncEngine) -> None:
    """Treat a statement that ran out of time as a lost connection: discard it, answer 503."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _timed_out(context: ExceptionContext) -> None:
        if _ran_out_of_time(context.original_exception):
            log.warning("%s database: a statement ran out of time; discarding its connection", engine.url.database)
            context.is_disconnect = True


def _ran_out_of_time(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError):
        return True
    args = getattr(exc, "args", ())
    if args and args[0] == _MARIADB_STATEMENT_TIME_EXCEEDED:
        return True
    # SQLite's busy timeout passed without the lock coming free
    return isinstance(exc, sqlite3.OperationalError) and "database is locked" in str(exc)


def _mariadb_session_limits(engine: AsyncEngine, timeout: float, idle_transaction: float) -> None:
    """On MariaDB, let the server stop a statement at the deadline and end abandoned transactions.

    The client's read timeout already bounds the wait; ``max_statement_time``
    also frees the server (and the row locks a statement waits for or holds).
    MySQL has neither variable and is left as it is.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        if not engine.dialect.is_mariadb:  # type: ignore[attr-defined]
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(
                f"SET SESSION max_statement_time = {timeout:.3f}, "
                f"SESSION idle_transaction_timeout = {math.ceil(idle_transaction)}"
            )
        finally:
            cursor.close()


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


@asynccontextmanager
async def unavailability_translated(engine: AsyncEngine) -> AsyncIterator[None]:
    """Turn a failure that says ``engine``'s database cannot be reached into ``BackendUnavailable``.

    Other failures pass unchanged: a transaction the server aborted is still
    there to be retried, and a failing statement is a fault, not an outage.
    """
    try:
        yield
    except GatewayError:
        raise
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        raise BackendUnavailable(detail=f"{engine.url.database} database: {exc.__class__.__name__}") from exc


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
        raise Conflict(ErrorCode.CONCURRENT_CHANGE, f"{write.__qualname__}: aborted {WRITE_ATTEMPTS} times")

    return run
