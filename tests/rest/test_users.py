from __future__ import annotations

import asyncio
import datetime
import re
from typing import Any

import httpx
import pytest

from gateway.passwords import hash_password, verify_password
from tests.rest.conftest import ADMIN, STRONG, Api, counted_statements
from tests.storage import MB, LdapStorage, StoredUser, deleted_mailboxes, today

MAILDIR = re.compile(r"example\.com/j/o/h/john\.doe-\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}/")
JOHN_MAILDIR = re.compile(r"example\.com/j/o/h/john-\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}/")
STORAGE = "/var/vmail/vmail1/"
DOMAIN_ADMIN = "boss@other.org"
DOMAIN_ADMIN_PASSWORD = "Dom-Adm1n!pass"
LONG_AGO = datetime.date(2001, 2, 3)


async def make_domain(api: Api, name: str = "example.com", **params: str) -> None:
    response = await api.call("POST", f"/api/domain/{name}", **params)
    assert response.status_code == 201, response.text


async def make_user(api: Api, email: str, **params: str) -> None:
    if "password_hash" not in params:
        params = {"password": STRONG, **params}
    response = await api.call("POST", f"/api/user/{email}", **params)
    assert response.status_code == 201, response.text


async def stored(api: Api, email: str) -> StoredUser:
    user = await api.storage.user(email)
    assert user is not None, email
    return user


async def mailbox(api: Api, email: str) -> dict[str, Any]:
    [row] = await api.rows("SELECT * FROM mailbox WHERE username = :u", u=email)
    return row


async def forwarding_states(api: Api) -> dict[tuple[str, str], int]:
    rows = await api.rows("SELECT address, forwarding, active FROM forwardings")
    return {(row["address"], row["forwarding"]): int(row["active"]) for row in rows}


async def john_and_jane_in_team(api: Api) -> None:
    """example.com with john and jane, the alias team of both, and jane forwarding to john."""
    await make_domain(api)
    await make_user(api, "john@example.com")
    await make_user(api, "jane@example.com")
    response = await api.call("POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    assert response.status_code == 201, response.text
    await api.storage.add_forwarding("jane@example.com", "john@example.com")


async def enable_john_among_disabled_senders(api: Api) -> None:
    """Disable john, then team (john's only alias) and jane (who forwards to john), then enable john again."""
    await make_domain(api)
    await make_user(api, "john@example.com")
    await make_user(api, "jane@example.com")
    await api.call("POST", "/api/alias/team@example.com", members="john@example.com")
    await api.storage.add_forwarding("jane@example.com", "john@example.com")
    await api.call("PUT", "/api/user/john@example.com", accountStatus="disabled")
    for path, status in [
        ("/api/alias/team@example.com", "disabled"),
        ("/api/user/jane@example.com", "disabled"),
        ("/api/user/john@example.com", "active"),
    ]:
        assert (await api.call("PUT", path, accountStatus=status)).status_code == 200


def as_datetime(value: Any) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value))


def is_recent(value: Any) -> bool:
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return abs(now - as_datetime(value)) < datetime.timedelta(minutes=5)


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert (response.status_code, response.json()) == (status, {"success": False, "msg": code}), response.text


# creation


CREATE_PARAMS = [
    {"cn": "John Doe", "password": STRONG, "preferredLanguage": "de_DE", "mailQuota": "512"},
    {"name": "John Doe", "password": STRONG, "language": "de_DE", "quota": "512"},
]
CREATE_IDS = ["old-names", "new-names"]


@pytest.mark.parametrize("params", CREATE_PARAMS, ids=CREATE_IDS)
async def test_create_user_stores_the_mailbox_delivering_to_itself(admin_api: Api, params: dict[str, str]) -> None:
    await make_domain(admin_api)
    response = await admin_api.call("POST", "/api/user/John.Doe@Example.COM", **params)
    assert (response.status_code, response.json()) == (201, {"success": True})

    [user] = await admin_api.storage.users()
    assert user.email == "john.doe@example.com"
    assert (user.domain, user.name, user.language, user.quota) == ("example.com", "John Doe", "de_DE", 512)
    assert user.password.startswith("{SSHA512}")
    assert verify_password(user.password, STRONG)
    assert not verify_password(user.password, STRONG + "x")
    assert user.home.startswith(STORAGE) and MAILDIR.fullmatch(user.home.removeprefix(STORAGE)), user.home
    assert (user.active, user.is_global_admin, user.transport, user.employee_id) == (True, False, "", "")
    assert user.password_changed == today()
    assert user.forwardings == ("john.doe@example.com",)


@pytest.mark.parametrize("params", CREATE_PARAMS, ids=CREATE_IDS)
async def test_create_user_writes_the_mailbox_row_and_its_self_forwarding(
    sql_admin_api: Api, params: dict[str, str]
) -> None:
    await make_domain(sql_admin_api)
    response = await sql_admin_api.call("POST", "/api/user/John.Doe@Example.COM", **params)
    assert (response.status_code, response.json()) == (201, {"success": True})

    [row] = await sql_admin_api.rows("SELECT * FROM mailbox")
    assert row["username"] == "john.doe@example.com"
    assert (row["domain"], row["name"], row["language"], row["quota"]) == ("example.com", "John Doe", "de_DE", 512)
    assert row["password"].startswith("{SSHA512}")
    assert verify_password(row["password"], STRONG)
    assert (row["storagebasedirectory"], row["storagenode"]) == ("/var/vmail", "vmail1")
    assert MAILDIR.fullmatch(row["maildir"]), row["maildir"]
    assert (row["mailboxformat"], row["mailboxfolder"]) == ("maildir", "Maildir")
    assert row["active"] == 1
    assert (row["isadmin"], row["isglobaladmin"], row["transport"]) == (0, 0, "")
    flags = {key: value for key, value in row.items() if key.startswith("enable")}
    assert len(flags) == 26
    assert all(value == ("y" if key.startswith("enablesogo") and key != "enablesogo" else 1)
               for key, value in flags.items()), flags
    assert is_recent(row["passwordlastchange"]) and is_recent(row["created"])

    [forwarding] = await sql_admin_api.rows(
        "SELECT address, forwarding, domain, dest_domain, is_forwarding, is_alias, is_list, is_maillist, active "
        "FROM forwardings"
    )
    assert forwarding == {
        "address": "john.doe@example.com", "forwarding": "john.doe@example.com", "domain": "example.com",
        "dest_domain": "example.com", "is_forwarding": 1, "is_alias": 0, "is_list": 0, "is_maillist": 0, "active": 1,
    }


