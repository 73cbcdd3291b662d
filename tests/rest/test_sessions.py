"""Server-side sessions: what ends them, who shares them, and what the cookie and the store hold."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.app import create_app
from gateway.backends.sql.tables import gateway_sessions
from gateway.request_context import SESSION_COOKIE
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, STRONG, Api, backend_api, logged_in
from tests.storage import run

BOSS = "boss@example.com"
BOSS_PASSWORD = "B0ss-Passw0rd!"
REFUSED = (401, {"success": False, "msg": "LOGIN_REQUIRED"})


def session_of(api: Api) -> str:
    """The session id in ``api``'s cookie jar, as a client could copy it."""
    value = api.client.cookies.get(SESSION_COOKIE)
    assert value, "no session cookie"
    return value


@asynccontextmanager
async def client_on(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """Another client of the same gateway, with no cookie jar of its own."""
    transport = api.client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client


async def replay(
    client: httpx.AsyncClient, session: str, method: str, path: str, **data: Any
) -> tuple[int, dict[str, Any]]:
    """``method path`` presenting the copied ``session`` id."""
    response = await client.request(
        method, path, data=data or None, headers={"cookie": f"{SESSION_COOKIE}={session}"}
    )
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def works(api: Api, session: str) -> bool:
    """Whether a copied ``session`` still serves, checked from a client of its own."""
    async with client_on(api) as client:
        status, _ = await replay(client, session, "GET", "/api/domains")
    assert status in (200, 401)
    return status == 200


async def stored_sessions(api: Api) -> list[dict[str, Any]]:
    """The rows of ``gateway_sessions``, typed by the gateway's own table."""
    async with api.storage.ancillary.connect() as conn:
        rows = await conn.execute(select(gateway_sessions).order_by(gateway_sessions.c.username))
        return [dict(row._mapping) for row in rows]


async def boss_session(api: Api, email: str = BOSS) -> str:
    """Log ``email`` (a mailbox made global admin) in from another client; return its session id."""
    async with client_on(api) as client:
        response = await client.post("/api/login", data={"username": email, "password": BOSS_PASSWORD})
        assert response.status_code == 200, response.text
        session = client.cookies.get(SESSION_COOKIE)
    assert session
    return session


@pytest.fixture
async def boss(domain_api: Api) -> Api:
    """``domain_api`` where BOSS, a mailbox of example.com, is a global admin with a session of its own."""
    response = await domain_api.call("POST", f"/api/user/{BOSS}", password=BOSS_PASSWORD)
    assert response.status_code == 201, response.text
    await domain_api.storage.make_global_admin(BOSS)
    return domain_api


async def test_a_cookie_copied_before_logout_is_refused_after_it(admin_api: Api) -> None:
    session = session_of(admin_api)
    assert await works(admin_api, session)
    assert (await admin_api.call("POST", "/api/logout")).json() == {"success": True}
    before = await admin_api.snapshot()
    async with client_on(admin_api) as client:
        assert await replay(client, session, "GET", "/api/domains") == REFUSED
        assert await replay(client, session, "POST", "/api/domain/example.com") == REFUSED
        assert await replay(client, session, "PUT", f"/api/user/{ADMIN}/password", password=STRONG) == REFUSED
    assert await admin_api.snapshot() == before
    assert [row["username"] for row in await stored_sessions(admin_api)] == []


async def test_logout_clears_the_cookie_and_without_a_session_still_succeeds(admin_api: Api) -> None:
    response = await admin_api.call("POST", "/api/logout")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert re.search(rf'{SESSION_COOKIE}=""?;.*max-age=0', response.headers["set-cookie"], re.IGNORECASE)
    assert SESSION_COOKIE not in admin_api.client.cookies
    response = await admin_api.call("POST", "/api/logout")
    assert (response.status_code, response.json()) == (200, {"success": True})


async def test_the_cookie_holds_an_opaque_id_and_the_store_only_its_digest(api: Api) -> None:
    response = await api.login()
    cookie = response.headers["set-cookie"]
    assert cookie.lower().count("httponly") == 1 and "samesite=strict" in cookie.lower()
    assert "max-age=3600" in cookie.lower() and "secure" not in cookie.lower()
    session = session_of(api)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", session)  # 32 random bytes
    assert b"postmaster" not in base64.urlsafe_b64decode(session + "=") and "postmaster" not in session
    [row] = await stored_sessions(api)
    assert row["username"] == ADMIN
    assert row["token_hash"] == hashlib.sha256(session.encode()).hexdigest()
    assert all(session not in str(value) for value in row.values())
    assert timedelta(seconds=3600) <= row["expires"] - row["created"] <= timedelta(seconds=3601)


async def test_the_secure_flag_follows_the_setting(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with backend_api(request, "sqlite", tmp_path, session_cookie_secure=True, session_max_age=600) as api:
        cookie = (await api.login()).headers["set-cookie"].lower()
        assert "; secure" in cookie and "max-age=600" in cookie


async def test_a_login_always_issues_a_new_id_and_ends_the_old_one(admin_api: Api) -> None:
    first = session_of(admin_api)
    assert (await admin_api.login()).status_code == 200
    second = session_of(admin_api)
    assert second != first
    assert not await works(admin_api, first)
    assert await works(admin_api, second)
    assert [row["username"] for row in await stored_sessions(admin_api)] == [ADMIN]


async def test_a_refused_login_leaves_the_session_as_it_was(admin_api: Api) -> None:
    session = session_of(admin_api)
    response = await admin_api.login(ADMIN, "wrong-password")
    assert (response.status_code, response.json()["msg"]) == (401, "INVALID_CREDENTIALS")
    assert "set-cookie" not in response.headers
    assert await works(admin_api, session)


async def test_expired_sessions_are_refused_and_removed(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path
) -> None:
    async with backend_api(request, backend_kind, tmp_path, session_max_age=1) as api:
        assert "max-age=1" in (await api.login()).headers["set-cookie"].lower()
        session = session_of(api)
        assert await works(api, session)
        await asyncio.sleep(2.1)
        async with client_on(api) as client:
            assert await replay(client, session, "GET", "/api/domains") == REFUSED
            assert await replay(client, session, "POST", "/api/domain/example.com") == REFUSED
        assert await api.storage.domain("example.com") is None
        await logged_in(api)  # a new session clears out the expired rows
        rows = await stored_sessions(api)
        assert [row["token_hash"] for row in rows] == [hashlib.sha256(session_of(api).encode()).hexdigest()]


async def test_a_session_past_its_stored_expiry_is_refused(admin_api: Api) -> None:
    session = session_of(admin_api)
    await run(admin_api.storage.ancillary, "UPDATE gateway_sessions SET expires = created")
    assert not await works(admin_api, session)


async def test_changing_ones_own_password_ends_every_own_session(boss: Api) -> None:
    other_device = await boss_session(boss)
    this_device = await boss_session(boss)
    async with client_on(boss) as client:
        status, body = await replay(client, this_device, "PUT", f"/api/user/{BOSS}/password", password=STRONG)
    assert (status, body) == (200, {"success": True})
    assert not await works(boss, other_device)
    assert not await works(boss, this_device)
    assert await works(boss, session_of(boss))  # ADMIN's session is not BOSS's
    async with client_on(boss) as client:
        assert (await client.post("/api/login", data={"username": BOSS, "password": STRONG})).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("PUT", f"/api/user/{BOSS}/password", {"password": STRONG}),
        ("PUT", f"/api/user/{BOSS}", {"password": STRONG}),
        ("PUT", f"/api/user/{BOSS}", {"password_hash": "{PLAIN}Str0ng-Passw0rd!"}),
        ("PUT", "/api/users/example.com/password", {"password": STRONG}),
        ("PUT", "/api/users/example.com", {"password": STRONG}),
    ],
)
async def test_another_admin_changing_the_password_ends_the_sessions(
    boss: Api, method: str, path: str, data: dict[str, str]
) -> None:
    session = await boss_session(boss)
    response = await boss.call(method, path, **data)
    assert response.status_code == 200, response.text
    assert not await works(boss, session)
    assert await works(boss, session_of(boss))


