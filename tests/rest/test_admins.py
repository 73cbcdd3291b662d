"""Admins through the API: standalone admins, a domain's admins, promoted mail users, password checks,
admin limits and the sessions that end with an admin's rights, on every storage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.passwords import hash_password
from tests.rest.conftest import ADMIN, STRONG, Api
from tests.rest.test_sessions import client_on, session_of, works

BOSS = "boss@admins.test"  # a standalone admin, outside the hosted domains
BOSS_PASSWORD = "B0ss-Passw0rd!"
NEW_PASSWORD = "N3w-B0ss-Passw0rd!"


async def ok(api: Api, method: str, path: str, **params: str) -> Any:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, params, response.text)
    return response.json().get("data")


async def refused(api: Api, method: str, path: str, status: int, code: str, **params: str) -> None:
    """The call is refused with ``code`` and writes nothing."""
    before = await api.snapshot()
    response = await api.call(method, path, **params)
    assert (response.status_code, response.json()) == (status, {"success": False, "msg": code}), (path, params)
    assert await api.snapshot() == before, (path, params)


@asynccontextmanager
async def logged_in_as(api: Api, email: str, password: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another client of the gateway with ``email``'s session."""
    async with client_on(api) as client:
        response = await client.post("/api/login", data={"username": email, "password": password})
        assert response.status_code == 200, response.text
        yield client


async def login_status(api: Api, email: str, password: str) -> int:
    async with client_on(api) as client:
        return (await client.post("/api/login", data={"username": email, "password": password})).status_code


# standalone admins


async def test_a_standalone_admin_is_created_read_changed_and_deleted(domain_api: Api) -> None:
    api = domain_api
    await ok(
        api, "POST", f"/api/admin/{BOSS}", name="Boss", password=BOSS_PASSWORD, language="de_DE",
        maxDomains="2", maxQuota="1", quotaUnit="GB", maxUsers="3", maxAliases="-1", maxLists="4",
        disableViewingMailLog="yes",
    )
    response = await api.call("GET", f"/api/admin/{BOSS}")
    data = response.json()["data"]
    assert {key: data[key] for key in data if key not in ("created", "passwordLastChange")} == {
        "mail": BOSS, "name": "Boss", "language": "de_DE", "accountStatus": "active", "isGlobalAdmin": False,
        "standalone": True, "managedDomains": [], "maxDomains": 2, "maxQuota": 1024, "maxUsers": 3,
        "maxAliases": -1, "maxLists": 4, "disableViewingMailLog": True, "disableManagingQuarantinedMails": False,
    }
    assert data["created"] and data["passwordLastChange"]
    assert "{SSHA512}" not in response.text and all(h not in response.text for h in await api.storage.password_hashes())

    await ok(
        api, "PUT", f"/api/admin/{BOSS}", name="Big Boss", accountStatus="disabled", maxUsers="0",
        disableViewingMailLog="no", disableManagingQuarantinedMails="yes", preferredLanguage="fr_FR",
    )
    data = await ok(api, "GET", f"/api/admin/{BOSS}")
    assert (data["name"], data["accountStatus"], data["maxUsers"], data["maxDomains"], data["language"]) == (
        "Big Boss", "disabled", 0, 2, "fr_FR",
    )
    assert (data["disableViewingMailLog"], data["disableManagingQuarantinedMails"]) == (False, True)

    await ok(api, "PUT", f"/api/admin/{BOSS}", isGlobalAdmin="yes", accountStatus="active")
    data = await ok(api, "GET", f"/api/admin/{BOSS}")
    assert (data["isGlobalAdmin"], data["maxDomains"], data["maxQuota"]) == (True, 0, 0)  # a global admin has no limits

    await ok(api, "DELETE", f"/api/admin/{BOSS}")
    await refused(api, "GET", f"/api/admin/{BOSS}", 404, "NO_SUCH_ACCOUNT")
    assert BOSS not in await ok(api, "GET", "/api/admins", email_only="yes")


async def test_an_admin_made_through_the_api_logs_in(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD, isGlobalAdmin="yes")
    await ok(api, "POST", "/api/admin/hashed@admins.test", password_hash=hash_password(STRONG, "SSHA512"))
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin="hashed@admins.test")
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        response = await client.get("/api/domains", params={"name_only": "yes"})
        assert response.json()["data"] == ["example.com", "other.org"]
    async with logged_in_as(api, "hashed@admins.test", STRONG) as client:
        response = await client.get("/api/domains", params={"name_only": "yes"})
        assert response.json()["data"] == ["example.com"]
    assert await login_status(api, BOSS, STRONG) == 401
    # a normal admin without domains (and without maxDomains) is no admin yet
    await ok(api, "POST", "/api/admin/idle@admins.test", password=STRONG)
    assert await login_status(api, "idle@admins.test", STRONG) == 401


