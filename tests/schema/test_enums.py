"""Closed sets as GraphQL enums: access policy, throttle kind, account status.

Each enum takes its members' names on the wire and stores the model's value
(what iRedMail's tools write); an unknown literal is a validation error that
runs nothing; a stored value outside the set reads as null, never as an error.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import ldap3  # type: ignore[import-untyped]
import pytest
from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema

from gateway.model import AccessPolicy, AccountStatus, ThrottleKind
from gateway.schema.app import build_schema
from gateway.settings import Settings
from tests.rest.conftest import STRONG, Api
from tests.schema.conftest import codes, data, gql
from tests.storage import LdapStorage, StoredAlias

CREATE_ALIAS = """mutation($e: String!, $i: AliasInput) { createAlias(email: $e, input: $i) {
    accessPolicy status active } }"""
UPDATE_ALIAS = """mutation($e: String!, $i: AliasInput!) { updateAlias(email: $e, input: $i) {
    accessPolicy status active } }"""
ALIAS = "query($e: String!) { alias(email: $e) { email name accessPolicy status members } }"
SET_THROTTLE = """mutation($a: String!, $k: ThrottleKind!) {
    setThrottle(account: $a, kind: $k, input: {period: 60, maxMsgs: 5}) { account kind } }"""
UPDATE_DOMAIN = """mutation($n: String!, $i: DomainInput!) { updateDomain(name: $n, input: $i) {
    status active } }"""
UPDATE_USER = """mutation($e: String!, $i: UserInput!) { updateUser(email: $e, input: $i) { status active } }"""
UPDATE_DOMAIN_USERS = "mutation($d: String!, $i: DomainUsersInput!) { updateDomainUsers(domain: $d, input: $i) }"


def schema() -> GraphQLSchema:
    return build_schema(Settings(_env_file=None))._schema


def enum_type(name: str) -> GraphQLEnumType:
    found = schema().get_type(name)
    assert isinstance(found, GraphQLEnumType), name
    return found


def object_type(name: str) -> GraphQLObjectType:
    found = schema().get_type(name)
    assert isinstance(found, GraphQLObjectType), name
    return found


async def stored_throttles(api: Api) -> list[tuple[str, str]]:
    rows = await api.rows("SELECT account, kind FROM throttle ORDER BY account, kind", "iredapd")
    return [(row["account"], row["kind"]) for row in rows]


async def store_access_policy(api: Api, address: str, value: str) -> None:
    """Write an access policy as another tool would, bypassing the gateway."""
    if isinstance(api.storage, LdapStorage):
        dn = api.storage.tree.alias_dn(address)
        api.storage.modify(dn, {"accessPolicy": [(ldap3.MODIFY_REPLACE, [value])]})
    else:
        await api.execute("UPDATE alias SET accesspolicy = :p WHERE address = :a", p=value, a=address)


async def refused_by_validation(api: Api, query: str, **variables: Any) -> str:
    """The document is refused before it runs: one error, no data, storage unchanged; its message."""
    before = await api.snapshot()
    body = await gql(api, query, **variables)
    assert body.get("data") is None and len(body["errors"]) == 1, body
    assert codes(body) == [None], body  # a validation error, not a resolver's code
    assert await api.snapshot() == before
    message: str = body["errors"][0]["message"]
    return message


# the schema


@pytest.mark.parametrize(
    ("name", "model"),
    [("AccessPolicy", AccessPolicy), ("ThrottleKind", ThrottleKind), ("AccountStatus", AccountStatus)],
)
def test_each_enum_has_the_models_members_each_described(name: str, model: type[StrEnum]) -> None:
    found = enum_type(name)
    assert list(found.values) == [member.name for member in model]
    assert [value.value for value in found.values.values()] == list(model)
    assert found.description and all(value.description for value in found.values.values())


def test_the_fields_and_arguments_use_the_enums() -> None:
    for type_name in ("Alias", "MailingList"):
        fields = object_type(type_name).fields
        assert str(fields["accessPolicy"].type) == "AccessPolicy"  # nullable: a foreign stored value reads null
    for type_name in ("Domain", "User", "Alias", "MailingList"):
        fields = object_type(type_name).fields
        assert str(fields["status"].type) == "AccountStatus!"
        assert fields["active"].deprecation_reason == "Use status."
    assert str(object_type("Throttle").fields["kind"].type) == "ThrottleKind!"
    mutation, query = object_type("Mutation").fields, object_type("Query").fields
    for field in (mutation["setThrottle"], mutation["deleteThrottle"], query["throttle"]):
        assert isinstance(field.args["kind"].type, GraphQLNonNull) and str(field.args["kind"].type) == "ThrottleKind!"
    domain = object_type("Domain").fields
    for field in (query["domains"], query["users"], query["aliases"], domain["users"], domain["aliases"]):
        assert str(field.args["status"].type) == "AccountStatus"
        assert field.args["active"].deprecation_reason == "Use status."


def test_the_committed_sdl_declares_the_enums() -> None:
    text = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8")
    assert "enum AccessPolicy {" in text and "enum ThrottleKind {" in text and "enum AccountStatus {" in text
    assert "accessPolicy: AccessPolicy = null" in text
    assert "setThrottle(account: String!, kind: ThrottleKind!, input: ThrottleInput!): Throttle!" in text
    assert 'active: Boolean = null @deprecated(reason: "Use status.")' in text


# access policy


async def test_every_access_policy_is_accepted_and_stored_as_iredmail_writes_it(domain_api: Api) -> None:
    for number, policy in enumerate(AccessPolicy):
        address = f"a{number}@example.com"
        result = await data(domain_api, CREATE_ALIAS, e=address, i={"accessPolicy": policy.name})
        assert result["createAlias"] == {"accessPolicy": policy.name, "status": "ACTIVE", "active": True}
        stored = await domain_api.storage.alias(address)
        assert stored is not None and stored.access_policy == policy.value
    result = await data(domain_api, UPDATE_ALIAS, e="a0@example.com", i={"accessPolicy": "SUBDOMAIN"})
    assert result["updateAlias"]["accessPolicy"] == "SUBDOMAIN"
    assert await domain_api.storage.alias("a0@example.com") == StoredAlias("a0@example.com", "", "subdomain", True, ())


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ('mutation { createAlias(email: "new@example.com", input: {accessPolicy: EVERYONE}) { email } }', {}),
        ('mutation { createAlias(email: "new@example.com", input: {accessPolicy: "membersonly"}) { email } }', {}),
        (CREATE_ALIAS, {"e": "new@example.com", "i": {"accessPolicy": "membersonly"}}),
        (UPDATE_ALIAS, {"e": "team@example.com", "i": {"accessPolicy": "nobody"}}),
    ],
)
async def test_an_unknown_access_policy_is_refused_and_writes_nothing(
    domain_api: Api, document: str, variables: dict[str, Any]
) -> None:
    await data(domain_api, CREATE_ALIAS, e="team@example.com", i={"members": ["bob@example.com"]})
    assert "AccessPolicy" in await refused_by_validation(domain_api, document, **variables)


async def test_a_foreign_stored_access_policy_reads_as_null_and_is_kept(domain_api: Api) -> None:
    await data(domain_api, CREATE_ALIAS, e="team@example.com", i={"members": ["bob@example.com"]})
    await store_access_policy(domain_api, "team@example.com", "friendsonly")
    body = await gql(domain_api, ALIAS, e="team@example.com")
    assert body == {
        "data": {
            "alias": {
                "email": "team@example.com",
                "name": "",
                "accessPolicy": None,
                "status": "ACTIVE",
                "members": ["bob@example.com"],
            }
        }
    }
    rest = (await domain_api.call("GET", "/api/alias/team@example.com")).json()["data"]
    assert rest["accessPolicy"] == "friendsonly"
    listing = '{ aliases(domain: "example.com") { nodes { email accessPolicy } } }'
    assert await data(domain_api, listing) == {
        "aliases": {"nodes": [{"email": "team@example.com", "accessPolicy": None}]}
    }
    await data(domain_api, UPDATE_ALIAS, e="team@example.com", i={"name": "Team"})
    stored = await domain_api.storage.alias("team@example.com")
    assert stored is not None and (stored.name, stored.access_policy) == ("Team", "friendsonly")


async def test_the_legacy_allowedonly_reads_as_moderators_only(domain_api: Api) -> None:
    await data(domain_api, CREATE_ALIAS, e="team@example.com")
    await store_access_policy(domain_api, "team@example.com", "allowedonly")
    assert (await data(domain_api, ALIAS, e="team@example.com"))["alias"]["accessPolicy"] == "MODERATORS_ONLY"


async def test_mailing_list_policies_on_ldap(ldap_domain_api: Api) -> None:
    create = """mutation($i: AliasInput) { createMailingList(email: "list@example.com", input: $i) {
        accessPolicy status } }"""
    result = await data(ldap_domain_api, create, i={"accessPolicy": "MEMBERS_AND_MODERATORS_ONLY"})
    assert result["createMailingList"] == {"accessPolicy": "MEMBERS_AND_MODERATORS_ONLY", "status": "ACTIVE"}
    storage = ldap_domain_api.storage
    assert isinstance(storage, LdapStorage)
    dn = storage.tree.list_dn("list@example.com")
    entry = storage.entry(dn)
    assert entry is not None and entry["accesspolicy"] == ["membersandmoderatorsonly"]
    storage.modify(dn, {"accessPolicy": [(ldap3.MODIFY_REPLACE, ["friendsonly"])]})
    query = '{ mailingList(email: "list@example.com") { email accessPolicy } }'
    assert await data(ldap_domain_api, query) == {"mailingList": {"email": "list@example.com", "accessPolicy": None}}


# throttle kind


async def test_both_throttle_kinds_are_accepted_and_stored_lower_case(domain_api: Api) -> None:
    for kind in ThrottleKind:
        result = await data(domain_api, SET_THROTTLE, a="bob@example.com", k=kind.name)
        assert result == {"setThrottle": {"account": "bob@example.com", "kind": kind.name}}
    assert await stored_throttles(domain_api) == [("bob@example.com", "inbound"), ("bob@example.com", "outbound")]
    literal = '{ throttle(account: "bob@example.com", kind: OUTBOUND) { kind } user(email: "bob@example.com") {'
    literal += " throttles { kind } } }"
    assert await data(domain_api, literal) == {
        "throttle": {"kind": "OUTBOUND"},
        "user": {"throttles": [{"kind": "INBOUND"}, {"kind": "OUTBOUND"}]},
    }
    assert await data(domain_api, 'mutation { deleteThrottle(account: "bob@example.com", kind: INBOUND) }') == {
        "deleteThrottle": True
    }
    assert await stored_throttles(domain_api) == [("bob@example.com", "outbound")]


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ('mutation { setThrottle(account: "global", kind: SIDEWAYS, input: {period: 60}) { kind } }', {}),
        ('mutation { setThrottle(account: "global", kind: "inbound", input: {period: 60}) { kind } }', {}),
        (SET_THROTTLE, {"a": "global", "k": "outbound"}),
        ('mutation { deleteThrottle(account: "bob@example.com", kind: inbound) }', {}),
        ('{ throttle(account: "global", kind: "outbound") { kind } }', {}),
    ],
)
async def test_an_unknown_throttle_kind_is_refused_and_writes_nothing(
    domain_api: Api, document: str, variables: dict[str, Any]
) -> None:
    await data(domain_api, SET_THROTTLE, a="bob@example.com", k="INBOUND")
    assert "ThrottleKind" in await refused_by_validation(domain_api, document, **variables)


# account status


async def test_status_disables_and_enables_each_kind_of_account(domain_api: Api) -> None:
    await data(domain_api, CREATE_ALIAS, e="team@example.com")
    storage = domain_api.storage
    for status, active in (("DISABLED", False), ("ACTIVE", True)):
        expected = {"status": status, "active": active}
        assert (await data(domain_api, UPDATE_DOMAIN, n="example.com", i={"status": status}))["updateDomain"] == (
            expected
        )
        assert (await data(domain_api, UPDATE_USER, e="bob@example.com", i={"status": status}))["updateUser"] == (
            expected
        )
        result = await data(domain_api, UPDATE_ALIAS, e="team@example.com", i={"status": status})
        assert result["updateAlias"] == {"accessPolicy": "PUBLIC", **expected}
        domain, user, alias = (
            await storage.domain("example.com"),
            await storage.user("bob@example.com"),
            await storage.alias("team@example.com"),
        )
        assert domain is not None and user is not None and alias is not None
        assert (domain.active, user.active, alias.active) == (active, active, active)
    assert await data(domain_api, UPDATE_DOMAIN_USERS, d="example.com", i={"status": "DISABLED"}) == {
        "updateDomainUsers": 1
    }
    assert [user.active for user in await storage.users("example.com")] == [False]
    carol = await storage.user("carol@other.org")
    assert carol is not None and carol.active


async def test_the_deprecated_active_still_works_and_may_repeat_status(domain_api: Api) -> None:
    result = await data(domain_api, UPDATE_USER, e="bob@example.com", i={"active": False})
    assert result["updateUser"] == {"status": "DISABLED", "active": False}
    result = await data(domain_api, UPDATE_USER, e="bob@example.com", i={"status": "ACTIVE", "active": True})
    assert result["updateUser"] == {"status": "ACTIVE", "active": True}
    user = await domain_api.storage.user("bob@example.com")
    assert user is not None and user.active


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (UPDATE_USER, {"e": "bob@example.com", "i": {"status": "DISABLED", "active": True}}),
        (UPDATE_DOMAIN, {"n": "example.com", "i": {"status": "ACTIVE", "active": False}}),
        (UPDATE_DOMAIN_USERS, {"d": "example.com", "i": {"status": "DISABLED", "active": True}}),
        (UPDATE_ALIAS, {"e": "team@example.com", "i": {"status": "DISABLED", "active": True}}),
        ("{ domains(status: ACTIVE, active: false) { totalCount } }", {}),
    ],
)
async def test_status_and_active_that_disagree_are_refused(
    domain_api: Api, document: str, variables: dict[str, Any]
) -> None:
    await data(domain_api, CREATE_ALIAS, e="team@example.com")
    await data(domain_api, UPDATE_USER, e="bob@example.com", i={"status": "DISABLED"})
    before = await domain_api.snapshot()
    body = await gql(domain_api, document, **variables)
    assert codes(body) == ["INVALID_ACCOUNT_STATUS"] and body["data"] is None, body
    assert await domain_api.snapshot() == before


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ('mutation { updateUser(email: "bob@example.com", input: {status: ENABLED}) { email } }', {}),
        ('mutation { updateDomain(name: "example.com", input: {status: "disabled"}) { name } }', {}),
        (UPDATE_DOMAIN_USERS, {"d": "example.com", "i": {"status": "disabled"}}),
        ('{ users(domain: "example.com", status: active) { totalCount } }', {}),
    ],
)
async def test_an_unknown_status_is_refused_and_writes_nothing(
    domain_api: Api, document: str, variables: dict[str, Any]
) -> None:
    assert "AccountStatus" in await refused_by_validation(domain_api, document, **variables)


async def test_lists_filter_by_status(domain_api: Api) -> None:
    for address in ("on@example.com", "off@example.com"):
        await data(domain_api, CREATE_ALIAS, e=address)
    await data(domain_api, UPDATE_ALIAS, e="off@example.com", i={"status": "DISABLED"})
    created = await domain_api.call("POST", "/api/user/eve@example.com", password=STRONG)
    assert created.status_code == 201, created.text
    await data(domain_api, UPDATE_USER, e="eve@example.com", i={"status": "DISABLED"})
    await data(domain_api, UPDATE_DOMAIN, n="other.org", i={"status": "DISABLED"})

    def emails(connection: dict[str, Any]) -> list[str]:
        return [node["email"] for node in connection["nodes"]]

    query = """query($s: AccountStatus) {
        domains(status: $s) { nodes { name status } }
        users(domain: "example.com", status: $s) { nodes { email } }
        aliases(domain: "example.com", status: $s) { nodes { email } }
        domain(name: "example.com") { users(status: $s) { nodes { email } } aliases(status: $s) { nodes { email } } }
    }"""
    active = await data(domain_api, query, s="ACTIVE")
    assert active["domains"]["nodes"] == [{"name": "example.com", "status": "ACTIVE"}]
    assert emails(active["users"]) == emails(active["domain"]["users"]) == ["bob@example.com"]
    assert emails(active["aliases"]) == emails(active["domain"]["aliases"]) == ["on@example.com"]
    disabled = await data(domain_api, query, s="DISABLED")
    assert disabled["domains"]["nodes"] == [{"name": "other.org", "status": "DISABLED"}]
    assert emails(disabled["users"]) == emails(disabled["domain"]["users"]) == ["eve@example.com"]
    assert emails(disabled["aliases"]) == emails(disabled["domain"]["aliases"]) == ["off@example.com"]
    everyone = await data(domain_api, query)
    assert len(everyone["domains"]["nodes"]) == 2 and len(everyone["users"]["nodes"]) == 2
    deprecated = await data(domain_api, '{ users(domain: "example.com", active: false) { nodes { email } } }')
    assert emails(deprecated["users"]) == ["eve@example.com"]
