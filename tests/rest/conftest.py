from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.store import SqlDatabases
from gateway.bootstrap import initialise
from gateway.settings import Settings
from tests.databases import DatabasePair, PreparedPool, prepared_pair
from tests.ldap_server import LdapServer
from tests.storage import LdapStorage, SqlStorage, Storage, fetch, run

ADMIN = "postmaster@admins.test"
ADMIN_PASSWORD = "Adm1n-Secret!"
STRONG = "Str0ng-Passw0rd!"


@dataclass
class Api:
    """An HTTP client on a gateway over fresh storage, with what it stored in reach.

    ``storage`` reads the same way on every backend; ``rows``/``execute`` reach
    SQL directly (``vmail`` exists on the SQL backends only).
    """

    client: httpx.AsyncClient
    kind: str
    storage: Storage
    settings: Settings

    async def login(self, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> httpx.Response:
        return await self.client.post("/api/login", data={"username": username, "password": password})

    async def call(self, method: str, path: str, **data: Any) -> httpx.Response:
        if method == "GET":
            return await self.client.request(method, path, params=data)
        return await self.client.request(method, path, data=data)

    def _engine(self, database: str) -> AsyncEngine:
        if database == "iredapd":
            return self.storage.iredapd
        assert isinstance(self.storage, SqlStorage), f"no {database} database on {self.kind}"
        return self.storage.vmail

    async def rows(self, sql: str, database: str = "vmail", **params: Any) -> list[dict[str, Any]]:
        return await fetch(self._engine(database), sql, **params)

    async def execute(self, sql: str, database: str = "vmail", **params: Any) -> None:
        await run(self._engine(database), sql, **params)

    async def snapshot(self) -> dict[str, Any]:
        """Everything the gateway writes, for nothing-changed assertions."""
        return await self.storage.snapshot()


def gateway_settings(databases: DatabasePair, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "vmail_dsn": databases.vmail,
        "iredapd_dsn": databases.iredapd,
        "iredadmin_dsn": databases.vmail,  # the sessions table beside vmail's, as iredadmin's would be
        "min_password_length": 8,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def ldap_settings(server: LdapServer, databases: DatabasePair, **overrides: Any) -> Settings:
    """``backend=ldap`` on ``server``; ``databases`` gives iredapd and iredadmin (vmail's schema holds its tables)."""
    values: dict[str, Any] = {
        "backend": "ldap",
        "ldap_uri": server.uri,
        "ldap_bind_dn": server.admin_dn,
        "ldap_bind_password": server.admin_password,
        "ldap_base_dn": server.suffix,
        "iredapd_dsn": databases.iredapd,
        "iredadmin_dsn": databases.vmail,
        "min_password_length": 8,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def serving(settings: Settings, storage: Storage) -> AsyncIterator[Api]:
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
                yield Api(client=client, kind=storage.kind, storage=storage, settings=settings)
    finally:
        await storage.ancillary.dispose()
        await storage.iredapd.dispose()


async def make_admin(settings: Settings) -> None:
    """The global admin ADMIN in the SQL databases of ``settings``."""
    store = SqlDatabases.open(settings)
    try:
        report = await initialise(settings, store, admin_email=ADMIN, password=ADMIN_PASSWORD)
        assert report.ok and report.admin_created
    finally:
        await store.dispose()


async def open_api(databases: DatabasePair, **overrides: Any) -> AsyncIterator[Api]:
    """A gateway on SQL ``databases`` whose only account is the global admin ADMIN."""
    settings = gateway_settings(databases, **overrides)
    await make_admin(settings)
    storage = SqlStorage(
        databases.kind, make_engine(databases.vmail, "vmail"), make_engine(databases.iredapd, "iredapd")
    )
    async with serving(settings, storage) as api:
        yield api


async def open_ldap_api(server: LdapServer, databases: DatabasePair, **overrides: Any) -> AsyncIterator[Api]:
    """A gateway on ``server``'s emptied tree whose only account is the global admin ADMIN (a mailAdmin)."""
    storage = LdapStorage(
        server, make_engine(databases.vmail, "iredadmin"), make_engine(databases.iredapd, "iredapd")
    )
    await storage.add_admin(ADMIN, ADMIN_PASSWORD, global_admin=True)
    async with serving(ldap_settings(server, databases, **overrides), storage) as api:
        yield api


@asynccontextmanager
async def backend_api(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path, **overrides: Any
) -> AsyncIterator[Api]:
    """A gateway on the storage ``kind`` (an SQL kind or "ldap"), as ``api`` gives it."""
    pool: PreparedPool = request.getfixturevalue("prepared_pool")
    if kind == "ldap":
        server: LdapServer = request.getfixturevalue("ldap_tree")
        with prepared_pair("sqlite", tmp_path, pool) as databases:
            async for value in open_ldap_api(server, databases, **overrides):
                yield value
        return
    with prepared_pair(kind, tmp_path, pool) as databases:
        async for value in open_api(databases, **overrides):
            yield value


@pytest.fixture
async def api(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> AsyncIterator[Api]:
    """A gateway on each backend whose only account is the global admin ADMIN (not logged in)."""
    async with backend_api(request, backend_kind, tmp_path) as value:
        yield value


async def logged_in(api: Api) -> Api:
    """``api`` with ADMIN logged in."""
    response = await api.login()
    assert response.status_code == 200, response.text
    return api


@pytest.fixture
async def admin_api(api: Api) -> Api:
    """The same gateway with ADMIN logged in."""
    return await logged_in(api)


@pytest.fixture
async def sql_api(prepared_databases: DatabasePair) -> AsyncIterator[Api]:
    """``api`` on the SQL backends only, for tests of the SQL layout itself."""
    async for value in open_api(prepared_databases):
        yield value


@pytest.fixture
async def sql_admin_api(sql_api: Api) -> Api:
    """``sql_api`` with ADMIN logged in."""
    return await logged_in(sql_api)


@pytest.fixture
async def ldap_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """``api`` on OpenLDAP only, for what the SQL backends do not offer (mailing lists) and the LDAP layout."""
    async with backend_api(request, "ldap", tmp_path) as value:
        yield value


@pytest.fixture
async def ldap_admin_api(ldap_api: Api) -> Api:
    """``ldap_api`` with ADMIN logged in."""
    return await logged_in(ldap_api)


async def with_two_domains(api: Api) -> Api:
    """Domains example.com (user bob) and other.org (user carol), made through the API."""
    for path, params in [
        ("/api/domain/example.com", {}),
        ("/api/domain/other.org", {}),
        ("/api/user/bob@example.com", {"password": STRONG}),
        ("/api/user/carol@other.org", {"password": STRONG}),
    ]:
        response = await api.call("POST", path, **params)
        assert response.status_code == 201, response.text
    return api


@pytest.fixture
async def domain_api(admin_api: Api) -> Api:
    """ADMIN logged in, with example.com (user bob) and other.org (user carol), on every backend."""
    return await with_two_domains(admin_api)


@pytest.fixture
async def sql_domain_api(sql_admin_api: Api) -> Api:
    """``domain_api`` on the SQL backends only (SQL layout; no mailing lists)."""
    return await with_two_domains(sql_admin_api)


@pytest.fixture
async def ldap_domain_api(ldap_admin_api: Api) -> Api:
    """``domain_api`` on OpenLDAP only (LDAP layout; mailing lists)."""
    return await with_two_domains(ldap_admin_api)


@contextmanager
def counted_statements(api: Api) -> Iterator[list[str]]:
    """The SQL statements the gateway itself sends to its vmail database inside the block."""
    transport = api.client._transport
    assert isinstance(transport, httpx.ASGITransport)
    engine: AsyncEngine = transport.app.state.backends.engines["vmail"]  # type: ignore[attr-defined]
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
