from __future__ import annotations

import asyncio
import datetime
import re
from typing import Any

import httpx
import pytest

from gateway.passwords import hash_password, verify_password
from tests.rest.conftest import ADMIN, STRONG, Api, counted_statements

MAILDIR = re.compile(r"example\.com/j/o/h/john\.doe-\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}/")
DOMAIN_ADMIN = "boss@other.org"
DOMAIN_ADMIN_PASSWORD = "Dom-Adm1n!pass"


async def make_domain(api: Api, name: str = "example.com", **params: str) -> None:
    response = await api.call("POST", f"/api/domain/{name}", **params)
    assert response.status_code == 201, response.text


async def make_user(api: Api, email: str, **params: str) -> None:
    if "password_hash" not in params:
        params = {"password": STRONG, **params}
    response = await api.call("POST", f"/api/user/{email}", **params)
    assert response.status_code == 201, response.text


async def mailbox(api: Api, email: str) -> dict[str, Any]:
    [row] = await api.rows("SELECT * FROM mailbox WHERE username = :u", u=email)
    return row


async def forwarding_states(api: Api) -> dict[tuple[str, str], int]:
    rows = await api.rows("SELECT address, forwarding, active FROM forwardings")
    return {(row["address"], row["forwarding"]): int(row["active"]) for row in rows}


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


@pytest.mark.parametrize(
    "params",
    [
        {"cn": "John Doe", "password": STRONG, "preferredLanguage": "de_DE", "mailQuota": "512"},
        {"name": "John Doe", "password": STRONG, "language": "de_DE", "quota": "512"},
    ],
    ids=["old-names", "new-names"],
)
async def test_create_user_writes_the_mailbox_and_its_self_forwarding(admin_api: Api, params: dict[str, str]) -> None:
    await make_domain(admin_api)
    response = await admin_api.call("POST", "/api/user/John.Doe@Example.COM", **params)
    assert (response.status_code, response.json()) == (201, {"success": True})

    [row] = await admin_api.rows("SELECT * FROM mailbox")
    assert row["username"] == "john.doe@example.com"
    assert (row["domain"], row["name"], row["language"], row["quota"]) == ("example.com", "John Doe", "de_DE", 512)
    assert row["password"].startswith("{SSHA512}")
    assert verify_password(row["password"], STRONG)
    assert not verify_password(row["password"], STRONG + "x")
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

    [forwarding] = await admin_api.rows(
        "SELECT address, forwarding, domain, dest_domain, is_forwarding, is_alias, is_list, is_maillist, active "
        "FROM forwardings"
    )
    assert forwarding == {
        "address": "john.doe@example.com", "forwarding": "john.doe@example.com", "domain": "example.com",
        "dest_domain": "example.com", "is_forwarding": 1, "is_alias": 0, "is_list": 0, "is_maillist": 0, "active": 1,
    }


async def test_a_local_part_of_64_characters_is_accepted(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "a" * 64 + "@example.com")
    row = await mailbox(admin_api, "a" * 64 + "@example.com")
    assert row["maildir"].startswith("example.com/a/a/a/" + "a" * 64 + "-")


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
    assert (await mailbox(admin_api, "john@example.com"))["quota"] == quota


async def test_language_defaults_to_the_domain_language(admin_api: Api) -> None:
    await make_domain(admin_api, language="fr_FR")
    await make_user(admin_api, "john@example.com")
    assert (await mailbox(admin_api, "john@example.com"))["language"] == "fr_FR"


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
        ({"quota": "1000"}, {"quota": "501"}, 409, "EXCEEDED_DOMAIN_QUOTA_SIZE"),
        ({"quota": "1000"}, {"quota": "0"}, 409, "EXCEEDED_DOMAIN_QUOTA_SIZE"),
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
    await make_user(admin_api, "first@example.com", quota="500" if "quota" in domain_params else "10",
                    password_hash=hash_password(STRONG))
    before = await admin_api.snapshot()
    params = {"password": STRONG, **user_params}
    refused(await admin_api.call("POST", "/api/user/john@example.com", **params), status, code)
    assert await admin_api.snapshot() == before


