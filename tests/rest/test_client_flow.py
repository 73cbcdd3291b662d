"""The iRedAdmin-Pro sample client flow, form-encoded, end to end."""

from __future__ import annotations

from gateway.passwords import verify_password
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, Api
from tests.storage import deleted_mailboxes


async def test_documented_client_flow(api: Api) -> None:
    form = api.client.post

    response = await form("/api/login", data={"username": ADMIN, "password": ADMIN_PASSWORD})
    assert response.json() == {"success": True}

    response = await form("/api/domain/test.com", data={"cn": "Test Domain", "defaultQuota": "1024"})
    assert (response.status_code, response.json()) == (201, {"success": True})

    response = await form(
        "/api/user/zhb@test.com",
        data={"cn": "Zhang Huangbin", "password": "Zhb-Passw0rd!", "preferredLanguage": "zh_CN", "mailQuota": "2048"},
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    user = await api.storage.user("zhb@test.com")
    assert user is not None
    assert (user.name, user.language, user.quota, user.active) == ("Zhang Huangbin", "zh_CN", 2048, True)
    assert verify_password(user.password, "Zhb-Passw0rd!")

    response = await form("/api/alias/alias@test.com", data={"cn": "An Alias"})
    assert (response.status_code, response.json()) == (201, {"success": True})
    [alias] = await api.storage.aliases()
    assert (alias.address, alias.name, alias.active) == ("alias@test.com", "An Alias", True)

    response = await api.client.put(
        "/api/user/zhb@test.com",
        data={"cn": "Huangbin", "password": "N3w-Passw0rd!", "transport": "dovecot", "language": "en_US",
              "quota": "2048"},
    )
    assert response.json() == {"success": True}
    user = await api.storage.user("zhb@test.com")
    assert user is not None
    assert (user.name, user.language, user.transport, user.quota) == ("Huangbin", "en_US", "dovecot", 2048)
    assert verify_password(user.password, "N3w-Passw0rd!")
    assert not verify_password(user.password, "Zhb-Passw0rd!")

    assert (await api.client.delete("/api/user/zhb@test.com")).json() == {"success": True}
    assert (await api.client.delete("/api/alias/alias@test.com")).json() == {"success": True}
    assert (await api.client.delete("/api/domain/test.com")).json() == {"success": True}

    assert (await api.storage.domains(), await api.storage.users(), await api.storage.aliases()) == ([], [], [])
    [deleted] = await deleted_mailboxes(api.storage)
    assert (deleted.username, deleted.domain) == ("zhb@test.com", "test.com")
