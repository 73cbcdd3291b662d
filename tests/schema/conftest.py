from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.rest.conftest import (  # noqa: F401  (fixtures shared with the REST tests)
    Api,
    admin_api,
    api,
    backend_api,
    domain_api,
    ldap_admin_api,
    ldap_api,
    ldap_domain_api,
    sql_admin_api,
    sql_api,
    sql_domain_api,
)

OpenAdmin = Callable[..., Awaitable[Api]]


@pytest.fixture
async def open_admin(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> AsyncIterator[OpenAdmin]:
    """Opens the gateway with the given setting overrides on fresh storage of each backend, the admin logged in."""
    async with AsyncExitStack() as stack:
        opened = False

        async def opener(**overrides: Any) -> Api:
            nonlocal opened
            assert not opened, "one gateway per test: the LDAP backend has one tree"
            opened = True
            api = await stack.enter_async_context(backend_api(request, backend_kind, tmp_path, **overrides))
            response = await api.login()
            assert response.status_code == 200, response.text
            return api

        yield opener


class GraphQLError(AssertionError):
    pass


async def gql(gateway: Api, query: str, **variables: Any) -> dict[str, Any]:
    """Run a GraphQL operation; return the whole response body."""
    response = await gateway.client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data(gateway: Api, query: str, **variables: Any) -> dict[str, Any]:
    """Run an operation that must succeed; return its data."""
    body = await gql(gateway, query, **variables)
    if body.get("errors"):
        raise GraphQLError(body["errors"])
    result: dict[str, Any] = body["data"]
    return result


def codes(body: dict[str, Any]) -> list[str]:
    """The extensions.code of each error."""
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