@pytest.mark.parametrize(
    ("method", "path", "params", "status", "code"),
    [
        ("POST", f"/api/admin/{BOSS}", {}, 400, "PW_EMPTY"),
        ("POST", f"/api/admin/{BOSS}", {"password": "short"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ("POST", f"/api/admin/{BOSS}", {"password_hash": "plain"}, 400, "INVALID_PASSWORD_HASH"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "password_hash": "{PLAIN}x"}, 400, "INVALID_PARAMETER"),
        ("POST", "/api/admin/not-an-address", {"password": STRONG}, 400, "INVALID_MAIL"),
        ("POST", "/api/admin/new@example.com", {"password": STRONG}, 400, "CAN_NOT_BE_LOCAL_DOMAIN"),
        ("POST", "/api/admin/bob@example.com", {"password": STRONG}, 400, "CAN_NOT_BE_LOCAL_DOMAIN"),
        ("POST", f"/api/admin/{ADMIN}", {"password": STRONG}, 409, "ALREADY_EXISTS"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "accountStatus": "gone"}, 400, "INVALID_ACCOUNT_STATUS"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "maxQuota": "5", "quotaUnit": "PB"}, 400,
         "INVALID_PARAMETER"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "quotaUnit": "GB"}, 400, "INVALID_PARAMETER"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "maxQuota": "-1"}, 400, "INVALID_QUOTA"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "maxUsers": "-2"}, 400, "INVALID_PARAMETER"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "maxDomains": "x"}, 400, "INVALID_PARAMETER"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "isGlobalAdmin": "maybe"}, 400, "INVALID_PARAMETER"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "language": "klingon"}, 400, "INVALID_LANGUAGE"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "name": "a\x00b"}, 400, "INVALID_NAME"),
        ("POST", f"/api/admin/{BOSS}", {"password": STRONG, "mailQuota": "5"}, 400, "INVALID_PARAMETER"),
        ("PUT", f"/api/admin/{BOSS}", {"name": "x"}, 404, "NO_SUCH_ACCOUNT"),
        ("PUT", "/api/admin/bob@example.com", {"name": "x"}, 404, "NO_SUCH_ACCOUNT"),
        ("DELETE", f"/api/admin/{BOSS}", {}, 404, "NO_SUCH_ACCOUNT"),
        ("GET", f"/api/admin/{BOSS}", {}, 404, "NO_SUCH_ACCOUNT"),
        ("GET", "/api/admin/bob@example.com", {}, 404, "NO_SUCH_ACCOUNT"),
        ("DELETE", f"/api/admin/{ADMIN}", {}, 403, "PERMISSION_DENIED"),
        ("PUT", f"/api/admin/{ADMIN}", {"accountStatus": "disabled"}, 403, "PERMISSION_DENIED"),
        ("PUT", f"/api/admin/{ADMIN}", {"isGlobalAdmin": "no"}, 403, "PERMISSION_DENIED"),
        ("PUT", f"/api/admin/{ADMIN}", {"password": "weak"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ("GET", "/api/admins", {"email_only": "perhaps"}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_bad_admin_requests_write_nothing(
    domain_api: Api, method: str, path: str, params: dict[str, str], status: int, code: str
) -> None:
    await refused(domain_api, method, path, status, code, **params)


async def test_admin_routes_need_a_session(api: Api) -> None:
    for method, path in [("GET", f"/api/admin/{BOSS}"), ("GET", "/api/admins"), ("DELETE", f"/api/admin/{BOSS}"),
                         ("PUT", "/api/domain/admins/example.com"), ("POST", f"/api/verify_password/user/{BOSS}")]:
        await refused(api, method, path, 401, "LOGIN_REQUIRED")


# who manages a domain


async def test_the_admin_list_holds_standalone_admins_and_mail_users(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD, maxUsers="5")
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=f"{BOSS},carol@other.org")
    await ok(api, "PUT", "/api/domain/admins/other.org", addAdmin=BOSS)
    await ok(api, "PUT", "/api/user/bob@example.com", isGlobalAdmin="yes")
    listed = {item["mail"]: item for item in await ok(api, "GET", "/api/admins")}
    assert sorted(listed) == sorted([ADMIN, BOSS, "bob@example.com", "carol@other.org"])
    assert (listed[BOSS]["managedDomains"], listed[BOSS]["standalone"], listed[BOSS]["maxUsers"]) == (
        ["example.com", "other.org"], True, 5,
    )
    assert (listed["carol@other.org"]["managedDomains"], listed["carol@other.org"]["standalone"]) == (
        ["example.com"], False,
    )
    assert (listed["bob@example.com"]["isGlobalAdmin"], listed[ADMIN]["isGlobalAdmin"]) == (True, True)
    assert await ok(api, "GET", "/api/admins", email_only="yes") == sorted(listed)
    assert await ok(api, "GET", "/api/admins", disabled_only="yes") == []
    await ok(api, "PUT", f"/api/admin/{BOSS}", accountStatus="disabled")
    assert await ok(api, "GET", "/api/admins", disabled_only="yes", email_only="yes") == [BOSS]


async def test_a_mail_user_gains_and_loses_its_admin_rights_with_its_domains(domain_api: Api) -> None:
    api = domain_api
    carol = "carol@other.org"
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=carol)
    await ok(api, "PUT", "/api/domain/admins/other.org", addAdmin=carol)
    assert (await ok(api, "GET", f"/api/user/{carol}"))["isAdmin"] is True
    async with logged_in_as(api, carol, STRONG) as client:
        response = await client.get("/api/domains", params={"name_only": "yes"})
        assert response.json()["data"] == ["example.com", "other.org"]
        session = client.cookies.get("iredmail_gateway_session")
    assert session
    await ok(api, "PUT", "/api/domain/admins/example.com", removeAdmin=carol)
    assert (await ok(api, "GET", f"/api/user/{carol}"))["isAdmin"] is True  # other.org is still hers
    await ok(api, "PUT", "/api/domain/admins/other.org", removeAllAdmins="yes")
    assert (await ok(api, "GET", f"/api/user/{carol}"))["isAdmin"] is False
    assert await login_status(api, carol, STRONG) == 401
    assert await ok(api, "GET", "/api/admins", email_only="yes") == [ADMIN]
    assert [user.email for user in await api.storage.users("other.org")] == [carol]  # still a mailbox


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/domain/admins/example.com", {"addAdmin": "nobody@example.com"}, 404, "NO_SUCH_ACCOUNT"),
        ("/api/domain/admins/example.com", {"addAdmin": f"bob@example.com,{BOSS}"}, 404, "NO_SUCH_ACCOUNT"),
        ("/api/domain/admins/example.com", {"addAdmin": "ALL"}, 400, "INVALID_MAIL"),
        ("/api/domain/admins/example.com", {"removeAdmin": "x@"}, 400, "INVALID_MAIL"),
        ("/api/domain/admins/example.com", {}, 400, "INVALID_PARAMETER"),
        ("/api/domain/admins/nowhere.net", {"addAdmin": "bob@example.com"}, 404, "NO_SUCH_DOMAIN"),
        ("/api/domain/admins/bad_domain", {"addAdmin": "bob@example.com"}, 400, "INVALID_DOMAIN_NAME"),
        ("/api/domain/admins/example.com", {"addAdmins": "bob@example.com"}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_bad_domain_admin_changes_write_nothing(
    domain_api: Api, path: str, params: dict[str, str], status: int, code: str
) -> None:
    await refused(domain_api, "PUT", path, status, code, **params)


async def test_a_promoted_mail_user_administers_everything_until_demoted(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "PUT", "/api/user/bob@example.com", isGlobalAdmin="yes")
    assert (await ok(api, "GET", "/api/user/bob@example.com"))["isGlobalAdmin"] is True
    async with logged_in_as(api, "bob@example.com", STRONG) as client:
        response = await client.get("/api/domains", params={"name_only": "yes"})
        assert response.json()["data"] == ["example.com", "other.org"]
        session = client.cookies.get("iredmail_gateway_session")
    assert session and await works(api, session)
    await ok(api, "PUT", "/api/user/bob@example.com", isGlobalAdmin="no")
    assert not await works(api, session)
    assert await login_status(api, "bob@example.com", STRONG) == 401
    user = await ok(api, "GET", "/api/user/bob@example.com")
    assert (user["isGlobalAdmin"], user["isAdmin"], user["accountStatus"]) == (False, False, "active")
    await refused(api, "PUT", "/api/user/bob@example.com", 400, "INVALID_PARAMETER", isGlobalAdmin="sure")


# password checks


async def test_passwords_are_checked_for_global_admins(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD)
    await ok(api, "PUT", "/api/domain/admins/other.org", addAdmin="bob@example.com")
    for kind, email, password in [("admin", BOSS, BOSS_PASSWORD), ("user", "carol@other.org", STRONG),
                                  ("admin", "bob@example.com", STRONG), ("user", "bob@example.com", STRONG),
                                  ("user", "carol@other.org", f"  {STRONG} ")]:
        response = await api.call("POST", f"/api/verify_password/{kind}/{email}", password=password)
        assert (response.status_code, response.json()) == (200, {"success": True}), (kind, email)
    for kind, email, password in [("admin", BOSS, STRONG), ("admin", "carol@other.org", STRONG),
                                  ("user", BOSS, BOSS_PASSWORD), ("user", "nobody@example.com", STRONG),
                                  ("user", "bob@example.com", "")]:
        await refused(api, "POST", f"/api/verify_password/{kind}/{email}", 401, "INVALID_CREDENTIALS",
                      password=password)
    await refused(api, "POST", f"/api/verify_password/user/{BOSS}", 400, "PW_EMPTY")
    await refused(api, "POST", "/api/verify_password/user/not-mail", 400, "INVALID_MAIL", password=STRONG)
    await refused(api, "POST", "/api/verify_password/someone/bob@example.com", 404, "NOT_FOUND", password=STRONG)


async def test_password_checks_are_rate_limited_per_account(domain_api: Api) -> None:
    api = domain_api
    for _ in range(10):
        response = await api.call("POST", "/api/verify_password/user/bob@example.com", password="Wr0ng-Passw0rd!")
        assert response.json()["msg"] == "INVALID_CREDENTIALS"
    await refused(api, "POST", "/api/verify_password/user/bob@example.com", 429, "TOO_MANY_ATTEMPTS",
                  password=STRONG)
    await ok(api, "POST", "/api/verify_password/user/carol@other.org", password=STRONG)  # another account


# sessions


async def test_an_admins_sessions_end_with_its_password_status_or_account(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD)
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=BOSS)

    async def session() -> str:
        async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
            value = client.cookies.get("iredmail_gateway_session")
        assert value and await works(api, value)
        return value

    copied = await session()
    await ok(api, "PUT", f"/api/admin/{BOSS}", accountStatus="disabled")
    assert not await works(api, copied)
    await ok(api, "PUT", f"/api/admin/{BOSS}", accountStatus="active")
    assert not await works(api, copied)  # re-enabling does not revive it

    copied = await session()
    await ok(api, "PUT", f"/api/admin/{BOSS}", name="Renamed")
    assert await works(api, copied)
    await ok(api, "PUT", f"/api/admin/{BOSS}", password=NEW_PASSWORD)
    assert not await works(api, copied)
    await ok(api, "PUT", f"/api/admin/{BOSS}", password=BOSS_PASSWORD)

    copied = await session()
    await ok(api, "PUT", "/api/domain/admins/example.com", removeAdmin=BOSS)
    assert not await works(api, copied)
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=BOSS)

    copied = await session()
    await ok(api, "DELETE", f"/api/admin/{BOSS}")
    assert not await works(api, copied)


