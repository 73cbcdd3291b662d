"""A mail user's admin rights end in the API while Dovecot keeps it as a mailbox (MariaDB, PostgreSQL, LDAP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import require_server
from tests.databases import DatabasePair
from tests.ldap.backend_support import stack_fixture  # noqa: F401  (fixture)
from tests.ldap_mailstack import LdapMailStack
from tests.mailstack import MailStack, MailStackBase, require_tools
from tests.rest.conftest import Api, open_api
from tests.rest.test_sessions import client_on

pytestmark = pytest.mark.mailstack

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture(params=["mariadb", "postgresql"])
def sql_kind(request: pytest.FixtureRequest) -> str:
    """The SQL servers Postfix and Dovecot read (no SQLite)."""
    kind: str = request.param
    require_server(kind)
    require_tools(kind)
    return kind


@pytest.fixture
async def sql_gateway(prepared_databases: DatabasePair) -> AsyncIterator[Api]:
    async for api in open_api(prepared_databases):
        assert (await api.login()).status_code == 200
        yield api


@pytest.fixture
def sql_stack(prepared_databases: DatabasePair, tmp_path: Path) -> Iterator[MailStack]:
    with MailStack(prepared_databases.kind, prepared_databases.names[0], tmp_path / "mailstack") as mail:
        yield mail


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), response.text


async def api_login(api: Api, email: str) -> int:
    async with client_on(api) as client:
        return (await client.post("/api/login", data={"username": email, "password": PASSWORD})).status_code


async def _rights_end_but_the_mailbox_stays(api: Api, stack: MailStackBase) -> None:
    await ok(api, "POST", "/api/domain/example.com")
    for user in ("john", "mary"):
        await ok(api, "POST", f"/api/user/{user}@example.com", password=PASSWORD)

    await ok(api, "PUT", "/api/user/john@example.com", isGlobalAdmin="yes")
    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin="mary@example.com")
    for email in ("john@example.com", "mary@example.com"):
        assert await api_login(api, email) == 200, email
        assert stack.authenticate(email, PASSWORD), email

    await ok(api, "PUT", "/api/user/john@example.com", isGlobalAdmin="no")
    await ok(api, "PUT", "/api/domain/admins/example.com", removeAdmin="mary@example.com")
    for email in ("john@example.com", "mary@example.com"):
        assert await api_login(api, email) == 401, email
        assert stack.authenticate(email, PASSWORD), email
        assert stack.postmap("virtual_mailbox_maps", email) is not None, email

    await ok(api, "PUT", "/api/domain/admins/example.com", addAdmin="mary@example.com")
    assert await api_login(api, "mary@example.com") == 200
    await ok(api, "DELETE", "/api/user/mary@example.com")
    assert await api_login(api, "mary@example.com") == 401
    assert not stack.authenticate("mary@example.com", PASSWORD)
    assert stack.authenticate("john@example.com", PASSWORD)


async def test_sql_admin_rights_end_but_the_mailbox_stays(sql_gateway: Api, sql_stack: MailStack) -> None:
    await _rights_end_but_the_mailbox_stays(sql_gateway, sql_stack)


async def test_ldap_admin_rights_end_but_the_mailbox_stays(ldap_admin_api: Api, stack: LdapMailStack) -> None:
    await _rights_end_but_the_mailbox_stays(ldap_admin_api, stack)
