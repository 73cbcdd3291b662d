from __future__ import annotations

import pytest

from tests.rest.conftest import Api


async def test_create_domain_writes_the_row_iredmail_expects(admin_api: Api) -> None:
    response = await admin_api.call(
        "POST", "/api/domain/Example.COM", cn="Example Inc.", quota="4096", language="de_DE",
        defaultQuota="1024", maxUserQuota="2048", numberOfUsers="10", numberOfAliases="5", numberOfLists="3",
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"success": True}
    [row] = await admin_api.rows("SELECT * FROM domain")
    assert row["domain"] == "example.com"
    assert row["description"] == "Example Inc."
    assert (row["maxquota"], row["mailboxes"], row["aliases"], row["maillists"]) == (4096, 10, 5, 3)
    assert row["transport"] == "dovecot"
    assert row["active"] == 1 and row["backupmx"] == 0
    assert row["settings"] == "default_language:de_DE;default_user_quota:1024;max_user_quota:2048;"
    assert row["created"] is not None


async def test_get_domain_reports_settings_and_usage(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com", name="Ex", defaultQuota="100")
    response = await admin_api.call("GET", "/api/domain/example.com")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["domain"] == "example.com" and data["name"] == "Ex"
    assert data["defaultQuota"] == 100 and data["accountStatus"] == "active"
    assert data["users"] == 0 and data["allocatedQuota"] == 0


async def test_list_domains_name_only_and_disabled_only(admin_api: Api) -> None:
    for name in ("b.com", "a.com", "c.com"):
        assert (await admin_api.call("POST", f"/api/domain/{name}")).status_code == 201
    assert (await admin_api.call("PUT", "/api/domain/c.com", accountStatus="disabled")).status_code == 200
    names = await admin_api.call("GET", "/api/domains", name_only="yes")
    assert names.json()["data"] == ["a.com", "b.com", "c.com"]
    disabled = await admin_api.call("GET", "/api/domains", name_only="yes", disabled_only="yes")
    assert disabled.json()["data"] == ["c.com"]
    full = await admin_api.call("GET", "/api/domains")
    assert [d["domain"] for d in full.json()["data"]] == ["a.com", "b.com", "c.com"]


async def test_update_domain_changes_columns_and_settings(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com", defaultQuota="100")
    response = await admin_api.call(
        "PUT", "/api/domain/example.com", name="New", accountStatus="disabled", minPasswordLength="10",
        maxPasswordLength="30", transport="relay:[192.0.2.1]:25",
    )
    assert response.status_code == 200, response.text
    [row] = await admin_api.rows("SELECT * FROM domain")
    assert row["description"] == "New" and row["active"] == 0
    assert row["transport"] == "relay:[192.0.2.1]:25"
    assert row["settings"] == "default_user_quota:100;max_passwd_length:30;min_passwd_length:10;"
    assert row["modified"] is not None


async def test_creating_an_existing_domain_changes_nothing(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com", name="First")
    before = await admin_api.snapshot()
    response = await admin_api.call("POST", "/api/domain/example.com", name="Second")
    assert response.status_code == 409
    assert response.json() == {"success": False, "msg": "ALREADY_EXISTS"}
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/domain/not_a_domain", {}, 400, "INVALID_DOMAIN_NAME"),
        ("/api/domain/exa mple.com", {}, 400, "INVALID_DOMAIN_NAME"),
        ("/api/domain/example.com';DROP TABLE domain;--", {}, 400, "INVALID_DOMAIN_NAME"),
        ("/api/domain/" + "a" * 250 + ".com", {}, 400, "INVALID_DOMAIN_NAME"),
        ("/api/domain/example.com", {"quota": "-1"}, 400, "INVALID_QUOTA"),
        ("/api/domain/example.com", {"quota": "lots"}, 400, "INVALID_PARAMETER"),
        ("/api/domain/example.com", {"numberOfUsers": "-2"}, 400, "INVALID_PARAMETER"),
        ("/api/domain/example.com", {"language": "english"}, 400, "INVALID_LANGUAGE"),
        ("/api/domain/example.com", {"transport": "dovecot; rm -rf /"}, 400, "INVALID_TRANSPORT"),
        ("/api/domain/example.com", {"name": "bad\x00name"}, 400, "INVALID_NAME"),
        ("/api/domain/example.com", {"name": "x" * 256}, 400, "INVALID_NAME"),
        ("/api/domain/example.com", {"Name": "case matters"}, 400, "INVALID_PARAMETER"),
        ("/api/domain/example.com", {"accountStatus": "active"}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_bad_domain_input_is_refused_and_writes_nothing(
    admin_api: Api, path: str, params: dict[str, str], status: int, code: str
) -> None:
    before = await admin_api.snapshot()
    response = await admin_api.call("POST", path, **params)
    assert (response.status_code, response.json()) == (status, {"success": False, "msg": code})
    assert await admin_api.snapshot() == before


async def test_update_and_delete_of_a_missing_domain(admin_api: Api) -> None:
    response = await admin_api.call("PUT", "/api/domain/nowhere.com", name="x")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_DOMAIN")
    response = await admin_api.call("DELETE", "/api/domain/nowhere.com")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_DOMAIN")
    response = await admin_api.call("GET", "/api/domain/nowhere.com")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_DOMAIN")


async def test_delete_domain_removes_every_row_and_records_mailboxes(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com")
    await admin_api.call("POST", "/api/domain/other.com")
    await admin_api.call("POST", "/api/user/john@example.com", password="Str0ng-Passw0rd!")
    await admin_api.call("POST", "/api/user/kept@other.com", password="Str0ng-Passw0rd!")
    await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com,kept@other.com")
    await admin_api.call("POST", "/api/throttle/example.com/inbound", period="60", max_msgs="5")
    await admin_api.call("POST", "/api/throttle/john@example.com/outbound", period="60", max_msgs="5")
    [mailbox] = await admin_api.rows("SELECT * FROM mailbox WHERE username = 'john@example.com'")

    response = await admin_api.call("DELETE", "/api/domain/example.com")
    assert response.status_code == 200, response.text

    for table, column in (("domain", "domain"), ("mailbox", "domain"), ("forwardings", "domain"), ("alias", "domain")):
        assert await admin_api.rows(f"SELECT * FROM {table} WHERE {column} = 'example.com'") == []
    assert await admin_api.rows("SELECT * FROM throttle", "iredapd") == []
    [deleted] = await admin_api.rows("SELECT * FROM deleted_mailboxes")
    assert deleted["username"] == "john@example.com"
    assert deleted["maildir"] == f"/var/vmail/vmail1/{mailbox['maildir']}"
    assert deleted["admin"] == "postmaster@admins.test"
    assert deleted["delete_date"] is None
    # the other domain is untouched
    assert len(await admin_api.rows("SELECT * FROM mailbox WHERE domain = 'other.com'")) == 1


async def test_delete_domain_keeping_mailboxes_for_days(admin_api: Api) -> None:
    import datetime

    await admin_api.call("POST", "/api/domain/example.com")
    await admin_api.call("POST", "/api/user/john@example.com", password="Str0ng-Passw0rd!")
    response = await admin_api.call("DELETE", "/api/domain/example.com/keep_mailbox_days/30")
    assert response.status_code == 200
    [deleted] = await admin_api.rows("SELECT delete_date FROM deleted_mailboxes")
    assert str(deleted["delete_date"])[:10] == str(datetime.date.today() + datetime.timedelta(days=30))
