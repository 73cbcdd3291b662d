"""The cost limit of /graphql: how documents are priced, and that an operation over the limit is refused before
anything runs, for the global admin and a domain admin alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import FieldNode, get_introspection_query, parse

from gateway.schema.app import build_schema
from gateway.schema.cost import Cost, CostModel, _Pricer
from gateway.settings import Settings
from tests.rest.conftest import STRONG, Api, counted_statements
from tests.schema.conftest import OpenAdmin, codes, data, gql
from tests.schema.test_n_plus_one import searched

LIMIT = Settings(_env_file=None).graphql_max_cost
NESTED = (
    "domains(first: 100) { nodes { users(first: 100) { nodes { domain { users(first: 100) { nodes { email } } } } } } }"
)
REPRODUCTION = "{ " + " ".join(f"a{i}: {NESTED}" for i in range(15)) + " }"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def model() -> CostModel:
    return CostModel(build_schema(Settings(_env_file=None))._schema)


def price(model: CostModel, query: str, operation: str | None = None, **variables: Any) -> int:
    return model.price(parse(query), operation, variables).fields


def readme_examples() -> list[str]:
    section = README.read_text().split("## GraphQL", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```graphql\n(.*?)```", section, re.DOTALL)


# Pricing


def test_a_field_costs_one_and_a_connection_multiplies_its_nodes(model: CostModel) -> None:
    assert price(model, "{ me { username } }") == 2
    # domains + totalCount + nodes (1 + 7 × (name + active))
    assert price(model, "{ domains(first: 7) { totalCount nodes { name active } } }") == 1 + 1 + (1 + 7 * 2)
    # edges count like nodes: edges (1 + 7 × (cursor + node (1 + name)))
    assert price(model, "{ domains(first: 7) { edges { cursor node { name } } } }") == 1 + (1 + 7 * 3)


def test_nested_lists_multiply_through(model: CostModel) -> None:
    inner = 1 + (1 + 5 * 1)  # users(first: 5) { nodes { email } }
    assert price(model, "{ domains(first: 3) { nodes { users(first: 5) { nodes { email } } } } }") == (
        1 + (1 + 3 * inner)
    )
    assert price(model, "{ " + NESTED + " }") == 1 + (1 + 100 * (1 + (1 + 100 * (1 + (1 + (1 + 100))))))


def test_page_size_from_argument_variable_or_default(model: CostModel) -> None:
    query = "query($n: Int) { domains(first: $n) { nodes { name } } }"
    assert price(model, query, n=4) == price(model, "{ domains(first: 4) { nodes { name } } }") == 1 + (1 + 4)
    # absent: the variable's default, else the field's default page of 20
    assert price(model, "query($n: Int = 9) { domains(first: $n) { nodes { name } } }") == 1 + (1 + 9)
    assert price(model, query) == price(model, "{ domains { nodes { name } } }") == 1 + (1 + 20)
    # beyond the largest page (refused by the resolver anyway) it is priced at the largest page
    assert price(model, "{ domains(first: 100000) { nodes { name } } }") == 1 + (1 + 100)


def test_fragments_cost_what_they_select_where_they_are_spread(model: CostModel) -> None:
    plain = price(model, "{ domains(first: 10) { nodes { name users(first: 10) { nodes { email } } } } }")
    spread = """
        { domains(first: 10) { ...Page } }
        fragment Page on DomainConnection { nodes { ... on Domain { name } ...Users } }
        fragment Users on Domain { users(first: 10) { nodes { email } } }
    """
    assert price(model, spread) == plain


def test_each_alias_counts(model: CostModel) -> None:
    one = price(model, "{ domains(first: 50) { nodes { name } } }")
    assert price(model, "{ a: domains(first: 50) { nodes { name } } b: domains(first: 50) { nodes { name } } }") == (
        2 * one
    )
    assert price(model, REPRODUCTION) == 15 * price(model, "{ " + NESTED + " }") > 15_000_000


def test_fragments_spread_many_times_are_priced_without_walking_them(
    model: CostModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fragment spreads the next twice: 2**40 fields, priced by looking at each fragment once."""
    fragments = "\n".join(f"fragment F{i} on Admin {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = "{ me { ...F0 } }\n" + fragments + "\nfragment F40 on Admin { username }"
    visited: list[str] = []
    field = _Pricer.field

    def counted(pricer: _Pricer, node: FieldNode, *args: Any) -> Cost:
        visited.append(node.name.value)
        return field(pricer, node, *args)

    monkeypatch.setattr(_Pricer, "field", counted)
    assert price(model, query) == 1 + 2**40
    assert sorted(visited) == ["me", "username"]


def test_the_chosen_operation_is_priced(model: CostModel) -> None:
    query = "query Cheap { me { username } } query Dear { domains(first: 100) { nodes { name } } }"
    assert price(model, query, "Cheap") == 2
    assert price(model, query, "Dear") == 102


def test_readme_examples_are_within_the_default_limit(model: CostModel) -> None:
    examples = readme_examples()
    assert len(examples) >= 3
    for example in examples:
        assert 0 < price(model, example) <= LIMIT, example


def test_full_introspection_is_within_its_budget(model: CostModel) -> None:
    full = model.price(parse(get_introspection_query(descriptions=True, specified_by_url=True)), None, {})
    assert full.fields == 0 and 0 < full.introspection <= model.introspection_budget
    # a type's fields' types' fields' ... grows with every level
    deep = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
    assert model.price(parse(deep), None, {}).introspection > model.introspection_budget


# Through HTTP


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", error
    return dict(error)


async def session_statements(api: Api) -> list[str]:
    """What any request costs before a field runs: the session's admin and rights looked up."""
    with counted_statements(api) as statements:
        assert await data(api, "{ __typename }") == {"__typename": "Query"}
    return list(statements)


async def test_reproduction_is_refused_before_any_statement(sql_admin_api: Api) -> None:
    baseline = await session_statements(sql_admin_api)
    with counted_statements(sql_admin_api) as statements:
        error = _refusal(await gql(sql_admin_api, REPRODUCTION))
    assert statements == baseline
    cost = 15 * (1 + (1 + 100 * (1 + (1 + 100 * (1 + (1 + (1 + 100)))))))
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": LIMIT}
    assert f"costs {cost}, over the limit of {LIMIT}" in error["message"]


async def test_reproduction_is_refused_before_any_search(
    ldap_admin_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with searched(monkeypatch) as baseline:
        await data(ldap_admin_api, "{ __typename }")
    with searched(monkeypatch) as filters:
        _refusal(await gql(ldap_admin_api, REPRODUCTION))
    assert filters == baseline


async def test_costly_mutation_writes_nothing(admin_api: Api) -> None:
    before = await admin_api.storage.snapshot()
    users = "users(first: 100) { nodes { domain { users(first: 100) { nodes { domain { %s } } } } } }"  # 100 × 100
    mutation = 'mutation { createDomain(name: "new.com") { ' + users % "name" + " } }"
    _refusal(await gql(admin_api, mutation))
    assert await admin_api.storage.snapshot() == before
    # the same mutation asking for little runs
    assert await data(admin_api, 'mutation { createDomain(name: "new.com") { name } }') == {
        "createDomain": {"name": "new.com"}
    }


async def test_limit_follows_the_setting(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphql_max_cost=22)
    assert await data(api, "{ domains(first: 20) { nodes { name } } }") == {"domains": {"nodes": []}}  # 22
    error = _refusal(await gql(api, "{ domains(first: 21) { nodes { name } } }"))
    assert error["extensions"]["cost"] == 23 and error["extensions"]["maxCost"] == 22


async def test_readme_examples_run(domain_api: Api) -> None:
    dashboard, users, writes, *policies = readme_examples()
    body = await gql(domain_api, dashboard)
    assert not body.get("errors") and body["data"]["domains"]["totalCount"] == 2
    body = await gql(domain_api, users, domain="example.com")
    assert not body.get("errors") and body["data"]["users"]["totalCount"] == 0  # bob does not match "jo"
    # the example's password is a placeholder, so login fails; everything else is priced and runs
    assert "QUERY_TOO_COSTLY" not in codes(await gql(domain_api, writes))
    await _arrange_admin_examples(domain_api)
    for example in policies:
        assert not (await gql(domain_api, example)).get("errors"), example


async def _arrange_admin_examples(api: Api) -> None:
    """The accounts the examples name: mailboxes john, mary (an admin of example.com) and jane, admin old,
    alias team."""
    for email in ("john@example.com", "mary@example.com", "jane@example.com"):
        await data(api, f'mutation {{ createUser(email: "{email}", input: {{password: "{STRONG}"}}) {{ email }} }}')
    await data(api, 'mutation { createAlias(email: "team@example.com") { email } }')
    await data(api, 'mutation { setDomainAdmins(domain: "example.com", add: ["mary@example.com"]) }')
    await api.storage.add_admin("old@admins.example", STRONG)


async def test_a_domain_admin_has_the_same_limit(sql_domain_api: Api) -> None:
    api = sql_domain_api
    await api.storage.add_admin("boss@example.com", STRONG)
    await api.storage.grant_domain("boss@example.com", "example.com")
    assert (await api.login("boss@example.com", STRONG)).status_code == 200
    assert await data(api, "{ me { isGlobal } }") == {"me": {"isGlobal": False}}
    one_domain = "{ " + NESTED + " }"  # priced by the pages asked for, though boss has one domain
    baseline = await session_statements(api)
    with counted_statements(api) as statements:
        _refusal(await gql(api, one_domain))
    assert statements == baseline
    assert await data(api, "{ domains { nodes { users { nodes { email } } } } }") == {
        "domains": {"nodes": [{"users": {"nodes": [{"email": "bob@example.com"}]}}]}
    }
