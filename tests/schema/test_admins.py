"""Admins through GraphQL: the same resolvers and rules as /api/admin, on every storage."""

from __future__ import annotations

from typing import Any

from tests.rest.conftest import ADMIN, STRONG, Api
from tests.schema.conftest import codes, data, gql

BOSS = "boss@admins.test"
ADMIN_FIELDS = """email name language status isGlobal standalone domains maxDomains maxQuota maxUsers maxAliases
    maxLists disableViewingMailLog disableManagingQuarantinedMails"""
CREATE = "mutation($e: String!, $i: AdminInput!) { createAdmin(email: $e, input: $i) { " + ADMIN_FIELDS + " } }"
UPDATE = "mutation($e: String!, $i: AdminInput!) { updateAdmin(email: $e, input: $i) { " + ADMIN_FIELDS + " } }"
ASSIGN = """mutation($d: String!, $a: [String!], $r: [String!], $all: Boolean! = false) {
    setDomainAdmins(domain: $d, add: $a, remove: $r, removeAll: $all) }"""


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), response.text


async def test_admins_are_created_changed_listed_and_deleted(admin_api: Api) -> None:
    api = admin_api
    for name in ("example.com", "other.org"):
        await ok(api, "POST", f"/api/domain/{name}")
    await ok(api, "POST", "/api/user/bob@example.com", password=STRONG)
    made = (await data(api, CREATE, e=BOSS, i={"password": STRONG, "name": "Boss", "maxQuota": 2, "quotaUnit": "GB",
                                               "maxDomains": 1, "disableViewingMailLog": True}))["createAdmin"]
    assert made == {
        "email": BOSS, "name": "Boss", "language": "en_US", "status": "ACTIVE", "isGlobal": False, "standalone": True,
        "domains": [], "maxDomains": 1, "maxQuota": 2048, "maxUsers": 0, "maxAliases": 0, "maxLists": 0,
        "disableViewingMailLog": True, "disableManagingQuarantinedMails": False,
    }
    assert await data(api, ASSIGN, d="example.com", a=[BOSS, "bob@example.com"]) == {
        "setDomainAdmins": sorted([BOSS, "bob@example.com"])
    }
    changed = (await data(api, UPDATE, e=BOSS, i={"status": "DISABLED", "maxUsers": 7}))["updateAdmin"]
    assert (changed["status"], changed["maxUsers"], changed["domains"]) == ("DISABLED", 7, ["example.com"])
    result = await data(api, '{ domain(name: "example.com") { admins { email standalone status } } }')
    assert result["domain"]["admins"] == [
        {"email": "bob@example.com", "standalone": False, "status": "ACTIVE"},
        {"email": BOSS, "standalone": True, "status": "DISABLED"},
    ]
    page = await data(api, "{ admins(first: 2) { totalCount nodes { email } pageInfo { hasNextPage endCursor } } }")
    assert page["admins"]["totalCount"] == 3
    assert [node["email"] for node in page["admins"]["nodes"]] == sorted([BOSS, "bob@example.com"])
    rest = await data(api, "query($a: String) { admins(after: $a) { nodes { email } } }",
                      a=page["admins"]["pageInfo"]["endCursor"])
    assert rest["admins"]["nodes"] == [{"email": ADMIN}]
    found = await data(api, '{ admins(search: "BOSS") { totalCount } off: admins(status: DISABLED) { totalCount } }')
    assert (found["admins"]["totalCount"], found["off"]["totalCount"]) == (1, 1)
    assert (await data(api, f'{{ admin(email: "{BOSS}") {{ email }} }}')) == {"admin": {"email": BOSS}}

    promoted = await data(api, 'mutation { updateUser(email: "bob@example.com", input: {isGlobalAdmin: true}) '
                               "{ isGlobalAdmin } }")
    assert promoted == {"updateUser": {"isGlobalAdmin": True}}
    assert await data(api, ASSIGN, d="example.com", all=True) == {"setDomainAdmins": []}
    assert await data(api, f'mutation {{ deleteAdmin(email: "{BOSS}") }}') == {"deleteAdmin": True}
    assert codes(await gql(api, f'{{ admin(email: "{BOSS}") {{ email }} }}')) == ["NO_SUCH_ACCOUNT"]


async def test_bad_admin_mutations_write_nothing(admin_api: Api) -> None:
    api = admin_api
    await ok(api, "POST", "/api/domain/example.com")
    before = await api.snapshot()
    cases: list[tuple[str, dict[str, Any], str]] = [
        (CREATE, {"e": BOSS, "i": {}}, "PW_EMPTY"),
        (CREATE, {"e": "x@example.com", "i": {"password": STRONG}}, "CAN_NOT_BE_LOCAL_DOMAIN"),
        (CREATE, {"e": BOSS, "i": {"password": STRONG, "maxQuota": 1, "quotaUnit": "KB"}}, "INVALID_PARAMETER"),
        (CREATE, {"e": BOSS, "i": {"password": STRONG, "maxLists": -5}}, "INVALID_PARAMETER"),
        (UPDATE, {"e": BOSS, "i": {"name": "x"}}, "NO_SUCH_ACCOUNT"),
        (UPDATE, {"e": ADMIN, "i": {"status": "DISABLED"}}, "PERMISSION_DENIED"),
        (ASSIGN, {"d": "example.com", "a": ["ghost@example.com"]}, "NO_SUCH_ACCOUNT"),
        (ASSIGN, {"d": "nowhere.net", "a": [ADMIN]}, "NO_SUCH_DOMAIN"),
        (ASSIGN, {"d": "example.com"}, "INVALID_PARAMETER"),
        ('mutation { deleteAdmin(email: "nobody@admins.test") }', {}, "NO_SUCH_ACCOUNT"),
        ("{ admins(first: 0) { totalCount } }", {}, "INVALID_PAGE_SIZE"),
    ]
    for query, variables, code in cases:
        assert codes(await gql(api, query, **variables)) == [code], (query, variables)
    assert await api.snapshot() == before
