"""Which real driver failures mean "database unavailable" (503) and which are failing statements."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import asyncmy.errors
import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.backends.sql.engine import is_unavailable
from tests.conftest import require_server
from tests.databases import SERVER_URLS, admin_statements

MARIADB = "mariadb"
POSTGRESQL = "postgresql"


async def failure_of(url: str, statement: str = "SELECT 1") -> BaseException:
    """What connecting to ``url`` and running ``statement`` raises."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError(f"{statement!r} on {url} did not fail")


def server_url(kind: str, **changes: str | int) -> str:
    require_server(kind)
    return make_url(SERVER_URLS[kind]).set(**changes).render_as_string(hide_password=False)  # type: ignore[arg-type]


@contextmanager
def closed_port() -> Iterator[int]:
    """A local port bound but never listening: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def admin(kind: str, *statements: str) -> None:
    require_server(kind)
    await admin_statements(kind, *statements)


@asynccontextmanager
async def mariadb_account(grants: str = "", options: str = "") -> AsyncIterator[tuple[str, str]]:
    """A throw-away MariaDB account ``(name, password)`` allowed to log in from 127.0.0.1."""
    name, password = f"gw{uuid.uuid4().hex[:10]}", "Acc0unt-Pass"
    account = f"'{name}'@'127.0.0.1'"
    await admin(MARIADB, f"CREATE USER {account} IDENTIFIED BY '{password}' {options}".strip())
    try:
        if grants:
            await admin(MARIADB, f"GRANT {grants} TO {account}")
        yield name, password
    finally:
        await admin(MARIADB, f"DROP USER {account}")


@pytest.mark.parametrize("kind", [MARIADB, POSTGRESQL])
async def test_a_closed_port_is_unavailable(kind: str) -> None:
    with closed_port() as port:
        assert is_unavailable(await failure_of(server_url(kind, port=port)))


async def test_mariadb_wrong_password_1045_is_unavailable() -> None:
    exc = await failure_of(server_url(MARIADB, password="not-the-password"))
    assert isinstance(exc, DBAPIError) and exc.orig is not None and exc.orig.args[0] == 1045
    assert is_unavailable(exc)


async def test_mariadb_unknown_account_is_unavailable() -> None:
    exc = await failure_of(server_url(MARIADB, username=f"nobody{uuid.uuid4().hex[:8]}"))
    assert isinstance(exc, DBAPIError) and exc.orig is not None and exc.orig.args[0] in (1045, 1698)
    assert is_unavailable(exc)


async def test_mariadb_unknown_database_1049_is_unavailable() -> None:
    exc = await failure_of(server_url(MARIADB, database=f"missing_{uuid.uuid4().hex[:8]}"))
    assert isinstance(exc, DBAPIError) and exc.orig is not None and exc.orig.args[0] == 1049
    assert is_unavailable(exc)


async def test_mariadb_database_not_granted_1044_is_unavailable() -> None:
    async with mariadb_account() as (name, password):
        exc = await failure_of(server_url(MARIADB, username=name, password=password, database="mysql"))
    assert isinstance(exc, DBAPIError) and exc.orig is not None and exc.orig.args[0] == 1044
    assert is_unavailable(exc)


async def test_mariadb_account_connection_limit_1226_is_unavailable() -> None:
    async with mariadb_account(options="WITH MAX_USER_CONNECTIONS 1") as (name, password):
        url = server_url(MARIADB, username=name, password=password, database="information_schema")
        holder = create_async_engine(url)
        try:
            async with holder.connect() as conn:
                await conn.execute(text("SELECT 1"))
                exc = await failure_of(url)
        finally:
            await holder.dispose()
    assert isinstance(exc, DBAPIError) and exc.orig is not None and exc.orig.args[0] == 1226
    assert is_unavailable(exc)


def test_mariadb_too_many_connections_1040_is_unavailable() -> None:
    # Lowering the shared server's max_connections would starve every other client: the driver's error instead.
    exc = OperationalError("SELECT 1", {}, asyncmy.errors.OperationalError(1040, "Too many connections"))
    assert is_unavailable(exc)


@pytest.mark.parametrize(
    ("kind", "own_id", "end"),
    [
        ("mariadb", "SELECT CONNECTION_ID()", "KILL CONNECTION {}"),
        ("postgresql", "SELECT pg_backend_pid()", "SELECT pg_terminate_backend({})"),
    ],
)
async def test_a_connection_ended_by_the_server_is_unavailable(kind: str, own_id: str, end: str) -> None:
    engine = create_async_engine(server_url(kind))
    try:
        async with engine.connect() as conn:
            connection_id = (await conn.execute(text(own_id))).scalar_one()
            await admin(kind, end.format(connection_id))
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert is_unavailable(caught.value)


async def test_postgresql_unknown_database_3D000_is_unavailable() -> None:
    exc = await failure_of(server_url(POSTGRESQL, database=f"missing_{uuid.uuid4().hex[:8]}"))
    assert isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == "3D000"
    assert is_unavailable(exc)


async def test_postgresql_unknown_role_28000_is_unavailable() -> None:
    exc = await failure_of(server_url(POSTGRESQL, username=f"nobody{uuid.uuid4().hex[:8]}"))
    assert isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == "28000"
    assert is_unavailable(exc)


async def test_postgresql_role_connection_limit_53300_is_unavailable() -> None:
    role = f"gw{uuid.uuid4().hex[:10]}"
    await admin(POSTGRESQL, f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")
    try:
        url = server_url(POSTGRESQL, username=role)
        holder = create_async_engine(url)
        try:
            async with holder.connect() as conn:
                await conn.execute(text("SELECT 1"))
                exc = await failure_of(url)
        finally:
            await holder.dispose()
    finally:
        await admin(POSTGRESQL, f"DROP ROLE {role}")
    assert isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == "53300"
    assert is_unavailable(exc)


def test_postgresql_server_starting_up_57P03_is_unavailable() -> None:
    # A server in recovery cannot be arranged here: the driver's error, adapted as SQLAlchemy adapts it.
    driver_error = asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
    adapted = AsyncAdapt_asyncpg_dbapi.Error(  # type: ignore[no-untyped-call]
        "the database system is starting up", driver_error
    )
    assert is_unavailable(DBAPIError("SELECT 1", {}, adapted))


async def test_sqlite_missing_directory_is_unavailable() -> None:
    assert is_unavailable(await failure_of("sqlite+aiosqlite:////nonexistent-directory/vmail.sqlite3"))


@pytest.mark.parametrize("kind", [MARIADB, POSTGRESQL, "sqlite"])
@pytest.mark.parametrize("statement", ["SELECT no_such_column FROM no_such_table", "SELEC 1"])
async def test_a_failing_statement_is_not_unavailable(kind: str, statement: str) -> None:
    url = "sqlite+aiosqlite://" if kind == "sqlite" else server_url(kind)
    assert not is_unavailable(await failure_of(url, statement))


@pytest.mark.parametrize("kind", [MARIADB, POSTGRESQL, "sqlite"])
async def test_a_duplicate_key_is_not_unavailable(kind: str) -> None:
    url = "sqlite+aiosqlite://" if kind == "sqlite" else server_url(kind)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TEMPORARY TABLE taken (address VARCHAR(255) PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO taken VALUES ('john@example.com')"))
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(text("INSERT INTO taken VALUES ('john@example.com')"))
    finally:
        await engine.dispose()
    assert not is_unavailable(caught.value)
