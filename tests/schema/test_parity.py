"""REST and GraphQL store the same and fail with the same codes, on every backend.

Each case runs once through ``/api`` and once through ``/graphql``, each time on a gateway over fresh
storage brought to the same starting point, and compares everything either face stores: every row on
SQL, every entry of the directory and every row of its SQL databases on LDAP.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gateway.passwords import verify_password
from tests.rest.conftest import ADMIN_PASSWORD, STRONG, Api, backend_api
from tests.schema.conftest import codes, gql
from tests.storage import LdapStorage, set_used_quota

NEW = "N3w-Passw0rd!!"
PASSWORDS = (STRONG, NEW, ADMIN_PASSWORD)
# columns and attributes that differ between two runs: ids, moments, the day of a password change
TIMESTAMPS = {"created", "modified", "passwordlastchange", "timestamp", "shadowlastchange"}
PASSWORD_FIELDS = {"password", "userpassword"}
CREATE_USER = "mutation($e: String!, $p: String!) { createUser(email: $e, input: {password: $p}) { email } }"
STAMP = re.compile(r"\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}")


@dataclass
class Case:
    """One operation: the REST request and the GraphQL operation that should do the same."""

    name: str
    method: str
    path: str
    params: dict[str, str]
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    code: str | None = None


CASES = [
    Case("create domain", "POST", "/api/domain/New.com",
         {"cn": "New Inc.", "language": "de_DE", "defaultQuota": "100", "maxUserQuota": "500",
          "numberOfUsers": "10", "numberOfAliases": "5", "numberOfLists": "2", "minPasswordLength": "10",
          "maxPasswordLength": "40"},
         "mutation($i: DomainInput) { createDomain(name: \"New.com\", input: $i) { name } }",
         {"i": {"description": "New Inc.", "defaultLanguage": "de_DE", "defaultUserQuota": 100,
                "maxUserQuota": 500, "maxUsers": 10, "maxAliases": 5, "maxLists": 2, "minPasswordLength": 10,
                "maxPasswordLength": 40}}),
    Case("update domain", "PUT", "/api/domain/example.com",
         {"name": "Renamed", "accountStatus": "disabled", "transport": "relay:[192.0.2.1]:25",
          "maxPasswordLength": "30", "defaultQuota": "0", "language": "fr_FR"},
         "mutation($i: DomainInput!) { updateDomain(name: \"example.com\", input: $i) { name } }",
         {"i": {"description": "Renamed", "status": "DISABLED", "transport": "relay:[192.0.2.1]:25",
                "maxPasswordLength": 30, "defaultUserQuota": 0, "defaultLanguage": "fr_FR"}}),
    Case("create user", "POST", "/api/user/New@Example.com",
         {"cn": "New User", "password": NEW, "preferredLanguage": "fr_FR", "mailQuota": "200", "employeeid": "E-9",
          "transport": "dovecot"},
         "mutation($i: UserInput!) { createUser(email: \"New@Example.com\", input: $i) { email } }",
         {"i": {"name": "New User", "password": NEW, "language": "fr_FR", "quota": 200, "employeeId": "E-9",
                "transport": "dovecot"}}),
    Case("create user with defaults", "POST", "/api/user/new@example.com", {"password": NEW},
         CREATE_USER, {"e": "new@example.com", "p": NEW}),
    Case("update user", "PUT", "/api/user/john@example.com",
         {"cn": "Johnny", "language": "de_DE", "quota": "300", "accountStatus": "disabled", "employeeid": "E-1"},
         "mutation($i: UserInput!) { updateUser(email: \"john@example.com\", input: $i) { email } }",
         {"i": {"name": "Johnny", "language": "de_DE", "quota": 300, "status": "DISABLED", "employeeId": "E-1"}}),
    Case("update user password", "PUT", "/api/user/john@example.com", {"password": NEW},
         "mutation($p: String!) { updateUser(email: \"john@example.com\", input: {password: $p}) { email } }",
         {"p": NEW}),
    Case("set password", "PUT", "/api/user/John@example.com/password", {"password": NEW},
         "mutation($p: String!) { setUserPassword(email: \"John@example.com\", password: $p) }", {"p": NEW}),
    Case("bulk update users", "PUT", "/api/users/example.com",
         {"accountStatus": "disabled", "language": "de_DE", "transport": "smtp:[192.0.2.2]:25"},
         "mutation { updateDomainUsers(domain: \"example.com\", "
         "input: {status: DISABLED, language: \"de_DE\", transport: \"smtp:[192.0.2.2]:25\"}) }"),
    Case("bulk password", "PUT", "/api/users/example.com/password", {"password": NEW},
         "mutation($p: String!) { setDomainUsersPassword(domain: \"example.com\", password: $p) }", {"p": NEW}),
    Case("create alias", "POST", "/api/alias/Sales@example.com",
         {"cn": "Sales", "accessPolicy": "domain", "members": "jane@example.com, Carol@Other.org,jane@example.com"},
         "mutation($i: AliasInput) { createAlias(email: \"Sales@example.com\", input: $i) { email } }",
         {"i": {"name": "Sales", "accessPolicy": "DOMAIN",
                "members": ["jane@example.com", " Carol@Other.org", "jane@example.com"]}}),
    Case("add and remove alias members", "PUT", "/api/alias/team@example.com",
         {"addMember": "jane@example.com,x+y@other.org", "removeMember": "carol@other.org"},
         "mutation($i: AliasInput!) { updateAlias(email: \"team@example.com\", input: $i) { email } }",
         {"i": {"addMembers": ["jane@example.com", "x+y@other.org"], "removeMembers": ["carol@other.org"]}}),
    Case("replace alias members and disable", "PUT", "/api/alias/team@example.com",
         {"members": "jane@example.com,x@other.org", "cn": "Team 2", "accountStatus": "disabled",
          "accessPolicy": "membersonly"},
         "mutation($i: AliasInput!) { updateAlias(email: \"team@example.com\", input: $i) { email } }",
         {"i": {"members": ["jane@example.com", "x@other.org"], "name": "Team 2", "status": "DISABLED",
                "accessPolicy": "MEMBERS_ONLY"}}),
    Case("set user throttle", "POST", "/api/throttle/john@example.com/outbound",
         {"period": "3600", "max_msgs": "100", "max_rcpts": "10"},
         "mutation { setThrottle(account: \"john@example.com\", kind: OUTBOUND, "
         "input: {period: 3600, maxMsgs: 100, maxRcpts: 10}) { account } }"),
    Case("replace domain throttle", "POST", "/api/throttle/example.com/inbound",
         {"period": "120", "msg_size": "1024", "max_quota": "0"},
         "mutation { setThrottle(account: \"example.com\", kind: INBOUND, "
         "input: {period: 120, msgSize: 1024, maxQuota: 0}) { account } }"),
    Case("set global throttle", "POST", "/api/throttle/global/outbound", {"period": "60", "max_msgs": "5"},
         "mutation { setThrottle(account: \"global\", kind: OUTBOUND, input: {period: 60, maxMsgs: 5}) "
         "{ account } }"),
    Case("delete throttle", "DELETE", "/api/throttle/example.com/inbound", {},
         "mutation { deleteThrottle(account: \"example.com\", kind: INBOUND) }"),
    Case("delete user", "DELETE", "/api/user/john@example.com", {},
         "mutation { deleteUser(email: \"john@example.com\") }"),
    Case("delete user keeping the mailbox", "DELETE", "/api/user/john@example.com/keep_mailbox_days/10", {},
         "mutation { deleteUser(email: \"john@example.com\", keepMailboxDays: 10) }"),
    Case("delete alias", "DELETE", "/api/alias/team@example.com", {},
         "mutation { deleteAlias(email: \"team@example.com\") }"),
    Case("delete domain", "DELETE", "/api/domain/example.com", {},
         "mutation { deleteDomain(name: \"example.com\") }"),
    Case("existing domain", "POST", "/api/domain/example.com", {"cn": "Again"},
         "mutation { createDomain(name: \"example.com\", input: {description: \"Again\"}) { name } }",
         code="ALREADY_EXISTS"),
    Case("bad domain language", "PUT", "/api/domain/example.com", {"language": "english"},
         "mutation { updateDomain(name: \"example.com\", input: {defaultLanguage: \"english\"}) { name } }",
         code="INVALID_LANGUAGE"),
    Case("user limit", "POST", "/api/user/two@full.com", {"password": STRONG},
         CREATE_USER, {"e": "two@full.com", "p": STRONG},
         code="EXCEEDED_DOMAIN_ACCOUNT_LIMIT"),
    Case("short password", "POST", "/api/user/new@example.com", {"password": "Sh0rt-!"},
         "mutation { createUser(email: \"new@example.com\", input: {password: \"Sh0rt-!\"}) { email } }",
         code="PW_LESS_THAN_MIN_LENGTH"),
    Case("invalid address", "POST", "/api/user/new+tag@example.com", {"password": STRONG},
         CREATE_USER, {"e": "new+tag@example.com", "p": STRONG},
         code="INVALID_MAIL"),
    Case("user of a missing domain", "POST", "/api/user/new@nowhere.com", {"password": STRONG},
         CREATE_USER, {"e": "new@nowhere.com", "p": STRONG},
         code="NO_SUCH_DOMAIN"),
    Case("quota above the user maximum", "PUT", "/api/user/john@example.com", {"quota": "501"},
         "mutation { updateUser(email: \"john@example.com\", input: {quota: 501}) { email } }",
         code="EXCEEDED_MAX_USER_QUOTA"),
    Case("weak domain password", "PUT", "/api/users/example.com/password", {"password": "nodigits-Here!"},
         "mutation { setDomainUsersPassword(domain: \"example.com\", password: \"nodigits-Here!\") }",
         code="PW_NO_DIGIT_NUMBER"),
    Case("members with addMember", "PUT", "/api/alias/team@example.com",
         {"members": "jane@example.com", "addMember": "john@example.com"},
         "mutation { updateAlias(email: \"team@example.com\", "
         "input: {members: [\"jane@example.com\"], addMembers: [\"john@example.com\"]}) { email } }",
         code="INVALID_PARAMETER"),
    Case("missing alias", "DELETE", "/api/alias/ghost@example.com", {},
         "mutation { deleteAlias(email: \"ghost@example.com\") }", code="NO_SUCH_ACCOUNT"),
    Case("bad period", "POST", "/api/throttle/global/inbound", {"period": "0"},
         "mutation { setThrottle(account: \"global\", kind: INBOUND, input: {period: 0}) { account } }",
         code="INVALID_PERIOD"),
    Case("missing throttle", "DELETE", "/api/throttle/john@example.com/inbound", {},
         "mutation { deleteThrottle(account: \"john@example.com\", kind: INBOUND) }", code="NO_SUCH_THROTTLE"),
]


# a total quota per domain: stored on SQL (domain.maxquota) and on LDAP (domainMaxQuotaSize)
QUOTA_CASES = [
    Case("create domain with a total quota", "POST", "/api/domain/New.com", {"cn": "New Inc.", "quota": "2048"},
         "mutation { createDomain(name: \"New.com\", input: {description: \"New Inc.\", quota: 2048}) { name } }"),
    Case("set a domain's total quota", "PUT", "/api/domain/example.com", {"quota": "1024"},
         "mutation { updateDomain(name: \"example.com\", input: {quota: 1024}) { name } }"),
]
# mailing lists: on LDAP, where list@example.com exists (members john and carol); NOT_SUPPORTED on SQL
LIST_CASES = [
    Case("create mailing list", "POST", "/api/maillist/News@example.com",
         {"cn": "News", "accessPolicy": "domain", "members": "jane@example.com, Carol@Other.org,x+y@elsewhere.net"},
         "mutation($i: AliasInput) { createMailingList(email: \"News@example.com\", input: $i) { email } }",
         {"i": {"name": "News", "accessPolicy": "DOMAIN",
                "members": ["jane@example.com", " Carol@Other.org", "x+y@elsewhere.net"]}}),
    Case("add and remove mailing list members", "PUT", "/api/maillist/list@example.com",
         {"addMember": "jane@example.com,x@elsewhere.net", "removeMember": "carol@other.org"},
         "mutation($i: AliasInput!) { updateMailingList(email: \"list@example.com\", input: $i) { email } }",
         {"i": {"addMembers": ["jane@example.com", "x@elsewhere.net"], "removeMembers": ["carol@other.org"]}}),
    Case("replace mailing list members and disable", "PUT", "/api/maillist/list@example.com",
         {"members": "jane@example.com", "cn": "List 2", "accountStatus": "disabled", "accessPolicy": "membersonly"},
         "mutation($i: AliasInput!) { updateMailingList(email: \"list@example.com\", input: $i) { email } }",
         {"i": {"members": ["jane@example.com"], "name": "List 2", "status": "DISABLED",
                "accessPolicy": "MEMBERS_ONLY"}}),
    Case("delete mailing list", "DELETE", "/api/maillist/list@example.com", {},
         "mutation { deleteMailingList(email: \"list@example.com\") }"),
    Case("existing mailing list", "POST", "/api/maillist/list@example.com", {},
         "mutation { createMailingList(email: \"list@example.com\") { email } }", code="ALREADY_EXISTS"),
    Case("missing mailing list", "DELETE", "/api/maillist/ghost@example.com", {},
         "mutation { deleteMailingList(email: \"ghost@example.com\") }", code="NO_SUCH_ACCOUNT"),
]


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (path, response.text)


async def populate(api: Api) -> None:
    """The same starting point on both sides."""
    await ok(api, "POST", "/api/domain/example.com", defaultQuota="100", maxUserQuota="500")
    await ok(api, "POST", "/api/domain/other.org")
    await ok(api, "POST", "/api/domain/full.com", numberOfUsers="1")
    for email in ("john@example.com", "jane@example.com", "carol@other.org", "one@full.com"):
        await ok(api, "POST", f"/api/user/{email}", password=STRONG)
    await ok(api, "POST", "/api/alias/team@example.com", cn="Team", members="john@example.com,carol@other.org")
    await ok(api, "POST", "/api/throttle/example.com/inbound", period="60", max_msgs="50")
    await set_used_quota(api.storage, "john@example.com", 4096, 4)


async def add_list(api: Api) -> None:
    await ok(api, "POST", "/api/maillist/list@example.com", cn="List", members="john@example.com,carol@other.org")


@asynccontextmanager
async def gateway(request: pytest.FixtureRequest, kind: str, tmp_path: Path, *, with_list: bool) -> AsyncIterator[Api]:
    """A logged-in gateway over fresh storage of ``kind`` at the starting point; the storage is emptied afterwards."""
    async with backend_api(request, kind, tmp_path) as api:
        assert (await api.login()).status_code == 200
        await populate(api)
        if with_list:
            await add_list(api)
        yield api
    if isinstance(api.storage, LdapStorage):
        api.storage.server.clear()  # a test's second gateway starts on an empty tree too


def normalized(row: dict[str, Any]) -> dict[str, Any]:
    """A row or an entry without ids and timestamps, its hashes replaced by which known passwords they verify."""
    result: dict[str, Any] = {}
    for key, value in row.items():
        if key == "id" or key in TIMESTAMPS:
            continue
        if key in PASSWORD_FIELDS and value:
            value = verified(value) if isinstance(value, str) else [verified(item) for item in value]
        elif isinstance(value, str):
            value = STAMP.sub("<time>", value)
        elif isinstance(value, list):
            value = [STAMP.sub("<time>", item) for item in value]
        result[key] = value
    return result


def verified(stored: str) -> tuple[bool, ...]:
    return tuple(verify_password(stored, plain) for plain in PASSWORDS)


async def state(api: Api) -> dict[str, Any]:
    """Everything stored: tables as sorted rows, directory entries by DN, each normalized."""
    result: dict[str, Any] = {}
    for name, content in (await api.snapshot()).items():
        if isinstance(content, dict):
            result[name] = {dn: normalized(entry) for dn, entry in content.items()}
        else:
            result[name] = sorted((normalized(row) for row in content), key=repr)
    return result


async def compare(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path, case: Case, code: str | None, *, with_list: bool = False
) -> None:
    """Run ``case`` through REST, then through GraphQL on equal fresh storage: same code, same state."""
    async with gateway(request, kind, tmp_path, with_list=with_list) as rest:
        start = await state(rest)
        response = await rest.call(case.method, case.path, **case.params)
        body = response.json()
        rest_code = None if body["success"] else body["msg"]
        after = await state(rest)
    async with gateway(request, kind, tmp_path, with_list=with_list) as graphql:
        assert await state(graphql) == start
        graphql_body = await gql(graphql, case.query, **case.variables)
        graphql_codes = codes(graphql_body)
        graphql_code = graphql_codes[0] if graphql_codes else None
        assert (rest_code, graphql_code) == (code, code), (response.text, graphql_body)
        assert len(graphql_codes) <= 1
        assert await state(graphql) == after
    assert (after == start) == (code is not None)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_rest_and_graphql_store_the_same(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path, case: Case
) -> None:
    await compare(request, backend_kind, tmp_path, case, case.code)


@pytest.mark.parametrize("case", QUOTA_CASES, ids=[case.name for case in QUOTA_CASES])
async def test_domain_quota_is_stored_the_same_on_sql(
    request: pytest.FixtureRequest, sql_kind: str, tmp_path: Path, case: Case
) -> None:
    await compare(request, sql_kind, tmp_path, case, None)


@pytest.mark.parametrize("case", QUOTA_CASES, ids=[case.name for case in QUOTA_CASES])
async def test_domain_quota_is_stored_the_same_on_ldap(
    request: pytest.FixtureRequest, tmp_path: Path, case: Case
) -> None:
    await compare(request, "ldap", tmp_path, case, None)


@pytest.mark.parametrize("case", LIST_CASES, ids=[case.name for case in LIST_CASES])
async def test_mailing_lists_are_stored_the_same_on_ldap(
    request: pytest.FixtureRequest, tmp_path: Path, case: Case
) -> None:
    await compare(request, "ldap", tmp_path, case, case.code, with_list=True)


@pytest.mark.parametrize("case", LIST_CASES, ids=[case.name for case in LIST_CASES])
async def test_mailing_lists_are_refused_the_same_on_sql(
    request: pytest.FixtureRequest, sql_kind: str, tmp_path: Path, case: Case
) -> None:
    await compare(request, sql_kind, tmp_path, case, "NOT_SUPPORTED")
