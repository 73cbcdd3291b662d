"""``/api/maillist/<mail>``: mailing lists on OpenLDAP, ``NOT_SUPPORTED`` on the SQL backends.

On LDAP a list is a ``mailList`` entry in ``ou=Groups``; its members are the
entries carrying ``memberOfGroup: <list>`` (users, aliases, lists, and
``mailExternalUser`` entries in ``ou=Externals`` for outside addresses), which
``LdapStorage.maillist`` reads back.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.ldap.backend_support import stack_fixture  # noqa: F401  (fixture)
from tests.ldap_mailstack import LdapMailStack
from tests.rest.conftest import STRONG, Api
from tests.storage import LdapStorage, StoredAlias

DOMAIN_ADMIN = "boss@admins.test"
LIST = "list@example.com"
OUTSIDER = "outsider@elsewhere.net"

REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("POST", {"cn": "List", "accessPolicy": "membersonly", "members": "bob@example.com"}),
    ("PUT", {"addMember": "bob@example.com", "accountStatus": "disabled"}),
    ("DELETE", {}),
    ("GET", {}),
]


def directory(api: Api) -> LdapStorage:
    assert isinstance(api.storage, LdapStorage)
    return api.storage


async def stored_list(api: Api, address: str = LIST) -> StoredAlias:
    found = await directory(api).maillist(address)
    assert found is not None, address
    return found


async def login_domain_admin(api: Api, domain: str) -> None:
    await api.storage.add_admin(DOMAIN_ADMIN, STRONG)
    await api.storage.grant_domain(DOMAIN_ADMIN, domain)
    assert (await api.login(DOMAIN_ADMIN, STRONG)).status_code == 200


# every backend


async def test_domain_admin_of_another_domain_is_denied(domain_api: Api) -> None:
    await login_domain_admin(domain_api, "example.com")
    before = await domain_api.snapshot()
    for method, params in REQUESTS:
        response = await domain_api.call(method, "/api/maillist/list@other.org", **params)
        assert (response.status_code, response.json()) == (403, {"success": False, "msg": "PERMISSION_DENIED"}), method
    assert await domain_api.snapshot() == before


async def test_mailing_list_paths_need_a_session(domain_api: Api) -> None:
    assert (await domain_api.call("POST", "/api/logout")).status_code == 200
    before = await domain_api.snapshot()
    for method, params in REQUESTS:
        response = await domain_api.call(method, "/api/maillist/list@example.com", **params)
        assert (response.status_code, response.json()) == (401, {"success": False, "msg": "LOGIN_REQUIRED"}), method
    assert await domain_api.snapshot() == before


# SQL: not supported, nothing written


@pytest.mark.parametrize(("method", "params"), REQUESTS)
async def test_mailing_lists_are_not_supported_on_sql(
    sql_domain_api: Api, method: str, params: dict[str, str]
) -> None:
    before = await sql_domain_api.snapshot()
    response = await sql_domain_api.call(method, "/api/maillist/list@example.com", **params)
    assert (response.status_code, response.json()) == (400, {"success": False, "msg": "NOT_SUPPORTED"})
    assert await sql_domain_api.snapshot() == before


async def test_domain_admin_of_the_domain_gets_not_supported(sql_domain_api: Api) -> None:
    await login_domain_admin(sql_domain_api, "example.com")
    before = await sql_domain_api.snapshot()
    for method, params in REQUESTS:
        response = await sql_domain_api.call(method, "/api/maillist/list@example.com", **params)
        assert (response.status_code, response.json()) == (400, {"success": False, "msg": "NOT_SUPPORTED"}), method
    assert await sql_domain_api.snapshot() == before


# LDAP: mailing lists


async def test_create_list_stores_the_list_and_memberships(ldap_domain_api: Api) -> None:
    users_before = await ldap_domain_api.storage.users()
    response = await ldap_domain_api.call(
        "POST", "/api/maillist/List@Example.COM", cn="The List", accessPolicy="membersOnly",
        members=f" Bob@Example.com, carol@Other.ORG ,bob@example.com,, {OUTSIDER.upper()} , BOB@EXAMPLE.COM",
    )
    assert (response.status_code, response.json()) == (201, {"success": True})
    assert await stored_list(ldap_domain_api) == StoredAlias(
        address=LIST, name="The List", access_policy="membersonly", active=True,
        members=("bob@example.com", "carol@other.org", OUTSIDER),
    )
    # a list is neither an alias nor a user; the members' accounts are otherwise unchanged
    assert await ldap_domain_api.storage.aliases() == []
    assert await ldap_domain_api.storage.users() == users_before


async def test_create_list_writes_a_list_entry_and_member_values(ldap_domain_api: Api) -> None:
    response = await ldap_domain_api.call(
        "POST", f"/api/maillist/{LIST}", cn="The List", accessPolicy="domain",
        members=f"bob@example.com,carol@other.org,{OUTSIDER}",
    )
    assert response.status_code == 201, response.text
    storage = directory(ldap_domain_api)
    tree = storage.tree
    assert storage.entry(tree.list_dn(LIST)) == {
        "objectclass": ["mailList"],
        "mail": [LIST],
        "cn": ["The List"],
        "accountstatus": ["active"],
        "enabledservice": ["deliver", "mail"],
        "accesspolicy": ["domain"],
    }
    for user in ("bob@example.com", "carol@other.org"):
        entry = storage.entry(tree.user_dn(user))
        assert entry is not None and entry["memberofgroup"] == [LIST], user
    assert storage.entry(tree.external_dn(LIST, OUTSIDER)) == {
        "objectclass": ["mailExternalUser"],
        "mail": [OUTSIDER],
        "memberofgroup": [LIST],
        "accountstatus": ["active"],
        "enabledservice": ["deliver", "mail"],
    }


async def test_list_without_members_is_public_and_takes_name_for_cn(ldap_domain_api: Api) -> None:
    response = await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", name="Named")
    assert (response.status_code, response.json()) == (201, {"success": True})
    assert await stored_list(ldap_domain_api) == StoredAlias(
        address=LIST, name="Named", access_policy="public", active=True, members=()
    )


async def test_aliases_and_lists_can_be_list_members(ldap_domain_api: Api) -> None:
    assert (await ldap_domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201
    assert (await ldap_domain_api.call("POST", "/api/maillist/inner@example.com")).status_code == 201
    response = await ldap_domain_api.call(
        "POST", f"/api/maillist/{LIST}", members="team@example.com,inner@example.com"
    )
    assert response.status_code == 201, response.text
    assert (await stored_list(ldap_domain_api)).members == ("inner@example.com", "team@example.com")
    storage = directory(ldap_domain_api)
    assert storage.search(storage.tree.domains, "(objectClass=mailExternalUser)") == {}


async def test_get_list(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call(
        "POST", f"/api/maillist/{LIST}", cn="List", accessPolicy="domain",
        members=f"carol@other.org,{OUTSIDER},bob@example.com",
    )
    response = await ldap_domain_api.call("GET", "/api/maillist/List@EXAMPLE.com")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert (data["mail"], data["domain"], data["name"]) == (LIST, "example.com", "List")
    assert (data["accessPolicy"], data["accountStatus"]) == ("domain", "active")
    assert data["members"] == ["bob@example.com", "carol@other.org", OUTSIDER]


@pytest.mark.parametrize("address", ["ghost@example.com", "bob@example.com", "team@example.com"])
async def test_get_of_what_is_not_a_list(ldap_domain_api: Api, address: str) -> None:
    assert (await ldap_domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201
    response = await ldap_domain_api.call("GET", f"/api/maillist/{address}")
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})


@pytest.mark.parametrize(("limit", "allowed"), [(1, 1), (2, 2), (-1, 0)])
async def test_number_of_lists_is_enforced_and_nothing_written(
    ldap_domain_api: Api, limit: int, allowed: int
) -> None:
    response = await ldap_domain_api.call("PUT", "/api/domain/example.com", numberOfLists=str(limit))
    assert response.status_code == 200, response.text
    assert (await ldap_domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201
    for number in range(allowed):
        assert (await ldap_domain_api.call("POST", f"/api/maillist/l{number}@example.com")).status_code == 201
    before = await ldap_domain_api.snapshot()
    response = await ldap_domain_api.call(
        "POST", "/api/maillist/more@example.com", members=f"bob@example.com,{OUTSIDER}"
    )
    assert (response.status_code, response.json()) == (409, {"success": False, "msg": "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"})
    assert await ldap_domain_api.snapshot() == before
    assert (await ldap_domain_api.call("POST", "/api/maillist/elsewhere@other.org")).status_code == 201


async def test_concurrent_creates_respect_the_list_limit(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("PUT", "/api/domain/example.com", numberOfLists="3")
    responses = await asyncio.gather(
        *(ldap_domain_api.call("POST", f"/api/maillist/l{i}@example.com", members="bob@example.com") for i in range(10))
    )
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7, [r.text for r in responses]
    assert {r.json()["msg"] for r in responses if r.status_code == 409} == {"EXCEEDED_DOMAIN_ACCOUNT_LIMIT"}
    storage = ldap_domain_api.storage
    assert isinstance(storage, LdapStorage)
    found = [await storage.maillist(f"l{i}@example.com") for i in range(10)]
    assert sorted(item.members for item in found if item is not None) == [("bob@example.com",)] * 3


async def test_lists_do_not_count_against_the_alias_limit(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("PUT", "/api/domain/example.com", numberOfAliases="1", numberOfLists="1")
    assert (await ldap_domain_api.call("POST", f"/api/maillist/{LIST}")).status_code == 201
    assert (await ldap_domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201


async def test_unlimited_lists_when_the_limit_is_zero(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("PUT", "/api/domain/example.com", numberOfLists="0")
    for number in range(3):
        assert (await ldap_domain_api.call("POST", f"/api/maillist/l{number}@example.com")).status_code == 201
    for number in range(3):
        assert await directory(ldap_domain_api).maillist(f"l{number}@example.com") is not None


MEMBERS = {"members": "carol@other.org"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("maillist/bob@example.com", MEMBERS),
        ("maillist/BOB@example.com", MEMBERS),
        ("maillist/team@example.com", MEMBERS),
        ("maillist/taken@example.com", MEMBERS),
        ("maillist/Taken@Example.com", MEMBERS),
        ("alias/taken@example.com", MEMBERS),
        ("user/taken@example.com", {"password": STRONG}),
    ],
)
async def test_an_address_in_use_is_refused(ldap_domain_api: Api, path: str, params: dict[str, str]) -> None:
    assert (await ldap_domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201
    assert (await ldap_domain_api.call("POST", "/api/maillist/taken@example.com")).status_code == 201
    before = await ldap_domain_api.snapshot()
    response = await ldap_domain_api.call("POST", f"/api/{path}", **params)
    assert (response.status_code, response.json()) == (409, {"success": False, "msg": "ALREADY_EXISTS"})
    assert await ldap_domain_api.snapshot() == before


async def test_list_in_a_missing_domain_is_refused(ldap_domain_api: Api) -> None:
    before = await ldap_domain_api.snapshot()
    response = await ldap_domain_api.call("POST", "/api/maillist/list@nowhere.com", members="bob@example.com")
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NO_SUCH_DOMAIN"})
    assert await ldap_domain_api.snapshot() == before


@pytest.mark.parametrize(
    ("address", "params", "code"),
    [
        (LIST, {"accessPolicy": "everyone"}, "INVALID_ACCESS_POLICY"),
        (LIST, {"accessPolicy": "public)(objectClass=*"}, "INVALID_ACCESS_POLICY"),
        ("list", {}, "INVALID_MAIL"),
        ("list@example", {}, "INVALID_MAIL"),
        ("li@st@example.com", {}, "INVALID_MAIL"),
        ("list+ext@example.com", {}, "INVALID_MAIL"),
        (".list@example.com", {}, "INVALID_MAIL"),
        ("*)(mail=*@example.com", {}, "INVALID_MAIL"),
        ("list,ou=Users@example.com", {}, "INVALID_MAIL"),
        (LIST, {"members": "bob@example.com,not-an-address"}, "INVALID_MAIL"),
        (LIST, {"members": "bob@localhost"}, "INVALID_MAIL"),
        (LIST, {"members": "*)(objectClass=*@example.com"}, "INVALID_MAIL"),
        (LIST, {"members": "bob\x00@example.com"}, "INVALID_MAIL"),
        (LIST, {"members": "bob\r\n@example.com"}, "INVALID_MAIL"),
        (LIST, {"name": "List\x07"}, "INVALID_NAME"),
        (LIST, {"cn": "x" * 256}, "INVALID_NAME"),
        (LIST, {"cn": "One", "name": "Two"}, "INVALID_PARAMETER"),
        (LIST, {"addMember": "bob@example.com"}, "INVALID_PARAMETER"),
        (LIST, {"removeMember": "bob@example.com"}, "INVALID_PARAMETER"),
        (LIST, {"accountStatus": "active"}, "INVALID_PARAMETER"),
        (LIST, {"moderators": "bob@example.com"}, "INVALID_PARAMETER"),
    ],
)
async def test_bad_list_input_is_refused_and_writes_nothing(
    ldap_domain_api: Api, address: str, params: dict[str, str], code: str
) -> None:
    before = await ldap_domain_api.snapshot()
    response = await ldap_domain_api.call("POST", f"/api/maillist/{address}", **params)
    assert (response.status_code, response.json()) == (400, {"success": False, "msg": code})
    assert await ldap_domain_api.snapshot() == before


async def test_update_members_replaces_the_set(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=f"bob@example.com,{OUTSIDER}")
    response = await ldap_domain_api.call(
        "PUT", f"/api/maillist/{LIST}", members="Carol@other.org, eve@elsewhere.net,eve@elsewhere.net"
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await stored_list(ldap_domain_api)).members == ("carol@other.org", "eve@elsewhere.net")
    storage = directory(ldap_domain_api)
    assert storage.entry(storage.tree.external_dn(LIST, OUTSIDER)) is None
    bob = storage.entry(storage.tree.user_dn("bob@example.com"))
    assert bob is not None and "memberofgroup" not in bob

    assert (await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", members="")).status_code == 200
    assert await stored_list(ldap_domain_api) == StoredAlias(
        address=LIST, name="", access_policy="public", active=True, members=()
    )
    assert storage.search(storage.tree.domains, "(objectClass=mailExternalUser)") == {}


async def test_update_adds_and_removes_members(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members="bob@example.com,carol@other.org")
    response = await ldap_domain_api.call(
        "PUT", f"/api/maillist/{LIST}", addMember=f"{OUTSIDER.upper()},bob@example.com,x+y@other.org",
        removeMember="CAROL@other.org,nobody@example.com",
    )
    assert response.status_code == 200, response.text
    assert (await stored_list(ldap_domain_api)).members == ("bob@example.com", OUTSIDER, "x+y@other.org")
    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", removeMember=f"bob@example.com,{OUTSIDER}")
    assert response.status_code == 200, response.text
    assert (await stored_list(ldap_domain_api)).members == ("x+y@other.org",)
    data = (await ldap_domain_api.call("GET", f"/api/maillist/{LIST}")).json()["data"]
    assert data["members"] == ["x+y@other.org"]


async def test_an_outside_member_of_two_lists_leaves_one(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=OUTSIDER)
    await ldap_domain_api.call("POST", "/api/maillist/second@example.com", members=OUTSIDER)
    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", removeMember=OUTSIDER)
    assert response.status_code == 200, response.text
    assert (await stored_list(ldap_domain_api)).members == ()
    assert (await stored_list(ldap_domain_api, "second@example.com")).members == (OUTSIDER,)


async def test_update_name_and_access_policy(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", cn="Old", members="bob@example.com")
    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", cn="New", accessPolicy="moderatorsonly")
    assert response.status_code == 200, response.text
    assert await stored_list(ldap_domain_api) == StoredAlias(
        address=LIST, name="New", access_policy="moderatorsonly", active=True, members=("bob@example.com",)
    )
    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", accessPolicy="")
    assert response.status_code == 200, response.text
    assert (await stored_list(ldap_domain_api)).access_policy == "public"


async def test_disabling_keeps_the_members_and_enabling_restores_the_list(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=f"bob@example.com,{OUTSIDER}")
    users_before = await ldap_domain_api.storage.users()
    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", accountStatus="disabled")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await stored_list(ldap_domain_api) == StoredAlias(
        address=LIST, name="", access_policy="public", active=False, members=("bob@example.com", OUTSIDER)
    )
    assert await ldap_domain_api.storage.users() == users_before
    data = (await ldap_domain_api.call("GET", f"/api/maillist/{LIST}")).json()["data"]
    assert data["accountStatus"] == "disabled"

    await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", addMember="carol@other.org")
    list_ = await stored_list(ldap_domain_api)
    assert (list_.active, list_.members) == (False, ("bob@example.com", "carol@other.org", OUTSIDER))

    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", accountStatus="active")
    assert response.status_code == 200, response.text
    list_ = await stored_list(ldap_domain_api)
    assert (list_.active, list_.members) == (True, ("bob@example.com", "carol@other.org", OUTSIDER))
    storage = directory(ldap_domain_api)
    entry = storage.entry(storage.tree.list_dn(LIST))
    assert entry is not None and entry["accountstatus"] == ["active"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"members": "eve@example.com", "addMember": "zed@example.com"}, "INVALID_PARAMETER"),
        ({"members": "eve@example.com", "removeMember": "bob@example.com"}, "INVALID_PARAMETER"),
        ({"addMember": "eve@example.com,bad address"}, "INVALID_MAIL"),
        ({"removeMember": "*)(memberOfGroup=*"}, "INVALID_MAIL"),
        ({"accessPolicy": "nobody"}, "INVALID_ACCESS_POLICY"),
        ({"accountStatus": "sleeping"}, "INVALID_ACCOUNT_STATUS"),
        ({"name": "a\nb"}, "INVALID_NAME"),
        ({"moderators": "bob@example.com"}, "INVALID_PARAMETER"),
    ],
)
async def test_bad_update_changes_nothing(ldap_domain_api: Api, params: dict[str, str], code: str) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=f"bob@example.com,{OUTSIDER}")
    before = await ldap_domain_api.snapshot()
    response = await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", **params)
    assert (response.status_code, response.json()) == (400, {"success": False, "msg": code})
    assert await ldap_domain_api.snapshot() == before


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("address", ["ghost@example.com", "team@example.com", "bob@example.com"])
async def test_update_or_delete_of_what_is_not_a_list(ldap_domain_api: Api, method: str, address: str) -> None:
    assert (await ldap_domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201
    before = await ldap_domain_api.snapshot()
    params = {"addMember": "carol@other.org"} if method == "PUT" else {}
    response = await ldap_domain_api.call(method, f"/api/maillist/{address}", **params)
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})
    assert await ldap_domain_api.snapshot() == before


async def test_delete_list_removes_it_and_its_memberships_only(ldap_domain_api: Api) -> None:
    users_before = await ldap_domain_api.storage.users()
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=f"bob@example.com,carol@other.org,{OUTSIDER}")
    await ldap_domain_api.call("POST", "/api/maillist/kept@example.com", members=f"bob@example.com,{OUTSIDER}")
    await ldap_domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com")

    response = await ldap_domain_api.call("DELETE", "/api/maillist/List@example.com")
    assert (response.status_code, response.json()) == (200, {"success": True})
    storage = directory(ldap_domain_api)
    assert await storage.maillist(LIST) is None
    assert (await stored_list(ldap_domain_api, "kept@example.com")).members == ("bob@example.com", OUTSIDER)
    assert [(alias.address, alias.members) for alias in await storage.aliases()] == [
        ("team@example.com", ("bob@example.com",))
    ]
    assert await storage.users() == users_before
    carol = storage.entry(storage.tree.user_dn("carol@other.org"))
    assert carol is not None and "memberofgroup" not in carol
    assert storage.search(storage.tree.domains, f"(memberOfGroup={LIST})") == {}

    again = await ldap_domain_api.call("DELETE", f"/api/maillist/{LIST}")
    assert (again.status_code, again.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})
    gone = await ldap_domain_api.call("GET", f"/api/maillist/{LIST}")
    assert (gone.status_code, gone.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})


async def test_delete_list_removes_its_outside_members(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=OUTSIDER)
    assert (await ldap_domain_api.call("DELETE", f"/api/maillist/{LIST}")).status_code == 200
    storage = directory(ldap_domain_api)
    assert storage.search(storage.tree.domains, "(objectClass=mailExternalUser)") == {}


async def test_domain_admin_manages_the_lists_of_its_domain(ldap_domain_api: Api) -> None:
    await login_domain_admin(ldap_domain_api, "example.com")
    response = await ldap_domain_api.call(
        "POST", f"/api/maillist/{LIST}", cn="List", members="bob@example.com,carol@other.org"
    )
    assert response.status_code == 201, response.text
    response = await ldap_domain_api.call(
        "PUT", f"/api/maillist/{LIST}", removeMember="carol@other.org", accountStatus="disabled"
    )
    assert response.status_code == 200, response.text
    data = (await ldap_domain_api.call("GET", f"/api/maillist/{LIST}")).json()["data"]
    assert (data["members"], data["accountStatus"]) == (["bob@example.com"], "disabled")
    assert await stored_list(ldap_domain_api) == StoredAlias(
        address=LIST, name="List", access_policy="public", active=False, members=("bob@example.com",)
    )
    assert (await ldap_domain_api.call("DELETE", f"/api/maillist/{LIST}")).status_code == 200
    assert await directory(ldap_domain_api).maillist(LIST) is None


async def test_domain_admin_of_another_domain_cannot_touch_its_lists(ldap_domain_api: Api) -> None:
    response = await ldap_domain_api.call("POST", "/api/maillist/list@other.org", members="carol@other.org")
    assert response.status_code == 201, response.text
    await login_domain_admin(ldap_domain_api, "example.com")
    before = await ldap_domain_api.snapshot()
    for method, params in REQUESTS:
        response = await ldap_domain_api.call(method, "/api/maillist/list@other.org", **params)
        assert (response.status_code, response.json()) == (403, {"success": False, "msg": "PERMISSION_DENIED"}), method
    assert await ldap_domain_api.snapshot() == before
    assert (await stored_list(ldap_domain_api, "list@other.org")).members == ("carol@other.org",)


async def test_postfix_expands_a_list_to_its_members(ldap_domain_api: Api, stack: LdapMailStack) -> None:
    response = await ldap_domain_api.call(
        "POST", f"/api/maillist/{LIST}", cn="List", accessPolicy="membersonly", members=f"bob@example.com,{OUTSIDER}"
    )
    assert response.status_code == 201, response.text
    assert stack.alias_targets(LIST) == {"bob@example.com", OUTSIDER}
    await ldap_domain_api.call("PUT", f"/api/maillist/{LIST}", addMember="carol@other.org", removeMember=OUTSIDER)
    assert stack.alias_targets(LIST) == {"bob@example.com", "carol@other.org"}
    assert (await ldap_domain_api.call("DELETE", f"/api/maillist/{LIST}")).json() == {"success": True}
    assert stack.alias_targets(LIST) == set()
    assert stack.alias_targets("bob@example.com") == {"bob@example.com"}


async def test_lists_of_a_disabled_domain_carry_its_status(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", f"/api/maillist/{LIST}", members=OUTSIDER)
    response = await ldap_domain_api.call("PUT", "/api/domain/example.com", accountStatus="disabled")
    assert response.status_code == 200, response.text
    response = await ldap_domain_api.call("POST", "/api/maillist/late@example.com", members="eve@elsewhere.net")
    assert response.status_code == 201, response.text
    storage = directory(ldap_domain_api)
    tree = storage.tree
    for dn in (
        tree.list_dn(LIST), tree.external_dn(LIST, OUTSIDER),
        tree.list_dn("late@example.com"), tree.external_dn("late@example.com", "eve@elsewhere.net"),
    ):
        entry = storage.entry(dn)
        assert entry is not None and entry.get("domainstatus") == ["disabled"], dn
    response = await ldap_domain_api.call("PUT", "/api/domain/example.com", accountStatus="active")
    assert response.status_code == 200, response.text
    assert storage.search(storage.tree.domains, "(domainStatus=disabled)") == {}
