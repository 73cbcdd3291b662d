from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.store import SqlDatabases
from gateway.bootstrap import initialise
from gateway.settings import Settings
from tests.databases import DatabasePair

ADMIN = "postmaster@admins.test"
ADMIN_PASSWORD = "Adm1n-Secret!"
STRONG = "Str0ng-Passw0rd!"


@dataclass
class Api:
    """An HTTP client on a gateway over fresh databases, with direct access to the rows."""

    client: httpx.AsyncClient
    kind: str
    vmail: AsyncEngine
    iredapd: AsyncEngine
    settings: Settings

    async def login(self, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> httpx.Response:
        return await self.client.post("/api/login", data={"username": username, "password": password})

    async def call(self, method: str, path: str, **data: Any) -> httpx.Response:
        if method == "GET":
            return await self.client.request(method, path, params=data)
        return await self.client.request(method, path, data=data)

    async def rows(self, sql: str, database: str = "vmail", **params: Any) -> list[dict[str, Any]]:
        engine = self.vmail if database == "vmail" else self.iredapd
        async with engine.connect() as conn:
            result = await conn.execute(text(sql), params)
            return [dict(row._mapping) for row in result]

    async def execute(self, sql: str, database: str = "vmail", **params: Any) -> None:
        engine = self.vmail if database == "vmail" else self.iredapd
        async with engine.begin() as conn:
            await conn.execute(text(sql), params)

    async def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table the gateway writes, for nothing-changed assertions."""
        tables = {
            "vmail": ["domain", "mailbox", "forwardings", "alias", "domain_admins", "admin", "deleted_mailboxes",
                      "moderators", "alias_domain"],
            "iredapd": ["throttle", "throttle_tracking"],
        }
        result = {}
        for database, names in tables.items():
            for name in names:
                rows = await self.rows(f"SELECT * FROM {name}", database)
                result[name] = sorted(rows, key=repr)
        return result


def gateway_settings(databases: DatabasePair, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "vmail_dsn": databases.vmail,
        "iredapd_dsn": databases.iredapd,
        "session_secret": "test-session-secret-of-enough-length",
        "min_password_length": 8,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


async def open_api(databases: DatabasePair, **overrides: Any) -> AsyncIterator[Api]:
    settings = gateway_settings(databases, **overrides)
    store = SqlDatabases.open(settings)
    try:
        report = await initialise(settings, store, admin_email=ADMIN, password=ADMIN_PASSWORD)
        assert report.ok and report.admin_created
    finally:
        await store.dispose()
    app = create_app(settings)
    vmail = make_engine(databases.vmail, "vmail")
    iredapd = make_engine(databases.iredapd, "iredapd")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Api(client=client, kind=databases.kind, vmail=vmail, iredapd=iredapd, settings=settings)
    await vmail.dispose()
    await iredapd.dispose()


@pytest.fixture
async def api(prepared_databases: DatabasePair) -> AsyncIterator[Api]:
    """A gateway whose only account is the global admin ADMIN (not logged in)."""
    async for value in open_api(prepared_databases):
        yield value


@pytest.fixture
async def admin_api(api: Api) -> Api:
    """The same gateway with ADMIN logged in."""
    response = await api.login()
    assert response.status_code == 200, response.text
    return api


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
