from __future__ import annotations

from typing import Any

from tests.rest.conftest import (  # noqa: F401  (fixtures shared with the REST tests)
    Api,
    admin_api,
    api,
    ldap_admin_api,
    ldap_api,
    sql_admin_api,
    sql_api,
)


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
