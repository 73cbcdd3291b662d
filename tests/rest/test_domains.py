from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.rest.conftest import ADMIN, STRONG, Api
from tests.storage import StoredDomain, deleted_mailboxes


async def test_create_domain_stores_its_settings(admin_api: Api) -> None:
    response = await admin_api.call(
        "POST", "/api/domain/Example.COM", cn="Example Inc.", language="de_DE",
        defaultQuota="1024", maxUserQuota="2048", numberOfUsers="10", numberOfAliases="5", numberOfLists="3",
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    assert await admin_api.storage.domains() == ["example.com"]
    assert await admin_api.storage.domain("example.com") == StoredDomain(
        name="example.com", description="Example Inc.", active=True, transport="dovecot", max_users=10,
        max_aliases=5, max_lists=3, default_user_quota=1024, max_user_quota=2048, min_password_length=0,
        max_password_length=0, default_language="de_DE",
    )


async def test_create_domain_writes_the_row_iredmail_expects(sql_admin_api: Api) -> None:
    response = await sql_admin_api.call(
        "POST", "/api/domain/Example.COM", cn="Example Inc.", quota="4096", language="de_DE",
        defaultQuota="1024", maxUserQuota="2048", numberOfUsers="10", numberOfAliases="5", numberOfLists="3",
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"success": True}
    [row] = await sql_admin_api.rows("SELECT * FROM domain")
    assert row["domain"] == "example.com"
    assert row["description"] == "Example Inc."
    assert (row["maxquota"], row["mailboxes"], row["aliases"], row["maillists"]) == (4096, 10, 5, 3)
    assert row["transport"] == "dovecot"
    assert row["active"] == 1 and row["backupmx"] == 0
    assert row["settings"] == "default_language:de_DE;default_user_quota:1024;max_user_quota:2048;"
    assert row["created"] is not None


async def test_an_unlimited_domain_quota_is_accepted_everywhere(admin_api: Api) -> None:
    response = await admin_api.call("POST", "/api/domain/example.com", quota="0")
    assert (response.status_code, response.json()) == (201, {"success": True})
    assert (await admin_api.call("PUT", "/api/domain/example.com", quota="0")).status_code == 200
    assert (await admin_api.call("GET", "/api/domain/example.com")).json()["data"]["quota"] == 0


async def test_sql_stores_a_domain_quota(sql_admin_api: Api) -> None:
    assert (await sql_admin_api.call("POST", "/api/domain/example.com", quota="4096")).status_code == 201
    assert (await sql_admin_api.call("GET", "/api/domain/example.com")).json()["data"]["quota"] == 4096
    response = await sql_admin_api.call("PUT", "/api/domain/example.com", quota="8192")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await sql_admin_api.call("GET", "/api/domain/example.com")).json()["data"]["quota"] == 8192
    assert await sql_admin_api.rows("SELECT maxquota FROM domain") == [{"maxquota": 8192}]


async def test_ldap_stores_a_domain_quota(ldap_admin_api: Api) -> None:
    assert (await ldap_admin_api.call("POST", "/api/domain/example.com", cn="Example", quota="4096")).status_code == 201
    assert (await ldap_admin_api.call("GET", "/api/domain/example.com")).json()["data"]["quota"] == 4096
    response = await ldap_admin_api.call("PUT", "/api/domain/example.com", cn="Renamed", quota="8192")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await ldap_admin_api.call("GET", "/api/domain/example.com")).json()["data"]["quota"] == 8192


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


UPDATE = {
    "name": "New", "accountStatus": "disabled", "minPasswordLength": "10", "maxPasswordLength": "30",
    "transport": "relay:[192.0.2.1]:25",
}  # fmt: skip


async def test_update_domain_changes_what_is_stored(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com", defaultQuota="100")
    response = await admin_api.call("PUT", "/api/domain/example.com", **UPDATE)
    assert (response.status_code, response.json()) == (200, {"success": True})
    domain = await admin_api.storage.domain("example.com")
    assert domain is not None
    assert (domain.description, domain.active, domain.transport) == ("New", False, "relay:[192.0.2.1]:25")
    assert (domain.default_user_quota, domain.min_password_length, domain.max_password_length) == (100, 10, 30)


async def test_update_domain_changes_columns_and_settings(sql_admin_api: Api) -> None:
    await sql_admin_api.call("POST", "/api/domain/example.com", defaultQuota="100")
    response = await sql_admin_api.call("PUT", "/api/domain/example.com", **UPDATE)
    assert response.status_code == 200, response.text
    [row] = await sql_admin_api.rows("SELECT * FROM domain")
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


async def populate_two_domains(api: Api) -> None:
    """example.com (john, an alias to john and kate@other.com, throttles) and other.com (kate)."""
    for path, data in [
        ("/api/domain/example.com", {}),
        ("/api/domain/other.com", {}),
        ("/api/user/john@example.com", {"password": STRONG}),
        ("/api/user/kept@other.com", {"password": STRONG}),
        ("/api/alias/team@example.com", {"members": "john@example.com,kept@other.com"}),
        ("/api/throttle/example.com/inbound", {"period": "60", "max_msgs": "5"}),
        ("/api/throttle/john@example.com/outbound", {"period": "60", "max_msgs": "5"}),
    ]:
        response = await api.call("POST", path, **data)
        assert response.status_code in (200, 201), (path, response.text)


async def test_delete_domain_removes_its_accounts_and_records_mailboxes(admin_api: Api) -> None:
    await populate_two_domains(admin_api)
    john = await admin_api.storage.user("john@example.com")
    other = await admin_api.storage.users("other.com")
    assert john is not None and len(other) == 1

    response = await admin_api.call("DELETE", "/api/domain/example.com")
    assert (response.status_code, response.json()) == (200, {"success": True})

    assert await admin_api.storage.domains() == ["other.com"]
    assert await admin_api.storage.users() == other  # the other domain is untouched
    assert await admin_api.storage.aliases() == []
    assert await admin_api.rows("SELECT * FROM throttle", "iredapd") == []
    [deleted] = await deleted_mailboxes(admin_api.storage)
    assert (deleted.username, deleted.domain, deleted.maildir) == ("john@example.com", "example.com", john.home)
    assert (deleted.admin, deleted.delete_date) == (ADMIN, None)
    assert (await admin_api.call("GET", "/api/domain/example.com")).status_code == 404


async def test_delete_domain_removes_every_row(sql_admin_api: Api) -> None:
    await populate_two_domains(sql_admin_api)
    [mailbox] = await sql_admin_api.rows("SELECT * FROM mailbox WHERE username = 'john@example.com'")
    response = await sql_admin_api.call("DELETE", "/api/domain/example.com")
    assert response.status_code == 200, response.text
    for table, column in (("domain", "domain"), ("mailbox", "domain"), ("forwardings", "domain"), ("alias", "domain")):
        assert await sql_admin_api.rows(f"SELECT * FROM {table} WHERE {column} = 'example.com'") == []
    [deleted] = await sql_admin_api.rows("SELECT * FROM deleted_mailboxes")
    assert deleted["maildir"] == f"/var/vmail/vmail1/{mailbox['maildir']}"


async def test_delete_domain_keeping_mailboxes_for_days(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com")
    await admin_api.call("POST", "/api/user/john@example.com", password=STRONG)
    response = await admin_api.call("DELETE", "/api/domain/example.com/keep_mailbox_days/30")
    assert response.status_code == 200
    [deleted] = await deleted_mailboxes(admin_api.storage)
    assert (deleted.username, deleted.delete_date) == ("john@example.com", date.today() + timedelta(days=30))
