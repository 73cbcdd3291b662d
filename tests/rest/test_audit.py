"""The admin log through REST: a row in iRedAdmin's ``log`` for every write, none for a refused or failed one,
read back by ``GET /api/log``; on every storage."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.rest.conftest import ADMIN, STRONG, Api
from tests.storage import fetch, run

CLIENT = "127.0.0.1"  # the test client's address
BOSS = "boss@admins.test"
BOSS_PASSWORD = "B0ss-Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!x"
COLUMNS = ("admin", "ip", "domain", "username", "event", "loglevel", "msg")


def iredadmin(api: Api) -> AsyncEngine:
    """The iredadmin database (the tests give it vmail's on SQL)."""
    return api.storage.ancillary


async def log_rows(api: Api) -> list[dict[str, Any]]:
    return await fetch(iredadmin(api), "SELECT * FROM log ORDER BY id")


async def rows_after(api: Api, count: int) -> list[tuple[Any, ...]]:
    """The columns the panel shows of the rows written after the first ``count``."""
    return [tuple(row[name] for name in COLUMNS) for row in (await log_rows(api))[count:]]


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)


def row(event: str, message: str, domain: str = "", username: str = "", admin: str = ADMIN) -> tuple[Any, ...]:
    return (admin, CLIENT, domain, username, event, "info", f"[API] {message}")


async def test_every_write_leaves_a_row_in_the_panels_format(admin_api: Api) -> None:
    api = admin_api
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    [login] = await rows_after(api, 0)
    assert login == row("login", "Admin login success")
    await ok(api, "POST", "/api/domain/example.com", cn="Example")
    await ok(api, "PUT", "/api/domain/example.com", cn="Renamed")
    await ok(api, "POST", "/api/user/bob@example.com", password=STRONG, cn="Bob")
    await ok(api, "PUT", "/api/user/bob@example.com", cn="Robert", password=NEW_PASSWORD)
    await ok(api, "PUT", "/api/user/bob@example.com/password", password=STRONG)
    await ok(api, "PUT", "/api/users/example.com", accountStatus="active")
    await ok(api, "POST", "/api/alias/team@example.com", members="bob@example.com")
    await ok(api, "PUT", "/api/alias/team@example.com", addMember="carol@other.org")
    await ok(api, "DELETE", "/api/alias/team@example.com")
    await ok(api, "POST", "/api/throttle/bob@example.com/outbound", period="60", max_msgs="5")
    await ok(api, "DELETE", "/api/throttle/bob@example.com/outbound")
    await ok(api, "POST", "/api/throttle/global/inbound", period="60")
    await ok(api, "DELETE", "/api/user/bob@example.com/keep_mailbox_days/3")
    await ok(api, "DELETE", "/api/domain/example.com")
    bob = ("example.com", "bob@example.com")
    team = ("example.com", "team@example.com")
    assert await rows_after(api, 1) == [
        row("create", "Create domain: example.com.", "example.com"),
        row("update", "Update domain: example.com.", "example.com"),
        row("create", "Create user: bob@example.com.", *bob),
        row("update", "Update user: bob@example.com.", *bob),
        row("update", "Update user password: bob@example.com.", *bob),
        row("update", "Update domain users: example.com.", "example.com"),
        row("create", "Create mail alias: team@example.com.", *team),
        row("update", "Update mail alias: team@example.com.", *team),
        row("delete", "Delete mail alias: team@example.com.", *team),
        row("update", "Update throttle: bob@example.com, outbound.", *bob),
        row("delete", "Delete throttle: bob@example.com, outbound.", *bob),
        row("update", "Update throttle: global, inbound."),
        row("delete", "Delete user: bob@example.com.", *bob),
        row("delete", "Delete domain: example.com.", "example.com"),
    ]
    end = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    for stored in (await log_rows(api))[1:]:  # the login came before ``start``
        stamp = stored["timestamp"]
        stamp = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
        assert start <= stamp <= end, stored


async def test_mailing_list_writes_leave_rows_on_ldap(ldap_domain_api: Api) -> None:
    api = ldap_domain_api
    count = len(await log_rows(api))
    await ok(api, "POST", "/api/maillist/list@example.com", members="bob@example.com")
    await ok(api, "PUT", "/api/maillist/list@example.com", addMember="carol@other.org")
    await ok(api, "DELETE", "/api/maillist/list@example.com")
    where = ("example.com", "list@example.com")
    assert await rows_after(api, count) == [
        row("create", "Create mailing list: list@example.com.", *where),
        row("update", "Update mailing list: list@example.com.", *where),
        row("delete", "Delete mailing list: list@example.com.", *where),
    ]


