"""What the API writes is what Postfix and Dovecot act on (MariaDB and PostgreSQL); a mail user whose admin
rights end stays a mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import require_server
from tests.databases import DatabasePair
from tests.mailstack import MailStack, MailStackBase, require_tools
from tests.rest.conftest import Api, open_api
from tests.rest.mailstack_routing import prove_domain_routing
from tests.rest.mailstack_user_routing import prove_user_routing
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
async def gateway(prepared_databases: DatabasePair) -> AsyncIterator[Api]:
    async for api in open_api(prepared_databases):
        assert (await api.login()).status_code == 200
        yield api


@pytest.fixture
def stack(prepared_databases: DatabasePair, tmp_path: Path) -> Iterator[MailStack]:
    with MailStack(prepared_databases.kind, prepared_databases.names[0], tmp_path / "mailstack") as mail:
        yield mail


async def _create(api: Api, method: str, path: str, **data: str) -> None:
    response = await api.call(method, path, **data)
    assert response.status_code in (200, 201), response.text


async def test_created_user_delivers_authenticates_and_sends(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com", defaultQuota="1024")
    await _create(gateway, "POST", "/api/user/John@Example.com", cn="John", password=PASSWORD)

    assert stack.postmap("virtual_mailbox_domains", "example.com") == "example.com"
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") is not None
    assert stack.postmap("sender_login_maps", "john@example.com") == "john@example.com"
    assert stack.authenticate("john@example.com", PASSWORD)
    assert stack.authenticate("john@example.com", PASSWORD, service="pop3", secured=True)
    assert not stack.authenticate("john@example.com", "Wrong-Passw0rd!")
    userdb = stack.userdb("john@example.com")
    assert userdb is not None
    assert userdb["home"].startswith("/var/vmail/vmail1/example.com/j/o/h/john-")
    assert userdb["quota_rule"] == "*:bytes=1073741824"


async def test_password_change_takes_effect(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com")
    await _create(gateway, "POST", "/api/user/john@example.com", password=PASSWORD)
    await _create(gateway, "PUT", "/api/user/john@example.com/password", password="An0ther-Passw0rd!")
    assert not stack.authenticate("john@example.com", PASSWORD)
    assert stack.authenticate("john@example.com", "An0ther-Passw0rd!")


async def test_disabling_a_user_and_all_users_of_a_domain(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com")
    for user in ("john", "mary"):
        await _create(gateway, "POST", f"/api/user/{user}@example.com", password=PASSWORD)

    await _create(gateway, "PUT", "/api/user/john@example.com", accountStatus="disabled")
    assert not stack.authenticate("john@example.com", PASSWORD)
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") is None
    assert stack.authenticate("mary@example.com", PASSWORD)

    await _create(gateway, "PUT", "/api/users/example.com", accountStatus="disabled")
    assert not stack.authenticate("mary@example.com", PASSWORD)

    await _create(gateway, "PUT", "/api/users/example.com", accountStatus="active")
    assert stack.authenticate("john@example.com", PASSWORD)
    assert stack.authenticate("mary@example.com", PASSWORD)


async def test_bulk_password_change_lets_every_user_in(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com")
    for user in ("john", "mary"):
        await _create(gateway, "POST", f"/api/user/{user}@example.com", password=PASSWORD)
    await _create(gateway, "PUT", "/api/users/example.com/password", password="Sh4red-Passw0rd!")
    assert stack.authenticate("john@example.com", "Sh4red-Passw0rd!")
    assert stack.authenticate("mary@example.com", "Sh4red-Passw0rd!")


async def test_disabled_domain_hides_its_users(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com")
    await _create(gateway, "POST", "/api/user/john@example.com", password=PASSWORD)
    await _create(gateway, "PUT", "/api/domain/example.com", accountStatus="disabled")
    assert stack.postmap("virtual_mailbox_domains", "example.com") is None
    assert not stack.authenticate("john@example.com", PASSWORD)


async def test_alias_resolves_to_its_members(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com")
    await _create(gateway, "POST", "/api/user/john@example.com", password=PASSWORD)
    await _create(
        gateway, "POST", "/api/alias/team@example.com", members="john@example.com,someone+tag@elsewhere.org"
    )
    assert stack.alias_targets("team@example.com") == {"john@example.com", "someone+tag@elsewhere.org"}
    # the user's own row keeps mail delivered locally
    assert stack.alias_targets("john@example.com") == {"john@example.com"}

    await _create(gateway, "PUT", "/api/alias/team@example.com", removeMember="someone+tag@elsewhere.org")
    assert stack.alias_targets("team@example.com") == {"john@example.com"}

    await _create(gateway, "PUT", "/api/alias/team@example.com", accountStatus="disabled")
    assert stack.alias_targets("team@example.com") == set()


async def test_after_delete_nothing_resolves(gateway: Api, stack: MailStack) -> None:
    await _create(gateway, "POST", "/api/domain/example.com")
    await _create(gateway, "POST", "/api/user/john@example.com", password=PASSWORD)
    await _create(gateway, "POST", "/api/alias/team@example.com", members="john@example.com")

    await _create(gateway, "DELETE", "/api/user/john@example.com")
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") is None
    assert stack.postmap("sender_login_maps", "john@example.com") is None
    assert not stack.authenticate("john@example.com", PASSWORD)
    assert stack.alias_targets("team@example.com") == set()

    await _create(gateway, "DELETE", "/api/alias/team@example.com")
    await _create(gateway, "DELETE", "/api/domain/example.com")
    assert stack.postmap("virtual_mailbox_domains", "example.com") is None
    assert stack.alias_targets("team@example.com") == set()


async def test_domain_routing_reaches_postfix(gateway: Api, stack: MailStack) -> None:
    await prove_domain_routing(gateway, stack)


async def test_user_routing_reaches_postfix_and_dovecot(gateway: Api, stack: MailStack) -> None:
    await prove_user_routing(gateway, stack)


async def api_login(api: Api, email: str) -> int:
    async with client_on(api) as client:
        return (await client.post("/api/login", data={"username": email, "password": PASSWORD})).status_code


async def rights_end_but_the_mailbox_stays(api: Api, stack: MailStackBase) -> None:
    await _create(api, "POST", "/api/domain/example.com")
    for user in ("john", "mary"):
        await _create(api, "POST", f"/api/user/{user}@example.com", password=PASSWORD)

    await _create(api, "PUT", "/api/user/john@example.com", isGlobalAdmin="yes")
    await _create(api, "PUT", "/api/domain/admins/example.com", addAdmin="mary@example.com")
    for email in ("john@example.com", "mary@example.com"):
        assert await api_login(api, email) == 200, email
        assert stack.authenticate(email, PASSWORD), email

    await _create(api, "PUT", "/api/user/john@example.com", isGlobalAdmin="no")
    await _create(api, "PUT", "/api/domain/admins/example.com", removeAdmin="mary@example.com")
    for email in ("john@example.com", "mary@example.com"):
        assert await api_login(api, email) == 401, email
        assert stack.authenticate(email, PASSWORD), email
        assert stack.postmap("virtual_mailbox_maps", email) is not None, email

    await _create(api, "PUT", "/api/domain/admins/example.com", addAdmin="mary@example.com")
    assert await api_login(api, "mary@example.com") == 200
    await _create(api, "DELETE", "/api/user/mary@example.com")
    assert await api_login(api, "mary@example.com") == 401
    assert not stack.authenticate("mary@example.com", PASSWORD)
    assert stack.authenticate("john@example.com", PASSWORD)


async def test_admin_rights_end_but_the_mailbox_stays(gateway: Api, stack: MailStack) -> None:
    await rights_end_but_the_mailbox_stays(gateway, stack)
