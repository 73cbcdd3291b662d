"""Every field of the Query type, over what REST and the storage arrangements wrote, on every backend."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from graphql import GraphQLObjectType

from gateway.schema.app import build_schema
from gateway.settings import Settings
from tests.rest.conftest import ADMIN, STRONG, Api
from tests.schema.conftest import codes, data, gql
from tests.storage import set_used_quota

THROTTLE = "account scope kind priority period msgSize maxMsgs maxQuota maxRcpts"
DOMAIN_FIELDS = f"""name description status active transport backupMx quota defaultUserQuota maxUserQuota maxUsers
    maxAliases maxLists minPasswordLength maxPasswordLength defaultLanguage created userCount aliasCount
    allocatedQuota usedQuota {{ bytes messages }} inboundThrottle {{ {THROTTLE} }}
    outboundThrottle {{ {THROTTLE} }} admins {{ email status isGlobal standalone domains maxUsers }}"""
USER_FIELDS = f"""email name language quota transport status active isAdmin isGlobalAdmin employeeId created
    passwordLastChange forwardings aliases usedQuota {{ bytes messages }} domain {{ name userCount }}
    throttles {{ {THROTTLE} }} inboundThrottle {{ kind maxMsgs }} outboundThrottle {{ kind maxMsgs }}"""
PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { %s } } nodes { %s }"


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (path, response.text)


def as_datetime(value: Any) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value))


def page_of(connection: dict[str, Any], key: str) -> list[str]:
    names = [node[key] for node in connection["nodes"]]
    assert [edge["node"][key] for edge in connection["edges"]] == names
    return names


async def walk(api: Api, query: str, root: str, key: str, **variables: Any) -> list[list[str]]:
    """Every page of a connection, following endCursor until hasNextPage is false."""
    pages: list[list[str]] = []
    totals: set[int] = set()
    after = None
    while True:
        connection = (await data(api, query, after=after, **variables))[root]
        names = page_of(connection, key)
        totals.add(connection["totalCount"])
        assert len(totals) == 1
        pages.append(names)
        info = connection["pageInfo"]
        assert info["endCursor"] == (connection["edges"][-1]["cursor"] if names else None)
        if not info["hasNextPage"]:
            return pages
        assert len(pages) < 10
        after = info["endCursor"]


async def created(api: Api, name: str) -> datetime.datetime:
    stored = await api.storage.created(name)
    assert stored is not None, name
    return stored


@pytest.fixture
async def example(admin_api: Api) -> Api:
    """example.com with john (member of two aliases, with throttles and used quota), jane and an alias.

    example.com has no total quota: that is an SQL-only limit (see test_domain_quota_is_reported_on_sql).
    """
    await ok(
        admin_api, "POST", "/api/domain/example.com", name="Example Inc.", language="de_DE",
        defaultQuota="100", maxUserQuota="1024", numberOfUsers="10", numberOfAliases="5", numberOfLists="3",
        minPasswordLength="10", maxPasswordLength="40",
    )
    await ok(admin_api, "POST", "/api/domain/other.org")
    await ok(
        admin_api, "POST", "/api/user/john@example.com", name="John Doe", password=STRONG, language="fr_FR",
        quota="250", transport="relay:[192.0.2.1]:25", employeeid="E-7",
    )
    await ok(admin_api, "POST", "/api/user/jane@example.com", name="Jane", password=STRONG)
    await ok(admin_api, "POST", "/api/user/carol@other.org", password=STRONG)
    await ok(admin_api, "POST", "/api/alias/team@example.com", cn="Team", accessPolicy="membersonly",
             members="john@example.com,carol@other.org")
    await ok(admin_api, "POST", "/api/alias/all@other.org", members="john@example.com")
    await ok(admin_api, "POST", "/api/throttle/example.com/inbound", period="60", max_msgs="50")
    await ok(admin_api, "POST", "/api/throttle/john@example.com/inbound", period="3600", max_msgs="7")
    await ok(admin_api, "POST", "/api/throttle/john@example.com/outbound", period="86400", max_quota="1000",
             msg_size="2048", max_rcpts="9")
    await admin_api.storage.add_forwarding("john@example.com", "archive@other.org")
    await admin_api.storage.add_admin("boss@admins.test", "Dom-Adm1n!pass")
    await admin_api.storage.grant_domain("boss@admins.test", "example.com")
    await set_used_quota(admin_api.storage, "john@example.com", 123456789012, 42)
    await set_used_quota(admin_api.storage, "jane@example.com", 1000, 3)
    await set_used_quota(admin_api.storage, "carol@other.org", 5, 1)
    return admin_api


async def test_me(admin_api: Api) -> None:
    assert await data(admin_api, "{ me { username isGlobal domains } }") == {
        "me": {"username": ADMIN, "isGlobal": True, "domains": []}
    }


async def test_domain_reports_every_field(example: Api) -> None:
    query = "query($n: String!) { domain(name: $n) { " + DOMAIN_FIELDS + " } }"
    result = (await data(example, query, n="Example.COM"))["domain"]
    assert as_datetime(result.pop("created")) == await created(example, "example.com")
    assert result == {
        "name": "example.com", "description": "Example Inc.", "status": "ACTIVE", "active": True,
        "transport": "dovecot",
        "backupMx": False, "quota": 0, "defaultUserQuota": 100, "maxUserQuota": 1024, "maxUsers": 10,
        "maxAliases": 5, "maxLists": 3, "minPasswordLength": 10, "maxPasswordLength": 40, "defaultLanguage": "de_DE",
        "userCount": 2, "aliasCount": 1, "allocatedQuota": 350,
        "usedQuota": {"bytes": 123456789012 + 1000, "messages": 45},
        "inboundThrottle": {
            "account": "@example.com", "scope": "domain", "kind": "INBOUND", "priority": 60, "period": 60,
            "msgSize": -1, "maxMsgs": 50, "maxQuota": -1, "maxRcpts": -1,
        },
        "outboundThrottle": None,
        "admins": [{
            "email": "boss@admins.test", "status": "ACTIVE", "isGlobal": False, "standalone": True,
            "domains": ["example.com"], "maxUsers": 0,
        }],
    }


async def test_domain_lists_its_users_and_aliases(example: Api) -> None:
    users = PAGE % ("email", "email")
    query = '{ domain(name: "example.com") { users(first: 1) { ' + users + " }"
    query += " aliases { totalCount nodes { email members } } } }"
    result = (await data(example, query))["domain"]
    assert result["users"]["totalCount"] == 2
    assert page_of(result["users"], "email") == ["jane@example.com"]
    assert result["users"]["pageInfo"]["hasNextPage"] is True
    assert result["aliases"] == {
        "totalCount": 1, "nodes": [{"email": "team@example.com", "members": ["carol@other.org", "john@example.com"]}]
    }


@pytest.mark.parametrize(("name", "code"), [("nowhere.com", "NO_SUCH_DOMAIN"), ("not_a_domain", "INVALID_DOMAIN_NAME")])
async def test_missing_or_invalid_domain(admin_api: Api, name: str, code: str) -> None:
    body = await gql(admin_api, "query($n: String!) { domain(name: $n) { name } }", n=name)
    assert codes(body) == [code] and body["data"] is None


DOMAINS = "query($after: String) { domains(first: 3, after: $after) { %s } }" % (PAGE % ("name", "name"))
SEVEN = ["a.com", "b.net", "c.org", "d-1.com", "e.com", "f.io", "g.com"]


async def test_domains_walks_every_page_in_a_stable_order(admin_api: Api) -> None:
    for name in reversed(SEVEN):
        await ok(admin_api, "POST", f"/api/domain/{name}")
    first = (await data(admin_api, DOMAINS))["domains"]
    assert first["totalCount"] == 7
    pages = await walk(admin_api, DOMAINS, "domains", "name")
    assert [len(page) for page in pages] == [3, 3, 1]
    names = [name for page in pages for name in page]
    listed = (await admin_api.call("GET", "/api/domains", name_only="yes")).json()["data"]
    assert names == listed and sorted(names) == sorted(SEVEN) and len(set(names)) == 7
    assert await walk(admin_api, DOMAINS, "domains", "name") == pages
    everything = await data(admin_api, "{ domains(first: 100) { pageInfo { hasNextPage } nodes { name } } }")
    assert [d["name"] for d in everything["domains"]["nodes"]] == names
    assert everything["domains"]["pageInfo"]["hasNextPage"] is False


async def test_an_empty_page(admin_api: Api) -> None:
    result = (await data(admin_api, DOMAINS))["domains"]
    assert result == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": [], "nodes": []}


SEARCH = "query($s: String, $a: Boolean) { domains(search: $s, active: $a) { totalCount nodes { name } } }"


async def searched(api: Api, search: str | None = None, active: bool | None = None) -> list[str]:
    result = (await data(api, SEARCH, s=search, a=active))["domains"]
    names = [node["name"] for node in result["nodes"]]
    assert result["totalCount"] == len(names)
    return names


async def test_domains_search_is_a_case_insensitive_literal_substring(admin_api: Api) -> None:
    for name, description in [
        ("percent.com", "Sale 100% off"), ("hundred.com", "Sale 1000 items"),
        ("snake.com", "snake_case"), ("camel.com", "snakeXcase"), ("shop.example", "Plain"),
    ]:
        await ok(admin_api, "POST", f"/api/domain/{name}", name=description)
    assert await searched(admin_api, "100%") == ["percent.com"]
    assert await searched(admin_api, "e_c") == ["snake.com"]
    assert await searched(admin_api, "SALE") == ["hundred.com", "percent.com"]
    assert await searched(admin_api, "SHOP.EX") == ["shop.example"]
    assert await searched(admin_api, "%") == ["percent.com"]
    assert await searched(admin_api, "_") == ["snake.com"]
    assert await searched(admin_api, "nothing like it") == []
    assert await searched(admin_api, "") == ["camel.com", "hundred.com", "percent.com", "shop.example", "snake.com"]


async def test_domains_active_filter(admin_api: Api) -> None:
    for name in ("a.com", "b.com", "c.com"):
        await ok(admin_api, "POST", f"/api/domain/{name}")
    await ok(admin_api, "PUT", "/api/domain/b.com", accountStatus="disabled")
    assert await searched(admin_api, active=False) == ["b.com"]
    assert await searched(admin_api, active=True) == ["a.com", "c.com"]
    assert await searched(admin_api) == ["a.com", "b.com", "c.com"]
    assert await searched(admin_api, "b", active=True) == []


BAD_PAGES = [
    ("first: 0", "INVALID_PAGE_SIZE"),
    ("first: 101", "INVALID_PAGE_SIZE"),
    ("first: -1", "INVALID_PAGE_SIZE"),
    ('after: "!!!"', "INVALID_CURSOR"),
    ('after: "not-a-cursor"', "INVALID_CURSOR"),
    ('after: ""', "INVALID_CURSOR"),
    ('after: "YS5jb20=x"', "INVALID_CURSOR"),
    ('after: "/w=="', "INVALID_CURSOR"),
]


async def test_bad_page_arguments(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/a.com")
    for query in (
        "{ domains(%s) { totalCount } }",
        '{ users(domain: "a.com", %s) { totalCount } }',
        '{ aliases(domain: "a.com", %s) { totalCount } }',
        '{ domain(name: "a.com") { users(%s) { totalCount } aliases(%s) { totalCount } } }',
    ):
        for arguments, code in BAD_PAGES:
            body = await gql(admin_api, query.replace("%s", arguments))
            assert codes(body) and set(codes(body)) == {code}, (query, arguments, body)
    largest = '{ domains(first: 100) { totalCount } users(domain: "a.com", first: 1) { totalCount } }'
    body = await gql(admin_api, largest)
    assert body == {"data": {"domains": {"totalCount": 1}, "users": {"totalCount": 0}}}


async def test_user_reports_every_field(example: Api) -> None:
    result = (await data(example, '{ user(email: "John@Example.com") { ' + USER_FIELDS + " } }"))["user"]
    assert as_datetime(result.pop("created")) == await created(example, "john@example.com")
    assert as_datetime(result.pop("passwordLastChange")) == await example.storage.password_changed_at(
        "john@example.com"
    )
    assert result == {
        "email": "john@example.com", "name": "John Doe", "language": "fr_FR", "quota": 250,
        "transport": "relay:[192.0.2.1]:25", "status": "ACTIVE", "active": True, "isAdmin": False,
        "isGlobalAdmin": False,
        "employeeId": "E-7", "forwardings": ["archive@other.org", "john@example.com"],
        "aliases": ["all@other.org", "team@example.com"],
        "usedQuota": {"bytes": 123456789012, "messages": 42},
        "domain": {"name": "example.com", "userCount": 2},
        "throttles": [
            {"account": "john@example.com", "scope": "user", "kind": "INBOUND", "priority": 100, "period": 3600,
             "msgSize": -1, "maxMsgs": 7, "maxQuota": -1, "maxRcpts": -1},
            {"account": "john@example.com", "scope": "user", "kind": "OUTBOUND", "priority": 100, "period": 86400,
             "msgSize": 2048, "maxMsgs": -1, "maxQuota": 1000, "maxRcpts": 9},
        ],
        "inboundThrottle": {"kind": "INBOUND", "maxMsgs": 7},
        "outboundThrottle": {"kind": "OUTBOUND", "maxMsgs": -1},
    }


async def test_user_without_extras(example: Api) -> None:
    await ok(example, "POST", "/api/user/new@example.com", password=STRONG)
    result = (await data(example, '{ user(email: "new@example.com") { quota language aliases forwardings '
                                   "usedQuota { bytes messages } throttles { kind } inboundThrottle { kind } } }"))
    assert result["user"] == {
        "quota": 100, "language": "de_DE", "aliases": [], "forwardings": ["new@example.com"],
        "usedQuota": {"bytes": 0, "messages": 0}, "throttles": [], "inboundThrottle": None,
    }


@pytest.mark.parametrize(
    ("email", "code"),
    [("ghost@example.com", "NO_SUCH_ACCOUNT"), ("team@example.com", "NO_SUCH_ACCOUNT"),
     ("not-an-address", "INVALID_MAIL")],
)
async def test_missing_or_invalid_user(example: Api, email: str, code: str) -> None:
    assert codes(await gql(example, "query($e: String!) { user(email: $e) { email } }", e=email)) == [code]


USERS = """query($after: String, $s: String, $a: Boolean, $first: Int! = 3) {
    users(domain: "many.com", first: $first, after: $after, search: $s, active: $a) { %s } }""" % (
    PAGE % ("email", "email"))


async def test_users_pages_search_and_active(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/many.com")
    await ok(admin_api, "POST", "/api/domain/other.com")
    emails = [f"{local}@many.com" for local in ("ann", "bob", "cy", "dee", "eve", "fay", "gus")]
    for number, email in enumerate(reversed(emails)):
        await ok(admin_api, "POST", f"/api/user/{email}", password=STRONG, name=f"Person_{number}")
    await ok(admin_api, "POST", "/api/user/zed@other.com", password=STRONG)
    await ok(admin_api, "PUT", "/api/user/cy@many.com", accountStatus="disabled")

    assert (await data(admin_api, USERS))["users"]["totalCount"] == 7
    pages = await walk(admin_api, USERS, "users", "email")
    assert pages == [emails[:3], emails[3:6], emails[6:]]

    async def found(**variables: Any) -> list[str]:
        result = (await data(admin_api, USERS, first=100, **variables))["users"]
        assert result["totalCount"] == len(result["nodes"])
        return page_of(result, "email")

    assert await found(s="BOB") == ["bob@many.com"]
    assert await found(s="person_") == emails
    assert await found(s="N_1") == ["fay@many.com"]
    assert await found(s="n%") == []
    assert await found(s="EVE@") == ["eve@many.com"]
    assert await found(a=False) == ["cy@many.com"]
    assert await found(a=True) == [e for e in emails if e != "cy@many.com"]
    assert codes(await gql(admin_api, '{ users(domain: "nowhere.com") { totalCount } }')) == ["NO_SUCH_DOMAIN"]


async def test_alias(example: Api) -> None:
    result = (await data(example, """{ alias(email: "TEAM@example.com") {
        email name accessPolicy status active members created domain { name } } }"""))["alias"]
    assert as_datetime(result.pop("created")) == await created(example, "team@example.com")
    assert result == {
        "email": "team@example.com", "name": "Team", "accessPolicy": "MEMBERS_ONLY", "status": "ACTIVE", "active": True,
        "members": ["carol@other.org", "john@example.com"], "domain": {"name": "example.com"},
    }
    for email, code in (("john@example.com", "NO_SUCH_ACCOUNT"), ("ghost@example.com", "NO_SUCH_ACCOUNT"),
                        ("bad address", "INVALID_MAIL")):
        assert codes(await gql(example, "query($e: String!) { alias(email: $e) { email } }", e=email)) == [code]


ALIASES = """query($after: String, $s: String, $a: Boolean, $first: Int! = 3) {
    aliases(domain: "many.com", first: $first, after: $after, search: $s, active: $a) { %s } }""" % (
    PAGE % ("email", "email members"))


async def test_aliases_pages_search_and_active(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/many.com")
    await ok(admin_api, "POST", "/api/domain/other.com")
    addresses = [f"{local}@many.com" for local in ("a1", "b2", "c3", "d4", "e5", "f6", "g7")]
    for address in reversed(addresses):
        await ok(admin_api, "POST", f"/api/alias/{address}", cn=f"List {address[:2].upper()}",
                 members="x@other.com")
    await ok(admin_api, "POST", "/api/alias/z9@other.com")
    await ok(admin_api, "PUT", "/api/alias/d4@many.com", accountStatus="disabled")

    pages = await walk(admin_api, ALIASES, "aliases", "email")
    assert pages == [addresses[:3], addresses[3:6], addresses[6:]]
    result = (await data(admin_api, ALIASES, first=100))["aliases"]
    assert result["totalCount"] == 7
    assert {tuple(node["members"]) for node in result["nodes"]} == {("x@other.com",)}

    async def found(**variables: Any) -> list[str]:
        return page_of((await data(admin_api, ALIASES, first=100, **variables))["aliases"], "email")

    assert await found(s="list b") == ["b2@many.com"]
    assert await found(s="G7@MANY") == ["g7@many.com"]
    assert await found(s="_") == []
    assert await found(a=False) == ["d4@many.com"]
    assert await found(a=True) == [a for a in addresses if a != "d4@many.com"]
    assert codes(await gql(admin_api, '{ aliases(domain: "nowhere.com") { totalCount } }')) == ["NO_SUCH_DOMAIN"]


async def test_mailing_list_is_not_supported_on_sql(sql_admin_api: Api) -> None:
    await ok(sql_admin_api, "POST", "/api/domain/example.com")
    body = await gql(sql_admin_api, '{ mailingList(email: "list@example.com") { email } }')
    assert codes(body) == ["NOT_SUPPORTED"]


async def test_mailing_list_on_ldap(ldap_admin_api: Api) -> None:
    await ok(ldap_admin_api, "POST", "/api/domain/example.com")
    await ok(ldap_admin_api, "POST", "/api/domain/other.org")
    await ok(ldap_admin_api, "POST", "/api/user/john@example.com", password=STRONG)
    await ok(ldap_admin_api, "POST", "/api/user/carol@other.org", password=STRONG)
    await ok(ldap_admin_api, "POST", "/api/alias/team@example.com", members="john@example.com")
    await ok(ldap_admin_api, "POST", "/api/maillist/list@example.com", cn="List", accessPolicy="membersonly",
             members="john@example.com,carol@other.org")
    result = (await data(ldap_admin_api, """{ mailingList(email: "LIST@example.com") {
        email name accessPolicy status active members created domain { name } } }"""))["mailingList"]
    assert as_datetime(result.pop("created")) == await created(ldap_admin_api, "list@example.com")
    assert result == {
        "email": "list@example.com", "name": "List", "accessPolicy": "MEMBERS_ONLY", "status": "ACTIVE", "active": True,
        "members": ["carol@other.org", "john@example.com"], "domain": {"name": "example.com"},
    }
    for email, code in (("team@example.com", "NO_SUCH_ACCOUNT"), ("john@example.com", "NO_SUCH_ACCOUNT"),
                        ("ghost@example.com", "NO_SUCH_ACCOUNT"), ("bad address", "INVALID_MAIL")):
        body = await gql(ldap_admin_api, "query($e: String!) { mailingList(email: $e) { email } }", e=email)
        assert codes(body) == [code], (email, body)


async def test_throttle_of_each_scope(example: Api) -> None:
    await ok(example, "POST", "/api/throttle/global/outbound", period="600", msg_size="10240", max_msgs="100",
             max_quota="0", max_rcpts="20")
    query = "query($a: String!, $k: ThrottleKind!) { throttle(account: $a, kind: $k) { " + THROTTLE + " } }"
    assert (await data(example, query, a="GLOBAL", k="OUTBOUND"))["throttle"] == {
        "account": "@.", "scope": "global", "kind": "OUTBOUND", "priority": 0, "period": 600, "msgSize": 10240,
        "maxMsgs": 100, "maxQuota": 0, "maxRcpts": 20,
    }
    domain = (await data(example, query, a="Example.com", k="INBOUND"))["throttle"]
    assert (domain["account"], domain["scope"], domain["priority"], domain["maxMsgs"]) == (
        "@example.com", "domain", 60, 50)
    user = (await data(example, query, a="john@example.com", k="OUTBOUND"))["throttle"]
    assert (user["account"], user["scope"], user["period"], user["maxQuota"]) == (
        "john@example.com", "user", 86400, 1000)
    for account, kind in (("global", "INBOUND"), ("example.com", "OUTBOUND"), ("jane@example.com", "INBOUND")):
        assert (await data(example, query, a=account, k=kind)) == {"throttle": None}
    for account, kind, code in (
        ("nowhere.com", "INBOUND", "NO_SUCH_DOMAIN"),
        ("ghost@example.com", "INBOUND", "NO_SUCH_ACCOUNT"),
        ("not_a_domain", "INBOUND", "INVALID_DOMAIN_NAME"),
    ):
        assert codes(await gql(example, query, a=account, k=kind)) == [code]


async def test_global_throttles(admin_api: Api) -> None:
    assert await data(admin_api, "{ globalThrottles { kind } }") == {"globalThrottles": []}
    await ok(admin_api, "POST", "/api/throttle/global/outbound", period="60", max_msgs="5")
    await ok(admin_api, "POST", "/api/throttle/global/inbound", period="120", max_rcpts="3")
    result = await data(admin_api, "{ globalThrottles { account scope kind period maxMsgs maxRcpts } }")
    assert result["globalThrottles"] == [
        {"account": "@.", "scope": "global", "kind": "INBOUND", "period": 120, "maxMsgs": -1, "maxRcpts": 3},
        {"account": "@.", "scope": "global", "kind": "OUTBOUND", "period": 60, "maxMsgs": 5, "maxRcpts": -1},
    ]


async def test_stats(example: Api) -> None:
    await ok(example, "PUT", "/api/user/jane@example.com", accountStatus="disabled")
    await ok(example, "POST", "/api/domain/off.com")
    await ok(example, "PUT", "/api/domain/off.com", accountStatus="disabled")
    result = await data(example, """{ stats { domains activeDomains users activeUsers aliases allocatedQuota
        usedBytes usedMessages } }""")
    assert result["stats"] == {
        "domains": 3, "activeDomains": 2, "users": 3, "activeUsers": 2, "aliases": 2,
        "allocatedQuota": 250 + 100 + 0, "usedBytes": 123456789012 + 1000 + 5, "usedMessages": 46,
    }


async def test_stats_of_an_empty_server(admin_api: Api) -> None:
    result = await data(admin_api, "{ stats { domains activeDomains users activeUsers aliases allocatedQuota "
                                   "usedBytes usedMessages } }")
    assert set(result["stats"].values()) == {0}


async def test_large_quotas_are_reported(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/big.com", defaultQuota=str(2**35))
    await ok(admin_api, "POST", "/api/user/john@big.com", password=STRONG)
    result = await data(admin_api, """{ domains { nodes { quota defaultUserQuota allocatedQuota
        users { nodes { quota } } } } stats { allocatedQuota } }""")
    assert result == {
        "domains": {"nodes": [{"quota": 0, "defaultUserQuota": 2**35, "allocatedQuota": 2**35,
                               "users": {"nodes": [{"quota": 2**35}]}}]},
        "stats": {"allocatedQuota": 2**35},
    }


# a total quota per domain, on every storage
async def test_domain_quota_is_reported(admin_api: Api) -> None:
    await ok(admin_api, "POST", "/api/domain/big.com", quota=str(2**40))
    await ok(admin_api, "POST", "/api/domain/small.com", quota="4096")
    result = await data(admin_api, '{ domains { nodes { name quota } } domain(name: "small.com") { quota } }')
    assert result == {
        "domains": {"nodes": [{"name": "big.com", "quota": 2**40}, {"name": "small.com", "quota": 4096}]},
        "domain": {"quota": 4096},
    }


def test_no_output_type_has_a_password_field() -> None:
    schema = build_schema(Settings(_env_file=None))._schema
    fields = {
        f"{name}.{field}"
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__") and name not in ("Query", "Mutation")
        for field in kind.fields
    }
    assert "User.passwordLastChange" in fields
    assert {field for field in fields if "password" in field.lower()} == {
        "User.passwordLastChange", "Domain.minPasswordLength", "Domain.maxPasswordLength"
    }
    assert not {field for field in fields if field.split(".")[1].lower() in ("password", "passwordhash", "hash")}


async def test_no_response_contains_a_stored_hash(example: Api) -> None:
    query = (
        "{ me { username } domains(first: 10) { nodes { " + DOMAIN_FIELDS + " users { nodes { " + USER_FIELDS + " } }"
        ' aliases { nodes { email members } } } } user(email: "john@example.com") { email } }'
    )
    response = await example.client.post("/graphql", json={"query": query})
    assert response.status_code == 200 and "errors" not in response.json()
    hashes = await example.storage.password_hashes()
    assert len(hashes) == 5
    for stored in hashes:
        assert stored not in response.text
        assert stored.split("}", 1)[1][:16] not in response.text


async def test_expected_failures_are_not_logged_as_errors(admin_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        for query in ('{ domain(name: "nowhere.com") { name } }', "{ domains(first: 0) { totalCount } }",
                      "{ nofield }", '{ user(email: "bad") { email } }'):
            assert (await gql(admin_api, query))["errors"]
        await admin_api.call("POST", "/api/logout")
        assert codes(await gql(admin_api, "{ me { username } }")) == ["LOGIN_REQUIRED"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
