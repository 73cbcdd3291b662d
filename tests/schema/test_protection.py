"""Query limits, introspection, GraphiQL and error masking of /graphql, through HTTP as the global admin,
on every backend."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import httpx
import pytest

from tests.rest.conftest import Api
from tests.schema.conftest import OpenAdmin, codes, data, gql

# Object fields that nest forever (Domain.users -> User.domain -> ...), each with a scalar of the type it returns.
_CHAIN = [("domains", "totalCount"), ("nodes", "name")] + [
    ("users", "totalCount"),
    ("nodes", "email"),
    ("domain", "name"),
] * 10
INTROSPECTION = "{ __schema { queryType { name } } }"


def nested(depth: int) -> str:
    """A query whose deepest field is ``depth`` levels below the root fields (which are at depth 0)."""
    fields = _CHAIN[:depth]
    leaf = fields[-1][1]
    body = leaf
    for name, _ in reversed(fields):
        body = f"{name} {{ {body} }}"
    return f"{{ {body} }}"


def _refused(body: dict[str, Any]) -> str:
    """The message of the single error of an operation refused before execution."""
    assert body["data"] is None, body
    [error] = body["errors"]
    message: str = error["message"]
    return message


def test_nested_builds_the_asked_depth() -> None:
    assert nested(1) == "{ domains { totalCount } }"
    assert nested(3) == "{ domains { nodes { users { totalCount } } } }"


async def test_depth_limit(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphql_max_cost=10**9)  # 20 ** 4 addresses at depth 10: over the default cost
    assert api.settings.graphql_max_depth == 10
    assert (await data(api, nested(10)))["domains"] == {"nodes": []}
    message = _refused(await gql(api, nested(11)))
    assert "exceeds maximum operation depth of 10" in message


async def test_depth_limit_follows_the_setting(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphql_max_depth=3)
    await api.call("POST", "/api/domain/example.com")
    assert await data(api, nested(3)) == {"domains": {"nodes": [{"users": {"totalCount": 0}}]}}
    message = _refused(await gql(api, nested(4)))
    assert "exceeds maximum operation depth of 3" in message


async def test_depth_limit_sees_through_fragments(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphql_max_depth=3)
    query = """
        query Deep { domains { ...D } }
        fragment D on DomainConnection { nodes { users { nodes { email } } } }
    """
    assert "'Deep' exceeds maximum operation depth of 3" in _refused(await gql(api, query))


async def test_token_limit(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphql_max_tokens=100)
    # "{ me { " + n names + "} }" is n + 5 tokens, counting the end of the document
    assert await data(api, "{ me { " + "username " * 95 + "} }") == {"me": {"username": "postmaster@admins.test"}}
    message = _refused(await gql(api, "{ me { " + "username " * 96 + "} }"))
    assert "more than 100 tokens" in message


async def test_token_limit_default(open_admin: OpenAdmin) -> None:
    api = await open_admin()
    assert api.settings.graphql_max_tokens == 2000
    assert "more than 2000 tokens" in _refused(await gql(api, "{ me { " + "username " * 2000 + "} }"))


async def test_alias_limit(open_admin: OpenAdmin) -> None:
    api = await open_admin()
    assert api.settings.graphql_max_aliases == 15

    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{i}: me {{ username }}" for i in range(count)) + " }"

    assert len(await data(api, aliased(15))) == 15
    assert _refused(await gql(api, aliased(16))) == "16 aliases found. Allowed: 15"


async def test_alias_limit_counts_nested_aliases(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphql_max_aliases=2)
    query = "{ a: me { u: username n: username } }"
    assert _refused(await gql(api, query)) == "3 aliases found. Allowed: 2"


@pytest.mark.parametrize(
    ("overrides", "enabled"),
    [
        ({}, True),
        ({"graphiql": False}, False),
        ({"graphiql": False, "graphql_introspection": True}, True),
        ({"graphiql": True, "graphql_introspection": False}, False),
    ],
    ids=["default", "graphiql-off", "graphiql-off-introspection-on", "introspection-off"],
)
async def test_introspection_switch(open_admin: OpenAdmin, overrides: dict[str, Any], enabled: bool) -> None:
    api = await open_admin(**overrides)
    assert api.settings.introspection_enabled is enabled
    body = await gql(api, INTROSPECTION)
    if enabled:
        assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    else:
        assert body["data"] is None
        assert all("introspection has been disabled" in error["message"] for error in body["errors"])
        type_body = await gql(api, '{ __type(name: "Domain") { name } }')
        assert type_body["data"] is None and "introspection has been disabled" in type_body["errors"][0]["message"]
    # ordinary queries and __typename work either way
    assert await data(api, "{ __typename me { username } }") == {
        "__typename": "Query",
        "me": {"username": "postmaster@admins.test"},
    }


async def test_graphiql_off_serves_no_ide(open_admin: OpenAdmin) -> None:
    api = await open_admin(graphiql=False)
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" not in response.headers.get("content-type", "")
    assert "graphiql" not in response.text.lower()
    # the endpoint itself still answers POSTed operations
    assert await data(api, "{ me { isGlobal } }") == {"me": {"isGlobal": True}}


_LEAKS = re.compile(
    r"select|from |where |sqlalchemy|sqlite|mysql|postgres|asyncpg|asyncmy|table|relation|"
    r"operationalerror|programmingerror|traceback|alias\.",
    re.IGNORECASE,
)


async def test_unexpected_exception_is_masked(sql_admin_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """A table gone from under the gateway (SQL only: the failure is made by dropping it)."""
    assert (await sql_admin_api.call("POST", "/api/domain/example.com")).status_code == 201
    await sql_admin_api.execute("DROP TABLE alias")
    with caplog.at_level(logging.ERROR, logger="gateway.graphql"):
        response = await sql_admin_api.client.post(
            "/graphql", json={"query": '{ aliases(domain: "example.com") { totalCount nodes { email } } }'}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["path"] == ["aliases"]
    extensions = error["extensions"]
    assert set(extensions) == {"code", "requestId"}
    assert extensions["code"] == "INTERNAL_ERROR"
    assert re.fullmatch(r"[0-9a-f]{12}", extensions["requestId"])
    assert not _LEAKS.search(response.text), response.text
    # the log keeps the detail, under the same request id
    [record] = [r for r in caplog.records if extensions["requestId"] in r.getMessage()]
    assert record.exc_info is not None


async def test_gateway_errors_are_not_masked(admin_api: Api) -> None:
    create = 'mutation { createDomain(name: "example.com") { name } }'
    assert await data(admin_api, create) == {"createDomain": {"name": "example.com"}}
    body = await gql(admin_api, create)
    [error] = body["errors"]
    assert (error["message"], error["extensions"]) == ("ALREADY_EXISTS", {"code": "ALREADY_EXISTS"})
    assert error["path"] == ["createDomain"]

    for query, code in [
        ('{ domain(name: "missing.com") { name } }', "NO_SUCH_DOMAIN"),
        ("{ domains(first: 0) { totalCount } }", "INVALID_PAGE_SIZE"),
        ('{ domains(after: "a") { totalCount } }', "INVALID_CURSOR"),
    ]:
        body = await gql(admin_api, query)
        assert codes(body) == [code], body
        assert body["errors"][0]["message"] == code
        assert "requestId" not in body["errors"][0]["extensions"]


# Bodies: capped like REST, decoded strictly, refused with a GraphQL-style error and never a 500.

MAX_BODY = 1024 * 1024
CREATE = 'mutation { createDomain(name: "new.com") { name } }'


def padded(query: str, size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes asking ``query``, padded with JSON whitespace."""
    body = json.dumps({"query": query}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def request_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"] == {"code": code}
    message: str = error["message"]
    return message


async def post(api: Api, content: bytes | AsyncIterable[bytes]) -> httpx.Response:
    return await api.client.post("/graphql", content=content, headers={"content-type": "application/json"})


async def test_body_cap(admin_api: Api) -> None:
    before = await admin_api.storage.snapshot()
    response = await post(admin_api, padded(CREATE, MAX_BODY + 1))
    assert "over 1048576 bytes" in request_error(response, 413, "REQUEST_TOO_LARGE")
    assert await admin_api.storage.snapshot() == before

    response = await post(admin_api, padded(CREATE, MAX_BODY))
    assert response.status_code == 200 and response.json() == {"data": {"createDomain": {"name": "new.com"}}}


async def test_body_cap_counts_what_streams_in(sql_api: Api) -> None:
    """Without Content-Length (chunked) the body is counted as it arrives; no login is needed to be refused."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(65):
            yield b"x" * 16384
        yield b'"}'

    response = await post(sql_api, chunks())
    assert "content-length" not in response.request.headers
    request_error(response, 413, "REQUEST_TOO_LARGE")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'"hello"', "must be an object"),
        (b"[]", "must be an object"),
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper than 64 levels"),
        (b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 100 + b"]" * 100 + b"}}", "nests deeper"),
        (b'{"query": "' + CREATE.replace('"', '\\"').encode() + b'", "x": "\xff"}', "not UTF-8"),
        (b'{"query": ', "not valid JSON"),
    ],
    ids=["string", "array", "deep-array", "deep-variables", "invalid-utf8", "truncated"],
)
async def test_hostile_bodies_are_refused(sql_admin_api: Api, content: bytes, says: str) -> None:
    before = await sql_admin_api.storage.snapshot()
    assert says in request_error(await post(sql_admin_api, content), 400, "INVALID_PARAMETER")
    assert await sql_admin_api.storage.snapshot() == before


async def test_refusals_of_the_view_carry_codes(sql_admin_api: Api) -> None:
    response = await sql_admin_api.client.post("/graphql", content=b"query", headers={"content-type": "text/plain"})
    request_error(response, 400, "INVALID_PARAMETER")
    response = await sql_admin_api.client.put("/graphql", json={"query": "{ __typename }"})
    request_error(response, 405, "METHOD_NOT_ALLOWED")


# Suggestions name fields and types: none when introspection is off.

MISSPELT = [
    "{ domians { totalCount } }",
    "{ domains { nodes { nmae } } }",
    '{ user(emial: "x@y.z") { email } }',
    '{ ... on Domain { name } }',
]


@pytest.mark.parametrize("introspection", [False, True], ids=["introspection-off", "introspection-on"])
async def test_no_suggestions_without_introspection(open_admin: OpenAdmin, introspection: bool) -> None:
    api = await open_admin(graphql_introspection=introspection)
    messages = []
    for query in MISSPELT:
        body = await gql(api, query)
        assert body["data"] is None and body["errors"], body
        messages += [error["message"] for error in body["errors"]]
    suggested = [message for message in messages if "Did you mean" in message]
    if introspection:
        assert suggested, messages  # graphql-core's hints stay where the schema is public anyway
    else:
        assert not suggested, suggested
        assert "Cannot query field 'domians' on type 'Query'." in messages
