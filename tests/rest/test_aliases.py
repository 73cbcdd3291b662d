from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.rest.conftest import STRONG, Api
from tests.storage import LdapStorage, StoredAlias

DOMAIN_ADMIN = "boss@admins.test"
POLICIES = ["public", "domain", "subdomain", "membersonly", "moderatorsonly", "membersandmoderatorsonly"]


async def member_rows(api: Api, address: str) -> list[dict[str, Any]]:
    return await api.rows(
        "SELECT address, forwarding, domain, dest_domain, is_list, is_forwarding, is_alias, is_maillist, active "
        "FROM forwardings WHERE address = :a ORDER BY forwarding",
        a=address,
    )


def member_row(alias: str, member: str, active: int = 1) -> dict[str, Any]:
    return {
        "address": alias, "forwarding": member, "domain": alias.split("@")[1], "dest_domain": member.split("@")[1],
        "is_list": 1, "is_forwarding": 0, "is_alias": 0, "is_maillist": 0, "active": active,
    }


async def members_of(api: Api, address: str) -> list[tuple[str, int]]:
    return [(row["forwarding"], row["active"]) for row in await member_rows(api, address)]


async def stored(api: Api, address: str) -> StoredAlias:
    found = await api.storage.alias(address)
    assert found is not None, address
    return found


async def add_domain_admin(api: Api, domain: str, username: str = DOMAIN_ADMIN) -> None:
    await api.storage.add_admin(username, STRONG)
    await api.storage.grant_domain(username, domain)


CREATE_TEAM = {
    "cn": "The Team",
    "accessPolicy": "membersOnly",
    "members": " Bob@Example.com, carol@Other.ORG ,bob@example.com,, dave+news@example.com , BOB@EXAMPLE.COM",
}


async def test_create_alias_stores_the_alias_and_its_members(domain_api: Api) -> None:
    response = await domain_api.call("POST", "/api/alias/Team@Example.COM", **CREATE_TEAM)
    assert (response.status_code, response.json()) == (201, {"success": True})
    assert await domain_api.storage.aliases() == [
        StoredAlias(
            address="team@example.com", name="The Team", access_policy="membersonly", active=True,
            members=("bob@example.com", "carol@other.org", "dave+news@example.com"),
        )
    ]


async def test_create_alias_writes_the_alias_row_and_one_row_per_member(sql_domain_api: Api) -> None:
    response = await sql_domain_api.call("POST", "/api/alias/Team@Example.COM", **CREATE_TEAM)
    assert (response.status_code, response.json()) == (201, {"success": True})
    [row] = await sql_domain_api.rows("SELECT * FROM alias")
    assert (row["address"], row["name"], row["accesspolicy"], row["domain"]) == (
        "team@example.com", "The Team", "membersonly", "example.com"
    )
    assert row["active"] == 1 and row["created"] is not None
    assert await member_rows(sql_domain_api, "team@example.com") == [
        member_row("team@example.com", "bob@example.com"),
        member_row("team@example.com", "carol@other.org"),
        member_row("team@example.com", "dave+news@example.com"),
    ]


async def test_create_alias_writes_a_mail_alias_entry(ldap_domain_api: Api) -> None:
    response = await ldap_domain_api.call("POST", "/api/alias/Team@Example.COM", **CREATE_TEAM)
    assert (response.status_code, response.json()) == (201, {"success": True})
    storage = ldap_domain_api.storage
    assert isinstance(storage, LdapStorage)
    assert storage.entry(storage.tree.alias_dn("team@example.com")) == {
        "objectclass": ["mailAlias"],
        "mail": ["team@example.com"],
        "cn": ["The Team"],
        "accountstatus": ["active"],
        "enabledservice": ["deliver", "mail"],
        "accesspolicy": ["membersonly"],
        "mailforwardingaddress": ["bob@example.com", "carol@other.org", "dave+news@example.com"],
    }


async def test_name_is_accepted_for_cn(domain_api: Api) -> None:
    response = await domain_api.call("POST", "/api/alias/team@example.com", name="Named")
    assert response.status_code == 201, response.text
    assert (await stored(domain_api, "team@example.com")).name == "Named"