async def test_a_cookie_copied_before_logout_is_refused_after_it(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD)
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=BOSS)
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        copied = client.cookies.get("iredmail_gateway_session")
        assert copied and await works(api, copied)
        assert (await client.post("/api/logout")).status_code == 200
    assert not await works(api, copied)
    assert await works(api, session_of(api))  # the global admin's own session is untouched


# a domain admin's reach


async def test_an_assigned_admin_acts_inside_its_domains_only(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD)
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=BOSS)
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        response = await client.post("/api/user/dan@example.com", data={"password": STRONG})
        assert response.status_code == 201, response.text
        response = await client.put("/api/user/bob@example.com", data={"name": "Bob"})
        assert response.status_code == 200, response.text
        before = await api.snapshot()
        for method, path, params in [
            ("POST", "/api/user/dan@other.org", {"password": STRONG}),
            ("PUT", "/api/user/carol@other.org", {"name": "x"}),
            ("PUT", "/api/user/bob@example.com", {"isGlobalAdmin": "yes"}),
            ("POST", "/api/domain/new.net", {}),
            ("POST", "/api/admin/x@admins.test", {"password": STRONG}),
            ("PUT", "/api/domain/admins/example.com", {"addAdmin": "bob@example.com"}),
            ("POST", "/api/verify_password/user/bob@example.com", {"password": STRONG}),
        ]:
            response = await client.request(method, path, data=params)
            assert (response.status_code, response.json()["msg"]) == (403, "PERMISSION_DENIED"), (method, path)
        assert await api.snapshot() == before