async def test_limits_admit_what_fits_exactly(admin_api: Api) -> None:
    await make_domain(admin_api, quota="1000", maxUserQuota="600", minPasswordLength="16", maxPasswordLength="16")
    await make_user(admin_api, "a@example.com", quota="600", password=STRONG)
    await make_user(admin_api, "b@example.com", quota="400", password=STRONG)
    refused(await admin_api.call("POST", "/api/user/c@example.com", password=STRONG, quota="1"),
            409, "EXCEEDED_DOMAIN_QUOTA_SIZE")
    assert len(await admin_api.rows("SELECT * FROM mailbox")) == 2


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
    stored = hash_password("weak")
    await make_user(admin_api, "john@example.com", password_hash=stored)
    row = await mailbox(admin_api, "john@example.com")
    assert row["password"] == stored and verify_password(row["password"], "weak")


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


async def test_get_user_reports_the_row_and_never_the_password(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com", name="John", language="de_DE", quota="250",
                    employeeid="E-7", transport="relay:[192.0.2.1]:25")
    row = await mailbox(admin_api, "john@example.com")
    response = await admin_api.call("GET", "/api/user/John@Example.com")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert {key: data[key] for key in ("mail", "domain", "name", "language", "quota", "transport",
                                       "accountStatus", "employeeid", "isAdmin", "isGlobalAdmin", "maildir",
                                       "forwardings")} == {
        "mail": "john@example.com", "domain": "example.com", "name": "John", "language": "de_DE", "quota": 250,
        "transport": "relay:[192.0.2.1]:25", "accountStatus": "active", "employeeid": "E-7", "isAdmin": False,
        "isGlobalAdmin": False, "maildir": row["maildir"], "forwardings": ["john@example.com"],
    }
    assert data["created"] == str(as_datetime(row["created"]))
    assert data["passwordLastChange"] == str(as_datetime(row["passwordlastchange"]))
    assert {key for key in keys_of(body) if "password" in key.lower()} == {"passwordLastChange"}
    assert row["password"] not in response.text
    assert row["password"].removeprefix("{SSHA512}")[:20] not in response.text


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
    for row in await admin_api.rows("SELECT password FROM mailbox"):
        assert row["password"] not in full.text

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