async def test_alias_without_members_exists_without_members(domain_api: Api) -> None:
    response = await domain_api.call("POST", "/api/alias/empty@example.com")
    assert response.status_code == 201, response.text
    assert await domain_api.storage.aliases() == [
        StoredAlias(address="empty@example.com", name="", access_policy="public", active=True, members=())
    ]
    data = (await domain_api.call("GET", "/api/alias/empty@example.com")).json()["data"]
    assert data["members"] == [] and data["accountStatus"] == "active"


async def test_every_access_policy_is_stored(domain_api: Api) -> None:
    for number, policy in enumerate([*POLICIES, "MembersOnly", "allowedonly"]):
        response = await domain_api.call("POST", f"/api/alias/a{number}@example.com", accessPolicy=policy)
        assert response.status_code == 201, (policy, response.text)
    aliases = await domain_api.storage.aliases()
    assert [alias.address for alias in aliases] == [f"a{number}@example.com" for number in range(len(POLICIES) + 2)]
    assert [alias.access_policy for alias in aliases] == [*POLICIES, "membersonly", "moderatorsonly"]


@pytest.mark.parametrize(("limit", "allowed"), [(2, 2), (-1, 0)])
async def test_number_of_aliases_is_enforced_and_nothing_written(domain_api: Api, limit: int, allowed: int) -> None:
    response = await domain_api.call("PUT", "/api/domain/example.com", numberOfAliases=str(limit))
    assert response.status_code == 200, response.text
    for number in range(allowed):
        assert (await domain_api.call("POST", f"/api/alias/a{number}@example.com")).status_code == 201
    before = await domain_api.snapshot()
    response = await domain_api.call("POST", "/api/alias/more@example.com", members="bob@example.com")
    assert (response.status_code, response.json()) == (409, {"success": False, "msg": "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"})
    assert await domain_api.snapshot() == before
    assert (await domain_api.call("POST", "/api/alias/elsewhere@other.org")).status_code == 201


async def test_concurrent_creates_respect_the_alias_limit(domain_api: Api) -> None:
    await domain_api.call("PUT", "/api/domain/example.com", numberOfAliases="3")
    responses = await asyncio.gather(
        *(domain_api.call("POST", f"/api/alias/a{i}@example.com", members="bob@example.com") for i in range(10))
    )
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7, [r.text for r in responses]
    assert {r.json()["msg"] for r in responses if r.status_code == 409} == {"EXCEEDED_DOMAIN_ACCOUNT_LIMIT"}
    stored = await domain_api.storage.aliases()
    assert len(stored) == 3 and all(alias.members == ("bob@example.com",) for alias in stored)


async def test_unlimited_aliases_when_the_limit_is_zero(domain_api: Api) -> None:
    await domain_api.call("PUT", "/api/domain/example.com", numberOfAliases="0")
    for number in range(3):
        assert (await domain_api.call("POST", f"/api/alias/a{number}@example.com")).status_code == 201
    assert len(await domain_api.storage.aliases()) == 3


@pytest.mark.parametrize("address", ["bob@example.com", "BOB@example.com", "team@example.com"])
async def test_an_address_in_use_is_refused(domain_api: Api, address: str) -> None:
    assert (await domain_api.call("POST", "/api/alias/team@example.com")).status_code == 201
    before = await domain_api.snapshot()
    response = await domain_api.call("POST", f"/api/alias/{address}", members="carol@other.org")
    assert (response.status_code, response.json()) == (409, {"success": False, "msg": "ALREADY_EXISTS"})
    assert await domain_api.snapshot() == before


