from __future__ import annotations

from typing import Any

import pytest

from gateway.passwords import hash_password
from tests.rest.conftest import STRONG, Api

DOMAIN_ADMIN = "boss@admins.test"

REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("POST", {"cn": "List", "accessPolicy": "membersonly", "members": "bob@example.com"}),
    ("PUT", {"addMember": "bob@example.com", "accountStatus": "disabled"}),
    ("DELETE", {}),
    ("GET", {}),
]


async def everything(api: Api) -> dict[str, list[dict[str, Any]]]:
    state = await api.snapshot()
    for table in ("maillists", "maillist_owners"):
        state[table] = sorted(await api.rows(f"SELECT * FROM {table}"), key=repr)
    return state


@pytest.fixture
async def domain_api(admin_api: Api) -> Api:
    """ADMIN logged in, with example.com (user bob) and other.org."""
    for path, params in [
        ("/api/domain/example.com", {}),
        ("/api/domain/other.org", {}),
        ("/api/user/bob@example.com", {"password": STRONG}),
    ]:
        response = await admin_api.call("POST", path, **params)
        assert response.status_code == 201, response.text
    return admin_api


async def login_domain_admin(api: Api, domain: str) -> None:
    await api.execute(
        "INSERT INTO admin (username, password, name, language, active) VALUES (:u, :p, 'Boss', 'en_US', 1)",
        u=DOMAIN_ADMIN, p=hash_password(STRONG),
    )
    await api.execute(
        "INSERT INTO domain_admins (username, domain, active) VALUES (:u, :d, 1)", u=DOMAIN_ADMIN, d=domain
    )
    assert (await api.login(DOMAIN_ADMIN, STRONG)).status_code == 200


@pytest.mark.parametrize(("method", "params"), REQUESTS)
async def test_mailing_lists_are_not_supported_on_sql(domain_api: Api, method: str, params: dict[str, str]) -> None:
    before = await everything(domain_api)
    response = await domain_api.call(method, "/api/maillist/list@example.com", **params)
    assert (response.status_code, response.json()) == (400, {"success": False, "msg": "NOT_SUPPORTED"})
    assert await everything(domain_api) == before


async def test_domain_admin_of_the_domain_gets_not_supported(domain_api: Api) -> None:
    await login_domain_admin(domain_api, "example.com")
    before = await everything(domain_api)
    for method, params in REQUESTS:
        response = await domain_api.call(method, "/api/maillist/list@example.com", **params)
        assert (response.status_code, response.json()) == (400, {"success": False, "msg": "NOT_SUPPORTED"}), method
    assert await everything(domain_api) == before


async def test_domain_admin_of_another_domain_is_denied(domain_api: Api) -> None:
    await login_domain_admin(domain_api, "example.com")
    before = await everything(domain_api)
    for method, params in REQUESTS:
        response = await domain_api.call(method, "/api/maillist/list@other.org", **params)
        assert (response.status_code, response.json()) == (403, {"success": False, "msg": "PERMISSION_DENIED"}), method
    assert await everything(domain_api) == before


async def test_mailing_list_paths_need_a_session(domain_api: Api) -> None:
    assert (await domain_api.call("POST", "/api/logout")).status_code == 200
    before = await everything(domain_api)
    for method, params in REQUESTS:
        response = await domain_api.call(method, "/api/maillist/list@example.com", **params)
        assert (response.status_code, response.json()) == (401, {"success": False, "msg": "LOGIN_REQUIRED"}), method
    assert await everything(domain_api) == before