# limits


async def test_a_normal_admin_creates_domains_up_to_its_limit(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD, maxDomains="2")
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        for domain in ("one.net", "two.net"):
            response = await client.post(f"/api/domain/{domain}", data={"name": domain})
            assert response.status_code == 201, response.text
        before = await api.snapshot()
        response = await client.post("/api/domain/three.net")
        assert (response.status_code, response.json()["msg"]) == (409, "EXCEEDED_ADMIN_LIMIT")
        response = await client.post("/api/domain/four.net", data={"numberOfUsers": "5"})
        assert (response.status_code, response.json()["msg"]) == (403, "PERMISSION_DENIED")
        assert await api.snapshot() == before
        response = await client.get("/api/domains", params={"name_only": "yes"})
        assert response.json()["data"] == ["one.net", "two.net"]
        response = await client.post("/api/user/u@one.net", data={"password": STRONG})
        assert response.status_code == 201, response.text
    assert (await ok(api, "GET", f"/api/admin/{BOSS}"))["managedDomains"] == ["one.net", "two.net"]
    await ok(api, "POST", "/api/admin/plain@admins.test", password=STRONG)
    await ok(api, "PUT", "/api/domain/admins/one.net", addAdmin="plain@admins.test")
    async with logged_in_as(api, "plain@admins.test", STRONG) as client:
        response = await client.post("/api/domain/five.net")
        assert (response.status_code, response.json()["msg"]) == (403, "PERMISSION_DENIED")


