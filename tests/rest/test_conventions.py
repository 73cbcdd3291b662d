"""Envelope, status codes, sessions and client restrictions of the /api face."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from gateway.backends.factory import sql_probe
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.ports import sql_account_stores
from tests.databases import DatabasePair
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, Api, backend_api, open_api


async def test_every_path_needs_a_session(api: Api) -> None:
    for method, path in [
        ("GET", "/api/domains"),
        ("POST", "/api/domain/example.com"),
        ("GET", "/api/user/a@example.com"),
        ("PUT", "/api/users/example.com"),
        ("GET", "/api/throttle/global/inbound"),
    ]:
        response = await api.call(method, path)
        assert (response.status_code, response.json()) == (401, {"success": False, "msg": "LOGIN_REQUIRED"})


async def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(api: Api) -> None:
    response = await api.login()
    assert (response.status_code, response.json()) == (200, {"success": True})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=3600" in cookie
    assert ADMIN_PASSWORD.lower() not in cookie
    assert (await api.call("GET", "/api/domains")).status_code == 200
    assert (await api.call("POST", "/api/logout")).json() == {"success": True}
    assert (await api.call("GET", "/api/domains")).status_code == 401


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (ADMIN, "wrong-password"),
        ("nobody@admins.test", ADMIN_PASSWORD),
        ("not an address", ADMIN_PASSWORD),
        (ADMIN, ""),
        ("' OR 1=1 --", "x"),
    ],
)
async def test_bad_credentials_are_refused_alike(api: Api, username: str, password: str) -> None:
    response = await api.login(username, password)
    assert (response.status_code, response.json()) == (401, {"success": False, "msg": "INVALID_CREDENTIALS"})
    assert "set-cookie" not in response.headers


async def test_disabled_admin_cannot_log_in_and_loses_an_open_session(api: Api) -> None:
    assert (await api.login()).status_code == 200
    await api.storage.disable_admin(ADMIN)
    assert (await api.call("GET", "/api/domains")).status_code == 401
    assert (await api.login()).status_code == 401


async def test_mailbox_global_admin_logs_in(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com")
    await admin_api.call("POST", "/api/user/boss@example.com", password="Str0ng-Passw0rd!")
    # a plain user is not an admin
    assert (await admin_api.login("boss@example.com", "Str0ng-Passw0rd!")).status_code == 401
    await admin_api.storage.make_global_admin("boss@example.com")
    assert (await admin_api.login("boss@example.com", "Str0ng-Passw0rd!")).status_code == 200
    assert (await admin_api.call("POST", "/api/domain/second.com")).status_code == 201


async def test_domain_admin_sees_only_its_domains(admin_api: Api) -> None:
    for name in ("mine.com", "theirs.com"):
        await admin_api.call("POST", f"/api/domain/{name}")
    await admin_api.storage.add_admin("boss@other.org", "Dom-Adm1n!pass")
    await admin_api.storage.grant_domain("boss@other.org", "mine.com")
    assert (await admin_api.login("boss@other.org", "Dom-Adm1n!pass")).status_code == 200
    listed = await admin_api.call("GET", "/api/domains", name_only="yes")
    assert listed.json()["data"] == ["mine.com"]
    assert (await admin_api.call("GET", "/api/domain/theirs.com")).json()["msg"] == "PERMISSION_DENIED"
    before = await admin_api.snapshot()
    for method, path, data in [
        ("POST", "/api/domain/new.com", {}),
        ("DELETE", "/api/domain/mine.com", {}),
        ("PUT", "/api/domain/mine.com", {"numberOfUsers": "100"}),
        ("PUT", "/api/domain/theirs.com", {"name": "x"}),
        ("POST", "/api/user/a@theirs.com", {"password": "Str0ng-Passw0rd!"}),
    ]:
        response = await admin_api.call(method, path, **data)
        assert (response.status_code, response.json()["msg"]) == (403, "PERMISSION_DENIED"), (method, path)
    assert await admin_api.snapshot() == before
    assert (await admin_api.call("PUT", "/api/domain/mine.com", name="Mine")).status_code == 200


async def test_unknown_paths_and_methods_answer_with_the_envelope(admin_api: Api) -> None:
    response = await admin_api.call("GET", "/api/nothing/here")
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NOT_FOUND"})
    response = await admin_api.call("PATCH", "/api/domain/example.com")
    assert (response.status_code, response.json()) == (405, {"success": False, "msg": "METHOD_NOT_ALLOWED"})


async def test_json_bodies_are_accepted_like_forms(admin_api: Api) -> None:
    response = await admin_api.client.post(
        "/api/domain/example.com", json={"name": "Json Inc", "defaultQuota": 10, "numberOfUsers": 3}
    )
    assert response.status_code == 201, response.text
    domain = await admin_api.storage.domain("example.com")
    assert domain is not None
    assert (domain.description, domain.default_user_quota, domain.max_users) == ("Json Inc", 10, 3)
    before = await admin_api.snapshot()
    response = await admin_api.client.post(
        "/api/domain/b.com", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.json()["msg"]) == (400, "INVALID_PARAMETER")
    assert await admin_api.snapshot() == before


async def test_a_parameter_given_twice_is_refused(admin_api: Api) -> None:
    before = await admin_api.snapshot()
    response = await admin_api.client.post(
        "/api/domain/example.com",
        content=b"name=a&name=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()["msg"]) == (400, "INVALID_PARAMETER")
    assert await admin_api.snapshot() == before
    assert await admin_api.storage.domains() == []


async def test_internal_errors_are_masked(sql_admin_api: Api) -> None:
    await sql_admin_api.call("POST", "/api/domain/example.com")
    await sql_admin_api.execute("DROP TABLE alias")
    response = await sql_admin_api.call("GET", "/api/domains")
    assert response.status_code == 500
    assert response.json() == {"success": False, "msg": "INTERNAL_ERROR"}
    assert response.headers["x-request-id"]
    assert "alias" not in response.text


async def test_a_missing_iredapd_table_is_masked_as_an_internal_error(admin_api: Api) -> None:
    await admin_api.execute("ALTER TABLE throttle RENAME TO gone", "iredapd")
    response = await admin_api.call("GET", "/api/throttle/global/inbound")
    assert (response.status_code, response.json()) == (500, {"success": False, "msg": "INTERNAL_ERROR"})
    assert response.headers["x-request-id"]
    assert "throttle" not in response.text


@pytest.fixture
def sqlite_databases(tmp_path: Path) -> DatabasePair:
    return DatabasePair(
        kind="sqlite",
        vmail=f"sqlite+aiosqlite:///{tmp_path / 'vmail.sqlite3'}",
        iredapd=f"sqlite+aiosqlite:///{tmp_path / 'iredapd.sqlite3'}",
        amavisd=f"sqlite+aiosqlite:///{tmp_path / 'amavisd.sqlite3'}",
        names=("vmail", "iredapd", "amavisd"),
    )


async def test_pro_envelope_setting(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> None:
    async with backend_api(request, backend_kind, tmp_path, api_envelope="pro") as api:
        assert (await api.login()).json() == {"_success": True}
        await api.call("POST", "/api/domain/example.com")
        body = (await api.call("GET", "/api/domains", name_only="yes")).json()
        assert body == {"_success": True, "_data": ["example.com"]}
        assert (await api.call("POST", "/api/domain/example.com")).json() == {
            "_success": False,
            "_msg": "ALREADY_EXISTS",
        }


async def test_api_can_be_switched_off(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> None:
    async with backend_api(request, backend_kind, tmp_path, enable_restful_api=False) as api:
        response = await api.login()
        assert (response.status_code, response.json()) == (403, {"success": False, "msg": "API_DISABLED"})


async def _status_from(api: Api, peer: str, forwarded: str | None = None) -> tuple[int, str]:
    transport = httpx.ASGITransport(app=api.client._transport.app, client=(peer, 50000))  # type: ignore[attr-defined]
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.post(
            "/api/login", data={"username": ADMIN, "password": ADMIN_PASSWORD}, headers=headers
        )
    body = json.loads(response.text)
    return response.status_code, body.get("msg", "")


async def test_restricted_api_access_by_address_and_network(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path
) -> None:
    async with backend_api(
        request,
        backend_kind,
        tmp_path,
        restrict_api_access=True,
        restful_api_clients=["192.0.2.10", "198.51.100.0/24", "2001:db8::/32"],
        trusted_proxies=["10.0.0.1"],
    ) as api:
        assert await _status_from(api, "192.0.2.10") == (200, "")
        assert await _status_from(api, "198.51.100.77") == (200, "")
        assert await _status_from(api, "2001:db8::5") == (200, "")
        assert await _status_from(api, "192.0.2.11") == (403, "NOT_AUTHORIZED")
        # X-Forwarded-For is believed only from a trusted proxy
        assert await _status_from(api, "10.0.0.1", "192.0.2.10") == (200, "")
        assert await _status_from(api, "10.0.0.1", "203.0.113.9") == (403, "NOT_AUTHORIZED")
        assert await _status_from(api, "203.0.113.9", "192.0.2.10") == (403, "NOT_AUTHORIZED")
        # a client cannot hide behind a forged first hop
        assert await _status_from(api, "10.0.0.1", "192.0.2.10, 203.0.113.9") == (403, "NOT_AUTHORIZED")


async def test_an_unreachable_database_answers_503(sqlite_databases: DatabasePair) -> None:
    async for api in open_api(sqlite_databases):
        assert (await api.login()).status_code == 200
        await api.client._transport.app.state.backends.engines["vmail"].dispose()  # type: ignore[attr-defined]
        broken = sqlite_databases.vmail.replace("vmail.sqlite3", "missing/dir/vmail.sqlite3")
        state = api.client._transport.app.state  # type: ignore[attr-defined]
        engine = make_engine(broken, "vmail")
        stores = sql_account_stores(engine)
        state.context = replace(state.context, domains=stores.domains, listing=stores.listing, admins=stores.admins)
        response = await api.call("GET", "/api/domains")
        assert (response.status_code, response.json()) == (503, {"success": False, "msg": "BACKEND_UNAVAILABLE"})
        await engine.dispose()


async def test_an_unreachable_directory_answers_503(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but never listening: every connection is refused
        uri = f"ldap://127.0.0.1:{closed.getsockname()[1]}"
        async with backend_api(request, "ldap", tmp_path, ldap_uri=uri, ldap_timeout=2) as api:
            response = await api.login()
            assert (response.status_code, response.json()) == (503, {"success": False, "msg": "BACKEND_UNAVAILABLE"})
            assert "set-cookie" not in response.headers
            response = await api.client.get("/readyz")
            assert (response.status_code, response.json()) == (503, {"status": "unavailable", "failed": ["ldap"]})


async def test_the_session_is_checked_before_parameters(api: Api) -> None:
    for method, path, data in [
        ("POST", "/api/domain/example.com", {"unknownParameter": "x"}),
        ("POST", "/api/user/not-an-address", {}),
        ("PUT", "/api/alias/a@b.com", {"members": "x", "addMember": "y"}),
    ]:
        response = await api.call(method, path, **data)
        assert (response.status_code, response.json()["msg"]) == (401, "LOGIN_REQUIRED"), path


@pytest.mark.parametrize("value", ["1_000", "١٢", "12.0", "0x10", "99999999999999999999"])
async def test_integers_are_plain_ascii_digits(admin_api: Api, value: str) -> None:
    before = await admin_api.snapshot()
    response = await admin_api.call("POST", "/api/domain/example.com", quota=value)
    assert (response.status_code, response.json()["msg"]) == (400, "INVALID_PARAMETER")
    assert await admin_api.snapshot() == before


async def test_readyz_names_the_database_that_does_not_answer(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path
) -> None:
    async with backend_api(request, backend_kind, tmp_path) as api:
        assert (await api.client.get("/healthz")).json() == {"status": "ok"}
        assert (await api.client.get("/readyz")).json() == {"status": "ready"}
        backends = api.client._transport.app.state.backends  # type: ignore[attr-defined]
        broken = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'iredapd.sqlite3'}", "iredapd")
        working = backends.probes["iredapd"]
        backends.probes["iredapd"] = sql_probe(broken)
        response = await api.client.get("/readyz")
        assert (response.status_code, response.json()) == (503, {"status": "unavailable", "failed": ["iredapd"]})
        backends.probes["iredapd"] = working
        assert (await api.client.get("/readyz")).json() == {"status": "ready"}
        await broken.dispose()