async def test_update_user_profile_columns(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com", name="John", quota="100")
    password = (await mailbox(admin_api, "john@example.com"))["password"]
    response = await admin_api.call(
        "PUT", "/api/user/john@example.com", cn="John Q. Doe", preferredLanguage="fr_FR", mailQuota="300",
        transport="smtp:[192.0.2.9]:25", employeeid="E-42",
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    row = await mailbox(admin_api, "john@example.com")
    assert (row["name"], row["language"], row["quota"], row["transport"], row["employeeid"]) == (
        "John Q. Doe", "fr_FR", 300, "smtp:[192.0.2.9]:25", "E-42"
    )
    assert row["password"] == password and row["active"] == 1
    assert is_recent(row["modified"])
    response = await admin_api.call("PUT", "/api/user/john@example.com", name="", quota="0", transport="")
    assert response.status_code == 200, response.text
    row = await mailbox(admin_api, "john@example.com")
    assert (row["name"], row["quota"], row["transport"], row["language"]) == ("", 0, "", "fr_FR")


async def test_disabling_a_user_disables_its_forwardings_and_enabling_restores_them(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    await make_user(admin_api, "jane@example.com")
    response = await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    assert response.status_code == 201, response.text
    await admin_api.execute(
        "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_forwarding, active) "
        "VALUES ('jane@example.com', 'john@example.com', 'example.com', 'example.com', 1, 1)"
    )
    everything_active = await forwarding_states(admin_api)
    assert set(everything_active.values()) == {1}

    response = await admin_api.call("PUT", "/api/user/john@example.com", accountStatus="disabled")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await mailbox(admin_api, "john@example.com"))["active"] == 0
    assert (await mailbox(admin_api, "jane@example.com"))["active"] == 1
    assert await forwarding_states(admin_api) == {
        **everything_active,
        ("john@example.com", "john@example.com"): 0,
        ("team@example.com", "john@example.com"): 0,
        ("jane@example.com", "john@example.com"): 0,
    }
    data = (await admin_api.call("GET", "/api/user/john@example.com")).json()["data"]
    assert data["accountStatus"] == "disabled"

    response = await admin_api.call("PUT", "/api/user/john@example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert (await mailbox(admin_api, "john@example.com"))["active"] == 1
    assert await forwarding_states(admin_api) == everything_active


async def test_enabling_a_user_leaves_rows_of_disabled_senders_disabled(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    await make_user(admin_api, "jane@example.com")
    await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com")
    await admin_api.execute(
        "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_forwarding, active) "
        "VALUES ('jane@example.com', 'john@example.com', 'example.com', 'example.com', 1, 1)"
    )
    await admin_api.call("PUT", "/api/user/john@example.com", accountStatus="disabled")
    assert (await admin_api.call("PUT", "/api/alias/team@example.com", accountStatus="disabled")).status_code == 200
    assert (await admin_api.call("PUT", "/api/user/jane@example.com", accountStatus="disabled")).status_code == 200
    assert (await admin_api.call("PUT", "/api/user/john@example.com", accountStatus="active")).status_code == 200
    assert await forwarding_states(admin_api) == {
        ("john@example.com", "john@example.com"): 1,
        ("jane@example.com", "jane@example.com"): 0,
        ("jane@example.com", "john@example.com"): 0,
        ("team@example.com", "john@example.com"): 0,
    }


async def test_update_password_changes_hash_and_passwordlastchange(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    await admin_api.execute("UPDATE mailbox SET passwordlastchange = '2001-02-03 04:05:06'")
    response = await admin_api.call("PUT", "/api/user/john@example.com", password="N3w-Passw0rd!")
    assert response.status_code == 200, response.text
    row = await mailbox(admin_api, "john@example.com")
    assert verify_password(row["password"], "N3w-Passw0rd!") and not verify_password(row["password"], STRONG)
    assert is_recent(row["passwordlastchange"])


async def test_set_password_endpoint(admin_api: Api) -> None:
    await make_domain(admin_api, minPasswordLength="14")
    await make_user(admin_api, "john@example.com")
    await admin_api.execute("UPDATE mailbox SET passwordlastchange = '2001-02-03 04:05:06'")
    response = await admin_api.call("PUT", "/api/user/john@example.com/password", password="An0ther-Passw0rd")
    assert (response.status_code, response.json()) == (200, {"success": True})
    row = await mailbox(admin_api, "john@example.com")
    assert verify_password(row["password"], "An0ther-Passw0rd")
    assert is_recent(row["passwordlastchange"])

    stored = hash_password("Pre-Hashed-1!")
    response = await admin_api.call("PUT", "/api/user/john@example.com/password", password_hash=stored)
    assert response.status_code == 200, response.text
    assert (await mailbox(admin_api, "john@example.com"))["password"] == stored

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


async def test_update_quota_is_checked_against_the_limits(admin_api: Api) -> None:
    await make_domain(admin_api, quota="300", maxUserQuota="250")
    await make_user(admin_api, "a@example.com", quota="100")
    await make_user(admin_api, "b@example.com", quota="100")
    before = await admin_api.snapshot()
    for quota in ("251", "0"):
        refused(await admin_api.call("PUT", "/api/user/a@example.com", quota=quota), 409, "EXCEEDED_MAX_USER_QUOTA")
    assert await admin_api.snapshot() == before
    assert (await admin_api.call("PUT", "/api/domain/example.com", maxUserQuota="0")).status_code == 200
    before = await admin_api.snapshot()
    for quota in ("201", "0"):
        refused(await admin_api.call("PUT", "/api/user/a@example.com", quota=quota), 409, "EXCEEDED_DOMAIN_QUOTA_SIZE")
    assert await admin_api.snapshot() == before
    assert (await admin_api.call("PUT", "/api/user/a@example.com", quota="200")).status_code == 200
    assert (await mailbox(admin_api, "a@example.com"))["quota"] == 200


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
    other_before = await admin_api.rows("SELECT * FROM mailbox WHERE domain = 'other.com'")

    response = await admin_api.call(
        "PUT", "/api/users/example.com", accountStatus="disabled", preferredLanguage="de_DE",
        transport="relay:[192.0.2.1]:25",
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    rows = await admin_api.rows(
        "SELECT username, active, language, transport FROM mailbox WHERE domain = 'example.com'"
    )
    assert sorted(rows, key=lambda r: r["username"]) == [
        {"username": u, "active": 0, "language": "de_DE", "transport": "relay:[192.0.2.1]:25"}
        for u in ("a@example.com", "b@example.com")
    ]
    assert await admin_api.rows("SELECT * FROM mailbox WHERE domain = 'other.com'") == other_before
    assert await forwarding_states(admin_api) == {
        ("a@example.com", "a@example.com"): 0, ("b@example.com", "b@example.com"): 0, ("c@other.com", "c@other.com"): 1,
    }

    response = await admin_api.call("PUT", "/api/users/example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert {r["active"] for r in await admin_api.rows("SELECT active FROM mailbox")} == {1}
    assert set((await forwarding_states(admin_api)).values()) == {1}


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
    await admin_api.execute("UPDATE mailbox SET passwordlastchange = '2001-02-03 04:05:06'")
    other = await mailbox(admin_api, "d@other.com")

    response = await admin_api.call("PUT", "/api/users/example.com/password", password="Sh4red-Secret!")
    assert (response.status_code, response.json()) == (200, {"success": True})
    rows = await admin_api.rows("SELECT * FROM mailbox WHERE domain = 'example.com'")
    assert len(rows) == 3
    assert all(verify_password(r["password"], "Sh4red-Secret!") for r in rows)
    assert all(is_recent(r["passwordlastchange"]) for r in rows)
    assert len({r["password"] for r in rows}) == 3
    assert await mailbox(admin_api, "d@other.com") == other

    response = await admin_api.call("PUT", "/api/users/example.com", password="An0ther-Shared!")
    assert response.status_code == 200, response.text
    rows = await admin_api.rows("SELECT password FROM mailbox WHERE domain = 'example.com'")
    assert all(verify_password(r["password"], "An0ther-Shared!") for r in rows)


async def test_bulk_changes_run_a_constant_number_of_statements(admin_api: Api) -> None:
    await make_domain(admin_api, "small.com")
    await make_domain(admin_api, "large.com")
    for i in range(3):
        await make_user(admin_api, f"u{i}@small.com")
    for i in range(30):
        await make_user(admin_api, f"u{i}@large.com")

    async def count(method: str, path: str, **params: str) -> int:
        with counted_statements(admin_api) as statements:
            response = await admin_api.call(method, path, **params)
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
    rows = await admin_api.rows("SELECT password, language FROM mailbox WHERE domain = 'large.com'")
    assert len({r["password"] for r in rows}) == 30
    assert all(verify_password(r["password"], "Sh4red-Secret!") and r["language"] == "de_DE" for r in rows)


# deleting


async def test_delete_user_removes_its_rows_and_records_the_mailbox(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    await make_user(admin_api, "jane@example.com")
    await admin_api.call("POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await admin_api.execute(
        "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_forwarding, active) "
        "VALUES ('jane@example.com', 'john@example.com', 'example.com', 'example.com', 1, 1)"
    )
    for email in ("john@example.com", "jane@example.com"):
        response = await admin_api.call("POST", f"/api/throttle/{email}/outbound", period="60")
        assert response.status_code == 200, response.text
    [throttle] = await admin_api.rows("SELECT id FROM throttle WHERE account = 'john@example.com'", "iredapd")
    await admin_api.execute(
        "INSERT INTO throttle_tracking (tid, account, period) VALUES (:tid, 'john@example.com', 60)",
        "iredapd", tid=throttle["id"],
    )
    maildir = (await mailbox(admin_api, "john@example.com"))["maildir"]

    response = await admin_api.call("DELETE", "/api/user/John@example.com")
    assert (response.status_code, response.json()) == (200, {"success": True})

    assert [r["username"] for r in await admin_api.rows("SELECT username FROM mailbox")] == ["jane@example.com"]
    assert set(await forwarding_states(admin_api)) == {
        ("jane@example.com", "jane@example.com"), ("team@example.com", "jane@example.com")
    }
    [deleted] = await admin_api.rows("SELECT * FROM deleted_mailboxes")
    assert (deleted["username"], deleted["domain"], deleted["admin"]) == ("john@example.com", "example.com", ADMIN)
    assert deleted["maildir"] == f"/var/vmail/vmail1/{maildir}"
    assert deleted["delete_date"] is None
    assert [r["account"] for r in await admin_api.rows("SELECT account FROM throttle", "iredapd")] == [
        "jane@example.com"
    ]
    assert await admin_api.rows("SELECT * FROM throttle_tracking", "iredapd") == []
    refused(await admin_api.call("GET", "/api/user/john@example.com"), 404, "NO_SUCH_ACCOUNT")


async def test_delete_user_keeping_the_mailbox_for_days(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    response = await admin_api.call("DELETE", "/api/user/john@example.com/keep_mailbox_days/7")
    assert response.status_code == 200, response.text
    [deleted] = await admin_api.rows("SELECT delete_date FROM deleted_mailboxes")
    assert str(deleted["delete_date"])[:10] == str(datetime.date.today() + datetime.timedelta(days=7))


async def test_a_recreated_address_gets_a_fresh_maildir(admin_api: Api) -> None:
    await make_domain(admin_api)
    await make_user(admin_api, "john@example.com")
    assert (await admin_api.call("DELETE", "/api/user/john@example.com")).status_code == 200
    await make_user(admin_api, "john@example.com")
    [deleted] = await admin_api.rows("SELECT maildir FROM deleted_mailboxes")
    maildir = (await mailbox(admin_api, "john@example.com"))["maildir"]
    assert deleted["maildir"] != f"/var/vmail/vmail1/{maildir}"
    assert len(await admin_api.rows("SELECT * FROM forwardings")) == 1


async def test_deleting_a_missing_user(admin_api: Api) -> None:
    await make_domain(admin_api)
    before = await admin_api.snapshot()
    refused(await admin_api.call("DELETE", "/api/user/nobody@example.com"), 404, "NO_SUCH_ACCOUNT")
    refused(await admin_api.call("DELETE", "/api/user/nobody@example.com/keep_mailbox_days/3"), 404, "NO_SUCH_ACCOUNT")
    refused(await admin_api.call("DELETE", "/api/user/john@example.com", force="yes"), 400, "INVALID_PARAMETER")
    assert await admin_api.snapshot() == before


# permissions


async def login_domain_admin(api: Api, domain: str) -> None:
    await api.execute(
        "INSERT INTO admin (username, password, active) VALUES (:u, :p, 1)",
        u=DOMAIN_ADMIN, p=hash_password(DOMAIN_ADMIN_PASSWORD),
    )
    await api.execute(
        "INSERT INTO domain_admins (username, domain, active) VALUES (:u, :d, 1)", u=DOMAIN_ADMIN, d=domain
    )
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
    row = await mailbox(admin_api, "john@mine.com")
    assert (row["name"], row["language"]) == ("Johnny", "de_DE")

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
    [deleted] = await admin_api.rows("SELECT admin FROM deleted_mailboxes")
    assert deleted["admin"] == DOMAIN_ADMIN


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
    assert len(await admin_api.rows("SELECT * FROM mailbox")) == 1
    assert len(await admin_api.rows("SELECT * FROM forwardings")) == 1


async def test_concurrent_creates_respect_the_user_limit(admin_api: Api) -> None:
    await make_domain(admin_api, numberOfUsers="3")
    responses = await asyncio.gather(
        *(admin_api.call("POST", f"/api/user/u{i}@example.com", password=STRONG) for i in range(10))
    )
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7, [r.text for r in responses]
    assert {r.json()["msg"] for r in responses if r.status_code == 409} == {"EXCEEDED_DOMAIN_ACCOUNT_LIMIT"}
    assert len(await admin_api.rows("SELECT * FROM mailbox")) == 3
    assert len(await admin_api.rows("SELECT * FROM forwardings")) == 3


async def test_json_body_creates_a_user(admin_api: Api) -> None:
    await make_domain(admin_api)
    response = await admin_api.client.post(
        "/api/user/john@example.com", json={"name": "Json", "password": STRONG, "quota": 42}
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    row = await mailbox(admin_api, "john@example.com")
    assert (row["name"], row["quota"]) == ("Json", 42)