@pytest.mark.parametrize("params", CREATE_PARAMS, ids=CREATE_IDS)
async def test_create_user_writes_the_ldap_entry(ldap_admin_api: Api, params: dict[str, str]) -> None:
    await make_domain(ldap_admin_api)
    response = await ldap_admin_api.call("POST", "/api/user/John.Doe@Example.COM", **params)
    assert (response.status_code, response.json()) == (201, {"success": True})

    storage = ldap_admin_api.storage
    assert isinstance(storage, LdapStorage)
    entry = storage.entry(storage.tree.user_dn("john.doe@example.com"))
    assert entry is not None
    assert entry["objectclass"] == sorted(["inetOrgPerson", "mailUser", "shadowAccount", "amavisAccount"])
    assert (entry["mail"], entry["uid"], entry["sn"], entry["cn"]) == (
        ["john.doe@example.com"], ["john.doe"], ["john.doe"], ["John Doe"]
    )
    assert (entry["preferredlanguage"], entry["mailquota"], entry["accountstatus"]) == (
        ["de_DE"], [str(512 * MB)], ["active"]
    )
    [home] = entry["homedirectory"]
    assert home.startswith(STORAGE) and MAILDIR.fullmatch(home.removeprefix(STORAGE)), home
    assert (entry["mailboxformat"], entry["mailboxfolder"], entry["amavislocal"]) == (
        ["maildir"], ["Maildir"], ["TRUE"]
    )
    assert entry["shadowlastchange"] == [str((today() - datetime.date(1970, 1, 1)).days)]
    assert {"mail", "smtp", "imap", "pop3", "deliver", "lmtp", "forward"} <= set(entry["enabledservice"])
    assert "mailforwardingaddress" not in entry and "domainglobaladmin" not in entry and "mtatransport" not in entry


async def test_a_local_part_of_64_characters_is_accepted(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "a" * 64 + "@example.com")
    user = await stored(admin_api, "a" * 64 + "@example.com")
    assert user.home.startswith(STORAGE + "example.com/a/a/a/" + "a" * 64 + "-"), user.home


@pytest.mark.parametrize(
    ("domain_params", "user_params", "quota"),
    [
        ({"defaultQuota": "300"}, {}, 300),
        ({"defaultQuota": "300"}, {"quota": "20"}, 20),
        ({}, {}, 0),
    ],
)
async def test_quota_defaults_to_the_domain_default(
    admin_api: Api, domain_params: dict[str, str], user_params: dict[str, str], quota: int
) -> None:
    await make_domain(admin_api, **domain_params)
    await make_user(admin_api, "john@example.com", **user_params)
    assert (await stored(admin_api, "john@example.com")).quota == quota


async def test_language_defaults_to_the_domain_language(admin_api: Api) -> None:
    await make_domain(admin_api, language="fr_FR")
    await make_user(admin_api, "john@example.com")
    assert (await stored(admin_api, "john@example.com")).language == "fr_FR"