async def test_alias_in_a_missing_domain_is_refused(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    response = await domain_api.call("POST", "/api/alias/team@nowhere.com", members="bob@example.com")
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NO_SUCH_DOMAIN"})
    assert await domain_api.snapshot() == before


@pytest.mark.parametrize(
    ("address", "params", "code"),
    [
        ("team@example.com", {"accessPolicy": "everyone"}, "INVALID_ACCESS_POLICY"),
        ("team@example.com", {"accessPolicy": "public' OR '1'='1"}, "INVALID_ACCESS_POLICY"),
        ("team@example.com", {"accessPolicy": "public)(objectClass=*"}, "INVALID_ACCESS_POLICY"),
        ("team", {}, "INVALID_MAIL"),
        ("team@example", {}, "INVALID_MAIL"),
        ("te@m@example.com", {}, "INVALID_MAIL"),
        ("team+ext@example.com", {}, "INVALID_MAIL"),
        (".team@example.com", {}, "INVALID_MAIL"),
        ("team'--@example.com", {}, "INVALID_MAIL"),
        ("x' OR '1'='1@example.com", {}, "INVALID_MAIL"),
        ("team@example.com;DROP TABLE alias", {}, "INVALID_MAIL"),
        ("*)(mail=*@example.com", {}, "INVALID_MAIL"),
        ("team,ou=Users@example.com", {}, "INVALID_MAIL"),
        ("team@example.com", {"members": "bob@example.com,not-an-address"}, "INVALID_MAIL"),
        ("team@example.com", {"members": "bob@localhost"}, "INVALID_MAIL"),
        ("team@example.com", {"members": "x'); DELETE FROM forwardings;--@example.com"}, "INVALID_MAIL"),
        ("team@example.com", {"members": "*)(objectClass=*@example.com"}, "INVALID_MAIL"),
        ("team@example.com", {"members": "bob\x00@example.com"}, "INVALID_MAIL"),
        ("team@example.com", {"members": "bob\r\n@example.com"}, "INVALID_MAIL"),
        ("team@example.com", {"name": "Team\x07"}, "INVALID_NAME"),
        ("team@example.com", {"cn": "x" * 256}, "INVALID_NAME"),
        ("team@example.com", {"cn": "One", "name": "Two"}, "INVALID_PARAMETER"),
        ("team@example.com", {"addMember": "bob@example.com"}, "INVALID_PARAMETER"),
        ("team@example.com", {"accountStatus": "active"}, "INVALID_PARAMETER"),
        ("team@example.com", {"moderators": "bob@example.com"}, "INVALID_PARAMETER"),
    ],
)
async def test_bad_alias_input_is_refused_and_writes_nothing(
    domain_api: Api, address: str, params: dict[str, str], code: str
) -> None:
    before = await domain_api.snapshot()
    response = await domain_api.call("POST", f"/api/alias/{address}", **params)
    assert (response.status_code, response.json()) == (400, {"success": False, "msg": code})
    assert await domain_api.snapshot() == before


@pytest.mark.parametrize("name", ["x'); DROP TABLE alias; --", "*)(objectClass=*", "cn=x,o=domains\\, dc=y"])
async def test_query_syntax_in_a_name_is_stored_as_text(domain_api: Api, name: str) -> None:
    assert (await domain_api.call("POST", "/api/alias/team@example.com", cn=name)).status_code == 201
    assert [(alias.address, alias.name) for alias in await domain_api.storage.aliases()] == [
        ("team@example.com", name)
    ]
    assert (await domain_api.call("GET", "/api/alias/team@example.com")).json()["data"]["name"] == name


async def test_get_alias(domain_api: Api) -> None:
    await domain_api.call(
        "POST", "/api/alias/team@example.com", cn="Team", accessPolicy="domain",
        members="carol@other.org,bob@example.com",
    )
    response = await domain_api.call("GET", "/api/alias/Team@EXAMPLE.com")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["mail"] == "team@example.com" and data["name"] == "Team"
    assert (data["accessPolicy"], data["accountStatus"]) == ("domain", "active")
    assert data["members"] == ["bob@example.com", "carol@other.org"]


async def test_get_missing_alias(domain_api: Api) -> None:
    response = await domain_api.call("GET", "/api/alias/ghost@example.com")
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})
    response = await domain_api.call("GET", "/api/alias/bob@example.com")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_ACCOUNT")