async def as_boss(api: Api) -> Api:
    """BOSS, an admin of example.com only, logged in."""
    await api.storage.add_admin(BOSS, BOSS_PASSWORD)
    await api.storage.grant_domain(BOSS, "example.com")
    response = await api.login(BOSS, BOSS_PASSWORD)
    assert response.status_code == 200, response.text
    return api


async def test_refused_writes_leave_no_row(domain_api: Api) -> None:
    api = domain_api
    refusals: list[tuple[str, str, dict[str, str], str]] = [
        ("POST", "/api/user/bad address@example.com", {"password": STRONG}, "INVALID_MAIL"),
        ("POST", "/api/user/new@example.com", {"password": "short"}, "PW_LESS_THAN_MIN_LENGTH"),
        ("POST", "/api/user/bob@example.com", {"password": STRONG}, "ALREADY_EXISTS"),
        ("PUT", "/api/user/bob@example.com", {"quota": "lots"}, "INVALID_PARAMETER"),
        ("PUT", "/api/user/nobody@example.com", {"cn": "x"}, "NO_SUCH_ACCOUNT"),
        ("POST", "/api/throttle/example.com/sideways", {"period": "60"}, "INVALID_THROTTLE_KIND"),
        ("DELETE", "/api/domain/nowhere.org", {}, "NO_SUCH_DOMAIN"),
    ]
    before = await log_rows(api)
    for method, path, params, code in refusals:
        response = await api.call(method, path, **params)
        assert response.json() == {"success": False, "msg": code}, (path, response.text)
    assert await log_rows(api) == before

    await as_boss(api)
    before = await log_rows(api)
    for method, path, params in [
        ("POST", "/api/user/new@other.org", {"password": STRONG}),
        ("PUT", "/api/user/carol@other.org", {"password": NEW_PASSWORD}),
        ("DELETE", "/api/domain/example.com", {}),
        ("POST", "/api/throttle/global/inbound", {"period": "60"}),
    ]:
        response = await api.call(method, path, **params)
        assert response.json() == {"success": False, "msg": "PERMISSION_DENIED"}, (path, response.text)
    assert (await api.call("POST", "/api/logout")).status_code == 200
    response = await api.call("POST", "/api/domain/later.org")
    assert response.json() == {"success": False, "msg": "LOGIN_REQUIRED"}
    assert (await api.login(BOSS, "Wr0ng-Passw0rd!")).status_code == 401
    assert await log_rows(api) == before


async def test_a_write_that_fails_leaves_no_row(domain_api: Api) -> None:
    """The user's throttles go in the same operation as the user: with iRedAPD's table gone, both stay."""
    api = domain_api
    await ok(api, "POST", "/api/throttle/bob@example.com/outbound", period="60")
    before = await log_rows(api)
    await run(api.storage.iredapd, "ALTER TABLE throttle_tracking RENAME TO throttle_tracking_gone")
    try:
        response = await api.call("DELETE", "/api/user/bob@example.com")
    finally:
        await run(api.storage.iredapd, "ALTER TABLE throttle_tracking_gone RENAME TO throttle_tracking")
    assert response.status_code == 500, response.text
    assert await api.storage.user("bob@example.com") is not None
    assert await log_rows(api) == before


