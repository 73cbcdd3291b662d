"""The documented REST client flow on LDAP, proven by Dovecot and Postfix reading the directory."""

from __future__ import annotations

from tests.ldap.backend_support import stack_fixture  # noqa: F401  (fixture)
from tests.ldap_mailstack import LdapMailStack
from tests.rest.conftest import ADMIN, Api
from tests.rest.mailstack_routing import prove_domain_routing
from tests.rest.mailstack_user_routing import prove_user_routing
from tests.rest.test_mailstack import rights_end_but_the_mailbox_stays
from tests.storage import LdapStorage, deleted_mailboxes

PASSWORD = "Zhb-Passw0rd!"


async def test_documented_client_flow_on_ldap(ldap_admin_api: Api, stack: LdapMailStack) -> None:
    client, storage = ldap_admin_api.client, ldap_admin_api.storage
    assert isinstance(storage, LdapStorage)
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    response = await client.post("/api/domain/test.com", data={"cn": "Test", "defaultQuota": "1024"})
    assert (response.status_code, response.json()) == (201, {"success": True})
    response = await client.post(
        "/api/user/zhb@test.com",
        data={"cn": "Zhang", "password": PASSWORD, "preferredLanguage": "zh_CN", "mailQuota": "2048"},
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    entry = storage.entry(storage.tree.user_dn("zhb@test.com"))
    assert entry is not None
    assert entry["mailquota"] == [str(2048 * 1048576)] and entry["preferredlanguage"] == ["zh_CN"]
    assert stack.authenticate("zhb@test.com", PASSWORD)
    assert stack.postmap("virtual_mailbox_maps", "zhb@test.com") is not None

    response = await client.post("/api/alias/alias@test.com", data={"cn": "Alias", "members": "zhb@test.com"})
    assert response.json() == {"success": True}
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
    [deleted] = await deleted_mailboxes(storage)
    assert (deleted.username, deleted.admin) == ("zhb@test.com", ADMIN)
    assert deleted.maildir.startswith("/var/vmail/vmail1/test.com/z/h/b/zhb-")
    assert (await client.get("/api/throttle/zhb@test.com/outbound")).json()["msg"] == "NO_SUCH_ACCOUNT"
    assert (await client.delete("/api/alias/alias@test.com")).json() == {"success": True}
    assert (await client.delete("/api/domain/test.com")).json() == {"success": True}
    assert stack.postmap("virtual_mailbox_domains", "test.com") is None


async def test_domain_routing_reaches_postfix_on_ldap(ldap_admin_api: Api, stack: LdapMailStack) -> None:
    await prove_domain_routing(ldap_admin_api, stack)


async def test_user_routing_reaches_postfix_and_dovecot_on_ldap(ldap_admin_api: Api, stack: LdapMailStack) -> None:
    await prove_user_routing(ldap_admin_api, stack)


async def test_admin_rights_end_but_the_mailbox_stays_on_ldap(ldap_admin_api: Api, stack: LdapMailStack) -> None:
    await rights_end_but_the_mailbox_stays(ldap_admin_api, stack)
