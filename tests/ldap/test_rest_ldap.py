"""The REST API with ``GATEWAY_BACKEND=ldap``: iRedMail's directory, throttles in SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from gateway.app import create_app
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.schema import prepare_schema
from gateway.settings import Settings
from tests.ldap.backend_support import read, stack_fixture  # noqa: F401  (fixture)
from tests.ldap.test_backend_admins import ADMIN_HASH, add_admin
from tests.ldap_mailstack import LdapMailStack
from tests.ldap_server import LdapServer

ADMIN = "postmaster@admins.test"
ADMIN_PASSWORD = "Admin-pass-1"
PASSWORD = "Zhb-Passw0rd!"


@pytest.fixture
async def client(ldap_tree: LdapServer, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    assert ADMIN_HASH
    add_admin(ldap_tree, ADMIN, domainGlobalAdmin="yes")
    iredapd = f"sqlite+aiosqlite:///{tmp_path / 'iredapd.sqlite3'}"
    iredadmin = f"sqlite+aiosqlite:///{tmp_path / 'iredadmin.sqlite3'}"
    for dsn, database in ((iredapd, "iredapd"), (iredadmin, "vmail")):
        engine = make_engine(dsn, database)
        assert (await prepare_schema(engine, database)).created  # type: ignore[arg-type]
        await engine.dispose()
    settings = Settings(
        _env_file=None,
        backend="ldap",
        ldap_uri=ldap_tree.uri,
        ldap_bind_dn=ldap_tree.admin_dn,
        ldap_bind_password=ldap_tree.admin_password,
        ldap_base_dn=ldap_tree.suffix,
        iredapd_dsn=iredapd,
        iredadmin_dsn=iredadmin,
        session_secret="test-session-secret-of-enough-length",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            login = await http.post("/api/login", data={"username": ADMIN, "password": ADMIN_PASSWORD})
            assert login.json() == {"success": True}
            yield http


async def test_documented_client_flow_on_ldap(
    client: httpx.AsyncClient, ldap_tree: LdapServer, stack: LdapMailStack, tmp_path: Path
) -> None:
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    response = await client.post("/api/domain/test.com", data={"cn": "Test", "defaultQuota": "1024"})
    assert (response.status_code, response.json()) == (201, {"success": True})
    response = await client.post(
        "/api/user/zhb@test.com",
        data={"cn": "Zhang", "password": PASSWORD, "preferredLanguage": "zh_CN", "mailQuota": "2048"},
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    entry = read(ldap_tree, f"mail=zhb@test.com,ou=Users,domainName=test.com,o=domains,{ldap_tree.suffix}")
    assert entry is not None
    assert entry["mailquota"] == [str(2048 * 1048576)] and entry["preferredlanguage"] == ["zh_CN"]
    assert stack.authenticate("zhb@test.com", PASSWORD)
    assert stack.postmap("virtual_mailbox_maps", "zhb@test.com") is not None

    assert (await client.post("/api/alias/alias@test.com", data={"cn": "Alias", "members": "zhb@test.com"})).json() == {
        "success": True
    }
    assert stack.alias_targets("alias@test.com") == {"zhb@test.com"}

    response = await client.put(
        "/api/user/zhb@test.com",
        data={
            "cn": "Huangbin",
            "password": "N3w-Passw0rd!",
            "transport": "dovecot",
            "language": "en_US",
            "quota": "2048",
        },
    )
    assert response.json() == {"success": True}, response.text
    assert stack.authenticate("zhb@test.com", "N3w-Passw0rd!")
    assert not stack.authenticate("zhb@test.com", PASSWORD)
    data = (await client.get("/api/user/zhb@test.com")).json()["data"]
    assert (data["name"], data["language"], data["quota"]) == ("Huangbin", "en_US", 2048)

    assert (await client.put("/api/user/zhb@test.com", data={"accountStatus": "disabled"})).json()["success"]
    assert not stack.authenticate("zhb@test.com", "N3w-Passw0rd!")

    throttle = await client.post("/api/throttle/zhb@test.com/outbound", data={"period": "60", "max_msgs": "5"})
    assert throttle.json() == {"success": True}

    assert (await client.delete("/api/user/zhb@test.com")).json() == {"success": True}
    assert stack.postmap("virtual_mailbox_maps", "zhb@test.com") is None
    iredadmin = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'iredadmin.sqlite3'}", "iredadmin")
    async with iredadmin.connect() as conn:
        [row] = (await conn.execute(text("SELECT username, maildir, admin FROM deleted_mailboxes"))).all()
    await iredadmin.dispose()
    assert row.username == "zhb@test.com" and row.admin == ADMIN
    assert row.maildir.startswith("/var/vmail/vmail1/test.com/z/h/b/zhb-")
    assert (await client.get("/api/throttle/zhb@test.com/outbound")).json()["msg"] == "NO_SUCH_ACCOUNT"
    assert (await client.delete("/api/alias/alias@test.com")).json() == {"success": True}
    assert (await client.delete("/api/domain/test.com")).json() == {"success": True}
    assert stack.postmap("virtual_mailbox_domains", "test.com") is None