async def test_quota_limit_counts_every_mailbox_of_the_admins_domains(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD, maxQuota="100")
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=BOSS)
    await ok(api, "PUT", "/api/domain/admins/other.org", addAdmin=BOSS)
    await ok(api, "PUT", "/api/user/bob@example.com", quota="30")
    await ok(api, "PUT", "/api/user/carol@other.org", quota="30")
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        response = await client.post("/api/user/dan@example.com", data={"password": STRONG, "quota": "40"})
        assert response.status_code == 201, response.text
        before = await api.snapshot()
        for method, path, params in [
            ("POST", "/api/user/eve@other.org", {"password": STRONG, "quota": "1"}),
            ("POST", "/api/user/eve@other.org", {"password": STRONG, "quota": "0"}),
            ("PUT", "/api/user/carol@other.org", {"quota": "31"}),
            ("PUT", "/api/user/carol@other.org", {"quota": "0"}),
        ]:
            response = await client.request(method, path, data=params)
            assert (response.status_code, response.json()["msg"]) == (409, "EXCEEDED_ADMIN_LIMIT"), (path, params)
        assert await api.snapshot() == before
        response = await client.put("/api/user/carol@other.org", data={"quota": "29"})
        assert response.status_code == 200, response.text


async def _create_concurrently(client: httpx.AsyncClient, paths: list[str], **params: str) -> list[httpx.Response]:
    return list(await asyncio.gather(*(client.post(path, data=params) for path in paths)))


@pytest.mark.parametrize(("kind", "limit"), [("maxUsers", "users"), ("maxAliases", "aliases")])
async def test_admin_limits_hold_under_twenty_concurrent_creates(domain_api: Api, kind: str, limit: str) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD, **{kind: "5"})
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin=BOSS)
    await ok(api, "PUT", "/api/domain/admins/other.org", addAdmin=BOSS)
    existing = 2 if limit == "users" else 0  # bob and carol count
    route = "user" if limit == "users" else "alias"
    paths = [f"/api/{route}/n{i}@{('example.com', 'other.org')[i % 2]}" for i in range(20)]
    params = {"password": STRONG} if route == "user" else {}
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        responses = await _create_concurrently(client, paths, **params)
    created = [r for r in responses if r.status_code == 201]
    others = {(r.status_code, r.json()["msg"]) for r in responses if r.status_code != 201}
    assert others <= {(409, "EXCEEDED_ADMIN_LIMIT"), (409, "CONCURRENT_CHANGE")}, others
    stored = await api.storage.users() if route == "user" else await api.storage.aliases()
    assert len(stored) == existing + len(created) <= 5
    assert len(created) == 5 - existing if (409, "CONCURRENT_CHANGE") not in others else len(created) <= 5 - existing


async def test_domain_limit_holds_under_twenty_concurrent_creates(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD, maxDomains="3")
    async with logged_in_as(api, BOSS, BOSS_PASSWORD) as client:
        responses = await _create_concurrently(client, [f"/api/domain/d{i}.net" for i in range(20)])
    created = [r for r in responses if r.status_code == 201]
    assert {r.json()["msg"] for r in responses if r.status_code != 201} <= {"EXCEEDED_ADMIN_LIMIT", "CONCURRENT_CHANGE"}
    managed = (await ok(api, "GET", f"/api/admin/{BOSS}"))["managedDomains"]
    assert len(managed) == len(created) <= 3
    assert sorted(await api.storage.domains()) == sorted(["example.com", "other.org", *managed])
