"""Every mutation: what it stores, and on failure its code with nothing written.

Behaviour runs on every backend and is read back through ``api.storage``;
the SQL rows and LDAP entries behind it are checked on their own backend.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from gateway.backends.ldap.dn import CONTAINERS
from gateway.backends.ldap.mapping import USER_SERVICES
from gateway.passwords import hash_password, verify_password
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, STRONG, Api
from tests.schema.conftest import codes, data, gql
from tests.storage import (
    MB,
    LdapStorage,
    StoredAlias,
    StoredDomain,
    deleted_mailboxes,
    fetch,
    set_used_quota,
    today,
)

MAILDIR = re.compile(r"example\.com/j/a/n/jane-\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}/")
HOME = re.compile(r"/var/vmail/vmail1/" + MAILDIR.pattern)
LONG_AGO = datetime.date(2001, 2, 3)

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username isGlobal domains } }"
CREATE_DOMAIN = """mutation($n: String!, $i: DomainInput) { createDomain(name: $n, input: $i) {
    name description active transport quota defaultUserQuota maxUserQuota maxUsers maxAliases maxLists
    minPasswordLength maxPasswordLength defaultLanguage userCount } }"""
UPDATE_DOMAIN = """mutation($n: String!, $i: DomainInput!) { updateDomain(name: $n, input: $i) {
    name description active transport minPasswordLength maxPasswordLength } }"""
DELETE_DOMAIN = "mutation($n: String!, $d: Int) { deleteDomain(name: $n, keepMailboxDays: $d) }"
CREATE_USER = """mutation($e: String!, $i: UserInput!) { createUser(email: $e, input: $i) {
    email name language quota transport active employeeId forwardings domain { name userCount } } }"""
UPDATE_USER = """mutation($e: String!, $i: UserInput!) { updateUser(email: $e, input: $i) {
    email name language quota transport active employeeId } }"""
SET_PASSWORD = "mutation($e: String!, $p: String!) { setUserPassword(email: $e, password: $p) }"
DELETE_USER = "mutation($e: String!, $d: Int) { deleteUser(email: $e, keepMailboxDays: $d) }"
UPDATE_DOMAIN_USERS = "mutation($d: String!, $i: DomainUsersInput!) { updateDomainUsers(domain: $d, input: $i) }"
SET_DOMAIN_PASSWORD = "mutation($d: String!, $p: String!) { setDomainUsersPassword(domain: $d, password: $p) }"
CREATE_ALIAS = """mutation($e: String!, $i: AliasInput) { createAlias(email: $e, input: $i) {
    email name accessPolicy active members domain { name aliasCount } } }"""
UPDATE_ALIAS = """mutation($e: String!, $i: AliasInput!) { updateAlias(email: $e, input: $i) {
    email name accessPolicy active members } }"""
DELETE_ALIAS = "mutation($e: String!) { deleteAlias(email: $e) }"
CREATE_LIST = """mutation($e: String!, $i: AliasInput) { createMailingList(email: $e, input: $i) {
    email name accessPolicy active members domain { name } } }"""
UPDATE_LIST = """mutation($e: String!, $i: AliasInput!) { updateMailingList(email: $e, input: $i) {
    email name accessPolicy active members } }"""
DELETE_LIST = "mutation($e: String!) { deleteMailingList(email: $e) }"
SET_THROTTLE = """mutation($a: String!, $k: ThrottleKind!, $i: ThrottleInput!) {
    setThrottle(account: $a, kind: $k, input: $i) {
    account scope kind priority period msgSize maxMsgs maxQuota maxRcpts } }"""
DELETE_THROTTLE = "mutation($a: String!, $k: ThrottleKind!) { deleteThrottle(account: $a, kind: $k) }"
LIMITS = ("period", "msg_size", "max_msgs", "max_quota", "max_rcpts")


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (path, response.text)


async def refused(api: Api, code: str, query: str, **variables: Any) -> None:
    """The operation fails with ``code`` and leaves all storage as it was."""
    before = await api.snapshot()
    body = await gql(api, query, **variables)
    assert codes(body) == [code], body
    assert body["data"] is None
    assert await api.snapshot() == before


async def mailbox(api: Api, email: str) -> dict[str, Any]:
    [row] = await api.rows("SELECT * FROM mailbox WHERE username = :u", u=email)
    return row


async def forwarding_states(api: Api) -> dict[tuple[str, str], int]:
    rows = await api.rows("SELECT address, forwarding, active FROM forwardings")
    return {(row["address"], row["forwarding"]): int(row["active"]) for row in rows}


async def member_rows(api: Api, address: str) -> list[tuple[str, int]]:
    rows = await api.rows(
        "SELECT forwarding, active FROM forwardings WHERE address = :a AND is_list = 1 ORDER BY forwarding", a=address
    )
    return [(row["forwarding"], int(row["active"])) for row in rows]


async def throttle_rows(api: Api) -> list[dict[str, Any]]:
    rows = await api.rows("SELECT * FROM throttle ORDER BY account, kind", "iredapd")
    return [{"account": r["account"], "kind": r["kind"], "priority": int(r["priority"]),
             **{name: int(r[name]) for name in LIMITS}} for r in rows]


def as_datetime(value: Any) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value))


def is_recent(value: Any) -> bool:
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return abs(now - as_datetime(value)) < datetime.timedelta(minutes=5)


def directory(api: Api) -> LdapStorage:
    assert isinstance(api.storage, LdapStorage)
    return api.storage


def stored_domain(name: str, **given: Any) -> StoredDomain:
    """A stored domain with nothing set beyond ``given``."""
    values: dict[str, Any] = {
        "name": name, "description": "", "active": True, "transport": "dovecot", "max_users": 0, "max_aliases": 0,
        "max_lists": 0, "default_user_quota": 0, "max_user_quota": 0, "min_password_length": 0,
        "max_password_length": 0, "default_language": "",
    }
    return StoredDomain(**{**values, **given})


async def populate(api: Api) -> Api:
    """example.com with john and jane, other.org with carol."""
    await ok(api, "POST", "/api/domain/example.com")
    await ok(api, "POST", "/api/domain/other.org")
    for email in ("john@example.com", "jane@example.com", "carol@other.org"):
        await ok(api, "POST", f"/api/user/{email}", password=STRONG)
    return api


@pytest.fixture
async def example(admin_api: Api) -> Api:
    """example.com with john and jane, other.org with carol, on every backend."""
    return await populate(admin_api)


@pytest.fixture
async def sql_example(sql_admin_api: Api) -> Api:
    """``example`` on the SQL backends only."""
    return await populate(sql_admin_api)


@pytest.fixture
async def ldap_example(ldap_admin_api: Api) -> Api:
    """``example`` on OpenLDAP only."""
    return await populate(ldap_admin_api)


# sessions


async def test_login_through_graphql_opens_the_rest_session_and_logout_closes_both(api: Api) -> None:
    assert (await api.call("GET", "/api/domains")).status_code == 401
    result = await data(api, LOGIN, u=ADMIN, p=ADMIN_PASSWORD)
    assert result == {"login": {"username": ADMIN, "isGlobal": True, "domains": []}}
    response = await api.call("GET", "/api/domains")
    assert (response.status_code, response.json()) == (200, {"success": True, "data": []})
    assert await data(api, "{ me { username } }") == {"me": {"username": ADMIN}}

    assert await data(api, "mutation { logout }") == {"logout": True}
    response = await api.call("GET", "/api/domains")
    assert (response.status_code, response.json()) == (401, {"success": False, "msg": "LOGIN_REQUIRED"})
    assert codes(await gql(api, "{ me { username } }")) == ["LOGIN_REQUIRED"]


async def test_a_rest_login_serves_graphql_and_a_rest_logout_ends_it(api: Api) -> None:
    assert (await api.login()).status_code == 200
    assert await data(api, "{ me { username isGlobal } }") == {"me": {"username": ADMIN, "isGlobal": True}}
    assert (await api.call("POST", "/api/logout")).status_code == 200
    assert codes(await gql(api, "{ me { username } }")) == ["LOGIN_REQUIRED"]


async def test_bad_credentials(api: Api) -> None:
    for username, password in [
        (ADMIN, "wrong-password"), ("nobody@admins.test", ADMIN_PASSWORD), ("not an address", ADMIN_PASSWORD),
        (ADMIN, ""), ("' OR 1=1 --", "x"),
    ]:
        response = await api.client.post("/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}})
        assert codes(response.json()) == ["INVALID_CREDENTIALS"], username
        assert "set-cookie" not in response.headers
        assert (await api.call("GET", "/api/domains")).status_code == 401


async def test_a_domain_admin_logs_in(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/a.com")
    await admin_api.storage.add_admin("boss@a.com", STRONG)
    await admin_api.storage.grant_domain("boss@a.com", "a.com")
    result = await data(admin_api, LOGIN, u="Boss@A.com", p=STRONG)
    assert result == {"login": {"username": "boss@a.com", "isGlobal": False, "domains": ["a.com"]}}


# domains


async def test_create_domain_stores_its_profile_and_settings(admin_api: Api) -> None:
    result = await data(
        admin_api, CREATE_DOMAIN, n="Example.COM",
        i={"description": "Example Inc.", "defaultLanguage": "de_DE", "defaultUserQuota": 1024, "maxUserQuota": 2048,
           "maxUsers": 10, "maxAliases": 5, "maxLists": 3, "minPasswordLength": 12, "maxPasswordLength": 40},
    )
    assert result["createDomain"] == {
        "name": "example.com", "description": "Example Inc.", "active": True, "transport": "dovecot", "quota": 0,
        "defaultUserQuota": 1024, "maxUserQuota": 2048, "maxUsers": 10, "maxAliases": 5, "maxLists": 3,
        "minPasswordLength": 12, "maxPasswordLength": 40, "defaultLanguage": "de_DE", "userCount": 0,
    }
    assert await admin_api.storage.domains() == ["example.com"]
    assert await admin_api.storage.domain("example.com") == stored_domain(
        "example.com", description="Example Inc.", default_language="de_DE", default_user_quota=1024,
        max_user_quota=2048, max_users=10, max_aliases=5, max_lists=3, min_password_length=12,
        max_password_length=40,
    )


async def test_create_domain_writes_the_row_iredmail_expects(sql_admin_api: Api) -> None:
    result = await data(
        sql_admin_api, CREATE_DOMAIN, n="Example.COM",
        i={"description": "Example Inc.", "quota": 4096, "defaultLanguage": "de_DE", "defaultUserQuota": 1024,
           "maxUserQuota": 2048, "maxUsers": 10, "maxAliases": 5, "maxLists": 3},
    )
    assert result["createDomain"] == {
        "name": "example.com", "description": "Example Inc.", "active": True, "transport": "dovecot", "quota": 4096,
        "defaultUserQuota": 1024, "maxUserQuota": 2048, "maxUsers": 10, "maxAliases": 5, "maxLists": 3,
        "minPasswordLength": 0, "maxPasswordLength": 0, "defaultLanguage": "de_DE", "userCount": 0,
    }
    [row] = await sql_admin_api.rows("SELECT * FROM domain")
    assert row["domain"] == "example.com" and row["description"] == "Example Inc."
    assert (row["maxquota"], row["mailboxes"], row["aliases"], row["maillists"]) == (4096, 10, 5, 3)
    assert (row["transport"], row["active"], row["backupmx"]) == ("dovecot", 1, 0)
    assert row["settings"] == "default_language:de_DE;default_user_quota:1024;max_user_quota:2048;"
    assert is_recent(row["created"])


async def test_create_domain_writes_the_entry_iredmail_expects(ldap_admin_api: Api) -> None:
    await data(
        ldap_admin_api, CREATE_DOMAIN, n="Example.COM",
        i={"description": "Example Inc.", "defaultLanguage": "de_DE", "defaultUserQuota": 1024,
           "maxUserQuota": 2048, "maxUsers": 10, "maxAliases": 5, "maxLists": 3},
    )
    storage = directory(ldap_admin_api)
    assert storage.entry(storage.tree.domain_dn("example.com")) == {
        "objectclass": ["mailDomain"], "domainname": ["example.com"], "mtatransport": ["dovecot"],
        "enabledservice": ["mail"], "cn": ["Example Inc."], "accountstatus": ["active"],
        "accountsetting": sorted([
            "defaultLanguage:de_DE", "defaultQuota:1024", "maxUserQuota:2048", "numberOfAliases:5",
            "numberOfLists:3", "numberOfUsers:10",
        ]),
    }
    for container in CONTAINERS:
        assert storage.entry(storage.tree.container_dn("example.com", container)) == {
            "objectclass": ["organizationalUnit"], "ou": [container],
        }, container


async def test_a_domain_quota_is_stored_on_ldap(ldap_admin_api: Api) -> None:
    result = await data(ldap_admin_api, CREATE_DOMAIN, n="example.com", i={"quota": 4096})
    assert result["createDomain"]["quota"] == 4096
    result = await data(ldap_admin_api, UPDATE_DOMAIN, n="example.com", i={"quota": 0, "description": "D"})
    assert result["updateDomain"]["description"] == "D"
    assert (await data(ldap_admin_api, '{ domain(name: "example.com") { quota } }'))["domain"]["quota"] == 0


async def test_create_domain_without_input(admin_api: Api) -> None:
    assert (await data(admin_api, CREATE_DOMAIN, n="plain.com"))["createDomain"]["name"] == "plain.com"
    assert await admin_api.storage.domains() == ["plain.com"]
    assert await admin_api.storage.domain("plain.com") == stored_domain("plain.com")


async def test_create_domain_without_input_leaves_quota_and_settings_empty(sql_admin_api: Api) -> None:
    await data(sql_admin_api, CREATE_DOMAIN, n="plain.com")
    [row] = await sql_admin_api.rows("SELECT domain, description, maxquota, mailboxes, settings, active FROM domain")
    assert (row["domain"], row["maxquota"], row["mailboxes"], row["active"]) == ("plain.com", 0, 0, 1)
    assert not row["description"] and not row["settings"]


BAD_DOMAINS: list[tuple[str, dict[str, Any], str]] = [
    ("example.com", {}, "ALREADY_EXISTS"),
    ("not_a_domain", {}, "INVALID_DOMAIN_NAME"),
    ("example.com';DROP TABLE domain;--", {}, "INVALID_DOMAIN_NAME"),
    ("new.com", {"quota": -1}, "INVALID_QUOTA"),
    ("new.com", {"maxUsers": -2}, "INVALID_PARAMETER"),
    ("new.com", {"defaultLanguage": "english"}, "INVALID_LANGUAGE"),
    ("new.com", {"transport": "dovecot; rm -rf /"}, "INVALID_TRANSPORT"),
    ("new.com", {"description": "bad\x00name"}, "INVALID_NAME"),
    ("new.com", {"active": False}, "INVALID_PARAMETER"),
    ("new.com", {"minPasswordLength": 20, "maxPasswordLength": 10}, "INVALID_PASSWORD_LENGTH_RANGE"),
    ("new.com", {"defaultUserQuota": 200, "maxUserQuota": 100}, "INVALID_DEFAULT_QUOTA"),
]


async def test_bad_create_domain_writes_nothing(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/example.com", name="First")
    for name, given, code in BAD_DOMAINS:
        await refused(admin_api, code, CREATE_DOMAIN, n=name, i=given)


UPDATED_DOMAIN = {"description": "New", "active": False, "minPasswordLength": 10, "maxPasswordLength": 30,
                  "transport": "relay:[192.0.2.1]:25"}


async def test_update_domain_changes_its_profile_and_settings(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/example.com", defaultQuota="100")
    result = await data(admin_api, UPDATE_DOMAIN, n="example.com", i=UPDATED_DOMAIN)
    assert result["updateDomain"] == {
        "name": "example.com", "description": "New", "active": False, "transport": "relay:[192.0.2.1]:25",
        "minPasswordLength": 10, "maxPasswordLength": 30,
    }
    assert await admin_api.storage.domain("example.com") == stored_domain(
        "example.com", description="New", active=False, transport="relay:[192.0.2.1]:25", default_user_quota=100,
        min_password_length=10, max_password_length=30,
    )


async def test_update_domain_changes_columns_and_settings(sql_admin_api: Api) -> None:
    await ok(sql_admin_api, "POST", "/api/domain/example.com", defaultQuota="100")
    await data(sql_admin_api, UPDATE_DOMAIN, n="example.com", i=UPDATED_DOMAIN)
    [row] = await sql_admin_api.rows("SELECT * FROM domain")
    assert (row["description"], row["active"], row["transport"]) == ("New", 0, "relay:[192.0.2.1]:25")
    assert row["settings"] == "default_user_quota:100;max_passwd_length:30;min_passwd_length:10;"
    assert is_recent(row["modified"])


async def test_update_domain_changes_attributes_and_account_settings(ldap_admin_api: Api) -> None:
    await ok(ldap_admin_api, "POST", "/api/domain/example.com", defaultQuota="100")
    await data(ldap_admin_api, UPDATE_DOMAIN, n="example.com", i=UPDATED_DOMAIN)
    storage = directory(ldap_admin_api)
    entry = storage.entry(storage.tree.domain_dn("example.com"))
    assert entry is not None
    assert (entry["cn"], entry["accountstatus"], entry["mtatransport"]) == (
        ["New"], ["disabled"], ["relay:[192.0.2.1]:25"])
    assert entry["accountsetting"] == ["defaultQuota:100", "maxPasswordLength:30", "minPasswordLength:10"]


async def test_bad_update_domain_writes_nothing(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/example.com", maxPasswordLength="20")
    await refused(admin_api, "NO_SUCH_DOMAIN", UPDATE_DOMAIN, n="nowhere.com", i={"description": "x"})
    await refused(admin_api, "INVALID_PASSWORD_LENGTH_RANGE", UPDATE_DOMAIN, n="example.com",
                  i={"minPasswordLength": 30})
    await refused(admin_api, "INVALID_QUOTA", UPDATE_DOMAIN, n="example.com", i={"quota": -5})


async def test_delete_domain_removes_its_accounts_and_records_mailboxes(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", members="john@example.com,carol@other.org")
    await ok(example, "POST", "/api/throttle/example.com/inbound", period="60", max_msgs="5")
    await ok(example, "POST", "/api/throttle/john@example.com/outbound", period="60", max_msgs="5")
    await ok(example, "POST", "/api/throttle/carol@other.org/outbound", period="60", max_msgs="5")
    homes = {user.email: user.home for user in await example.storage.users("example.com")}
    other = await example.storage.users("other.org")

    assert await data(example, DELETE_DOMAIN, n="Example.com") == {"deleteDomain": True}
    assert await example.storage.domains() == ["other.org"]
    assert await example.storage.users() == other
    assert await example.storage.aliases() == []
    assert [(r["account"], r["kind"]) for r in await throttle_rows(example)] == [("carol@other.org", "outbound")]
    deleted = await deleted_mailboxes(example.storage)
    assert [(d.username, d.domain, d.admin, d.delete_date, d.maildir) for d in deleted] == [
        (email, "example.com", ADMIN, None, homes[email]) for email in ("jane@example.com", "john@example.com")
    ]
    await refused(example, "NO_SUCH_DOMAIN", DELETE_DOMAIN, n="example.com")


async def test_delete_domain_leaves_no_row_of_it(sql_example: Api) -> None:
    await ok(sql_example, "POST", "/api/alias/team@example.com", members="john@example.com,carol@other.org")
    other = await sql_example.rows("SELECT * FROM mailbox WHERE domain = 'other.org'")
    assert await data(sql_example, DELETE_DOMAIN, n="example.com") == {"deleteDomain": True}
    for table in ("domain", "mailbox", "forwardings", "alias"):
        assert await sql_example.rows(f"SELECT * FROM {table} WHERE domain = 'example.com'") == [], table
    assert await sql_example.rows("SELECT * FROM mailbox WHERE domain = 'other.org'") == other


async def test_delete_domain_keeping_mailboxes_for_days(example: Api) -> None:
    assert await data(example, DELETE_DOMAIN, n="example.com", d=30) == {"deleteDomain": True}
    deleted = await deleted_mailboxes(example.storage)
    assert len(deleted) == 2
    assert {mailbox.delete_date for mailbox in deleted} == {datetime.date.today() + datetime.timedelta(days=30)}
    await refused(example, "INVALID_PARAMETER", DELETE_DOMAIN, n="other.org", d=-1)


# users

NEW_JANE = {"name": "Jane Doe", "password": STRONG, "language": "de_DE", "quota": 512, "employeeId": "E-1"}


async def test_create_user_stores_the_mailbox(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/example.com")
    result = await data(admin_api, CREATE_USER, e="Jane@Example.COM", i=NEW_JANE)
    assert result["createUser"] == {
        "email": "jane@example.com", "name": "Jane Doe", "language": "de_DE", "quota": 512, "transport": "",
        "active": True, "employeeId": "E-1", "forwardings": ["jane@example.com"],
        "domain": {"name": "example.com", "userCount": 1},
    }
    jane = await admin_api.storage.user("jane@example.com")
    assert jane is not None
    assert (jane.domain, jane.name, jane.language, jane.quota, jane.employee_id, jane.transport) == (
        "example.com", "Jane Doe", "de_DE", 512, "E-1", "")
    assert (jane.active, jane.is_global_admin, jane.forwardings) == (True, False, ("jane@example.com",))
    assert jane.password.startswith("{SSHA512}") and verify_password(jane.password, STRONG)
    assert HOME.fullmatch(jane.home), jane.home
    assert jane.password_changed == today()


async def test_create_user_writes_the_mailbox_row_and_its_self_forwarding(sql_admin_api: Api) -> None:
    await ok(sql_admin_api, "POST", "/api/domain/example.com")
    await data(sql_admin_api, CREATE_USER, e="Jane@Example.COM", i=NEW_JANE)
    row = await mailbox(sql_admin_api, "jane@example.com")
    assert (row["domain"], row["name"], row["language"], row["quota"], row["employeeid"]) == (
        "example.com", "Jane Doe", "de_DE", 512, "E-1")
    assert row["password"].startswith("{SSHA512}") and verify_password(row["password"], STRONG)
    assert (row["storagebasedirectory"], row["storagenode"]) == ("/var/vmail", "vmail1")
    assert MAILDIR.fullmatch(row["maildir"]), row["maildir"]
    assert (row["mailboxformat"], row["mailboxfolder"], row["active"], row["isadmin"], row["isglobaladmin"]) == (
        "maildir", "Maildir", 1, 0, 0)
    assert is_recent(row["created"]) and is_recent(row["passwordlastchange"])
    [forwarding] = await sql_admin_api.rows(
        "SELECT address, forwarding, domain, dest_domain, is_forwarding, is_list, active FROM forwardings"
    )
    assert forwarding == {"address": "jane@example.com", "forwarding": "jane@example.com", "domain": "example.com",
                          "dest_domain": "example.com", "is_forwarding": 1, "is_list": 0, "active": 1}


async def test_create_user_writes_the_entry_iredmail_expects(ldap_admin_api: Api) -> None:
    await ok(ldap_admin_api, "POST", "/api/domain/example.com")
    await data(ldap_admin_api, CREATE_USER, e="Jane@Example.COM", i=NEW_JANE)
    storage = directory(ldap_admin_api)
    entry = storage.entry(storage.tree.user_dn("jane@example.com"))
    assert entry is not None
    password, home = entry.pop("userpassword"), entry.pop("homedirectory")
    assert verify_password(password[0], STRONG) and HOME.fullmatch(home[0]), home
    assert entry == {
        "objectclass": sorted(["inetOrgPerson", "mailUser", "shadowAccount", "amavisAccount"]),
        "mail": ["jane@example.com"], "uid": ["jane"], "sn": ["jane"], "cn": ["Jane Doe"],
        "mailboxformat": ["maildir"], "mailboxfolder": ["Maildir"], "mailquota": [str(512 * MB)],
        "accountstatus": ["active"], "preferredlanguage": ["de_DE"], "employeenumber": ["E-1"],
        "shadowlastchange": [str((today() - datetime.date(1970, 1, 1)).days)], "amavislocal": ["TRUE"],
        "enabledservice": sorted(USER_SERVICES),
    }


async def test_create_user_takes_the_domain_defaults_and_a_given_hash(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/example.com", defaultQuota="300", language="fr_FR",
             minPasswordLength="30")
    stored = hash_password("weak")
    result = await data(admin_api, CREATE_USER, e="jane@example.com", i={"passwordHash": stored})
    assert (result["createUser"]["quota"], result["createUser"]["language"]) == (300, "fr_FR")
    jane = await admin_api.storage.user("jane@example.com")
    assert jane is not None
    assert (jane.password, jane.quota, jane.language) == (stored, 300, "fr_FR")


BAD_USERS: list[tuple[str, dict[str, Any], str]] = [
    ("john@example.com", {"password": STRONG}, "ALREADY_EXISTS"),
    ("JOHN@example.com", {"password": STRONG}, "ALREADY_EXISTS"),
    ("team@example.com", {"password": STRONG}, "ALREADY_EXISTS"),
    ("jane@nowhere.com", {"password": STRONG}, "NO_SUCH_DOMAIN"),
    ("jane.example.com", {"password": STRONG}, "INVALID_MAIL"),
    ("jane+tag@example.com", {"password": STRONG}, "INVALID_MAIL"),
    ("'; DROP TABLE mailbox; --@x.com", {"password": STRONG}, "INVALID_MAIL"),
    ("jane@example.com", {"password": "Sh0rt-!"}, "PW_LESS_THAN_MIN_LENGTH"),
    ("jane@example.com", {"password": "str0ng-passw0rd!"}, "PW_NO_UPPERCASE"),
    ("jane@example.com", {"password": ""}, "PW_EMPTY"),
    ("jane@example.com", {}, "PW_EMPTY"),
    ("jane@example.com", {"passwordHash": "not-a-hash"}, "INVALID_PASSWORD_HASH"),
    ("jane@example.com", {"password": STRONG, "passwordHash": hash_password(STRONG)}, "INVALID_PARAMETER"),
    ("jane@example.com", {"password": STRONG, "quota": -1}, "INVALID_QUOTA"),
    ("jane@example.com", {"password": STRONG, "quota": 101}, "EXCEEDED_MAX_USER_QUOTA"),
    ("jane@example.com", {"password": STRONG, "active": False}, "INVALID_PARAMETER"),
    ("jane@example.com", {"password": STRONG, "language": "english"}, "INVALID_LANGUAGE"),
    ("jane@example.com", {"password": STRONG, "name": "line\nbreak"}, "INVALID_NAME"),
    ("jane@example.com", {"password": STRONG, "transport": "x; y"}, "INVALID_TRANSPORT"),
    ("jane@full.com", {"password": STRONG}, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"),
    ("jane@closed.com", {"password": STRONG}, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"),
]


async def test_bad_create_user_writes_nothing(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/example.com", maxUserQuota="100")
    await ok(admin_api, "POST", "/api/domain/full.com", numberOfUsers="1")
    await ok(admin_api, "POST", "/api/domain/closed.com", numberOfUsers="-1")
    await ok(admin_api, "POST", "/api/user/john@example.com", password=STRONG)
    await ok(admin_api, "POST", "/api/user/first@full.com", password=STRONG)
    await ok(admin_api, "POST", "/api/alias/team@example.com")
    for email, given, code in BAD_USERS:
        await refused(admin_api, code, CREATE_USER, e=email, i=given)


async def test_update_user_profile_status_and_password(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await example.storage.age_passwords(LONG_AGO)
    before = await example.storage.user("john@example.com")
    assert before is not None
    result = await data(
        example, UPDATE_USER, e="John@example.com",
        i={"name": "John Q.", "language": "fr_FR", "quota": 300, "transport": "smtp:[192.0.2.9]:25",
           "employeeId": "E-42", "active": False},
    )
    assert result["updateUser"] == {
        "email": "john@example.com", "name": "John Q.", "language": "fr_FR", "quota": 300,
        "transport": "smtp:[192.0.2.9]:25", "active": False, "employeeId": "E-42",
    }
    john = await example.storage.user("john@example.com")
    assert john is not None
    assert (john.name, john.language, john.quota, john.transport, john.employee_id, john.active) == (
        "John Q.", "fr_FR", 300, "smtp:[192.0.2.9]:25", "E-42", False)
    assert (john.password, john.password_changed) == (before.password, LONG_AGO)
    team = await example.storage.alias("team@example.com")
    assert team is not None and team.members == ("jane@example.com", "john@example.com")

    await data(example, UPDATE_USER, e="john@example.com", i={"active": True, "password": "N3w-Passw0rd!"})
    john = await example.storage.user("john@example.com")
    assert john is not None and john.active
    assert verify_password(john.password, "N3w-Passw0rd!") and not verify_password(john.password, STRONG)
    assert john.password_changed == today()


async def test_disabling_a_user_disables_its_forwarding_rows(sql_example: Api) -> None:
    await ok(sql_example, "POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await sql_example.execute("UPDATE mailbox SET passwordlastchange = '2001-02-03 04:05:06'")
    await data(sql_example, UPDATE_USER, e="john@example.com", i={"name": "John Q.", "active": False})
    row = await mailbox(sql_example, "john@example.com")
    assert row["active"] == 0 and is_recent(row["modified"])
    assert as_datetime(row["passwordlastchange"]).year == 2001
    states = await forwarding_states(sql_example)
    assert states[("john@example.com", "john@example.com")] == 0
    assert states[("team@example.com", "john@example.com")] == 0
    assert states[("team@example.com", "jane@example.com")] == 1

    await data(sql_example, UPDATE_USER, e="john@example.com", i={"active": True, "password": "N3w-Passw0rd!"})
    row = await mailbox(sql_example, "john@example.com")
    assert row["active"] == 1 and set((await forwarding_states(sql_example)).values()) == {1}
    assert is_recent(row["passwordlastchange"])


BAD_USER_UPDATES: list[tuple[str, dict[str, Any], str]] = [
    ("nobody@example.com", {"name": "x"}, "NO_SUCH_ACCOUNT"),
    ("john@nowhere.com", {"name": "x"}, "NO_SUCH_DOMAIN"),
    ("john@example.com", {"quota": -5}, "INVALID_QUOTA"),
    ("john@example.com", {"name": "tab\there"}, "INVALID_NAME"),
    ("john@example.com", {"password": "weak"}, "PW_LESS_THAN_MIN_LENGTH"),
    ("john@example.com", {"passwordHash": "garbage"}, "INVALID_PASSWORD_HASH"),
    ("john@example.com", {"quota": 251}, "EXCEEDED_MAX_USER_QUOTA"),
    ("john@example.com", {"active": False, "quota": 0}, "EXCEEDED_MAX_USER_QUOTA"),
]


async def test_bad_update_user_writes_nothing(example: Api) -> None:
    await ok(example, "PUT", "/api/domain/example.com", maxUserQuota="250")
    for email, given, code in BAD_USER_UPDATES:
        await refused(example, code, UPDATE_USER, e=email, i=given)


async def test_set_user_password(example: Api) -> None:
    await ok(example, "PUT", "/api/domain/example.com", minPasswordLength="14")
    await example.storage.age_passwords(LONG_AGO)
    jane = await example.storage.user("jane@example.com")
    assert await data(example, SET_PASSWORD, e="john@example.com", p="An0ther-Passw0rd") == {"setUserPassword": True}
    john = await example.storage.user("john@example.com")
    assert john is not None
    assert verify_password(john.password, "An0ther-Passw0rd") and john.password_changed == today()
    assert await example.storage.user("jane@example.com") == jane
    for email, password, code in [
        ("john@example.com", "Sh0rt-Pass!", "PW_LESS_THAN_MIN_LENGTH"),
        ("john@example.com", "no-upper-case-1", "PW_NO_UPPERCASE"),
        ("john@example.com", "", "PW_EMPTY"),
        ("nobody@example.com", STRONG, "NO_SUCH_ACCOUNT"),
        ("john@nowhere.com", STRONG, "NO_SUCH_DOMAIN"),
        ("not-an-address", STRONG, "INVALID_MAIL"),
    ]:
        await refused(example, code, SET_PASSWORD, e=email, p=password)


async def test_delete_user_removes_the_account_and_records_the_mailbox(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    for email in ("john@example.com", "jane@example.com"):
        await ok(example, "POST", f"/api/throttle/{email}/outbound", period="60")
    await set_used_quota(example.storage, "john@example.com", 2048, 2)
    john = await example.storage.user("john@example.com")
    assert john is not None

    assert await data(example, DELETE_USER, e="John@example.com") == {"deleteUser": True}
    assert [user.email for user in await example.storage.users()] == ["carol@other.org", "jane@example.com"]
    team = await example.storage.alias("team@example.com")
    assert team is not None and team.members == ("jane@example.com",)
    [deleted] = await deleted_mailboxes(example.storage)
    assert (deleted.username, deleted.domain, deleted.admin, deleted.delete_date, deleted.maildir) == (
        "john@example.com", "example.com", ADMIN, None, john.home)
    [usage] = await fetch(example.storage.ancillary, "SELECT bytes, messages FROM deleted_mailboxes")
    assert (int(usage["bytes"]), int(usage["messages"])) == (2048, 2)
    assert await fetch(example.storage.ancillary, "SELECT * FROM used_quota") == []
    assert [r["account"] for r in await throttle_rows(example)] == ["jane@example.com"]
    await refused(example, "NO_SUCH_ACCOUNT", DELETE_USER, e="john@example.com")


async def test_delete_user_removes_its_forwarding_rows(sql_example: Api) -> None:
    await ok(sql_example, "POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    assert await data(sql_example, DELETE_USER, e="john@example.com") == {"deleteUser": True}
    assert ("john@example.com", "john@example.com") not in await forwarding_states(sql_example)
    assert await member_rows(sql_example, "team@example.com") == [("jane@example.com", 1)]


async def test_delete_user_keeping_the_mailbox_for_days(example: Api) -> None:
    assert await data(example, DELETE_USER, e="john@example.com", d=7) == {"deleteUser": True}
    [deleted] = await deleted_mailboxes(example.storage)
    assert deleted.delete_date == datetime.date.today() + datetime.timedelta(days=7)


async def test_an_admin_cannot_delete_itself(example: Api) -> None:
    await example.storage.make_global_admin("john@example.com")
    await data(example, LOGIN, u="john@example.com", p=STRONG)
    await refused(example, "PERMISSION_DENIED", DELETE_USER, e="john@example.com")


async def test_update_domain_users_changes_only_that_domain(example: Api) -> None:
    other = await example.storage.users("other.org")
    result = await data(example, UPDATE_DOMAIN_USERS, d="Example.com",
                        i={"active": False, "language": "de_DE", "transport": "relay:[192.0.2.1]:25"})
    assert result == {"updateDomainUsers": 2}
    changed = await example.storage.users("example.com")
    assert [(user.email, user.active, user.language, user.transport) for user in changed] == [
        (email, False, "de_DE", "relay:[192.0.2.1]:25") for email in ("jane@example.com", "john@example.com")
    ]
    assert await example.storage.users("other.org") == other
    assert await data(example, UPDATE_DOMAIN_USERS, d="example.com", i={"active": True}) == {"updateDomainUsers": 2}
    assert [user.active for user in await example.storage.users()] == [True, True, True]
    assert await data(example, UPDATE_DOMAIN_USERS, d="example.com", i={}) == {"updateDomainUsers": 0}
    await refused(example, "INVALID_LANGUAGE", UPDATE_DOMAIN_USERS, d="example.com", i={"language": "xx-YY"})
    await refused(example, "NO_SUCH_DOMAIN", UPDATE_DOMAIN_USERS, d="nowhere.com", i={"active": False})


async def test_update_domain_users_sets_the_status_of_their_forwarding_rows(sql_example: Api) -> None:
    other = await sql_example.rows("SELECT * FROM mailbox WHERE domain = 'other.org'")
    await data(sql_example, UPDATE_DOMAIN_USERS, d="example.com", i={"active": False})
    assert await forwarding_states(sql_example) == {
        ("jane@example.com", "jane@example.com"): 0, ("john@example.com", "john@example.com"): 0,
        ("carol@other.org", "carol@other.org"): 1,
    }
    assert await sql_example.rows("SELECT * FROM mailbox WHERE domain = 'other.org'") == other
    await data(sql_example, UPDATE_DOMAIN_USERS, d="example.com", i={"active": True})
    assert set((await forwarding_states(sql_example)).values()) == {1}


async def test_domain_password_gives_every_user_its_own_hash(example: Api) -> None:
    await example.storage.age_passwords(LONG_AGO)
    other = await example.storage.user("carol@other.org")
    assert await data(example, SET_DOMAIN_PASSWORD, d="example.com", p="Sh4red-Secret!") == {
        "setDomainUsersPassword": True
    }
    users = await example.storage.users("example.com")
    assert len(users) == 2 and len({user.password for user in users}) == 2
    assert all(verify_password(user.password, "Sh4red-Secret!") and user.password_changed == today() for user in users)
    assert await example.storage.user("carol@other.org") == other
    await refused(example, "PW_NO_DIGIT_NUMBER", SET_DOMAIN_PASSWORD, d="example.com", p="nodigits-Here!")
    await refused(example, "PW_EMPTY", SET_DOMAIN_PASSWORD, d="example.com", p="")
    await refused(example, "NO_SUCH_DOMAIN", SET_DOMAIN_PASSWORD, d="nowhere.com", p=STRONG)


# aliases

NEW_TEAM = {"name": "The Team", "accessPolicy": "MEMBERS_ONLY",
            "members": ["Jane@Example.com", " carol@Other.ORG ", "jane@example.com", "x+news@example.com"]}
TEAM_MEMBERS = ("carol@other.org", "jane@example.com", "x+news@example.com")


async def test_create_alias_stores_the_alias_and_its_members(example: Api) -> None:
    result = await data(example, CREATE_ALIAS, e="Team@Example.COM", i=NEW_TEAM)
    assert result["createAlias"] == {
        "email": "team@example.com", "name": "The Team", "accessPolicy": "MEMBERS_ONLY", "active": True,
        "members": list(TEAM_MEMBERS), "domain": {"name": "example.com", "aliasCount": 1},
    }
    assert await example.storage.aliases() == [
        StoredAlias("team@example.com", "The Team", "membersonly", True, TEAM_MEMBERS)
    ]
    result = await data(example, CREATE_ALIAS, e="empty@example.com")
    assert (result["createAlias"]["members"], result["createAlias"]["accessPolicy"]) == ([], "PUBLIC")
    assert await example.storage.alias("empty@example.com") == StoredAlias("empty@example.com", "", "public", True, ())


async def test_create_alias_writes_the_alias_and_its_member_rows(sql_example: Api) -> None:
    await data(sql_example, CREATE_ALIAS, e="Team@Example.COM", i=NEW_TEAM)
    [row] = await sql_example.rows("SELECT * FROM alias")
    assert (row["address"], row["name"], row["accesspolicy"], row["domain"], row["active"]) == (
        "team@example.com", "The Team", "membersonly", "example.com", 1)
    assert is_recent(row["created"])
    rows = await sql_example.rows(
        "SELECT address, forwarding, domain, dest_domain, is_list, is_forwarding, active FROM forwardings "
        "WHERE address = 'team@example.com' ORDER BY forwarding"
    )
    assert rows == [
        {"address": "team@example.com", "forwarding": member, "domain": "example.com", "dest_domain": dest,
         "is_list": 1, "is_forwarding": 0, "active": 1}
        for member, dest in (("carol@other.org", "other.org"), ("jane@example.com", "example.com"),
                             ("x+news@example.com", "example.com"))
    ]


async def test_create_alias_writes_the_entry_iredmail_expects(ldap_example: Api) -> None:
    await data(ldap_example, CREATE_ALIAS, e="Team@Example.COM", i=NEW_TEAM)
    storage = directory(ldap_example)
    assert storage.entry(storage.tree.alias_dn("team@example.com")) == {
        "objectclass": ["mailAlias"], "mail": ["team@example.com"], "cn": ["The Team"],
        "accountstatus": ["active"], "enabledservice": ["deliver", "mail"], "accesspolicy": ["membersonly"],
        "mailforwardingaddress": list(TEAM_MEMBERS),
    }


BAD_ALIASES: list[tuple[str, dict[str, Any], str]] = [
    ("team@example.com", {}, "ALREADY_EXISTS"),
    ("john@example.com", {}, "ALREADY_EXISTS"),
    ("team@nowhere.com", {}, "NO_SUCH_DOMAIN"),
    ("a3@small.com", {}, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"),
    ("team", {}, "INVALID_MAIL"),
    ("new@example.com", {"members": ["jane@example.com", "not-an-address"]}, "INVALID_MAIL"),
    ("new@example.com", {"members": ["x'); DELETE FROM forwardings;--@example.com"]}, "INVALID_MAIL"),
    ("new@example.com", {"name": "Team\x07"}, "INVALID_NAME"),
    ("new@example.com", {"addMembers": ["jane@example.com"]}, "INVALID_PARAMETER"),
    ("new@example.com", {"active": False}, "INVALID_PARAMETER"),
]


async def test_bad_create_alias_writes_nothing(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", members="jane@example.com")
    await ok(example, "POST", "/api/domain/small.com", numberOfAliases="2")
    await ok(example, "POST", "/api/alias/a1@small.com")
    await ok(example, "POST", "/api/alias/a2@small.com")
    for email, given, code in BAD_ALIASES:
        await refused(example, code, CREATE_ALIAS, e=email, i=given)


async def test_update_alias_members_name_policy_and_status(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", cn="Old", members="john@example.com,carol@other.org")
    result = await data(example, UPDATE_ALIAS, e="team@example.com",
                        i={"members": ["Carol@other.org", "eve@example.com", "eve@example.com"]})
    assert result["updateAlias"]["members"] == ["carol@other.org", "eve@example.com"]
    assert await example.storage.alias("team@example.com") == StoredAlias(
        "team@example.com", "Old", "public", True, ("carol@other.org", "eve@example.com"))

    result = await data(example, UPDATE_ALIAS, e="team@example.com",
                        i={"addMembers": ["Jane@example.com", "x+y@other.org"], "removeMembers": ["CAROL@other.org"],
                           "name": "New", "accessPolicy": "MODERATORS_ONLY"})
    members = ("eve@example.com", "jane@example.com", "x+y@other.org")
    assert result["updateAlias"] == {
        "email": "team@example.com", "name": "New", "accessPolicy": "MODERATORS_ONLY", "active": True,
        "members": list(members),
    }
    assert await example.storage.alias("team@example.com") == StoredAlias(
        "team@example.com", "New", "moderatorsonly", True, members)

    result = await data(example, UPDATE_ALIAS, e="team@example.com", i={"active": False})
    assert result["updateAlias"]["active"] is False
    assert await example.storage.alias("team@example.com") == StoredAlias(
        "team@example.com", "New", "moderatorsonly", False, members)
    await data(example, UPDATE_ALIAS, e="team@example.com", i={"active": True, "members": []})
    assert await example.storage.alias("team@example.com") == StoredAlias(
        "team@example.com", "New", "moderatorsonly", True, ())


async def test_update_alias_sets_the_status_of_its_row_and_member_rows(sql_example: Api) -> None:
    await ok(sql_example, "POST", "/api/alias/team@example.com", cn="Old", members="john@example.com,carol@other.org")
    await data(sql_example, UPDATE_ALIAS, e="team@example.com",
               i={"addMembers": ["Jane@example.com"], "removeMembers": ["CAROL@other.org"], "name": "New"})
    [row] = await sql_example.rows("SELECT name, active, modified FROM alias")
    assert (row["name"], row["active"]) == ("New", 1) and is_recent(row["modified"])
    assert await member_rows(sql_example, "team@example.com") == [("jane@example.com", 1), ("john@example.com", 1)]

    await data(sql_example, UPDATE_ALIAS, e="team@example.com", i={"active": False})
    assert await sql_example.rows("SELECT active FROM alias") == [{"active": 0}]
    assert {active for _, active in await member_rows(sql_example, "team@example.com")} == {0}
    await data(sql_example, UPDATE_ALIAS, e="team@example.com", i={"active": True, "members": []})
    assert await member_rows(sql_example, "team@example.com") == []
    assert await sql_example.rows("SELECT active FROM alias") == [{"active": 1}]


BAD_ALIAS_UPDATES: list[tuple[str, dict[str, Any], str]] = [
    ("team@example.com", {"members": ["eve@example.com"], "addMembers": ["zed@example.com"]}, "INVALID_PARAMETER"),
    ("team@example.com", {"members": ["eve@example.com"], "removeMembers": ["john@example.com"]},
     "INVALID_PARAMETER"),
    ("team@example.com", {"addMembers": ["eve@example.com", "bad address"]}, "INVALID_MAIL"),
    ("team@example.com", {"name": "a\nb"}, "INVALID_NAME"),
    ("ghost@example.com", {"name": "x"}, "NO_SUCH_ACCOUNT"),
    ("john@example.com", {"name": "x"}, "NO_SUCH_ACCOUNT"),
]


async def test_bad_update_alias_writes_nothing(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", members="john@example.com")
    for email, given, code in BAD_ALIAS_UPDATES:
        await refused(example, code, UPDATE_ALIAS, e=email, i=given)


async def test_delete_alias(example: Api) -> None:
    await ok(example, "POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await ok(example, "POST", "/api/alias/kept@example.com", members="john@example.com")
    users = await example.storage.users()
    assert await data(example, DELETE_ALIAS, e="Team@example.com") == {"deleteAlias": True}
    assert await example.storage.aliases() == [
        StoredAlias("kept@example.com", "", "public", True, ("john@example.com",))
    ]
    assert await example.storage.users() == users
    await refused(example, "NO_SUCH_ACCOUNT", DELETE_ALIAS, e="team@example.com")
    await refused(example, "NO_SUCH_ACCOUNT", DELETE_ALIAS, e="john@example.com")


async def test_delete_alias_removes_its_member_rows(sql_example: Api) -> None:
    await ok(sql_example, "POST", "/api/alias/team@example.com", members="john@example.com,jane@example.com")
    await ok(sql_example, "POST", "/api/alias/kept@example.com", members="john@example.com")
    assert await data(sql_example, DELETE_ALIAS, e="team@example.com") == {"deleteAlias": True}
    assert await member_rows(sql_example, "team@example.com") == []
    assert await member_rows(sql_example, "kept@example.com") == [("john@example.com", 1)]


# mailing lists


async def test_mailing_list_mutations_are_not_supported_on_sql(sql_example: Api) -> None:
    for query, given in [
        (CREATE_LIST, {"name": "L", "members": ["john@example.com"]}),
        (UPDATE_LIST, {"addMembers": ["john@example.com"]}),
    ]:
        await refused(sql_example, "NOT_SUPPORTED", query, e="list@example.com", i=given)
    await refused(sql_example, "NOT_SUPPORTED", DELETE_LIST, e="list@example.com")
    assert await sql_example.rows("SELECT * FROM maillists") == []


async def test_mailing_list_mutations_on_ldap(ldap_example: Api) -> None:
    storage = directory(ldap_example)
    await ok(ldap_example, "POST", "/api/alias/team@example.com", members="john@example.com")
    result = await data(
        ldap_example, CREATE_LIST, e="List@Example.COM",
        i={"name": "The List", "accessPolicy": "MEMBERS_ONLY",
           "members": ["John@example.com", " carol@Other.ORG ", "team@example.com", "friend@else.org"]},
    )
    members = ("carol@other.org", "friend@else.org", "john@example.com", "team@example.com")
    assert result["createMailingList"] == {
        "email": "list@example.com", "name": "The List", "accessPolicy": "MEMBERS_ONLY", "active": True,
        "members": list(members), "domain": {"name": "example.com"},
    }
    assert await storage.maillist("list@example.com") == StoredAlias(
        "list@example.com", "The List", "membersonly", True, members)
    result = await data(ldap_example, CREATE_LIST, e="empty@example.com")
    assert (result["createMailingList"]["members"], result["createMailingList"]["accessPolicy"]) == ([], "PUBLIC")

    result = await data(
        ldap_example, UPDATE_LIST, e="list@example.com",
        i={"addMembers": ["Jane@example.com"], "removeMembers": ["FRIEND@else.org", "team@example.com"],
           "name": "New", "accessPolicy": "MODERATORS_ONLY"},
    )
    remaining = ("carol@other.org", "jane@example.com", "john@example.com")
    assert result["updateMailingList"] == {
        "email": "list@example.com", "name": "New", "accessPolicy": "MODERATORS_ONLY", "active": True,
        "members": list(remaining),
    }
    assert await storage.maillist("list@example.com") == StoredAlias(
        "list@example.com", "New", "moderatorsonly", True, remaining)
    assert storage.entry(storage.tree.external_dn("list@example.com", "friend@else.org")) is None
    await data(ldap_example, UPDATE_LIST, e="list@example.com", i={"active": False, "members": ["x@else.org"]})
    assert await storage.maillist("list@example.com") == StoredAlias(
        "list@example.com", "New", "moderatorsonly", False, ("x@else.org",))

    assert await data(ldap_example, DELETE_LIST, e="List@example.com") == {"deleteMailingList": True}
    assert await storage.maillist("list@example.com") is None
    assert storage.search(storage.tree.domains, "(memberOfGroup=list@example.com)") == {}
    assert await storage.maillist("empty@example.com") is not None
    assert await ldap_example.storage.alias("team@example.com") == StoredAlias(
        "team@example.com", "", "public", True, ("john@example.com",))


BAD_LISTS: list[tuple[str, dict[str, Any], str]] = [
    ("list@example.com", {}, "ALREADY_EXISTS"),
    ("john@example.com", {}, "ALREADY_EXISTS"),
    ("team@example.com", {}, "ALREADY_EXISTS"),
    ("list@nowhere.com", {}, "NO_SUCH_DOMAIN"),
    ("l2@small.com", {}, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"),
    ("list", {}, "INVALID_MAIL"),
    ("new@example.com", {"members": ["jane@example.com", "not-an-address"]}, "INVALID_MAIL"),
    ("new@example.com", {"name": "List\x07"}, "INVALID_NAME"),
    ("new@example.com", {"addMembers": ["jane@example.com"]}, "INVALID_PARAMETER"),
    ("new@example.com", {"active": False}, "INVALID_PARAMETER"),
]
BAD_LIST_UPDATES: list[tuple[str, dict[str, Any], str]] = [
    ("list@example.com", {"members": ["eve@example.com"], "addMembers": ["zed@example.com"]}, "INVALID_PARAMETER"),
    ("list@example.com", {"addMembers": ["eve@example.com", "bad address"]}, "INVALID_MAIL"),
    ("list@example.com", {"name": "a\nb"}, "INVALID_NAME"),
    ("ghost@example.com", {"name": "x"}, "NO_SUCH_ACCOUNT"),
    ("team@example.com", {"name": "x"}, "NO_SUCH_ACCOUNT"),
    ("john@example.com", {"name": "x"}, "NO_SUCH_ACCOUNT"),
]


async def test_bad_mailing_list_mutations_write_nothing_on_ldap(ldap_example: Api) -> None:
    await ok(ldap_example, "POST", "/api/alias/team@example.com")
    await ok(ldap_example, "POST", "/api/domain/small.com", numberOfLists="1")
    await data(ldap_example, CREATE_LIST, e="list@example.com", i={"members": ["john@example.com"]})
    await data(ldap_example, CREATE_LIST, e="l1@small.com")
    for email, given, code in BAD_LISTS:
        await refused(ldap_example, code, CREATE_LIST, e=email, i=given)
    for email, given, code in BAD_LIST_UPDATES:
        await refused(ldap_example, code, UPDATE_LIST, e=email, i=given)
    for email, code in [("ghost@example.com", "NO_SUCH_ACCOUNT"), ("team@example.com", "NO_SUCH_ACCOUNT"),
                        ("not-an-address", "INVALID_MAIL")]:
        await refused(ldap_example, code, DELETE_LIST, e=email)


# throttles


@pytest.mark.parametrize(
    ("account", "stored", "scope", "priority"),
    [("global", "@.", "global", 0), ("Example.COM", "@example.com", "domain", 60),
     ("John@Example.com", "john@example.com", "user", 100)],
)
async def test_set_throttle_writes_one_row_and_replaces_it(
    example: Api, account: str, stored: str, scope: str, priority: int
) -> None:
    result = await data(example, SET_THROTTLE, a=account, k="OUTBOUND",
                        i={"period": 3600, "msgSize": 10240, "maxMsgs": 100, "maxQuota": 0, "maxRcpts": 20})
    assert result["setThrottle"] == {
        "account": stored, "scope": scope, "kind": "OUTBOUND", "priority": priority, "period": 3600,
        "msgSize": 10240, "maxMsgs": 100, "maxQuota": 0, "maxRcpts": 20,
    }
    limits = {"period": 3600, "msg_size": 10240, "max_msgs": 100, "max_quota": 0, "max_rcpts": 20}
    assert await throttle_rows(example) == [{"account": stored, "kind": "outbound", "priority": priority, **limits}]

    await data(example, SET_THROTTLE, a=account, k="OUTBOUND", i={"period": 60, "maxRcpts": 7})
    limits = {"period": 60, "msg_size": -1, "max_msgs": -1, "max_quota": -1, "max_rcpts": 7}
    assert await throttle_rows(example) == [{"account": stored, "kind": "outbound", "priority": priority, **limits}]

    await data(example, SET_THROTTLE, a=account, k="INBOUND", i={"period": "120", "maxQuota": str(2**40)})
    rows = await throttle_rows(example)
    assert [(r["kind"], r["period"], r["max_quota"]) for r in rows] == [("inbound", 120, 2**40), ("outbound", 60, -1)]


BAD_THROTTLES: list[tuple[str, str, dict[str, Any], str]] = [
    ("global", "INBOUND", {"period": 0}, "INVALID_PERIOD"),
    ("global", "INBOUND", {"period": -60}, "INVALID_PERIOD"),
    ("global", "INBOUND", {"period": 60, "maxRcpts": -2}, "INVALID_PARAMETER"),
    ("global", "INBOUND", {"period": 60, "maxQuota": 2**63 - 1}, "INVALID_PARAMETER"),
    ("not_a_domain", "INBOUND", {"period": 60}, "INVALID_DOMAIN_NAME"),
    ("@example.com", "INBOUND", {"period": 60}, "INVALID_MAIL"),
    ("nowhere.com", "INBOUND", {"period": 60}, "NO_SUCH_DOMAIN"),
    ("ghost@example.com", "INBOUND", {"period": 60}, "NO_SUCH_ACCOUNT"),
]


async def test_bad_set_throttle_writes_nothing(example: Api) -> None:
    await ok(example, "POST", "/api/throttle/global/inbound", period="60", max_msgs="5")
    for account, kind, given, code in BAD_THROTTLES:
        await refused(example, code, SET_THROTTLE, a=account, k=kind, i=given)


async def test_throttle_values_must_be_integers(example: Api) -> None:
    before = await example.snapshot()
    for given in [{"period": 60, "maxMsgs": 1.5}, {"period": 60, "maxMsgs": True}, {"period": 60, "maxMsgs": "ten"},
                  {"period": "1e3"}, {"period": 60, "maxQuota": 2**63}, {"maxMsgs": 5}]:
        body = await gql(example, SET_THROTTLE, a="global", k="INBOUND", i=given)
        assert body["errors"] and body["data"] is None and "INTERNAL_ERROR" not in codes(body), (given, body)
    for literal in ("1.5", "true", '"ten"', '"99999999999999999999"'):
        query = 'mutation { setThrottle(account: "global", kind: INBOUND, input: {period: %s}) { period } }'
        body = await gql(example, query % literal)
        assert [error["message"] for error in body["errors"]] == ["BigInt must be a 64-bit integer"], body
    assert await example.snapshot() == before


@pytest.mark.parametrize(
    ("account", "stored"),
    [("global", "@."), ("example.com", "@example.com"), ("john@example.com", "john@example.com")],
)
async def test_delete_throttle_removes_the_row_and_its_tracking(example: Api, account: str, stored: str) -> None:
    for target in ("global", "example.com", "john@example.com"):
        for kind in ("inbound", "outbound"):
            await ok(example, "POST", f"/api/throttle/{target}/{kind}", period="60", max_msgs="5")
    rows = await example.rows("SELECT id, account, kind FROM throttle", "iredapd")
    for row in rows:
        await example.execute(
            "INSERT INTO throttle_tracking (tid, account, period) VALUES (:t, 'x@example.com', 60)", "iredapd",
            t=row["id"],
        )
    assert await data(example, DELETE_THROTTLE, a=account, k="INBOUND") == {"deleteThrottle": True}
    left = await throttle_rows(example)
    assert (stored, "inbound") not in {(r["account"], r["kind"]) for r in left} and len(left) == 5
    tids = sorted(int(r["tid"]) for r in await example.rows("SELECT tid FROM throttle_tracking", "iredapd"))
    assert tids == sorted(int(r["id"]) for r in rows if (r["account"], r["kind"]) != (stored, "inbound"))
    await refused(example, "NO_SUCH_THROTTLE", DELETE_THROTTLE, a=account, k="INBOUND")