async def test_number_of_users_is_enforced(admin_api: Api) -> None:
    await make_domain(admin_api, numberOfUsers="2")
    await make_user(admin_api, "a@example.com")
    await make_user(admin_api, "b@example.com")
    before = await admin_api.snapshot()
    refused(await admin_api.call("POST", "/api/user/c@example.com", password=STRONG),
            409, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT")
    assert await admin_api.snapshot() == before


async def test_number_of_users_minus_one_refuses_every_user(admin_api: Api) -> None:
    await make_domain(admin_api, numberOfUsers="-1")
    before = await admin_api.snapshot()
    refused(await admin_api.call("POST", "/api/user/a@example.com", password=STRONG),
            409, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT")
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize(
    ("domain_params", "user_params", "status", "code"),
    [
        ({"maxUserQuota": "100"}, {"quota": "101"}, 409, "EXCEEDED_MAX_USER_QUOTA"),
        ({"maxUserQuota": "100"}, {"quota": "0"}, 409, "EXCEEDED_MAX_USER_QUOTA"),
        ({"minPasswordLength": "20"}, {"password": "Str0ng-Passw0rd!xyz"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ({"maxPasswordLength": "12"}, {"password": "Str0ng-Passw0rd!"}, 400, "PW_GREATER_THAN_MAX_LENGTH"),
        ({}, {"password": "Sh0rt-!"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ({}, {"password": "str0ng-passw0rd!"}, 400, "PW_NO_UPPERCASE"),
        ({}, {"password": "Strong-Password!"}, 400, "PW_NO_DIGIT_NUMBER"),
        ({}, {"password": "Str0ngPassw0rd"}, 400, "PW_NO_SPECIAL_CHAR"),
        ({}, {"password": ""}, 400, "PW_EMPTY"),
        ({}, {"password": " Str0ng-Passw0rd!"}, 400, "PW_SURROUNDING_WHITESPACE"),
    ],
)
async def test_limits_and_password_policy_refuse_and_write_nothing(
    admin_api: Api, domain_params: dict[str, str], user_params: dict[str, str], status: int, code: str
) -> None:
    await make_domain(admin_api, **domain_params)
    await make_user(admin_api, "first@example.com", quota="10", password_hash=hash_password(STRONG))
    before = await admin_api.snapshot()
    params = {"password": STRONG, **user_params}
    refused(await admin_api.call("POST", "/api/user/john@example.com", **params), status, code)
    assert await admin_api.snapshot() == before


# a total quota per domain exists on SQL only (LDAP answers NOT_SUPPORTED when a domain is given one)
@pytest.mark.parametrize("quota", ["501", "0"])
async def test_the_domain_quota_refuses_and_writes_nothing(sql_admin_api: Api, quota: str) -> None:
    await make_domain(sql_admin_api, quota="1000")
    await make_user(sql_admin_api, "first@example.com", quota="500", password_hash=hash_password(STRONG))
    before = await sql_admin_api.snapshot()
    refused(await sql_admin_api.call("POST", "/api/user/john@example.com", password=STRONG, quota=quota),
            409, "EXCEEDED_DOMAIN_QUOTA_SIZE")
    assert await sql_admin_api.snapshot() == before


async def test_limits_admit_what_fits_exactly(admin_api: Api) -> None:
    await make_domain(admin_api, maxUserQuota="600", minPasswordLength="16", maxPasswordLength="16")
    await make_user(admin_api, "a@example.com", quota="600", password=STRONG)
    assert [(user.email, user.quota) for user in await admin_api.storage.users()] == [("a@example.com", 600)]


async def test_the_domain_quota_admits_what_fits_exactly(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api, quota="1000", maxUserQuota="600", minPasswordLength="16", maxPasswordLength="16")
    await make_user(sql_admin_api, "a@example.com", quota="600", password=STRONG)
    await make_user(sql_admin_api, "b@example.com", quota="400", password=STRONG)
    refused(await sql_admin_api.call("POST", "/api/user/c@example.com", password=STRONG, quota="1"),
            409, "EXCEEDED_DOMAIN_QUOTA_SIZE")
    assert len(await sql_admin_api.rows("SELECT * FROM mailbox")) == 2


async def test_a_user_without_password_is_refused(admin_api: Api) -> None:
    await make_domain(admin_api)
    before = await admin_api.snapshot()
    refused(await admin_api.call("POST", "/api/user/john@example.com", name="John"), 400, "PW_EMPTY")
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/user/john.example.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/john@doe@example.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/john+tag@example.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/" + "a" * 65 + "@example.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/jöhn@example.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/john@exämple.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/'; DROP TABLE mailbox; --@x.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/@example.com", {}, 400, "INVALID_MAIL"),
        ("/api/user/john@nowhere.com", {}, 404, "NO_SUCH_DOMAIN"),
        ("/api/user/john@example.com", {"quota": "lots"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"quota": "1.5"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"quota": "-1"}, 400, "INVALID_QUOTA"),
        ("/api/user/john@example.com", {"accountStatus": "frozen"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"Name": "case matters"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"isGlobalAdmin": "yes"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"name": "bad\x01name"}, 400, "INVALID_NAME"),
        ("/api/user/john@example.com", {"name": "line\nbreak"}, 400, "INVALID_NAME"),
        ("/api/user/john@example.com", {"name": "x" * 256}, 400, "INVALID_NAME"),
        ("/api/user/john@example.com", {"employeeid": "\x00"}, 400, "INVALID_NAME"),
        ("/api/user/john@example.com", {"language": "english"}, 400, "INVALID_LANGUAGE"),
        ("/api/user/john@example.com", {"transport": "dovecot; rm -rf /"}, 400, "INVALID_TRANSPORT"),
        ("/api/user/john@example.com", {"cn": "A", "name": "B"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"password_hash": hash_password(STRONG)}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_bad_user_input_is_refused_and_writes_nothing(
    admin_api: Api, path: str, params: dict[str, str], status: int, code: str
) -> None:
    await make_domain(admin_api)
    await make_domain(admin_api, "x.com")
    before = await admin_api.snapshot()
    refused(await admin_api.call("POST", path, **{"password": STRONG, **params}), status, code)
    assert await admin_api.snapshot() == before


@pytest.mark.parametrize("address", ["john@example.com", "JOHN@Example.com", "team@example.com"])
async def test_an_address_in_use_is_refused(admin_api: Api, address: str) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    response = await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com")
    assert response.status_code == 201, response.text
    before = await admin_api.snapshot()
    refused(await admin_api.call("POST", f"/api/user/{address}", password=STRONG, name="Other"), 409, "ALREADY_EXISTS")
    assert await admin_api.snapshot() == before


async def test_password_hash_is_stored_as_given(admin_api: Api) -> None:
    await make_domain(admin_api, minPasswordLength="30")
    given = hash_password("weak")
    await make_user(admin_api, "john@example.com", password_hash=given)
    user = await stored(admin_api, "john@example.com")
    assert user.password == given and verify_password(user.password, "weak")


@pytest.mark.parametrize(
    "garbage",
    ["not-a-hash", "{SSHA512}not base64!", "{NOSUCH}abc", "{SSHA512}", "$6$salt$hash", "{PLAIN}" + "x" * 260],
)
async def test_garbage_password_hash_is_refused(admin_api: Api, garbage: str) -> None:
    await make_domain(admin_api)
    before = await admin_api.snapshot()
    refused(await admin_api.call("POST", "/api/user/john@example.com", password_hash=garbage),
            400, "INVALID_PASSWORD_HASH")
    assert await admin_api.snapshot() == before


# reading


async def test_get_user_reports_the_user_and_never_the_password(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com", name="John", language="de_DE", quota="250",
                    employeeid="E-7", transport="relay:[192.0.2.1]:25")
    user = await stored(admin_api, "john@example.com")
    response = await admin_api.call("GET", "/api/user/John@Example.com")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert {key: data[key] for key in ("mail", "domain", "name", "language", "quota", "transport",
                                       "accountStatus", "employeeid", "isAdmin", "isGlobalAdmin",
                                       "forwardings")} == {
        "mail": "john@example.com", "domain": "example.com", "name": "John", "language": "de_DE", "quota": 250,
        "transport": "relay:[192.0.2.1]:25", "accountStatus": "active", "employeeid": "E-7", "isAdmin": False,
        "isGlobalAdmin": False, "forwardings": ["john@example.com"],
    }
    assert JOHN_MAILDIR.search(data["maildir"]) and user.home.endswith(data["maildir"]), (data["maildir"], user.home)
    assert is_recent(data["created"])
    assert data["passwordLastChange"][:10] == str(user.password_changed) == str(today())
    assert {key for key in keys_of(body) if "password" in key.lower()} == {"passwordLastChange"}
    assert user.password not in response.text
    assert user.password.removeprefix("{SSHA512}")[:20] not in response.text


async def test_get_user_reports_the_mailbox_row_as_stored(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api)
    await make_user(sql_admin_api, "john@example.com")
    row = await mailbox(sql_admin_api, "john@example.com")
    data = (await sql_admin_api.call("GET", "/api/user/john@example.com")).json()["data"]
    assert data["maildir"] == row["maildir"]
    assert data["created"] == str(as_datetime(row["created"]))
    assert data["passwordLastChange"] == str(as_datetime(row["passwordlastchange"]))


async def test_get_user_reports_the_ldap_entry_as_stored(ldap_admin_api: Api) -> None:
    await make_domain(ldap_admin_api)
    await make_user(ldap_admin_api, "john@example.com")
    storage = ldap_admin_api.storage
    assert isinstance(storage, LdapStorage)
    entry = storage.entry(storage.tree.user_dn("john@example.com"))
    assert entry is not None
    data = (await ldap_admin_api.call("GET", "/api/user/john@example.com")).json()["data"]
    assert [data["maildir"]] == entry["homedirectory"]
    [days] = entry["shadowlastchange"]
    assert data["passwordLastChange"] == f"{datetime.date(1970, 1, 1) + datetime.timedelta(days=int(days))} 00:00:00"


async def test_get_missing_user(admin_api: Api) -> None:
    await make_domain(admin_api)
    refused(await admin_api.call("GET", "/api/user/nobody@example.com"), 404, "NO_SUCH_ACCOUNT")
    refused(await admin_api.call("GET", "/api/user/not-an-address"), 400, "INVALID_MAIL")
    refused(await admin_api.call("GET", "/api/user/john@example.com", verbose="yes"), 400, "INVALID_PARAMETER")


async def test_list_users_full_email_only_and_disabled_only(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_domain(admin_api, "other.com")
    for email in ("carl@example.com", "anna@example.com", "bert@example.com", "zed@other.com"):
        await make_user(admin_api, email)
    assert (await admin_api.call("PUT", "/api/user/bert@example.com", accountStatus="disabled")).status_code == 200

    full = await admin_api.call("GET", "/api/users/example.com")
    assert full.status_code == 200, full.text
    data = full.json()["data"]
    assert [u["mail"] for u in data] == ["anna@example.com", "bert@example.com", "carl@example.com"]
    assert [u["accountStatus"] for u in data] == ["active", "disabled", "active"]
    assert {key for key in keys_of(data) if "password" in key.lower()} == {"passwordLastChange"}
    for user in await admin_api.storage.users():
        assert user.password not in full.text

    emails = await admin_api.call("GET", "/api/users/example.com", email_only="yes")
    assert emails.json() == {"success": True, "data": ["anna@example.com", "bert@example.com", "carl@example.com"]}
    disabled = await admin_api.call("GET", "/api/users/example.com", disabled_only="yes")
    assert [u["mail"] for u in disabled.json()["data"]] == ["bert@example.com"]
    both = await admin_api.call("GET", "/api/users/example.com", disabled_only="yes", email_only="yes")
    assert both.json()["data"] == ["bert@example.com"]
    assert (await admin_api.call("GET", "/api/users/other.com", disabled_only="yes")).json()["data"] == []
    refused(await admin_api.call("GET", "/api/users/nowhere.com"), 404, "NO_SUCH_DOMAIN")
    refused(await admin_api.call("GET", "/api/users/example.com", email_only="maybe"), 400, "INVALID_PARAMETER")


# updating


async def test_update_user_profile(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com", name="John", quota="100")
    password = (await stored(admin_api, "john@example.com")).password
    response = await admin_api.call(
        "PUT", "/api/user/john@example.com", cn="John Q. Doe", preferredLanguage="fr_FR", mailQuota="300",
        transport="smtp:[192.0.2.9]:25", employeeid="E-42",
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    user = await stored(admin_api, "john@example.com")
    assert (user.name, user.language, user.quota, user.transport, user.employee_id) == (
        "John Q. Doe", "fr_FR", 300, "smtp:[192.0.2.9]:25", "E-42"
    )
    assert user.password == password and user.active
    assert is_recent((await admin_api.call("GET", "/api/user/john@example.com")).json()["data"]["modified"])
    response = await admin_api.call("PUT", "/api/user/john@example.com", quota="0", transport="", employeeid="")
    assert response.status_code == 200, response.text
    user = await stored(admin_api, "john@example.com")
    assert (user.name, user.quota, user.transport, user.employee_id, user.language) == (
        "John Q. Doe", 0, "", "", "fr_FR"
    )


# a mailbox row may have an empty name; an LDAP person must have a cn, so the panel puts the local part there
async def test_an_empty_name_is_stored_empty_on_sql(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api)
    await make_user(sql_admin_api, "john@example.com", name="John")
    assert (await sql_admin_api.call("PUT", "/api/user/john@example.com", name="")).status_code == 200
    assert (await mailbox(sql_admin_api, "john@example.com"))["name"] == ""
    assert (await sql_admin_api.call("GET", "/api/user/john@example.com")).json()["data"]["name"] == ""


async def test_an_empty_name_becomes_the_local_part_on_ldap(ldap_admin_api: Api) -> None:
    await make_domain(ldap_admin_api)
    await make_user(ldap_admin_api, "john@example.com", name="John")
    assert (await ldap_admin_api.call("PUT", "/api/user/john@example.com", name="")).status_code == 200
    storage = ldap_admin_api.storage
    assert isinstance(storage, LdapStorage)
    entry = storage.entry(storage.tree.user_dn("john@example.com"))
    assert entry is not None and entry["cn"] == ["john"]
    assert (await ldap_admin_api.call("GET", "/api/user/john@example.com")).json()["data"]["name"] == "john"


async def test_disabling_a_user_and_enabling_it_again(admin_api: Api) -> None:
    await john_and_jane_in_team(admin_api)
    john, jane, team = (
        await stored(admin_api, "john@example.com"), await stored(admin_api, "jane@example.com"),
        await admin_api.storage.alias("team@example.com"),
    )

    response = await admin_api.call("PUT", "/api/user/john@example.com", accountStatus="disabled")
    assert (response.status_code, response.json()) == (200, {"success": True})
    disabled = await stored(admin_api, "john@example.com")
    assert not disabled.active
    assert disabled.forwardings == ("john@example.com",)
    assert await stored(admin_api, "jane@example.com") == jane
    assert await admin_api.storage.alias("team@example.com") == team
    data = (await admin_api.call("GET", "/api/user/john@example.com")).json()["data"]
    assert data["accountStatus"] == "disabled"

    response = await admin_api.call("PUT", "/api/user/john@example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert await stored(admin_api, "john@example.com") == john
    assert (await admin_api.call("GET", "/api/user/john@example.com")).json()["data"]["accountStatus"] == "active"


async def test_disabling_a_user_disables_its_forwardings_and_enabling_restores_them(sql_admin_api: Api) -> None:
    await john_and_jane_in_team(sql_admin_api)
    everything_active = await forwarding_states(sql_admin_api)
    assert set(everything_active.values()) == {1}

    response = await sql_admin_api.call("PUT", "/api/user/john@example.com", accountStatus="disabled")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await mailbox(sql_admin_api, "john@example.com"))["active"] == 0
    assert (await mailbox(sql_admin_api, "jane@example.com"))["active"] == 1
    assert await forwarding_states(sql_admin_api) == {
        **everything_active,
        ("john@example.com", "john@example.com"): 0,
        ("team@example.com", "john@example.com"): 0,
        ("jane@example.com", "john@example.com"): 0,
    }

    response = await sql_admin_api.call("PUT", "/api/user/john@example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert (await mailbox(sql_admin_api, "john@example.com"))["active"] == 1
    assert await forwarding_states(sql_admin_api) == everything_active


async def test_enabling_a_user_leaves_disabled_senders_disabled(admin_api: Api) -> None:
    await enable_john_among_disabled_senders(admin_api)
    john, jane = await stored(admin_api, "john@example.com"), await stored(admin_api, "jane@example.com")
    assert (john.active, john.forwardings) == (True, ("john@example.com",))
    assert (jane.active, jane.forwardings) == (False, ("jane@example.com", "john@example.com"))
    team = await admin_api.storage.alias("team@example.com")
    assert team is not None and (team.active, team.members) == (False, ("john@example.com",))


async def test_enabling_a_user_leaves_rows_of_disabled_senders_disabled(sql_admin_api: Api) -> None:
    await enable_john_among_disabled_senders(sql_admin_api)
    assert await forwarding_states(sql_admin_api) == {
        ("john@example.com", "john@example.com"): 1,
        ("jane@example.com", "jane@example.com"): 0,
        ("jane@example.com", "john@example.com"): 0,
        ("team@example.com", "john@example.com"): 0,
    }


async def test_update_password_changes_hash_and_the_date_of_the_last_change(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    await admin_api.storage.age_passwords(LONG_AGO)
    assert (await stored(admin_api, "john@example.com")).password_changed == LONG_AGO
    response = await admin_api.call("PUT", "/api/user/john@example.com", password="N3w-Passw0rd!")
    assert response.status_code == 200, response.text
    user = await stored(admin_api, "john@example.com")
    assert verify_password(user.password, "N3w-Passw0rd!") and not verify_password(user.password, STRONG)
    assert user.password_changed == today()


async def test_set_password_endpoint(admin_api: Api) -> None:
    await make_domain(admin_api, minPasswordLength="14")
    await make_user(admin_api, "john@example.com")
    await admin_api.storage.age_passwords(LONG_AGO)
    response = await admin_api.call("PUT", "/api/user/john@example.com/password", password="An0ther-Passw0rd")
    assert (response.status_code, response.json()) == (200, {"success": True})
    user = await stored(admin_api, "john@example.com")
    assert verify_password(user.password, "An0ther-Passw0rd")
    assert user.password_changed == today()

    given = hash_password("Pre-Hashed-1!")
    response = await admin_api.call("PUT", "/api/user/john@example.com/password", password_hash=given)
    assert response.status_code == 200, response.text
    assert (await stored(admin_api, "john@example.com")).password == given

    before = await admin_api.snapshot()
    for params, status, code in [
        ({"password": "Sh0rt-Pass!"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ({"password": "no-upper-case-1"}, 400, "PW_NO_UPPERCASE"),
        ({}, 400, "PW_EMPTY"),
        ({"password_hash": "garbage"}, 400, "INVALID_PASSWORD_HASH"),
        ({"password": STRONG, "name": "x"}, 400, "INVALID_PARAMETER"),
    ]:
        refused(await admin_api.call("PUT", "/api/user/john@example.com/password", **params), status, code)
    refused(await admin_api.call("PUT", "/api/user/nobody@example.com/password", password=STRONG),
            404, "NO_SUCH_ACCOUNT")
    assert await admin_api.snapshot() == before


async def test_update_quota_is_checked_against_the_max_user_quota(admin_api: Api) -> None:
    await make_domain(admin_api, maxUserQuota="250")
    await make_user(admin_api, "a@example.com", quota="100")
    await make_user(admin_api, "b@example.com", quota="100")
    before = await admin_api.snapshot()
    for quota in ("251", "0"):
        refused(await admin_api.call("PUT", "/api/user/a@example.com", quota=quota), 409, "EXCEEDED_MAX_USER_QUOTA")
    assert await admin_api.snapshot() == before
    assert (await admin_api.call("PUT", "/api/user/a@example.com", quota="250")).status_code == 200
    assert (await stored(admin_api, "a@example.com")).quota == 250
    assert (await admin_api.call("PUT", "/api/domain/example.com", maxUserQuota="0")).status_code == 200
    assert (await admin_api.call("PUT", "/api/user/b@example.com", quota="0")).status_code == 200
    assert (await stored(admin_api, "b@example.com")).quota == 0


async def test_update_quota_is_checked_against_the_domain_quota(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api, quota="300")
    await make_user(sql_admin_api, "a@example.com", quota="100")
    await make_user(sql_admin_api, "b@example.com", quota="100")
    before = await sql_admin_api.snapshot()
    for quota in ("201", "0"):
        refused(await sql_admin_api.call("PUT", "/api/user/a@example.com", quota=quota),
                409, "EXCEEDED_DOMAIN_QUOTA_SIZE")
    assert await sql_admin_api.snapshot() == before
    assert (await sql_admin_api.call("PUT", "/api/user/a@example.com", quota="200")).status_code == 200
    assert (await mailbox(sql_admin_api, "a@example.com"))["quota"] == 200


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/user/john@example.com", {"accountStatus": "frozen"}, 400, "INVALID_ACCOUNT_STATUS"),
        ("/api/user/john@example.com", {"mailquota": "1"}, 400, "INVALID_PARAMETER"),
        ("/api/user/john@example.com", {"quota": "-5"}, 400, "INVALID_QUOTA"),
        ("/api/user/john@example.com", {"name": "tab\there"}, 400, "INVALID_NAME"),
        ("/api/user/john@example.com", {"password": "weak"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ("/api/user/nobody@example.com", {"name": "x"}, 404, "NO_SUCH_ACCOUNT"),
        ("/api/user/john@nowhere.com", {"name": "x"}, 404, "NO_SUCH_DOMAIN"),
    ],
)
async def test_bad_updates_are_refused_and_write_nothing(
    admin_api: Api, path: str, params: dict[str, str], status: int, code: str
) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    before = await admin_api.snapshot()
    refused(await admin_api.call("PUT", path, **params), status, code)
    assert await admin_api.snapshot() == before


# bulk changes


async def test_update_domain_users_changes_only_that_domain(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_domain(admin_api, "other.com")
    for email in ("a@example.com", "b@example.com", "c@other.com"):
        await make_user(admin_api, email, language="en_US")
    other_before = await admin_api.storage.users("other.com")

    response = await admin_api.call(
        "PUT", "/api/users/example.com", accountStatus="disabled", preferredLanguage="de_DE",
        transport="relay:[192.0.2.1]:25",
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert [(u.email, u.active, u.language, u.transport) for u in await admin_api.storage.users("example.com")] == [
        (email, False, "de_DE", "relay:[192.0.2.1]:25") for email in ("a@example.com", "b@example.com")
    ]
    assert await admin_api.storage.users("other.com") == other_before

    response = await admin_api.call("PUT", "/api/users/example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert {u.active for u in await admin_api.storage.users()} == {True}


async def test_update_domain_users_switches_their_forwarding_rows(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api)
    await make_domain(sql_admin_api, "other.com")
    for email in ("a@example.com", "b@example.com", "c@other.com"):
        await make_user(sql_admin_api, email, language="en_US")
    other_before = await sql_admin_api.rows("SELECT * FROM mailbox WHERE domain = 'other.com'")

    response = await sql_admin_api.call("PUT", "/api/users/example.com", accountStatus="disabled")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await sql_admin_api.rows("SELECT * FROM mailbox WHERE domain = 'other.com'") == other_before
    assert await forwarding_states(sql_admin_api) == {
        ("a@example.com", "a@example.com"): 0, ("b@example.com", "b@example.com"): 0, ("c@other.com", "c@other.com"): 1,
    }

    response = await sql_admin_api.call("PUT", "/api/users/example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert {r["active"] for r in await sql_admin_api.rows("SELECT active FROM mailbox")} == {1}
    assert set((await forwarding_states(sql_admin_api)).values()) == {1}


async def test_bulk_and_single_status_changes_switch_the_same_forwarding_rows(sql_admin_api: Api) -> None:
    """one.com's users are disabled one by one, two.com's at once: the same rows go inactive in both, alias
    memberships and forwardings naming the users included, and come back alike."""
    api = sql_admin_api
    await make_domain(api, "hub.com")
    await make_user(api, "ext@hub.com")
    for domain in ("one.com", "two.com"):
        await make_domain(api, domain)
        for name in ("john", "jane"):
            await make_user(api, f"{name}@{domain}")
        await api.storage.add_forwarding(f"jane@{domain}", f"john@{domain}")
        await api.storage.add_forwarding("ext@hub.com", f"john@{domain}")
        response = await api.call("POST", f"/api/alias/team@{domain}", members=f"john@{domain},jane@{domain}")
        assert response.status_code == 201, response.text
    response = await api.call("POST", "/api/alias/all@hub.com", members="john@one.com,john@two.com")
    assert response.status_code == 201, response.text

    def shaped(states: dict[tuple[str, str], int], domain: str) -> dict[tuple[str, str], int]:
        return {
            (address.replace(domain, "d"), target.replace(domain, "d")): active
            for (address, target), active in states.items() if domain in address or domain in target
        }

    for status in ("disabled", "active"):
        for email in ("john@one.com", "jane@one.com"):
            assert (await api.call("PUT", f"/api/user/{email}", accountStatus=status)).status_code == 200
        assert (await api.call("PUT", "/api/users/two.com", accountStatus=status)).status_code == 200
        states = await forwarding_states(api)
        assert shaped(states, "two.com") == shaped(states, "one.com") == {
            ("john@d", "john@d"): int(status == "active"), ("jane@d", "jane@d"): int(status == "active"),
            ("jane@d", "john@d"): int(status == "active"), ("ext@hub.com", "john@d"): int(status == "active"),
            ("team@d", "john@d"): int(status == "active"), ("team@d", "jane@d"): int(status == "active"),
            ("all@hub.com", "john@d"): int(status == "active"),
        }
        assert states[("ext@hub.com", "ext@hub.com")] == 1


async def test_bad_bulk_updates_are_refused(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "a@example.com")
    before = await admin_api.snapshot()
    for path, params, status, code in [
        ("/api/users/example.com", {"quota": "10"}, 400, "INVALID_PARAMETER"),
        ("/api/users/example.com", {"name": "Everyone"}, 400, "INVALID_PARAMETER"),
        ("/api/users/example.com", {"accountStatus": "gone"}, 400, "INVALID_ACCOUNT_STATUS"),
        ("/api/users/example.com", {"language": "xx-YY"}, 400, "INVALID_LANGUAGE"),
        ("/api/users/example.com", {"password": "weak"}, 400, "PW_LESS_THAN_MIN_LENGTH"),
        ("/api/users/nowhere.com", {"accountStatus": "disabled"}, 404, "NO_SUCH_DOMAIN"),
        ("/api/users/example.com/password", {}, 400, "PW_EMPTY"),
        ("/api/users/example.com/password", {"password": "nodigits-Here!"}, 400, "PW_NO_DIGIT_NUMBER"),
        ("/api/users/nowhere.com/password", {"password": STRONG}, 404, "NO_SUCH_DOMAIN"),
    ]:
        response = await admin_api.call("PUT", path, **params)
        assert (response.status_code, response.json()["msg"]) == (status, code), (path, params)
    assert await admin_api.snapshot() == before


async def test_domain_password_gives_every_user_its_own_hash(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_domain(admin_api, "other.com")
    for email in ("a@example.com", "b@example.com", "c@example.com", "d@other.com"):
        await make_user(admin_api, email)
    await admin_api.storage.age_passwords(LONG_AGO)
    other = await stored(admin_api, "d@other.com")

    response = await admin_api.call("PUT", "/api/users/example.com/password", password="Sh4red-Secret!")
    assert (response.status_code, response.json()) == (200, {"success": True})
    users = await admin_api.storage.users("example.com")
    assert len(users) == 3
    assert all(verify_password(u.password, "Sh4red-Secret!") for u in users)
    assert all(u.password_changed == today() for u in users)
    assert len({u.password for u in users}) == 3
    assert await stored(admin_api, "d@other.com") == other

    response = await admin_api.call("PUT", "/api/users/example.com", password="An0ther-Shared!")
    assert response.status_code == 200, response.text
    users = await admin_api.storage.users("example.com")
    assert len(users) == 3 and all(verify_password(u.password, "An0ther-Shared!") for u in users)


async def test_bulk_changes_run_a_constant_number_of_statements(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api, "small.com")
    await make_domain(sql_admin_api, "large.com")
    for i in range(3):
        await make_user(sql_admin_api, f"u{i}@small.com")
    for i in range(30):
        await make_user(sql_admin_api, f"u{i}@large.com")

    async def count(method: str, path: str, **params: str) -> int:
        with counted_statements(sql_admin_api) as statements:
            response = await sql_admin_api.call(method, path, **params)
        assert response.status_code == 200, response.text
        return len(statements)

    for path, params in [
        ("/api/users/{}/password", {"password": "Sh4red-Secret!"}),
        ("/api/users/{}", {"accountStatus": "disabled", "language": "de_DE"}),
        ("/api/users/{}", {"accountStatus": "active"}),
    ]:
        small = await count("PUT", path.format("small.com"), **params)
        large = await count("PUT", path.format("large.com"), **params)
        assert small == large, (path, small, large)
    rows = await sql_admin_api.rows("SELECT password, language FROM mailbox WHERE domain = 'large.com'")
    assert len({r["password"] for r in rows}) == 30
    assert all(verify_password(r["password"], "Sh4red-Secret!") and r["language"] == "de_DE" for r in rows)


# deleting


async def test_delete_user_removes_it_everywhere_and_records_the_mailbox(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    await make_user(admin_api, "jane@example.com")
    await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await admin_api.storage.add_forwarding("jane@example.com", "john@example.com")
    for email in ("john@example.com", "jane@example.com"):
        response = await admin_api.call("POST", f"/api/throttle/{email}/outbound", period="60")
        assert response.status_code == 200, response.text
    [throttle] = await admin_api.rows("SELECT id FROM throttle WHERE account = 'john@example.com'", "iredapd")
    await admin_api.execute(
        "INSERT INTO throttle_tracking (tid, account, period) VALUES (:tid, 'john@example.com', 60)",
        "iredapd", tid=throttle["id"],
    )
    home = (await stored(admin_api, "john@example.com")).home
    assert (await stored(admin_api, "jane@example.com")).forwardings == ("jane@example.com", "john@example.com")

    response = await admin_api.call("DELETE", "/api/user/John@example.com")
    assert (response.status_code, response.json()) == (200, {"success": True})

    assert [u.email for u in await admin_api.storage.users()] == ["jane@example.com"]
    assert (await stored(admin_api, "jane@example.com")).forwardings == ("jane@example.com",)
    team = await admin_api.storage.alias("team@example.com")
    assert team is not None and team.members == ("jane@example.com",)
    [deleted] = await deleted_mailboxes(admin_api.storage)
    assert (deleted.username, deleted.domain, deleted.admin) == ("john@example.com", "example.com", ADMIN)
    assert deleted.maildir == home
    assert deleted.delete_date is None
    assert [r["account"] for r in await admin_api.rows("SELECT account FROM throttle", "iredapd")] == [
        "jane@example.com"
    ]
    assert await admin_api.rows("SELECT * FROM throttle_tracking", "iredapd") == []
    refused(await admin_api.call("GET", "/api/user/john@example.com"), 404, "NO_SUCH_ACCOUNT")


async def test_delete_user_removes_its_forwarding_rows(sql_admin_api: Api) -> None:
    await make_domain(sql_admin_api)
    await make_user(sql_admin_api, "john@example.com")
    await make_user(sql_admin_api, "jane@example.com")
    await sql_admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await sql_admin_api.storage.add_forwarding("jane@example.com", "john@example.com")
    maildir = (await mailbox(sql_admin_api, "john@example.com"))["maildir"]

    assert (await sql_admin_api.call("DELETE", "/api/user/John@example.com")).status_code == 200

    assert [r["username"] for r in await sql_admin_api.rows("SELECT username FROM mailbox")] == ["jane@example.com"]
    assert set(await forwarding_states(sql_admin_api)) == {
        ("jane@example.com", "jane@example.com"), ("team@example.com", "jane@example.com")
    }
    [deleted] = await sql_admin_api.rows("SELECT maildir FROM deleted_mailboxes")
    assert deleted["maildir"] == f"/var/vmail/vmail1/{maildir}"


async def test_delete_user_keeping_the_mailbox_for_days(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    response = await admin_api.call("DELETE", "/api/user/john@example.com/keep_mailbox_days/7")
    assert response.status_code == 200, response.text
    [deleted] = await deleted_mailboxes(admin_api.storage)
    assert deleted.delete_date == datetime.date.today() + datetime.timedelta(days=7)


async def test_a_recreated_address_gets_a_fresh_maildir(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    assert (await admin_api.call("DELETE", "/api/user/john@example.com")).status_code == 200
    await make_user(admin_api, "john@example.com")
    [deleted] = await deleted_mailboxes(admin_api.storage)
    [user] = await admin_api.storage.users()
    assert user.email == "john@example.com" and deleted.maildir != user.home
    assert user.forwardings == ("john@example.com",)


async def test_deleting_a_missing_user(admin_api: Api) -> None:
    await make_domain(admin_api)
    before = await admin_api.snapshot()
    refused(await admin_api.call("DELETE", "/api/user/nobody@example.com"), 404, "NO_SUCH_ACCOUNT")
    refused(await admin_api.call("DELETE", "/api/user/nobody@example.com/keep_mailbox_days/3"), 404, "NO_SUCH_ACCOUNT")
    refused(await admin_api.call("DELETE", "/api/user/john@example.com", force="yes"), 400, "INVALID_PARAMETER")
    assert await admin_api.snapshot() == before


# permissions


async def login_domain_admin(api: Api, domain: str) -> None:
    await api.storage.add_admin(DOMAIN_ADMIN, DOMAIN_ADMIN_PASSWORD)
    await api.storage.grant_domain(DOMAIN_ADMIN, domain)
    assert (await api.login(DOMAIN_ADMIN, DOMAIN_ADMIN_PASSWORD)).status_code == 200


async def test_domain_admin_manages_users_of_its_domain_only(admin_api: Api) -> None:
    await make_domain(admin_api, "mine.com")
    await make_domain(admin_api, "theirs.com")
    await make_user(admin_api, "kept@theirs.com")
    await login_domain_admin(admin_api, "mine.com")

    await make_user(admin_api, "john@mine.com", name="John")
    assert (await admin_api.call("GET", "/api/user/john@mine.com")).json()["data"]["name"] == "John"
    assert (await admin_api.call("PUT", "/api/user/john@mine.com", name="Johnny")).status_code == 200
    assert (await admin_api.call("PUT", "/api/users/mine.com", language="de_DE")).status_code == 200
    assert (await admin_api.call("GET", "/api/users/mine.com", email_only="yes")).json()["data"] == ["john@mine.com"]
    user = await stored(admin_api, "john@mine.com")
    assert (user.name, user.language) == ("Johnny", "de_DE")

    before = await admin_api.snapshot()
    for method, path, params in [
        ("POST", "/api/user/new@theirs.com", {"password": STRONG}),
        ("GET", "/api/user/kept@theirs.com", {}),
        ("PUT", "/api/user/kept@theirs.com", {"name": "x"}),
        ("PUT", "/api/user/kept@theirs.com/password", {"password": STRONG}),
        ("DELETE", "/api/user/kept@theirs.com", {}),
        ("GET", "/api/users/theirs.com", {}),
        ("PUT", "/api/users/theirs.com", {"accountStatus": "disabled"}),
        ("PUT", "/api/users/theirs.com/password", {"password": STRONG}),
        ("POST", "/api/user/new@unhosted.com", {"password": STRONG}),
    ]:
        refused(await admin_api.call(method, path, **params), 403, "PERMISSION_DENIED")
    assert await admin_api.snapshot() == before

    assert (await admin_api.call("DELETE", "/api/user/john@mine.com")).status_code == 200
    [deleted] = await deleted_mailboxes(admin_api.storage)
    assert deleted.admin == DOMAIN_ADMIN


async def test_without_login_every_user_path_is_refused(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    assert (await admin_api.call("POST", "/api/logout")).status_code == 200
    before = await admin_api.snapshot()
    for method, path, params in [
        ("POST", "/api/user/new@example.com", {"password": STRONG}),
        ("GET", "/api/user/john@example.com", {}),
        ("PUT", "/api/user/john@example.com", {"name": "x"}),
        ("PUT", "/api/user/john@example.com/password", {"password": STRONG}),
        ("DELETE", "/api/user/john@example.com", {}),
        ("GET", "/api/users/example.com", {}),
        ("PUT", "/api/users/example.com", {"accountStatus": "disabled"}),
        ("PUT", "/api/users/example.com/password", {"password": STRONG}),
    ]:
        refused(await admin_api.call(method, path, **params), 401, "LOGIN_REQUIRED")
    assert await admin_api.snapshot() == before


# concurrency


async def test_concurrent_creates_of_one_address_make_one_user(admin_api: Api) -> None:
    await make_domain(admin_api)
    responses = await asyncio.gather(
        *(admin_api.call("POST", "/api/user/same@example.com", password=STRONG, name=f"N{i}") for i in range(10))
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9, [r.text for r in responses]
    assert {r.json()["msg"] for r in responses if r.status_code == 409} == {"ALREADY_EXISTS"}
    [user] = await admin_api.storage.users()
    assert (user.email, user.forwardings) == ("same@example.com", ("same@example.com",))


async def test_concurrent_creates_respect_the_user_limit(admin_api: Api) -> None:
    await make_domain(admin_api, numberOfUsers="3")
    responses = await asyncio.gather(
        *(admin_api.call("POST", f"/api/user/u{i}@example.com", password=STRONG) for i in range(10))
    )
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7, [r.text for r in responses]
    assert {r.json()["msg"] for r in responses if r.status_code == 409} == {"EXCEEDED_DOMAIN_ACCOUNT_LIMIT"}
    users = await admin_api.storage.users()
    assert len(users) == 3 and all(user.forwardings == (user.email,) for user in users)


async def test_json_body_creates_a_user(admin_api: Api) -> None:
    await make_domain(admin_api)
    response = await admin_api.client.post(
        "/api/user/john@example.com", json={"name": "Json", "password": STRONG, "quota": 42}
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    user = await stored(admin_api, "john@example.com")
    assert (user.name, user.quota) == ("Json", 42)