async def test_profile_changes_leave_the_sessions_alone(boss: Api) -> None:
    session = await boss_session(boss)
    for path, data in [
        (f"/api/user/{BOSS}", {"name": "Boss", "quota": "20"}),
        ("/api/users/example.com", {"language": "de_DE"}),
    ]:
        assert (await boss.call("PUT", path, **data)).status_code == 200
    assert await works(boss, session)


@pytest.mark.parametrize(
    "disable",
    [(f"/api/user/{BOSS}", {"accountStatus": "disabled"}), ("/api/users/example.com", {"accountStatus": "disabled"})],
)
async def test_disabling_ends_the_sessions_and_enabling_does_not_revive_them(
    boss: Api, disable: tuple[str, dict[str, str]]
) -> None:
    session = await boss_session(boss)
    path, data = disable
    assert (await boss.call("PUT", path, **data)).status_code == 200
    assert not await works(boss, session)
    assert (await boss.call("PUT", f"/api/user/{BOSS}", accountStatus="active")).status_code == 200
    assert not await works(boss, session)
    assert await boss_session(boss)  # the account itself logs in again


async def test_disabling_outside_the_gateway_ends_the_session_for_good(boss: Api) -> None:
    session = await boss_session(boss)
    await boss.storage.disable_admin(BOSS)
    assert not await works(boss, session)
    assert (await boss.call("PUT", f"/api/user/{BOSS}", accountStatus="active")).status_code == 200
    assert not await works(boss, session)


@pytest.mark.parametrize("path", [f"/api/user/{BOSS}", "/api/domain/example.com"])
async def test_deleting_the_account_or_its_domain_ends_the_sessions(boss: Api, path: str) -> None:
    session = await boss_session(boss)
    assert (await boss.call("DELETE", path)).status_code == 200
    assert not await works(boss, session)
    assert [row["username"] for row in await stored_sessions(boss)] == [ADMIN]


async def test_a_refused_password_change_ends_nothing(boss: Api) -> None:
    session = await boss_session(boss)
    response = await boss.call("PUT", f"/api/user/{BOSS}/password", password="short")
    assert response.status_code == 400
    assert await works(boss, session)


@asynccontextmanager
async def second_instance(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """Another gateway process on the same settings (and so the same databases)."""
    app = create_app(api.settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40001))
        async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as client:
            yield client


async def test_instances_sharing_the_store_share_sessions(api: Api) -> None:
    async with second_instance(api) as other:
        assert (await api.login()).status_code == 200
        session = session_of(api)
        assert (await replay(other, session, "GET", "/api/domains"))[0] == 200
        assert (await replay(other, session, "POST", "/api/logout"))[0] == 200
        assert not await works(api, session)

        response = await other.post("/api/login", data={"username": ADMIN, "password": ADMIN_PASSWORD})
        moved = other.cookies.get(SESSION_COOKIE)
        assert response.status_code == 200 and moved
        assert await works(api, moved)
        async with client_on(api) as client:
            assert (await replay(client, moved, "POST", "/api/logout"))[0] == 200
        assert await replay(other, moved, "GET", "/api/domains") == REFUSED
