"""Writes that span the account store and Amavisd's database: both change, or neither does.

Creating or deleting a user or a domain clears the address's policy and
white/blacklists in ``amavisd``, in a transaction held open around the
account's write, as the throttles are cleared in ``iredapd``.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from tests.rest.conftest import STRONG, Api, logged_in, serving, with_two_domains
from tests.rest.test_cross_database import ACCOUNT_WRITES, assert_unchanged_but_a_login, closed_port, same_storage


async def with_policies(api: Api) -> Api:
    """example.com (bob) and other.org (carol) with policies and lists, and rows left over for
    new@example.com and new.org, which do not exist."""
    await with_two_domains(api)
    for scope, name in (("domain", "example.com"), ("user", "bob@example.com"), ("user", "carol@other.org")):
        response = await api.call("PUT", f"/api/spampolicy/{scope}/{name}", quarantine_spam="no")
        assert response.status_code == 200, response.text
        response = await api.call("POST", f"/api/wblist/inbound/blacklist/{name}", addresses="spam@x.test")
        assert response.status_code == 200, response.text
    for account in ("new@example.com", "@new.org", "x@new.org"):
        await api.execute(
            "INSERT INTO users (email, priority, policy_id) VALUES (:e, 5, 0)", "amavisd", e=account.encode()
        )
    return api


@pytest.fixture
async def policy_api(admin_api: Api) -> Api:
    return await with_policies(admin_api)


async def accounts(api: Api) -> list[str]:
    return sorted(bytes(row["email"]).decode() for row in await api.rows("SELECT email FROM users", "amavisd"))


def unreachable_amavisd(kind: str, port: int) -> str:
    if kind == "sqlite":
        return "sqlite+aiosqlite:////nonexistent-directory/amavisd.sqlite3"
    scheme = "postgresql" if kind == "postgresql" else "mysql"
    return f"{scheme}://root@127.0.0.1:{port}/amavisd"


@pytest.mark.parametrize(("method", "path", "data"), ACCOUNT_WRITES)
async def test_unreachable_amavisd_refuses_and_changes_nothing(
    policy_api: Api, method: str, path: str, data: dict[str, Any]
) -> None:
    api = policy_api
    before = await api.snapshot()
    with closed_port() as port:
        settings = api.settings.model_copy(update={"amavisd_dsn": SecretStr(unreachable_amavisd(api.kind, port))})
        async with serving(settings, same_storage(api.storage)) as broken:
            response = await (await logged_in(broken)).call(method, path, **data)
    assert (response.status_code, response.json()) == (503, {"success": False, "msg": "BACKEND_UNAVAILABLE"})
    assert_unchanged_but_a_login(before, await api.snapshot())


async def test_a_refused_account_write_keeps_the_policies(policy_api: Api) -> None:
    before = await policy_api.snapshot()
    response = await policy_api.call("POST", "/api/user/bob@example.com", password=STRONG)
    assert (response.status_code, response.json()["msg"]) == (409, "ALREADY_EXISTS")
    response = await policy_api.call("POST", "/api/domain/example.com")
    assert (response.status_code, response.json()["msg"]) == (409, "ALREADY_EXISTS")
    assert await policy_api.snapshot() == before


async def test_creates_and_deletes_clear_the_accounts_rows(policy_api: Api) -> None:
    api = policy_api
    for method, path, data in (
        ("POST", "/api/domain/new.org", {}),
        ("POST", "/api/user/new@example.com", {"password": STRONG}),
        ("DELETE", "/api/user/carol@other.org", {}),
    ):
        response = await api.call(method, path, **data)
        assert response.status_code in (200, 201), response.text
    assert await accounts(api) == ["@example.com", "bob@example.com"]
    response = await api.call("DELETE", "/api/domain/example.com")
    assert response.status_code == 200, response.text
    assert await accounts(api) == []
    assert await api.rows("SELECT * FROM policy", "amavisd") == []
    assert await api.rows("SELECT * FROM wblist", "amavisd") == []