async def test_list_aliases_full_email_only_and_disabled_only(domain_api: Api) -> None:
    for address in ("c@example.com", "a@example.com", "b@example.com", "x@other.org"):
        assert (await domain_api.call("POST", f"/api/alias/{address}", members="bob@example.com")).status_code == 201
    assert (await domain_api.call("PUT", "/api/alias/b@example.com", accountStatus="disabled")).status_code == 200

    full = (await domain_api.call("GET", "/api/aliases/example.com")).json()["data"]
    assert [a["mail"] for a in full] == ["a@example.com", "b@example.com", "c@example.com"]
    assert [a["accountStatus"] for a in full] == ["active", "disabled", "active"]
    assert all(a["members"] == ["bob@example.com"] for a in full)
    emails = await domain_api.call("GET", "/api/aliases/example.com", email_only="yes")
    assert emails.json() == {"success": True, "data": ["a@example.com", "b@example.com", "c@example.com"]}
    disabled = await domain_api.call("GET", "/api/aliases/example.com", email_only="yes", disabled_only="yes")
    assert disabled.json()["data"] == ["b@example.com"]
    disabled_full = (await domain_api.call("GET", "/api/aliases/example.com", disabled_only="yes")).json()["data"]
    assert [a["mail"] for a in disabled_full] == ["b@example.com"]

    missing = await domain_api.call("GET", "/api/aliases/nowhere.com")
    assert (missing.status_code, missing.json()) == (404, {"success": False, "msg": "NO_SUCH_DOMAIN"})


async def test_update_members_replaces_the_set(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    response = await domain_api.call(
        "PUT", "/api/alias/team@example.com", members="Carol@other.org, eve@example.com,eve@example.com"
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert (await stored(domain_api, "team@example.com")).members == ("carol@other.org", "eve@example.com")
    assert (await domain_api.call("PUT", "/api/alias/team@example.com", members="")).status_code == 200
    assert [(alias.address, alias.members) for alias in await domain_api.storage.aliases()] == [
        ("team@example.com", ())
    ]


async def test_update_adds_and_removes_members(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    response = await domain_api.call(
        "PUT", "/api/alias/team@example.com", addMember="Eve@Example.com,bob@example.com,x+y@other.org",
        removeMember="CAROL@other.org,nobody@example.com",
    )
    assert response.status_code == 200, response.text
    assert (await stored(domain_api, "team@example.com")).members == (
        "bob@example.com", "eve@example.com", "x+y@other.org"
    )
    response = await domain_api.call("PUT", "/api/alias/team@example.com", removeMember="bob@example.com")
    assert response.status_code == 200
    assert (await stored(domain_api, "team@example.com")).members == ("eve@example.com", "x+y@other.org")


async def test_member_updates_rewrite_the_forwardings_rows(sql_domain_api: Api) -> None:
    await sql_domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    await sql_domain_api.call(
        "PUT", "/api/alias/team@example.com", members="Carol@other.org, eve@example.com,eve@example.com"
    )
    assert await member_rows(sql_domain_api, "team@example.com") == [
        member_row("team@example.com", "carol@other.org"),
        member_row("team@example.com", "eve@example.com"),
    ]
    response = await sql_domain_api.call(
        "PUT", "/api/alias/team@example.com", addMember="bob@example.com,x+y@other.org", removeMember="CAROL@other.org"
    )
    assert response.status_code == 200, response.text
    assert await member_rows(sql_domain_api, "team@example.com") == [
        member_row("team@example.com", "bob@example.com"),
        member_row("team@example.com", "eve@example.com"),
        member_row("team@example.com", "x+y@other.org"),
    ]
    assert (await sql_domain_api.call("PUT", "/api/alias/team@example.com", members="")).status_code == 200
    assert await member_rows(sql_domain_api, "team@example.com") == []
    assert len(await sql_domain_api.rows("SELECT * FROM alias")) == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"members": "eve@example.com", "addMember": "zed@example.com"}, "INVALID_PARAMETER"),
        ({"members": "eve@example.com", "removeMember": "bob@example.com"}, "INVALID_PARAMETER"),
        ({"addMember": "eve@example.com,bad address"}, "INVALID_MAIL"),
        ({"accessPolicy": "nobody"}, "INVALID_ACCESS_POLICY"),
        ({"accountStatus": "sleeping"}, "INVALID_ACCOUNT_STATUS"),
        ({"name": "a\nb"}, "INVALID_NAME"),
    ],
)
async def test_bad_update_changes_nothing(domain_api: Api, params: dict[str, str], code: str) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com")
    before = await domain_api.snapshot()
    response = await domain_api.call("PUT", "/api/alias/team@example.com", **params)
    assert (response.status_code, response.json()) == (400, {"success": False, "msg": code})
    assert await domain_api.snapshot() == before


