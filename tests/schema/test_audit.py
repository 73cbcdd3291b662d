"""The admin log through GraphQL: a row for every mutation that succeeds, none for a refused one, and the
``auditLog`` connection; on every storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.schema.audit import mutation_action
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, STRONG, Api
from tests.rest.test_audit import BOSS, NEW_PASSWORD, as_boss, log_rows, row, rows_after
from tests.schema.conftest import codes, data, gql

LOG = """query($first: Int, $after: String, $admin: String, $domain: String, $event: String,
                 $from: DateTime, $until: DateTime) {
    auditLog(first: $first, after: $after, admin: $admin, domain: $domain, event: $event, from: $from, until: $until) {
        totalCount
        nodes { id timestamp admin ip domain username event loglevel message }
        pageInfo { hasNextPage endCursor }
    }
}"""


async def audit_log(api: Api, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(api, LOG, **variables))["auditLog"]
    return result


def messages(result: dict[str, Any]) -> list[str]:
    return [node["message"] for node in result["nodes"]]


async def test_every_mutation_leaves_a_row(domain_api: Api) -> None:
    api = domain_api
    count = len(await log_rows(api))
    await data(api, """mutation($p: String!, $q: String!) {
        createDomain(name: "new.com", input: {description: "New"}) { name }
        updateDomain(name: "new.com", input: {description: "Newer"}) { name }
        createUser(email: "dan@new.com", input: {password: $p, name: "Dan"}) { email }
        updateUser(email: "dan@new.com", input: {name: "Daniel", password: $q}) { email }
        setUserPassword(email: "dan@new.com", password: $p)
        updateDomainUsers(domain: "new.com", input: {language: "de_DE"})
        setDomainUsersPassword(domain: "new.com", password: $q)
        createAlias(email: "crew@new.com", input: {members: ["dan@new.com"]}) { email }
        updateAlias(email: "crew@new.com", input: {addMembers: ["bob@example.com"]}) { email }
        deleteAlias(email: "crew@new.com")
        setThrottle(account: "dan@new.com", kind: OUTBOUND, input: {period: 60, maxMsgs: 3}) { period }
        deleteThrottle(account: "dan@new.com", kind: OUTBOUND)
        deleteUser(email: "dan@new.com")
        deleteDomain(name: "new.com")
    }""", p=STRONG, q=NEW_PASSWORD)
    dan = ("new.com", "dan@new.com")
    crew = ("new.com", "crew@new.com")
    assert await rows_after(api, count) == [
        row("create", "Create domain: new.com.", "new.com"),
        row("update", "Update domain: new.com.", "new.com"),
        row("create", "Create user: dan@new.com.", *dan),
        row("update", "Update user: dan@new.com.", *dan),
        row("update", "Update user password: dan@new.com.", *dan),
        row("update", "Update domain users: new.com.", "new.com"),
        row("update", "Update domain users password: new.com.", "new.com"),
        row("create", "Create mail alias: crew@new.com.", *crew),
        row("update", "Update mail alias: crew@new.com.", *crew),
        row("delete", "Delete mail alias: crew@new.com.", *crew),
        row("update", "Update throttle: dan@new.com, outbound.", *dan),
        row("delete", "Delete throttle: dan@new.com, outbound.", *dan),
        row("delete", "Delete user: dan@new.com.", *dan),
        row("delete", "Delete domain: new.com.", "new.com"),
    ]
    text = repr(await log_rows(api))
    for secret in (STRONG, NEW_PASSWORD, *await api.storage.password_hashes()):
        assert secret not in text


async def test_mailing_list_mutations_leave_rows_on_ldap(ldap_domain_api: Api) -> None:
    api = ldap_domain_api
    count = len(await log_rows(api))
    await data(api, """mutation {
        createMailingList(email: "list@example.com", input: {members: ["bob@example.com"]}) { email }
        updateMailingList(email: "list@example.com", input: {name: "List"}) { email }
        deleteMailingList(email: "list@example.com")
    }""")
    where = ("example.com", "list@example.com")
    assert await rows_after(api, count) == [
        row("create", "Create mailing list: list@example.com.", *where),
        row("update", "Update mailing list: list@example.com.", *where),
        row("delete", "Delete mailing list: list@example.com.", *where),
    ]


async def test_login_leaves_a_row_and_logout_none(domain_api: Api) -> None:
    api = domain_api
    count = len(await log_rows(api))
    assert await data(api, "mutation { logout }") == {"logout": True}
    login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
    assert codes(await gql(api, login, u=ADMIN, p="Wr0ng-Passw0rd!")) == ["INVALID_CREDENTIALS"]
    assert await rows_after(api, count) == []
    await data(api, login, u=ADMIN, p=ADMIN_PASSWORD)
    assert await rows_after(api, count) == [row("login", "Admin login success")]


async def test_refused_mutations_leave_no_row(domain_api: Api) -> None:
    api = domain_api
    before = await log_rows(api)
    for query, code in [
        ('mutation { createUser(email: "bad address@example.com", input: {password: "x"}) { email } }', "INVALID_MAIL"),
        ('mutation { createUser(email: "new@example.com", input: {password: "short"}) { email } }',
         "PW_LESS_THAN_MIN_LENGTH"),
        ('mutation { createDomain(name: "example.com") { name } }', "ALREADY_EXISTS"),
        ('mutation { deleteAlias(email: "none@example.com") }', "NO_SUCH_ACCOUNT"),
        ('mutation { setThrottle(account: "x@nowhere.org", kind: INBOUND, input: {period: -5}) { period } }',
         "INVALID_PERIOD"),
    ]:
        assert codes(await gql(api, query)) == [code], query
    await as_boss(api)
    for query in [
        'mutation { deleteDomain(name: "other.org") }',
        'mutation { updateUser(email: "carol@other.org", input: {name: "x"}) { email } }',
        'mutation { setThrottle(account: "global", kind: INBOUND, input: {period: 1}) { period } }',
    ]:
        assert codes(await gql(api, query)) == ["PERMISSION_DENIED"], query
    # the domain admin's REST login is the one row since
    assert [entry["event"] for entry in (await log_rows(api))[len(before):]] == ["login"]


async def test_the_audit_log_connection_filters_and_pages(domain_api: Api) -> None:
    api = domain_api
    everything = await audit_log(api, first=100)
    assert everything["totalCount"] == 5 and not everything["pageInfo"]["hasNextPage"]
    assert messages(everything) == [
        "[API] Create user: carol@other.org.",
        "[API] Create user: bob@example.com.",
        "[API] Create domain: other.org.",
        "[API] Create domain: example.com.",
        "[API] Admin login success",
    ]
    node = everything["nodes"][1]
    assert (node["admin"], node["ip"], node["domain"], node["username"], node["event"], node["loglevel"]) == (
        ADMIN, "127.0.0.1", "example.com", "bob@example.com", "create", "info",
    )

    first = await audit_log(api, first=2)
    assert messages(first) == messages(everything)[:2] and first["pageInfo"]["hasNextPage"]
    rest = await audit_log(api, first=2, after=first["pageInfo"]["endCursor"])
    assert messages(rest) == messages(everything)[2:4] and rest["totalCount"] == 5
    last = await audit_log(api, first=2, after=rest["pageInfo"]["endCursor"])
    assert messages(last) == messages(everything)[4:] and not last["pageInfo"]["hasNextPage"]

    assert messages(await audit_log(api, domain="other.org")) == messages(everything)[:1] + messages(everything)[2:3]
    assert (await audit_log(api, event="login"))["totalCount"] == 1
    assert (await audit_log(api, admin=ADMIN))["totalCount"] == 5
    now = datetime.now(UTC)
    assert (await audit_log(api, **{"from": (now - timedelta(hours=1)).isoformat()}))["totalCount"] == 5
    assert (await audit_log(api, **{"from": (now + timedelta(hours=1)).isoformat()}))["totalCount"] == 0
    assert (await audit_log(api, until=(now - timedelta(hours=1)).isoformat()))["totalCount"] == 0

    refusals: list[tuple[dict[str, Any], str]] = [
        ({"first": 0}, "INVALID_PAGE_SIZE"),
        ({"after": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"domain": "not a domain"}, "INVALID_DOMAIN_NAME"),
    ]
    for variables, code in refusals:
        assert codes(await gql(api, LOG, **variables)) == [code], variables


async def test_a_domain_admin_reads_only_its_domains_rows(domain_api: Api) -> None:
    api = await as_boss(domain_api)
    await data(api, 'mutation { updateUser(email: "bob@example.com", input: {name: "Bob"}) { email } }')
    result = await audit_log(api)
    assert messages(result) == [
        "[API] Update user: bob@example.com.",
        "[API] Create user: bob@example.com.",
        "[API] Create domain: example.com.",
    ]
    assert result["nodes"][0]["admin"] == BOSS
    assert codes(await gql(api, LOG, domain="other.org")) == ["PERMISSION_DENIED"]


def test_a_mutation_added_later_is_recorded_by_its_name() -> None:
    """No mutation goes unrecorded: the leading verb gives the event, an unknown verb is an update."""
    action = mutation_action("addWhitelistSender", {"account": "bob@example.com", "sender": "x@y.org"})
    assert action is not None and (action.event, action.subject, action.targets) == (
        "create", "whitelist sender", ("bob@example.com",)
    )
    renamed = mutation_action("renameUser", {"email": "bob@example.com", "newEmail": "rob@example.com"})
    assert renamed is not None and renamed.event == "update"
    grant = mutation_action("promoteAdmin", {"email": "a@example.com", "password": STRONG})
    assert grant is not None and grant.event == "update" and STRONG not in repr(grant)
    assert mutation_action("logout", {}) is None