async def read(api: Api, **params: str) -> dict[str, Any]:
    response = await api.call("GET", "/api/log", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["data"]
    return body


def messages(body: dict[str, Any]) -> list[str]:
    return [entry["msg"] for entry in body["entries"]]


async def test_reading_the_log_with_filters_and_pages(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "PUT", "/api/user/bob@example.com", cn="Bob")
    everything = await read(api)
    # login, two domains, two users, one update: newest first
    assert everything["total"] == 6 and everything["page"] == 1
    assert messages(everything) == [
        "[API] Update user: bob@example.com.",
        "[API] Create user: carol@other.org.",
        "[API] Create user: bob@example.com.",
        "[API] Create domain: other.org.",
        "[API] Create domain: example.com.",
        "[API] Admin login success",
    ]
    first = everything["entries"][0]
    assert first["admin"] == ADMIN and first["ip"] == CLIENT and first["event"] == "update"
    assert first["domain"] == "example.com" and first["username"] == "bob@example.com"
    assert datetime.strptime(first["timestamp"], "%Y-%m-%d %H:%M:%S")

    assert messages(await read(api, event="update")) == ["[API] Update user: bob@example.com."]
    assert messages(await read(api, domain="other.org")) == [
        "[API] Create user: carol@other.org.", "[API] Create domain: other.org.",
    ]
    assert (await read(api, admin=ADMIN))["total"] == 6
    assert (await read(api, admin="someone@else.org"))["total"] == 0
    today = datetime.now(UTC).date()
    assert (await read(api, **{"from": str(today), "until": str(today)}))["total"] == 6
    assert (await read(api, **{"from": str(today + timedelta(days=1))}))["total"] == 0
    assert (await read(api, until=str(today - timedelta(days=1))))["total"] == 0
    assert (await read(api, **{"from": f"{today}T00:00:00+00:00"}))["total"] == 6

    second = await read(api, page="2", page_size="4")
    assert (second["total"], second["page"]) == (6, 2)
    assert messages(second) == messages(everything)[4:]
    assert (await read(api, page="3", page_size="4"))["entries"] == []

    for params, code in [
        ({"page_size": "0"}, "INVALID_PAGE_SIZE"),
        ({"page_size": "101"}, "INVALID_PAGE_SIZE"),
        ({"page": "0"}, "INVALID_PARAMETER"),
        ({"from": "yesterday"}, "INVALID_PARAMETER"),
        ({"from": str(today), "until": str(today - timedelta(days=1))}, "INVALID_PARAMETER"),
        ({"domain": "not a domain"}, "INVALID_DOMAIN_NAME"),
    ]:
        response = await api.call("GET", "/api/log", **params)
        assert response.json() == {"success": False, "msg": code}, params


async def test_a_domain_admin_reads_only_its_domains_rows(domain_api: Api) -> None:
    api = await as_boss(domain_api)
    await ok(api, "PUT", "/api/user/bob@example.com", cn="Bob")
    body = await read(api)
    assert messages(body) == [
        "[API] Update user: bob@example.com.",
        "[API] Create user: bob@example.com.",
        "[API] Create domain: example.com.",
    ]
    assert body["entries"][0]["admin"] == BOSS
    assert messages(await read(api, domain="example.com")) == messages(body)
    response = await api.call("GET", "/api/log", domain="other.org")
    assert response.json() == {"success": False, "msg": "PERMISSION_DENIED"}
    assert (await api.call("POST", "/api/logout")).status_code == 200
    response = await api.call("GET", "/api/log")
    assert response.json() == {"success": False, "msg": "LOGIN_REQUIRED"}


async def test_no_secret_reaches_the_log(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "PUT", "/api/user/bob@example.com", password=NEW_PASSWORD)
    await ok(api, "PUT", "/api/user/bob@example.com/password", password=STRONG)
    await ok(api, "PUT", "/api/users/other.org/password", password=NEW_PASSWORD)
    hashes = await api.storage.password_hashes()
    text = repr(await log_rows(api))
    assert "Update domain users password: other.org." in text
    for secret in (STRONG, NEW_PASSWORD, *hashes):
        assert secret not in text
    assert "{SSHA512}" not in text and "password=" not in text


async def test_a_log_that_fails_after_the_change_leaves_the_change_and_reports_it(
    sql_admin_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The one moment the two databases can disagree: the change stands, the gateway's log names the lost row."""
    api = sql_admin_api
    await run(iredadmin(api), "ALTER TABLE log RENAME TO log_gone")
    try:
        with caplog.at_level(logging.ERROR, logger="gateway.audit"):
            await ok(api, "POST", "/api/domain/example.com")
    finally:
        await run(iredadmin(api), "ALTER TABLE log_gone RENAME TO log")
    assert await api.storage.domain("example.com") is not None
    assert [entry["msg"] for entry in await log_rows(api)] == ["[API] Admin login success"]
    [report] = [record.getMessage() for record in caplog.records if record.name == "gateway.audit"]
    assert "admin log row not written" in report and "[API] Create domain: example.com." in report