async def test_update_name_and_access_policy(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", cn="Old", members="bob@example.com")
    response = await domain_api.call("PUT", "/api/alias/team@example.com", cn="New", accessPolicy="moderatorsonly")
    assert response.status_code == 200, response.text
    assert await domain_api.storage.aliases() == [
        StoredAlias(
            address="team@example.com", name="New", access_policy="moderatorsonly", active=True,
            members=("bob@example.com",),
        )
    ]


async def test_update_writes_name_policy_and_modified_to_the_alias_row(sql_domain_api: Api) -> None:
    await sql_domain_api.call("POST", "/api/alias/team@example.com", cn="Old", members="bob@example.com")
    response = await sql_domain_api.call("PUT", "/api/alias/team@example.com", cn="New", accessPolicy="moderatorsonly")
    assert response.status_code == 200, response.text
    [row] = await sql_domain_api.rows("SELECT * FROM alias")
    assert (row["name"], row["accesspolicy"], row["active"]) == ("New", "moderatorsonly", 1)
    assert row["modified"] is not None
    assert await members_of(sql_domain_api, "team@example.com") == [("bob@example.com", 1)]


async def test_disabling_keeps_the_members_and_enabling_restores_the_alias(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    users_before = await domain_api.storage.users()
    response = await domain_api.call("PUT", "/api/alias/team@example.com", accountStatus="disabled")
    assert response.status_code == 200, response.text
    alias = await stored(domain_api, "team@example.com")
    assert (alias.active, alias.members) == (False, ("bob@example.com", "carol@other.org"))
    # the members' own accounts are not touched
    assert await domain_api.storage.users() == users_before

    await domain_api.call("PUT", "/api/alias/team@example.com", addMember="eve@example.com")
    alias = await stored(domain_api, "team@example.com")
    assert (alias.active, alias.members) == (False, ("bob@example.com", "carol@other.org", "eve@example.com"))
    data = (await domain_api.call("GET", "/api/alias/team@example.com")).json()["data"]
    assert data["accountStatus"] == "disabled"

    response = await domain_api.call("PUT", "/api/alias/team@example.com", accountStatus="active")
    assert response.status_code == 200
    alias = await stored(domain_api, "team@example.com")
    assert (alias.active, alias.members) == (True, ("bob@example.com", "carol@other.org", "eve@example.com"))
    assert await domain_api.storage.users() == users_before


async def test_disabling_deactivates_member_rows_and_enabling_restores_them(sql_domain_api: Api) -> None:
    await sql_domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    response = await sql_domain_api.call("PUT", "/api/alias/team@example.com", accountStatus="disabled")
    assert response.status_code == 200, response.text
    assert await sql_domain_api.rows("SELECT active FROM alias") == [{"active": 0}]
    assert await members_of(sql_domain_api, "team@example.com") == [("bob@example.com", 0), ("carol@other.org", 0)]
    # the members' own mailbox rows are not touched
    users = await sql_domain_api.rows("SELECT active FROM forwardings WHERE address <> 'team@example.com'")
    assert users == [{"active": 1}, {"active": 1}]

    await sql_domain_api.call("PUT", "/api/alias/team@example.com", addMember="eve@example.com")
    assert await member_rows(sql_domain_api, "team@example.com") == [
        member_row("team@example.com", "bob@example.com", active=0),
        member_row("team@example.com", "carol@other.org", active=0),
        member_row("team@example.com", "eve@example.com", active=0),
    ]

    response = await sql_domain_api.call("PUT", "/api/alias/team@example.com", accountStatus="active")
    assert response.status_code == 200
    assert await sql_domain_api.rows("SELECT active FROM alias") == [{"active": 1}]
    assert await members_of(sql_domain_api, "team@example.com") == [
        ("bob@example.com", 1), ("carol@other.org", 1), ("eve@example.com", 1)
    ]


async def test_disabling_sets_the_account_status_of_the_alias_entry(ldap_domain_api: Api) -> None:
    await ldap_domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    storage = ldap_domain_api.storage
    assert isinstance(storage, LdapStorage)
    dn = storage.tree.alias_dn("team@example.com")
    response = await ldap_domain_api.call("PUT", "/api/alias/team@example.com", accountStatus="disabled")
    assert response.status_code == 200, response.text
    entry = storage.entry(dn)
    assert entry is not None
    assert entry["accountstatus"] == ["disabled"]
    assert entry["mailforwardingaddress"] == ["bob@example.com", "carol@other.org"]
    assert (await ldap_domain_api.call("PUT", "/api/alias/team@example.com", accountStatus="active")).status_code == 200
    entry = storage.entry(dn)
    assert entry is not None and entry["accountstatus"] == ["active"]


async def test_update_of_a_missing_alias(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    response = await domain_api.call("PUT", "/api/alias/ghost@example.com", addMember="bob@example.com")
    assert (response.status_code, response.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})
    assert await domain_api.snapshot() == before


async def test_delete_alias_removes_that_alias_only(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    await domain_api.call("POST", "/api/alias/kept@example.com", members="bob@example.com")
    users_before = await domain_api.storage.users()

    response = await domain_api.call("DELETE", "/api/alias/Team@example.com")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert [(alias.address, alias.members) for alias in await domain_api.storage.aliases()] == [
        ("kept@example.com", ("bob@example.com",))
    ]
    assert await domain_api.storage.users() == users_before

    again = await domain_api.call("DELETE", "/api/alias/team@example.com")
    assert (again.status_code, again.json()) == (404, {"success": False, "msg": "NO_SUCH_ACCOUNT"})


async def test_delete_alias_removes_its_rows_only(sql_domain_api: Api) -> None:
    await sql_domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    await sql_domain_api.call("POST", "/api/alias/kept@example.com", members="bob@example.com")
    await sql_domain_api.execute(
        "INSERT INTO moderators (address, moderator, domain, dest_domain) "
        "VALUES ('team@example.com', 'bob@example.com', 'example.com', 'example.com')"
    )
    users_before = await sql_domain_api.rows("SELECT * FROM mailbox ORDER BY username")

    response = await sql_domain_api.call("DELETE", "/api/alias/Team@example.com")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await sql_domain_api.rows("SELECT address FROM alias") == [{"address": "kept@example.com"}]
    assert await member_rows(sql_domain_api, "team@example.com") == []
    assert await sql_domain_api.rows("SELECT * FROM moderators") == []
    assert await sql_domain_api.rows("SELECT * FROM mailbox ORDER BY username") == users_before
    self_rows = await sql_domain_api.rows("SELECT address, forwarding FROM forwardings WHERE is_forwarding = 1")
    assert sorted((r["address"], r["forwarding"]) for r in self_rows) == [
        ("bob@example.com", "bob@example.com"), ("carol@other.org", "carol@other.org")
    ]
    assert await members_of(sql_domain_api, "kept@example.com") == [("bob@example.com", 1)]


async def test_delete_of_a_user_address_is_not_an_alias_delete(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    response = await domain_api.call("DELETE", "/api/alias/bob@example.com")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_ACCOUNT")
    assert await domain_api.snapshot() == before


async def test_domain_admin_manages_the_aliases_of_its_domain(domain_api: Api) -> None:
    await add_domain_admin(domain_api, "example.com")
    assert (await domain_api.login(DOMAIN_ADMIN, STRONG)).status_code == 200

    response = await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com,carol@other.org")
    assert response.status_code == 201, response.text
    response = await domain_api.call("PUT", "/api/alias/team@example.com", removeMember="carol@other.org")
    assert response.status_code == 200, response.text
    data = (await domain_api.call("GET", "/api/alias/team@example.com")).json()["data"]
    assert data["members"] == ["bob@example.com"]
    assert (await stored(domain_api, "team@example.com")).members == ("bob@example.com",)
    listed = await domain_api.call("GET", "/api/aliases/example.com", email_only="yes")
    assert listed.json()["data"] == ["team@example.com"]
    assert (await domain_api.call("DELETE", "/api/alias/team@example.com")).status_code == 200
    assert await domain_api.storage.aliases() == []


async def test_domain_admin_is_denied_another_domain(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@other.org", members="carol@other.org")
    await add_domain_admin(domain_api, "example.com")
    assert (await domain_api.login(DOMAIN_ADMIN, STRONG)).status_code == 200
    before = await domain_api.snapshot()
    for method, path, params in [
        ("POST", "/api/alias/new@other.org", {"members": "bob@example.com"}),
        ("GET", "/api/alias/team@other.org", {}),
        ("PUT", "/api/alias/team@other.org", {"addMember": "bob@example.com"}),
        ("DELETE", "/api/alias/team@other.org", {}),
        ("GET", "/api/aliases/other.org", {}),
    ]:
        response = await domain_api.call(method, path, **params)
        assert (response.status_code, response.json()) == (403, {"success": False, "msg": "PERMISSION_DENIED"}), path
    assert await domain_api.snapshot() == before


async def test_inactive_domain_admin_right_is_denied(sql_domain_api: Api) -> None:
    """SQL only: a per-domain ``domain_admins.active`` flag has no LDAP counterpart (``domainAdmin`` values)."""
    await add_domain_admin(sql_domain_api, "example.com")
    await sql_domain_api.storage.grant_domain(DOMAIN_ADMIN, "other.org", active=False)
    assert (await sql_domain_api.login(DOMAIN_ADMIN, STRONG)).status_code == 200
    response = await sql_domain_api.call("POST", "/api/alias/team@other.org")
    assert (response.status_code, response.json()["msg"]) == (403, "PERMISSION_DENIED")
    assert await sql_domain_api.rows("SELECT * FROM alias") == []


async def test_alias_paths_need_a_session(domain_api: Api) -> None:
    await domain_api.call("POST", "/api/alias/team@example.com", members="bob@example.com")
    assert (await domain_api.call("POST", "/api/logout")).status_code == 200
    before = await domain_api.snapshot()
    for method, path, params in [
        ("POST", "/api/alias/new@example.com", {"members": "bob@example.com"}),
        ("GET", "/api/alias/team@example.com", {}),
        ("PUT", "/api/alias/team@example.com", {"accountStatus": "disabled"}),
        ("DELETE", "/api/alias/team@example.com", {}),
        ("GET", "/api/aliases/example.com", {}),
    ]:
        response = await domain_api.call(method, path, **params)
        assert (response.status_code, response.json()) == (401, {"success": False, "msg": "LOGIN_REQUIRED"}), path
    assert await domain_api.snapshot() == before


async def test_empty_access_policy_means_public(admin_api: Api) -> None:
    await admin_api.call("POST", "/api/domain/example.com")
    await admin_api.call("POST", "/api/alias/team@example.com", accessPolicy="membersonly")
    response = await admin_api.call("PUT", "/api/alias/team@example.com", accessPolicy="")
    assert response.status_code == 200, response.text
    assert (await stored(admin_api, "team@example.com")).access_policy == "public"


async def test_member_changes_mark_the_alias_modified(sql_admin_api: Api) -> None:
    await sql_admin_api.call("POST", "/api/domain/example.com")
    await sql_admin_api.call("POST", "/api/alias/team@example.com", members="a@example.com")
    await sql_admin_api.execute("UPDATE alias SET modified = '2001-01-01 00:00:00'")
    await sql_admin_api.call("PUT", "/api/alias/team@example.com", addMember="b@example.com")
    [after] = await sql_admin_api.rows("SELECT modified FROM alias")
    assert str(after["modified"]) > "2020"
