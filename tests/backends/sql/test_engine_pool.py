"""Pooled connections: one the server ended while it idled is replaced before a request sees it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from gateway.backends.sql import engine as engines
from gateway.backends.sql.engine import make_engine
from tests.backends.sql.test_engine_errors import MARIADB, POSTGRESQL, admin, server_url

OWN_ID = {MARIADB: "SELECT CONNECTION_ID()", POSTGRESQL: "SELECT pg_backend_pid()"}
END = {MARIADB: "KILL CONNECTION {}", POSTGRESQL: "SELECT pg_terminate_backend({})"}


@pytest.mark.parametrize("kind", [MARIADB, POSTGRESQL])
async def test_a_connection_ended_while_idle_is_replaced(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "PING_AFTER_IDLE", 0.0)  # every checkout comes back from idling
    engine = make_engine(server_url(kind), "TEST_DSN")
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text(OWN_ID[kind]))).scalar_one()
        await admin(kind, END[kind].format(first))
        async with engine.connect() as conn:
            second = (await conn.execute(text(OWN_ID[kind]))).scalar_one()
    finally:
        await engine.dispose()
    assert second != first


@pytest.mark.parametrize("kind", [MARIADB, POSTGRESQL])
async def test_a_connection_in_steady_use_is_not_pinged(kind: str) -> None:
    engine = make_engine(server_url(kind), "TEST_DSN")
    pings: list[object] = []
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        original = engine.dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            pings.append(dbapi_connection)
            return original(dbapi_connection)

        with pytest.MonkeyPatch.context() as monkey:
            monkey.setattr(engine.dialect, "do_ping", counted_ping)
            for _ in range(3):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 2"))
    finally:
        await engine.dispose()
    assert pings == []
    assert statements == ["SELECT 2"]
