"""Sessions through GraphQL: the login cookie, a login or logout earlier in the same document, revocation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, STRONG, Api, domain_api  # noqa: F401  (a fixture)
from tests.rest.test_sessions import (  # noqa: F401  (the ``boss`` fixture)
    BOSS,
    boss,
    boss_session,
    client_on,
    session_of,
    stored_sessions,
    works,
)
from tests.schema.conftest import codes, data, gql

README = Path(__file__).resolve().parents[2] / "README.md"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"


def readme_login_document() -> str:
    """The README's one-document example (login, createUser, setThrottle), with this test's credentials."""
    blocks: list[str] = re.findall(r"```graphql\n(.*?)```", README.read_text(), re.DOTALL)
    [document] = [block for block in blocks if "login(" in block]
    assert 'username: "postmaster@gateway.local", password: "…"' in document
    return document.replace("postmaster@gateway.local", ADMIN).replace('"…"', f'"{ADMIN_PASSWORD}"')


async def test_the_readme_example_logs_in_and_writes_in_one_document(admin_api: Api) -> None:
    assert (await admin_api.call("POST", "/api/domain/example.com")).status_code == 201
    assert (await admin_api.call("POST", "/api/logout")).status_code == 200
    response = await admin_api.client.post("/graphql", json={"query": readme_login_document()})
    body = response.json()
    assert body.get("errors") is None, body
    assert body["data"] == {
        "login": {"username": ADMIN, "isGlobal": True},
        "createUser": {"email": "john@example.com", "quota": 2048},
        "setThrottle": {"account": "john@example.com", "priority": 100, "maxMsgs": 100},
    }
    user = await admin_api.storage.user("john@example.com")
    assert user is not None and user.quota == 2048
    [throttle] = await admin_api.rows("SELECT account, max_msgs FROM throttle", database="iredapd")
    assert throttle == {"account": "john@example.com", "max_msgs": 100}
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=3600" in cookie
    assert await works(admin_api, session_of(admin_api))


async def test_fields_after_a_login_in_the_same_document_load_as_the_new_actor(admin_api: Api) -> None:
    assert (await admin_api.call("POST", "/api/domain/example.com")).status_code == 201
    assert (await admin_api.call("POST", "/api/logout")).status_code == 200
    result = await data(admin_api, """mutation($u: String!, $p: String!) {
        login(username: $u, password: $p) { username }
        createUser(email: "ann@example.com", input: {password: $p}) { email usedQuota { bytes } aliases }
    }""", u=ADMIN, p=ADMIN_PASSWORD)
    assert result["createUser"] == {"email": "ann@example.com", "usedQuota": {"bytes": 0}, "aliases": []}


async def test_a_logout_earlier_in_the_document_stops_the_later_mutations(admin_api: Api) -> None:
    session = session_of(admin_api)
    before = await admin_api.snapshot()
    body = await gql(admin_api, 'mutation { logout createDomain(name: "late.com") { name } }')
    assert codes(body) == ["LOGIN_REQUIRED"]  # createDomain is non-null: the error nulls the whole data
    assert await admin_api.snapshot() == before
    assert not await works(admin_api, session)


async def test_without_a_login_the_document_is_refused_as_before(api: Api) -> None:
    before = await api.snapshot()
    body = await gql(api, 'mutation { createDomain(name: "a.com") { name } }')
    assert codes(body) == ["LOGIN_REQUIRED"]
    assert await api.snapshot() == before


async def test_a_graphql_login_issues_a_new_id_and_ends_the_old_one(admin_api: Api) -> None:
    old = session_of(admin_api)
    assert await data(admin_api, LOGIN, u=ADMIN, p=ADMIN_PASSWORD) == {"login": {"username": ADMIN}}
    new = session_of(admin_api)
    assert new != old
    assert not await works(admin_api, old)
    assert await works(admin_api, new)
    assert [row["username"] for row in await stored_sessions(admin_api)] == [ADMIN]


async def test_a_graphql_logout_ends_a_copied_cookie(admin_api: Api) -> None:
    session = session_of(admin_api)
    assert await data(admin_api, "mutation { logout }") == {"logout": True}
    assert not await works(admin_api, session)
    async with client_on(admin_api) as client:
        response = await client.post("/graphql", json={"query": "mutation { logout }"})
    assert response.json() == {"data": {"logout": True}}


@pytest.mark.parametrize(
    "mutation",
    [
        f'setUserPassword(email: "{BOSS}", password: "{STRONG}")',
        f'updateUser(email: "{BOSS}", input: {{password: "{STRONG}"}}) {{ email }}',
        f'updateUser(email: "{BOSS}", input: {{active: false}}) {{ email }}',
        f'setDomainUsersPassword(domain: "example.com", password: "{STRONG}")',
        'updateDomainUsers(domain: "example.com", input: {active: false})',
        f'deleteUser(email: "{BOSS}")',
        'deleteDomain(name: "example.com")',
    ],
    ids=lambda mutation: mutation.split("(")[0] + ("Status" if "active" in mutation else ""),
)
async def test_graphql_password_status_and_deletion_end_the_sessions(boss: Api, mutation: str) -> None:  # noqa: F811
    session = await boss_session(boss)
    assert await data(boss, f"mutation {{ {mutation} }}")
    assert not await works(boss, session)
    assert await works(boss, session_of(boss))
    assert [row["username"] for row in await stored_sessions(boss)] == [ADMIN]
