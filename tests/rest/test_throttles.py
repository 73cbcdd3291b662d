from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from tests.rest.conftest import STRONG, Api

LIMITS = ("msg_size", "max_msgs", "max_quota", "max_rcpts")
VALUES = ("period", *LIMITS)
DOMAIN_ADMIN = "boss@other.org"
DOMAIN_ADMIN_PASSWORD = "Dom-Adm1n!pass"


async def throttle_rows(api: Api, account: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM throttle"
    if account is None:
        return await api.rows(sql + " ORDER BY id", "iredapd")
    return await api.rows(sql + " WHERE account = :a ORDER BY id", "iredapd", a=account)


async def add_tracking(api: Api, tid: int, account: str) -> None:
    await api.execute(
        "INSERT INTO throttle_tracking (tid, account, period, cur_msgs, cur_quota, init_time, last_time,"
        " last_notify_time) VALUES (:tid, :account, 60, 3, 4096, 1700000000, 1700000010, 0)",
        "iredapd",
        tid=tid,
        account=account,
    )


async def tracking_tids(api: Api) -> list[int]:
    return sorted(int(row["tid"]) for row in await api.rows("SELECT tid FROM throttle_tracking", "iredapd"))


async def add_domain(api: Api, *names: str) -> None:
    for name in names:
        assert (await api.call("POST", f"/api/domain/{name}")).status_code == 201


async def add_user(api: Api, email: str) -> None:
    response = await api.call("POST", f"/api/user/{email}", password=STRONG)
    assert response.status_code == 201, response.text


def limits_of(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row[name]) for name in VALUES}


def failure(code: str) -> dict[str, Any]:
    return {"success": False, "msg": code}


