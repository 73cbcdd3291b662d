"""``PUT /api/user/<mail>``: forwardings, per-user aliases, BCC, services and profile fields."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rest.conftest import STRONG, Api
from tests.storage import LdapStorage

BOB = "bob@example.com"
PATH = f"/api/user/{BOB}"
DOMAIN_ADMIN = "boss@example.com"


async def put(api: Api, path: str = PATH, **data: str) -> dict[str, Any]:
    response = await api.call("PUT", path, **data)
    assert (response.status_code, response.json()) == (200, {"success": True}), response.text
    return await user(api, path)


async def user(api: Api, path: str = PATH) -> dict[str, Any]:
    response = await api.call("GET", path)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def refused(api: Api, status: int, code: str, path: str = PATH, **data: str) -> None:
    """The request fails with ``code`` and changes nothing anywhere."""
    before = await api.snapshot()
    response = await api.call("PUT", path, **data)
    assert (response.status_code, response.json()) == (status, {"success": False, "msg": code}), response.text
    assert await api.snapshot() == before


def bob_entry(api: Api) -> dict[str, list[str]]:
    assert isinstance(api.storage, LdapStorage)
    found = api.storage.entry(api.storage.tree.user_dn(BOB))
    assert found is not None
    return found


async def login_domain_admin(api: Api) -> None:
    await api.storage.add_admin(DOMAIN_ADMIN, STRONG)
    await api.storage.grant_domain(DOMAIN_ADMIN, "example.com")
    assert (await api.login(DOMAIN_ADMIN, STRONG)).status_code == 200


# forwarding


async def test_forwarding_with_and_without_a_copy(domain_api: Api) -> None:
    assert (await user(domain_api))["forwardings"] == [BOB]
    data = await put(domain_api, forwarding="Carol@other.org,someone@elsewhere.test")
    assert data["forwardings"] == ["carol@other.org", "someone@elsewhere.test"]
    data = await put(domain_api, addForwarding=BOB)
    assert data["forwardings"] == [BOB, "carol@other.org", "someone@elsewhere.test"]
    data = await put(domain_api, removeForwarding="someone@elsewhere.test")
    assert data["forwardings"] == [BOB, "carol@other.org"]
    assert (await put(domain_api, forwarding=""))["forwardings"] == [BOB]
    data = await put(domain_api, addForwarding="someone@elsewhere.test")
    assert data["forwardings"] == [BOB, "someone@elsewhere.test"]
    assert (await put(domain_api, removeForwarding="someone@elsewhere.test"))["forwardings"] == [BOB]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"forwarding": "not an address"}, "INVALID_MAIL"),
        ({"addForwarding": "nobody@example.com"}, "UNKNOWN_FORWARDING_TARGET"),
        ({"forwarding": "nobody@other.org"}, "UNKNOWN_FORWARDING_TARGET"),
        ({"forwarding": "carol@other.org", "addForwarding": BOB}, "INVALID_PARAMETER"),
    ],
)
async def test_bad_forwarding_targets_are_refused(domain_api: Api, params: dict[str, str], code: str) -> None:
    await refused(domain_api, 400, code, cn="Renamed", **params)


async def test_sql_stores_forwardings_as_iredmail_does(sql_domain_api: Api) -> None:
    api = sql_domain_api
    await put(api, forwarding="carol@other.org")
    query = "SELECT forwarding, domain, dest_domain, is_forwarding, active FROM forwardings WHERE address=:a"
    assert await api.rows(query, a=BOB) == [
        {"forwarding": "carol@other.org", "domain": "example.com", "dest_domain": "other.org", "is_forwarding": 1,
         "active": 1},
    ]  # fmt: skip
    await put(api, forwarding="")
    assert [row["forwarding"] for row in await api.rows(query, a=BOB)] == [BOB]


async def test_ldap_stores_forwardings_on_the_user(ldap_domain_api: Api) -> None:
    await put(ldap_domain_api, forwarding=f"carol@other.org,{BOB}", removeService="forward")
    entry = bob_entry(ldap_domain_api)
    assert sorted(entry["mailforwardingaddress"]) == [BOB, "carol@other.org"]
    assert {"mail", "deliver", "forward"} <= set(entry["enabledservice"])
    await put(ldap_domain_api, forwarding="")
    assert "mailforwardingaddress" not in bob_entry(ldap_domain_api)


# BCC


async def test_user_bcc_is_set_and_removed(domain_api: Api) -> None:
    data = await put(domain_api, senderBcc="Archive@elsewhere.test", recipientBcc="carol@other.org")
    assert (data["senderBcc"], data["recipientBcc"]) == ("archive@elsewhere.test", "carol@other.org")
    data = await put(domain_api, senderBcc="")
    assert (data["senderBcc"], data["recipientBcc"]) == ("", "carol@other.org")
    await refused(domain_api, 400, "INVALID_MAIL", recipientBcc="nobody", cn="Renamed")


async def test_sql_stores_user_bcc_with_the_users_domain(sql_domain_api: Api) -> None:
    await put(sql_domain_api, senderBcc="archive@elsewhere.test")
    rows = await sql_domain_api.rows("SELECT username, bcc_address, domain, active FROM sender_bcc_user")
    assert rows == [{"username": BOB, "bcc_address": "archive@elsewhere.test", "domain": "example.com", "active": 1}]
    assert await sql_domain_api.rows("SELECT * FROM recipient_bcc_user") == []


async def test_ldap_stores_user_bcc_with_its_services(ldap_domain_api: Api) -> None:
    await put(ldap_domain_api, removeService="senderbcc,recipientbcc")
    await put(ldap_domain_api, senderBcc="archive@elsewhere.test")
    entry = bob_entry(ldap_domain_api)
    assert entry["usersenderbccaddress"] == ["archive@elsewhere.test"]
    assert "senderbcc" in entry["enabledservice"] and "recipientbcc" not in entry["enabledservice"]


# per-user aliases


async def test_per_user_aliases_are_added_replaced_and_removed(domain_api: Api) -> None:
    assert (await user(domain_api))["aliases"] == []
    data = await put(domain_api, addAlias="B.Smith@example.com,robert@example.com")
    assert data["aliases"] == ["b.smith@example.com", "robert@example.com"]
    assert (await put(domain_api, removeAlias="robert@example.com"))["aliases"] == ["b.smith@example.com"]
    assert (await put(domain_api, aliases="rob@example.com"))["aliases"] == ["rob@example.com"]
    # a removed alias is free again
    assert (await domain_api.call("POST", "/api/user/b.smith@example.com", password=STRONG)).status_code == 201
    assert (await put(domain_api, aliases=""))["aliases"] == []


async def test_a_per_user_alias_must_be_a_new_address_of_the_users_domain(domain_api: Api) -> None:
    await put(domain_api, "/api/domain/example.com", addAliasDomain="example.net")
    assert (await domain_api.call("POST", "/api/alias/team@example.com", members=BOB)).status_code == 201
    await refused(domain_api, 400, "ALIAS_IN_ALIAS_DOMAIN", addAlias="rob@example.net", cn="Renamed")
    await refused(domain_api, 400, "ALIAS_OUTSIDE_USER_DOMAIN", addAlias="rob@other.org", cn="Renamed")
    await refused(domain_api, 400, "ALIAS_OUTSIDE_USER_DOMAIN", addAlias="rob@elsewhere.test", cn="Renamed")
    await refused(domain_api, 400, "INVALID_MAIL", addAlias="rob+x@example.com", cn="Renamed")
    for taken in ("team@example.com", BOB):
        await refused(domain_api, 409, "ALREADY_EXISTS", addAlias=taken, cn="Renamed", senderBcc="a@b.test")
    await put(domain_api, "/api/user/carol@other.org", addAlias="caz@other.org")
    response = await domain_api.call("POST", "/api/user/caz@other.org", password=STRONG)
    assert response.json() == {"success": False, "msg": "ALREADY_EXISTS"}


async def test_sql_stores_per_user_aliases_as_is_alias_rows(sql_domain_api: Api) -> None:
    await put(sql_domain_api, addAlias="rob@example.com")
    rows = await sql_domain_api.rows(
        "SELECT address, forwarding, domain, dest_domain, is_alias, is_forwarding, active FROM forwardings"
        " WHERE is_alias=1"
    )
    assert rows == [
        {"address": "rob@example.com", "forwarding": BOB, "domain": "example.com", "dest_domain": "example.com",
         "is_alias": 1, "is_forwarding": 0, "active": 1},
    ]  # fmt: skip


async def test_ldap_keeps_per_user_aliases_beside_the_alias_domain_addresses(ldap_domain_api: Api) -> None:
    await put(ldap_domain_api, "/api/domain/example.com", addAliasDomain="example.net")
    data = await put(ldap_domain_api, addAlias="rob@example.com")
    assert data["aliases"] == ["rob@example.com"]
    assert sorted(bob_entry(ldap_domain_api)["shadowaddress"]) == ["bob@example.net", "rob@example.com"]
    await put(ldap_domain_api, aliases="")
    assert bob_entry(ldap_domain_api)["shadowaddress"] == ["bob@example.net"]


# services


async def test_services_are_added_removed_and_replaced(domain_api: Api) -> None:
    services = set((await user(domain_api))["services"])
    assert {"smtp", "imap", "pop3", "deliver"} <= services
    services = set((await put(domain_api, removeService="imap,pop3"))["services"])
    assert "imap" not in services and "pop3" not in services and "smtp" in services
    assert "imap" in (await put(domain_api, addService="IMAP"))["services"]
    services = set((await put(domain_api, services="smtp,imap"))["services"])
    assert {"smtp", "imap", "deliver"} <= services
    assert not services & {"pop3", "smtpsecured", "managesieve"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"addService": "domainadmin"}, "INVALID_SERVICE"),
        ({"removeService": "mail"}, "INVALID_SERVICE"),
        ({"addService": "Bad Service"}, "INVALID_SERVICE"),
        ({"services": "imap", "removeService": "pop3"}, "INVALID_PARAMETER"),
    ],
)
async def test_bad_services_are_refused(domain_api: Api, params: dict[str, str], code: str) -> None:
    await refused(domain_api, 400, code, cn="Renamed", **params)


async def test_sql_switches_the_mailbox_columns(sql_domain_api: Api) -> None:
    await put(sql_domain_api, services="smtp,imap,sogowebmail")
    [row] = await sql_domain_api.rows(
        "SELECT enablesmtp, enableimap, enablepop3, enabledeliver, enablelda, enablelmtp, enablesogo,"
        " enablesogowebmail, enablesogocalendar FROM mailbox WHERE username=:u",
        u=BOB,
    )
    assert row == {
        "enablesmtp": 1, "enableimap": 1, "enablepop3": 0, "enabledeliver": 1, "enablelda": 1, "enablelmtp": 1,
        "enablesogo": 0, "enablesogowebmail": "y", "enablesogocalendar": "n",
    }  # fmt: skip


async def test_ldap_replacing_services_keeps_mail_and_delivery(ldap_domain_api: Api) -> None:
    await put(ldap_domain_api, services="smtp,imap,custom-app")
    values = set(bob_entry(ldap_domain_api)["enabledservice"])
    assert {"mail", "smtp", "imap", "custom-app", "deliver", "lda", "lmtp", "internal"} <= values
    assert not values & {"pop3", "managesieve", "sogo"}


# profile fields


async def test_profile_fields_are_stored(domain_api: Api) -> None:
    data = await put(domain_api, gn="Robert", sn="Smith", mailboxFormat="mdbox", mailboxFolder="mdbox")
    assert (data["gn"], data["sn"], data["mailboxFormat"], data["mailboxFolder"]) == (
        "Robert", "Smith", "mdbox", "mdbox",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"mailboxFormat": "zip"}, "INVALID_MAILBOX_FORMAT"),
        ({"mailboxFolder": "../other"}, "INVALID_MAILDIR"),
        ({"maildir": "relative/path/here/"}, "INVALID_MAILDIR"),
        ({"maildir": "/var/vmail/../etc/"}, "INVALID_MAILDIR"),
        ({"maildir": "/var/vmail/"}, "INVALID_MAILDIR"),
        ({"gn": "x" * 300}, "INVALID_NAME"),
    ],
)
async def test_bad_profile_fields_are_refused(domain_api: Api, params: dict[str, str], code: str) -> None:
    await refused(domain_api, 400, code, cn="Renamed", **params)


async def test_sql_splits_the_maildir_as_dovecot_joins_it(sql_domain_api: Api) -> None:
    await put(sql_domain_api, maildir="/var/vmail/vmail1/Example.com/b/o/b/bob-moved")
    await put(sql_domain_api, "/api/user/carol@other.org", maildir="/srv/mail/other.org/carol/")
    rows = await sql_domain_api.rows("SELECT storagebasedirectory, storagenode, maildir FROM mailbox ORDER BY username")
    assert rows == [
        {"storagebasedirectory": "/var/vmail", "storagenode": "vmail1", "maildir": "example.com/b/o/b/bob-moved/"},
        {"storagebasedirectory": "/srv", "storagenode": "mail", "maildir": "other.org/carol/"},
    ]


async def test_ldap_keeps_phones_and_the_home_directory(ldap_domain_api: Api) -> None:
    data = await put(ldap_domain_api, telephoneNumber="+1 555 0100,+1 555 0101", mobile="+1 555 0199",
                     maildir="/var/vmail/vmail2/example.com/bob/", sn="")  # fmt: skip
    assert (data["telephoneNumber"], data["mobile"]) == (["+1 555 0100", "+1 555 0101"], ["+1 555 0199"])
    entry = bob_entry(ldap_domain_api)
    assert entry["homedirectory"] == ["/var/vmail/vmail2/example.com/bob/"]
    assert entry["sn"] == ["bob"]  # inetOrgPerson requires it: the local part stands in
    assert (await put(ldap_domain_api, mobile=""))["mobile"] == []


async def test_sql_refuses_phones(sql_domain_api: Api) -> None:
    await refused(sql_domain_api, 400, "NOT_SUPPORTED", telephoneNumber="+1 555 0100", cn="Renamed")
    await refused(sql_domain_api, 400, "NOT_SUPPORTED", mobile="+1 555 0100", cn="Renamed")


# who may


async def test_a_domain_admin_changes_its_users_but_not_their_maildir(domain_api: Api) -> None:
    await login_domain_admin(domain_api)
    data = await put(domain_api, forwarding="someone@elsewhere.test", addAlias="rob@example.com",
                     senderBcc="carol@other.org", removeService="pop3")  # fmt: skip
    assert data["forwardings"] == ["someone@elsewhere.test"] and data["aliases"] == ["rob@example.com"]
    await refused(domain_api, 403, "PERMISSION_DENIED", maildir="/var/vmail/vmail1/example.com/x/")
    await refused(domain_api, 403, "PERMISSION_DENIED", "/api/user/carol@other.org", addAlias="c@other.org")


# one write, listings, deletion


async def test_every_change_of_one_request_is_written_together(domain_api: Api) -> None:
    data = await put(domain_api, cn="Bobby", forwarding=f"{BOB},carol@other.org", addAlias="rob@example.com",
                     recipientBcc="carol@other.org", removeService="pop3", gn="Bob")  # fmt: skip
    assert data["name"] == "Bobby" and data["forwardings"] == [BOB, "carol@other.org"]
    assert data["aliases"] == ["rob@example.com"] and data["recipientBcc"] == "carol@other.org"
    assert "pop3" not in data["services"] and data["gn"] == "Bob"
    listed = (await domain_api.call("GET", "/api/users/example.com")).json()["data"]
    assert [(u["mail"], u["aliases"], u["recipientBcc"]) for u in listed] == [
        (BOB, ["rob@example.com"], "carol@other.org")
    ]


async def test_deleting_a_user_frees_its_aliases_and_removes_its_extras(domain_api: Api) -> None:
    await put(domain_api, forwarding="carol@other.org", addAlias="rob@example.com", senderBcc="carol@other.org",
              recipientBcc="carol@other.org")  # fmt: skip
    assert (await domain_api.call("DELETE", PATH)).status_code == 200
    assert (await domain_api.call("POST", "/api/user/rob@example.com", password=STRONG)).status_code == 201
    data = await user(domain_api, "/api/user/rob@example.com")
    assert (data["forwardings"], data["aliases"], data["senderBcc"]) == (["rob@example.com"], [], "")


async def test_sql_deleting_a_user_removes_its_rows(sql_domain_api: Api) -> None:
    api = sql_domain_api
    await put(api, forwarding="carol@other.org", addAlias="rob@example.com", senderBcc="carol@other.org",
              recipientBcc="carol@other.org")  # fmt: skip
    assert (await api.call("DELETE", PATH)).status_code == 200
    assert await api.rows("SELECT * FROM forwardings WHERE address IN (:a, :b)", a=BOB, b="rob@example.com") == []
    for table in ("sender_bcc_user", "recipient_bcc_user"):
        assert await api.rows(f"SELECT * FROM {table}") == [], table
