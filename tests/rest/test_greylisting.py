"""``/api/greylisting``: the rows iRedAPD reads, on every storage (the policy lives in SQL on LDAP too)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rest.conftest import STRONG, Api

DOMAIN_ADMIN = "boss@admins.test"
DOMAIN_ADMIN_PASSWORD = "B0ss-Passw0rd!"


async def ok(api: Api, method: str, path: str, **params: str) -> Any:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)
    return response.json().get("data")


async def refused(
    api: Api, method: str, path: str, answer: tuple[int, str], params: dict[str, str] | None = None
) -> None:
    before = await api.snapshot()
    response = await api.call(method, path, **(params or {}))
    assert (response.status_code, response.json()) == (answer[0], {"success": False, "msg": answer[1]}), path
    assert await api.snapshot() == before


async def rows(api: Api, table: str = "greylisting") -> list[tuple[Any, ...]]:
    columns = "account, priority, sender, sender_priority, active" if table == "greylisting" else "account, sender"
    found = await api.rows(f"SELECT {columns} FROM {table} ORDER BY account, sender", "iredapd")
    return [tuple(int(v) if isinstance(v, bool) else v for v in row.values()) for row in found]


@pytest.fixture
async def api(admin_api: Api) -> Api:
    await ok(admin_api, "POST", "/api/domain/example.com")
    await ok(admin_api, "POST", "/api/domain/other.org")
    await ok(admin_api, "POST", "/api/user/john@example.com", password=STRONG)
    return admin_api


async def test_status_rows_per_scope(api: Api) -> None:
    await ok(api, "POST", "/api/greylisting/global", status="enable")
    await ok(api, "POST", "/api/greylisting/Example.COM", status="disable")
    await ok(api, "POST", "/api/greylisting/john@example.com", status="enable")
    await ok(api, "POST", "/api/greylisting/john@example.com", status="disable")
    assert await rows(api) == [
        ("@.", 0, "@.", 0, 1),
        ("@example.com", 60, "@.", 0, 0),
        ("john@example.com", 100, "@.", 0, 0),
    ]
    data = await ok(api, "GET", "/api/greylisting/example.com")
    assert data == {
        "account": "@example.com",
        "status": "disable",
        "settings": [
            {"account": "@example.com", "priority": 60, "sender": "@.", "sender_priority": 0, "comment": "",
             "active": 0},
        ],
    }
    assert [row["account"] for row in await ok(api, "GET", "/api/greylisting/all")] == [
        "@.", "@example.com", "john@example.com",
    ]

    await ok(api, "DELETE", "/api/greylisting/example.com")
    await ok(api, "DELETE", "/api/greylisting/example.com")  # nothing left: still fine
    assert (await ok(api, "GET", "/api/greylisting/example.com"))["status"] is None
    assert [row[0] for row in await rows(api)] == ["@.", "john@example.com"]


async def test_whitelists_replace_add_remove(api: Api) -> None:
    path = "/api/greylisting/example.com/whitelists"
    await ok(api, "POST", path, senders="192.0.2.1, 198.51.100.0/24,@Sender.NET,@.example.org,ann@example.net")
    await api.execute(
        "INSERT INTO greylisting_whitelists (account, sender, comment) VALUES ('@example.com', '203.0.113.5',"
        " 'AUTO-UPDATE: big.example')", "iredapd",
    )  # fmt: skip
    await ok(api, "POST", path, addSenders="2001:db8::/32,192.0.2.1", removeSenders="ann@example.net")
    data = await ok(api, "GET", path)
    assert data == {
        "account": "@example.com",
        "senders": ["192.0.2.1", "198.51.100.0/24", "2001:db8::/32", "203.0.113.5", "@.example.org", "@sender.net"],
    }
    await ok(api, "POST", path, senders="")  # a reset keeps the SPF job's rows
    assert await rows(api, "greylisting_whitelists") == [("@example.com", "203.0.113.5")]


async def test_spf_domains(api: Api) -> None:
    await ok(api, "POST", "/api/greylisting/whitelist_spf_domains", domains="big.example,Mail.Example")
    await api.execute(
        "INSERT INTO greylisting_whitelist_domain_spf (account, sender, comment) VALUES ('@.', '192.0.2.0/24',"
        " 'AUTO-UPDATE: big.example')", "iredapd",
    )  # fmt: skip
    await ok(
        api, "POST", "/api/greylisting/whitelist_spf_domains", addDomains="new.example", removeDomains="big.example"
    )
    data = await ok(api, "GET", "/api/greylisting/global/whitelists")
    assert data == {"account": "@.", "senders": [], "spf_domains": ["mail.example", "new.example"], "spf_hosts": []}


@pytest.mark.parametrize(
    ("method", "path", "params", "status", "code"),
    [
        ("POST", "/api/greylisting/example.com", {"status": "maybe"}, 400, "INVALID_GREYLISTING_STATUS"),
        ("POST", "/api/greylisting/example.com", {}, 400, "INVALID_GREYLISTING_STATUS"),
        ("POST", "/api/greylisting/example.com/whitelists", {"addSenders": "192.0.2.1,not a sender"}, 400,
         "INVALID_GREYLISTING_SENDER"),
        ("POST", "/api/greylisting/example.com/whitelists", {"senders": "192.0.2.300"}, 400,
         "INVALID_GREYLISTING_SENDER"),
        ("POST", "/api/greylisting/example.com/whitelists", {}, 400, "INVALID_PARAMETER"),
        ("POST", "/api/greylisting/whitelist_spf_domains", {"addDomains": "ok.example,bad_domain"}, 400,
         "INVALID_DOMAIN_NAME"),
        ("POST", "/api/greylisting/no-such.example", {"status": "enable"}, 404, "NO_SUCH_DOMAIN"),
        ("POST", "/api/greylisting/nobody@example.com", {"status": "enable"}, 404, "NO_SUCH_ACCOUNT"),
        ("POST", "/api/greylisting/not_a_domain", {"status": "enable"}, 400, "INVALID_DOMAIN_NAME"),
        ("GET", "/api/greylisting/all", {"x": "1"}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_bad_input_writes_nothing(
    api: Api, method: str, path: str, params: dict[str, str], status: int, code: str
) -> None:
    await ok(api, "POST", "/api/greylisting/example.com/whitelists", senders="192.0.2.1")
    await refused(api, method, path, (status, code), params)


async def test_deleting_user_and_domain_removes_their_rows(api: Api) -> None:
    await ok(api, "POST", "/api/user/ann@other.org", password=STRONG)
    for target in ("global", "example.com", "john@example.com", "other.org", "ann@other.org"):
        await ok(api, "POST", f"/api/greylisting/{target}", status="enable")
        await ok(api, "POST", f"/api/greylisting/{target}/whitelists", senders="192.0.2.1")

    await ok(api, "DELETE", "/api/user/john@example.com")
    assert [row[0] for row in await rows(api)] == ["@.", "@example.com", "@other.org", "ann@other.org"]
    await ok(api, "DELETE", "/api/domain/other.org")
    assert [row[0] for row in await rows(api)] == ["@.", "@example.com"]
    assert [row[0] for row in await rows(api, "greylisting_whitelists")] == ["@.", "@example.com"]


async def test_a_refused_account_write_keeps_the_rows(api: Api) -> None:
    """Creating an address that exists fails in vmail (or the directory): iredapd's clearing rolls back."""
    await ok(api, "POST", "/api/greylisting/john@example.com", status="enable")
    await refused(api, "POST", "/api/user/john@example.com", (409, "ALREADY_EXISTS"), {"password": STRONG})
    assert [row[0] for row in await rows(api)] == ["john@example.com"]


async def test_domain_admin_manages_its_domain_only(api: Api) -> None:
    await api.storage.add_admin(DOMAIN_ADMIN, DOMAIN_ADMIN_PASSWORD)
    await api.storage.grant_domain(DOMAIN_ADMIN, "example.com")
    assert (await api.login(DOMAIN_ADMIN, DOMAIN_ADMIN_PASSWORD)).status_code == 200
    await ok(api, "POST", "/api/greylisting/example.com", status="enable")
    await ok(api, "POST", "/api/greylisting/john@example.com/whitelists", addSenders="@friend.example")
    assert (await ok(api, "GET", "/api/greylisting/john@example.com/whitelists"))["senders"] == ["@friend.example"]
    denied = (403, "PERMISSION_DENIED")
    await refused(api, "POST", "/api/greylisting/other.org", denied, {"status": "enable"})
    await refused(api, "GET", "/api/greylisting/all", denied)
    await refused(api, "POST", "/api/greylisting/global", denied, {"status": "enable"})