@pytest.mark.parametrize("kind", ["inbound", "outbound"])
async def test_global_throttle_writes_one_row(admin_api: Api, kind: str) -> None:
    response = await admin_api.call(
        "POST", f"/api/throttle/global/{kind}", period="3600", msg_size="10240", max_msgs="100", max_quota="0",
        max_rcpts="20",
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    [row] = await throttle_rows(admin_api)
    assert (row["account"], row["kind"], int(row["priority"])) == ("@.", kind, 0)
    assert limits_of(row) == {"period": 3600, "msg_size": 10240, "max_msgs": 100, "max_quota": 0, "max_rcpts": 20}

    response = await admin_api.call("GET", f"/api/throttle/global/{kind}")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert {name: body["data"][name] for name in VALUES} == limits_of(row)


async def test_omitted_limits_are_stored_as_inherit(admin_api: Api) -> None:
    response = await admin_api.call("POST", "/api/throttle/global/outbound", period="60", max_rcpts="7")
    assert response.status_code == 200, response.text
    [row] = await throttle_rows(admin_api)
    assert limits_of(row) == {"period": 60, "msg_size": -1, "max_msgs": -1, "max_quota": -1, "max_rcpts": 7}


@pytest.mark.parametrize("target", ["global", "example.com", "john@example.com"])
async def test_get_without_a_throttle_returns_empty_data(admin_api: Api, target: str) -> None:
    await add_domain(admin_api, "example.com")
    await add_user(admin_api, "john@example.com")
    await admin_api.call("POST", "/api/throttle/global/outbound", period="60", max_msgs="1")
    response = await admin_api.call("GET", f"/api/throttle/{target}/inbound")
    assert (response.status_code, response.json()) == (200, {"success": True, "data": {}})


async def test_domain_throttle(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    response = await admin_api.call("POST", "/api/throttle/Example.COM/inbound", period="60", max_msgs="50")
    assert (response.status_code, response.json()) == (200, {"success": True})
    [row] = await throttle_rows(admin_api)
    assert (row["account"], row["kind"], int(row["priority"])) == ("@example.com", "inbound", 60)
    assert limits_of(row) == {"period": 60, "msg_size": -1, "max_msgs": 50, "max_quota": -1, "max_rcpts": -1}
    data = (await admin_api.call("GET", "/api/throttle/example.com/inbound")).json()["data"]
    assert (data["period"], data["max_msgs"], data["msg_size"]) == (60, 50, -1)


async def test_user_throttle_uses_the_lower_cased_address(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await add_user(admin_api, "john@example.com")
    response = await admin_api.call("POST", "/api/throttle/John@Example.com/outbound", period="86400", max_quota="1000")
    assert (response.status_code, response.json()) == (200, {"success": True})
    [row] = await throttle_rows(admin_api)
    assert (row["account"], row["kind"], int(row["priority"])) == ("john@example.com", "outbound", 100)
    assert limits_of(row) == {"period": 86400, "msg_size": -1, "max_msgs": -1, "max_quota": 1000, "max_rcpts": -1}
    data = (await admin_api.call("GET", "/api/throttle/JOHN@example.com/outbound")).json()["data"]
    assert (data["period"], data["max_quota"]) == (86400, 1000)


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("nowhere.com", "NO_SUCH_DOMAIN"),
        ("ghost@example.com", "NO_SUCH_ACCOUNT"),
        ("john@nowhere.com", "NO_SUCH_ACCOUNT"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_missing_domain_or_user_is_not_found_and_writes_nothing(
    admin_api: Api, target: str, code: str, method: str
) -> None:
    await add_domain(admin_api, "example.com")
    before = await admin_api.snapshot()
    data = {"period": "60", "max_msgs": "5"} if method == "POST" else {}
    response = await admin_api.call(method, f"/api/throttle/{target}/inbound", **data)
    assert (response.status_code, response.json()) == (404, failure(code))
    assert await admin_api.snapshot() == before


async def test_posting_again_replaces_the_row(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await admin_api.call("POST", "/api/throttle/example.com/outbound", period="60", max_msgs="5", max_rcpts="3")
    response = await admin_api.call("POST", "/api/throttle/example.com/outbound", period="120", msg_size="2048")
    assert response.status_code == 200, response.text
    [row] = await throttle_rows(admin_api)
    assert (row["account"], row["kind"], int(row["priority"])) == ("@example.com", "outbound", 60)
    assert limits_of(row) == {"period": 120, "msg_size": 2048, "max_msgs": -1, "max_quota": -1, "max_rcpts": -1}


async def test_concurrent_posts_leave_one_row(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await add_user(admin_api, "john@example.com")
    responses = await asyncio.gather(
        *(
            admin_api.call("POST", "/api/throttle/john@example.com/outbound", period="60", max_msgs=str(n))
            for n in range(1, 11)
        )
    )
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    [row] = await throttle_rows(admin_api)
    assert row["account"] == "john@example.com" and 1 <= int(row["max_msgs"]) <= 10


DUPLICATE_GLOBAL_INBOUND = (
    "INSERT INTO throttle (account, kind, priority, period, msg_size, max_msgs, max_quota, max_rcpts)"
    " VALUES ('@.', 'inbound', 0, 30, 1, 1, 1, 1)"
)


@pytest.mark.parametrize("backend_kind", ["sqlite", "mariadb", "ldap"], indirect=True)
async def test_iredapd_keeps_one_row_per_account_and_kind(admin_api: Api) -> None:
    """UNIQUE(account, kind) exists in every iRedAPD schema but PostgreSQL's (the LDAP tests' iredapd is SQLite)."""
    await admin_api.call("POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    with pytest.raises(IntegrityError):
        await admin_api.execute(DUPLICATE_GLOBAL_INBOUND, "iredapd")


@pytest.mark.parametrize("backend_kind", ["postgresql"], indirect=True)
async def test_a_post_removes_duplicate_rows(admin_api: Api) -> None:
    """Without that constraint a post leaves one row per account and kind, and the others' tracking goes."""
    await admin_api.call("POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    await admin_api.call("POST", "/api/throttle/global/outbound", period="60", max_msgs="5")
    await admin_api.execute(DUPLICATE_GLOBAL_INBOUND, "iredapd")
    ids = {(row["kind"], int(row["period"])): int(row["id"]) for row in await throttle_rows(admin_api)}
    duplicate, outbound = ids[("inbound", 30)], ids[("outbound", 60)]
    await add_tracking(admin_api, duplicate, "a@example.com")
    await add_tracking(admin_api, outbound, "a@example.com")

    response = await admin_api.call("POST", "/api/throttle/global/inbound", period="90", max_rcpts="4")
    assert response.status_code == 200, response.text
    [row] = await admin_api.rows("SELECT * FROM throttle WHERE kind = 'inbound'", "iredapd")
    assert limits_of(row) == {"period": 90, "msg_size": -1, "max_msgs": -1, "max_quota": -1, "max_rcpts": 4}
    assert await tracking_tids(admin_api) == [outbound]
    assert len(await admin_api.rows("SELECT * FROM throttle WHERE kind = 'outbound'", "iredapd")) == 1


async def test_inbound_and_outbound_are_separate_rows(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await admin_api.call("POST", "/api/throttle/example.com/inbound", period="60", max_msgs="1")
    await admin_api.call("POST", "/api/throttle/example.com/outbound", period="120", max_msgs="2")
    rows = sorted(await throttle_rows(admin_api), key=lambda row: row["kind"])
    assert [(row["account"], row["kind"], int(row["period"]), int(row["max_msgs"])) for row in rows] == [
        ("@example.com", "inbound", 60, 1),
        ("@example.com", "outbound", 120, 2),
    ]
    assert (await admin_api.call("DELETE", "/api/throttle/example.com/inbound")).status_code == 200
    [row] = await throttle_rows(admin_api)
    assert row["kind"] == "outbound"
    data = (await admin_api.call("GET", "/api/throttle/example.com/outbound")).json()["data"]
    assert data["max_msgs"] == 2
    assert (await admin_api.call("GET", "/api/throttle/example.com/inbound")).json()["data"] == {}


@pytest.mark.parametrize(
    ("target", "account"),
    [("global", "@."), ("example.com", "@example.com"), ("john@example.com", "john@example.com")],
)
async def test_delete_removes_the_row_and_its_tracking(admin_api: Api, target: str, account: str) -> None:
    await add_domain(admin_api, "example.com", "other.com")
    await add_user(admin_api, "john@example.com")
    await add_user(admin_api, "kate@other.com")
    for path in ("global", "example.com", "john@example.com", "other.com", "kate@other.com"):
        for kind in ("inbound", "outbound"):
            response = await admin_api.call("POST", f"/api/throttle/{path}/{kind}", period="60", max_msgs="5")
            assert response.status_code == 200, response.text
    rows = await throttle_rows(admin_api)
    for row in rows:
        await add_tracking(admin_api, int(row["id"]), "john@example.com")
    doomed = next(int(row["id"]) for row in rows if (row["account"], row["kind"]) == (account, "inbound"))

    response = await admin_api.call("DELETE", f"/api/throttle/{target}/inbound")
    assert (response.status_code, response.json()) == (200, {"success": True})
    left = await throttle_rows(admin_api)
    assert sorted(int(row["id"]) for row in left) == sorted(int(row["id"]) for row in rows if int(row["id"]) != doomed)
    assert await tracking_tids(admin_api) == sorted(int(row["id"]) for row in left)

    before = await admin_api.snapshot()
    response = await admin_api.call("DELETE", f"/api/throttle/{target}/inbound")
    assert (response.status_code, response.json()) == (404, failure("NO_SUCH_THROTTLE"))
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/throttle/global/inbound", {"max_msgs": "5"}, "INVALID_PERIOD"),
        ("/api/throttle/global/inbound", {"period": "0"}, "INVALID_PERIOD"),
        ("/api/throttle/global/inbound", {"period": "-60"}, "INVALID_PERIOD"),
        ("/api/throttle/global/inbound", {"period": str(2**31)}, "INVALID_PERIOD"),
        ("/api/throttle/global/inbound", {"period": "1e3"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "sixty"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": ""}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "max_msgs": "ten"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "msg_size": "1.5"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "max_quota": "0x10"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "max_rcpts": "-2"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "max_msgs": "-100"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "max_quota": str(2**63)}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "Max_Msgs": "5"}, "INVALID_PARAMETER"),
        ("/api/throttle/global/inbound", {"period": "60", "account": "@."}, "INVALID_PARAMETER"),
        ("/api/throttle/global/sideways", {"period": "60"}, "INVALID_THROTTLE_KIND"),
        ("/api/throttle/global/external", {"period": "60"}, "INVALID_THROTTLE_KIND"),
        ("/api/throttle/example.com/sideways", {"period": "60"}, "INVALID_THROTTLE_KIND"),
        ("/api/throttle/not_a_domain/inbound", {"period": "60"}, "INVALID_DOMAIN_NAME"),
        ("/api/throttle/exa mple.com/inbound", {"period": "60"}, "INVALID_DOMAIN_NAME"),
        ("/api/throttle/@example.com/inbound", {"period": "60"}, "INVALID_MAIL"),
        ("/api/throttle/john@@example.com/inbound", {"period": "60"}, "INVALID_MAIL"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    admin_api: Api, path: str, params: dict[str, str], code: str
) -> None:
    await add_domain(admin_api, "example.com")
    await admin_api.call("POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    before = await admin_api.snapshot()
    response = await admin_api.call("POST", path, **params)
    assert (response.status_code, response.json()) == (400, failure(code))
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "params", "code"),
    [
        ("GET", "/api/throttle/global/sideways", {}, "INVALID_THROTTLE_KIND"),
        ("DELETE", "/api/throttle/global/sideways", {}, "INVALID_THROTTLE_KIND"),
        ("DELETE", "/api/throttle/not_a_domain/inbound", {}, "INVALID_DOMAIN_NAME"),
        ("GET", "/api/throttle/global/inbound", {"period": "60"}, "INVALID_PARAMETER"),
        ("DELETE", "/api/throttle/global/inbound", {"force": "yes"}, "INVALID_PARAMETER"),
    ],
)
async def test_bad_get_and_delete_requests_change_nothing(
    admin_api: Api, method: str, path: str, params: dict[str, str], code: str
) -> None:
    await admin_api.call("POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    before = await admin_api.snapshot()
    response = await admin_api.call(method, path, **params)
    assert (response.status_code, response.json()) == (400, failure(code))
    assert await admin_api.snapshot() == before


async def test_limits_accept_inherit_unlimited_and_large_values(admin_api: Api) -> None:
    response = await admin_api.call(
        "POST", "/api/throttle/global/outbound", period=str(2**31 - 1), msg_size="-1", max_msgs="0",
        max_quota=str(2**40), max_rcpts=" 12 ",
    )
    assert response.status_code == 200, response.text
    [row] = await throttle_rows(admin_api)
    assert limits_of(row) == {"period": 2**31 - 1, "msg_size": -1, "max_msgs": 0, "max_quota": 2**40, "max_rcpts": 12}


async def test_deleting_a_user_removes_its_throttles_and_tracking(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    for email in ("john@example.com", "kate@example.com"):
        await add_user(admin_api, email)
        for kind in ("inbound", "outbound"):
            await admin_api.call("POST", f"/api/throttle/{email}/{kind}", period="60", max_msgs="5")
    await admin_api.call("POST", "/api/throttle/example.com/outbound", period="60", max_msgs="50")
    for row in await throttle_rows(admin_api):
        await add_tracking(admin_api, int(row["id"]), "john@example.com")

    response = await admin_api.call("DELETE", "/api/user/john@example.com")
    assert response.status_code == 200, response.text
    left = await throttle_rows(admin_api)
    assert sorted((row["account"], row["kind"]) for row in left) == [
        ("@example.com", "outbound"),
        ("kate@example.com", "inbound"),
        ("kate@example.com", "outbound"),
    ]
    assert await tracking_tids(admin_api) == sorted(int(row["id"]) for row in left)


async def test_deleting_a_domain_removes_its_throttles_only(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com", "sub.example.com", "xexample.com")
    targets = ["example.com", "john@example.com", "sub.example.com", "ann@sub.example.com", "xexample.com",
               "bob@xexample.com"]
    for target in targets:
        if "@" in target:
            await add_user(admin_api, target)
        response = await admin_api.call("POST", f"/api/throttle/{target}/inbound", period="60", max_msgs="5")
        assert response.status_code == 200, response.text
    await admin_api.call("POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    for row in await throttle_rows(admin_api):
        await add_tracking(admin_api, int(row["id"]), "someone@example.com")

    response = await admin_api.call("DELETE", "/api/domain/example.com")
    assert response.status_code == 200, response.text
    left = await throttle_rows(admin_api)
    assert sorted(row["account"] for row in left) == [
        "@.", "@sub.example.com", "@xexample.com", "ann@sub.example.com", "bob@xexample.com"
    ]
    assert await tracking_tids(admin_api) == sorted(int(row["id"]) for row in left)


async def test_a_recreated_user_or_domain_inherits_no_throttle(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await add_user(admin_api, "john@example.com")
    await admin_api.call("POST", "/api/throttle/john@example.com/outbound", period="60", max_msgs="5")
    assert (await admin_api.call("DELETE", "/api/user/john@example.com")).status_code == 200
    await add_user(admin_api, "john@example.com")
    response = await admin_api.call("GET", "/api/throttle/john@example.com/outbound")
    assert (response.status_code, response.json()) == (200, {"success": True, "data": {}})

    await admin_api.call("POST", "/api/throttle/example.com/inbound", period="60", max_msgs="5")
    assert (await admin_api.call("DELETE", "/api/domain/example.com")).status_code == 200
    await add_domain(admin_api, "example.com")
    response = await admin_api.call("GET", "/api/throttle/example.com/inbound")
    assert (response.status_code, response.json()) == (200, {"success": True, "data": {}})
    assert await throttle_rows(admin_api) == []


async def test_rows_left_behind_are_not_inherited_by_a_new_account(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await admin_api.execute(
        "INSERT INTO throttle (account, kind, priority, period, msg_size, max_msgs, max_quota, max_rcpts)"
        " VALUES ('john@example.com', 'outbound', 100, 60, -1, 1, -1, -1)",
        "iredapd",
    )
    await add_user(admin_api, "john@example.com")
    assert (await admin_api.call("GET", "/api/throttle/john@example.com/outbound")).json()["data"] == {}
    assert await throttle_rows(admin_api) == []


async def login_domain_admin(api: Api) -> None:
    await add_domain(api, "mine.com", "theirs.com")
    await add_user(api, "john@mine.com")
    await add_user(api, "kate@theirs.com")
    await api.storage.add_admin(DOMAIN_ADMIN, DOMAIN_ADMIN_PASSWORD)
    await api.storage.grant_domain(DOMAIN_ADMIN, "mine.com")
    assert (await api.login(DOMAIN_ADMIN, DOMAIN_ADMIN_PASSWORD)).status_code == 200


async def test_domain_admin_manages_throttles_of_its_domain_and_users(admin_api: Api) -> None:
    await login_domain_admin(admin_api)
    for target, account, priority in (("mine.com", "@mine.com", 60), ("john@mine.com", "john@mine.com", 100)):
        response = await admin_api.call("POST", f"/api/throttle/{target}/outbound", period="60", max_msgs="9")
        assert (response.status_code, response.json()) == (200, {"success": True})
        [row] = await throttle_rows(admin_api, account)
        assert (row["kind"], int(row["priority"]), int(row["max_msgs"])) == ("outbound", priority, 9)
        assert (await admin_api.call("GET", f"/api/throttle/{target}/outbound")).json()["data"]["max_msgs"] == 9
        assert (await admin_api.call("DELETE", f"/api/throttle/{target}/outbound")).status_code == 200
    assert await throttle_rows(admin_api) == []


@pytest.mark.parametrize("target", ["global", "theirs.com", "kate@theirs.com", "nowhere.com", "ghost@nowhere.com"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_domain_admin_is_denied_other_throttles(admin_api: Api, target: str, method: str) -> None:
    await admin_api.call("POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    await login_domain_admin(admin_api)
    await admin_api.execute(
        "INSERT INTO throttle (account, kind, priority, period, max_msgs) VALUES ('@theirs.com', 'inbound', 60, 60, 5)",
        "iredapd",
    )
    before = await admin_api.snapshot()
    data = {"period": "60", "max_msgs": "1"} if method == "POST" else {}
    response = await admin_api.call(method, f"/api/throttle/{target}/inbound", **data)
    assert (response.status_code, response.json()) == (403, failure("PERMISSION_DENIED"))
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize("target", ["global", "example.com", "john@example.com"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_unauthenticated_requests_are_refused(admin_api: Api, target: str, method: str) -> None:
    await add_domain(admin_api, "example.com")
    await add_user(admin_api, "john@example.com")
    await admin_api.call("POST", f"/api/throttle/{target}/inbound", period="60", max_msgs="5")
    assert (await admin_api.call("POST", "/api/logout")).status_code == 200
    before = await admin_api.snapshot()
    data = {"period": "60", "max_msgs": "1"} if method == "POST" else {}
    response = await admin_api.call(method, f"/api/throttle/{target}/inbound", **data)
    assert (response.status_code, response.json()) == (401, failure("LOGIN_REQUIRED"))
    assert await admin_api.snapshot() == before


def effective_limits(rows: list[dict[str, Any]]) -> dict[str, int]:
    """iRedAPD's reading: rows by priority, highest first; per limit the first value >= 0 wins."""
    ordered = sorted((row for row in rows if int(row["period"]) > 0), key=lambda row: -int(row["priority"]))
    result: dict[str, int] = {}
    for name in LIMITS:
        result[name] = next((int(row[name]) for row in ordered if int(row[name]) >= 0), -1)
    return result


async def test_stored_rows_evaluate_as_iredapd_would(admin_api: Api) -> None:
    await add_domain(admin_api, "example.com")
    await add_user(admin_api, "john@example.com")
    await admin_api.call("POST", "/api/throttle/john@example.com/outbound", period="60", max_msgs="5")
    [user] = await throttle_rows(admin_api, "john@example.com")
    assert (int(user["msg_size"]), int(user["max_quota"]), int(user["max_rcpts"])) == (-1, -1, -1)
    assert int(user["max_msgs"]) == 5

    await admin_api.call("POST", "/api/throttle/example.com/outbound", period="60", max_msgs="50", max_rcpts="10")
    await admin_api.call(
        "POST", "/api/throttle/global/outbound", period="60", msg_size="1000", max_msgs="500", max_rcpts="100",
        max_quota="0",
    )
    rows = await admin_api.rows(
        "SELECT * FROM throttle WHERE kind = 'outbound' AND account IN ('john@example.com', '@example.com', '@.')",
        "iredapd",
    )
    priorities = {row["account"]: int(row["priority"]) for row in rows}
    assert priorities["john@example.com"] > priorities["@example.com"] > priorities["@."]
    assert (priorities["john@example.com"], priorities["@example.com"], priorities["@."]) == (100, 60, 0)
    assert effective_limits(rows) == {"msg_size": 1000, "max_msgs": 5, "max_quota": 0, "max_rcpts": 10}
