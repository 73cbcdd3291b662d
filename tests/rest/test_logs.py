"""Structured logs: one JSON line per request and per error, and never a password, hash, cookie or DSN secret."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.logs import configure_logging, remove_logging, scrub
from gateway.passwords import hash_password
from gateway.request_context import SESSION_COOKIE
from tests.ldap_server import LdapServer
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, Api

DOMAIN = "example.com"
# every password below is distinct, so that finding one in the log says where it leaked from
REST_CREATE = ("Cr3ate-Rest-One!", "Cr3ate-Rest-Two!")
REST_CHANGE = "Chang3d-By-Put!"
REST_CHANGE_ROUTE = "Chang3d-Password-Route!"
REST_BULK = "Bulk-Passw0rd-Domain!"
REST_BULK_FIELDS = "Bulk-Fields-Passw0rd!"
HASHED = "Pre-Hashed-Passw0rd!"
GRAPHQL_CREATE = "Gql-Cr3ate-Passw0rd!"
GRAPHQL_CHANGE = "Gql-Chang3-Passw0rd!"
GRAPHQL_BULK = "Gql-Bulk-Passw0rd!"
WRONG = "Wr0ng-Guess-Login!"
GRAPHQL_WRONG = "Gql-Wr0ng-Guess!"
TOO_SHORT = "Sh0rt!"
IN_BROKEN_QUERY = "Broken-Query-Passw0rd!"
IN_BAD_TYPE = "Bad-Typed-Passw0rd!"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything the process logs, from DEBUG up, as JSON lines."""
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging("json", "DEBUG", stream)
    try:
        yield stream
    finally:
        remove_logging(handler)
        logging.getLogger().setLevel(level)


async def graphql(api: Api, query: str, **variables: Any) -> dict[str, Any]:
    response = await api.client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def cookie(api: Api) -> str:
    value = api.client.cookies.get(SESSION_COOKIE)
    assert value, "no session cookie"
    return value


async def drive(api: Api) -> set[str]:
    """What an admin does with passwords, right and wrong, through REST and GraphQL; the secrets it used."""
    secrets = {ADMIN_PASSWORD}
    refused = await api.login(ADMIN, WRONG)
    assert refused.status_code in (400, 401, 403), refused.text
    assert (await api.login()).status_code == 200
    secrets.add(cookie(api))
    assert (await api.call("POST", f"/api/domain/{DOMAIN}")).status_code == 201
    for number, password in enumerate(REST_CREATE):
        response = await api.call("POST", f"/api/user/user{number}@{DOMAIN}", password=password)
        assert response.status_code == 201, response.text
    given_hash = hash_password(HASHED, "SSHA512")
    response = await api.call("POST", f"/api/user/hashed@{DOMAIN}", password_hash=given_hash)
    assert response.status_code == 201, response.text
    weak = await api.call("POST", f"/api/user/weak@{DOMAIN}", password=TOO_SHORT)
    assert weak.status_code == 400, weak.text
    for path, password in (
        (f"/api/user/user0@{DOMAIN}", REST_CHANGE),
        (f"/api/user/user1@{DOMAIN}/password", REST_CHANGE_ROUTE),
        (f"/api/users/{DOMAIN}/password", REST_BULK),
        (f"/api/users/{DOMAIN}", REST_BULK_FIELDS),
    ):
        response = await api.call("PUT", path, password=password)
        assert response.status_code == 200, (path, response.text)
    failed = await api.call("PUT", f"/api/user/nobody@{DOMAIN}/password", password=REST_CHANGE)
    assert failed.status_code == 404, failed.text

    created = await graphql(
        api,
        "mutation Create($password: String!) { createUser(email: \"gql@example.com\", input: {password: $password})"
        " { email } }",
        password=GRAPHQL_CREATE,
    )
    assert created == {"data": {"createUser": {"email": "gql@example.com"}}}
    for query, password in (
        ('mutation { setUserPassword(email: "gql@example.com", password: "VALUE") }', GRAPHQL_CHANGE),
        ('mutation { setDomainUsersPassword(domain: "example.com", password: "VALUE") }', GRAPHQL_BULK),
        # refusals whose messages could echo what was sent: a syntax error at the value, a value of the wrong type
        ('mutation { setUserPassword(email: "gql@example.com" "VALUE") }', IN_BROKEN_QUERY),
        ('mutation { createDomain(name: "x.org", input: {maxUsers: "VALUE"}) { name } }', IN_BAD_TYPE),
    ):
        answer = await graphql(api, query.replace("VALUE", password))
        assert ("errors" in answer) == (password in (IN_BROKEN_QUERY, IN_BAD_TYPE)), answer
    login = "mutation($p: String!) { login(username: $u, password: $p) { username } }".replace("$u", f'"{ADMIN}"')
    wrong = await graphql(api, login, p=GRAPHQL_WRONG)
    assert wrong["errors"]
    again = await graphql(api, login, p=ADMIN_PASSWORD)
    assert again == {"data": {"login": {"username": ADMIN}}}
    secrets.add(cookie(api))
    assert (await api.call("POST", "/api/logout")).status_code == 200

    secrets |= {*REST_CREATE, REST_CHANGE, REST_CHANGE_ROUTE, REST_BULK, REST_BULK_FIELDS, HASHED, given_hash}
    secrets |= {GRAPHQL_CREATE, GRAPHQL_CHANGE, GRAPHQL_BULK, WRONG, GRAPHQL_WRONG, TOO_SHORT}
    secrets |= {IN_BROKEN_QUERY, IN_BAD_TYPE}
    for user in await api.storage.users(DOMAIN):
        secrets.add(user.password)  # the hashes as stored
    return secrets


def hash_bodies(secrets: set[str]) -> set[str]:
    """The part of a ``{SCHEME}…`` hash after its tag, which would leak it just the same."""
    return {secret.split("}", 1)[1] for secret in secrets if secret.startswith("{") and "}" in secret}


async def test_no_secret_reaches_the_log(api: Api, captured: io.StringIO, request: pytest.FixtureRequest) -> None:
    secrets = await drive(api)
    if api.kind == "ldap":
        server: LdapServer = request.getfixturevalue("ldap_tree")
        secrets.add(server.admin_password)
    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object

    leaked = sorted(secret for secret in secrets | hash_bodies(secrets) if secret in text)
    assert leaked == [], f"secrets in the log: {leaked}"
    assert SESSION_COOKIE not in text

    requests = [line for line in lines if line["event"] == "request"]
    routes = {(line["method"], line["route"], line["status"]) for line in requests}
    for expected in (
        ("POST", "/api/login", 200),
        ("PUT", "/api/users/{domain}/password", 200),
        ("PUT", "/api/user/{mail}/password", 404),
        ("POST", "/graphql", 200),
    ):
        assert expected in routes, expected
    assert any("graphql request refused" in line["event"] for line in lines)


async def test_one_line_per_request(admin_api: Api, captured: io.StringIO) -> None:
    """The request line names its id, admin, method, route template, status, duration and client; the
    refusal logged during the request carries the same id."""
    response = await admin_api.client.get("/api/user/nobody@example.com", headers={"X-Request-ID": "proxy-id-0001"})
    assert response.status_code == 404
    hostile = await admin_api.client.get("/healthz", headers={"X-Request-ID": 'bad"\n{id}'})
    assert hostile.status_code == 200
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "proxy-id-0001"]
    (entry,) = [line for line in mine if line["event"] == "request"]
    assert entry["admin"] == ADMIN
    assert entry["method"] == "GET"
    assert entry["route"] == "/api/user/{mail}"
    assert entry["status"] == 404
    assert entry["client"] == "127.0.0.1"
    assert entry["level"] == "info"
    assert isinstance(entry["duration_s"], float) and entry["duration_s"] >= 0
    assert entry["time"].endswith("Z")
    assert any("NO_SUCH_ACCOUNT" in line["event"] for line in mine), mine
    (health,) = [line for line in lines if line.get("route") == "/healthz"]
    assert health["admin"] is None
    assert re.fullmatch(r"[0-9a-f]{12}", health["request_id"]), "a made-up id replaces a hostile one"


async def test_an_internal_error_names_its_request(
    admin_api: Api, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id the client is shown for an INTERNAL_ERROR is the id of the log lines about it."""
    app: Any = admin_api.client._transport.app  # type: ignore[attr-defined]

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.state.context.users, "get_routed_user", broken)
    response = await admin_api.client.get("/api/user/bob@example.com")
    assert response.status_code == 500, response.text
    request_id = response.headers["x-request-id"]
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert [line["level"] for line in mine if line["event"].startswith("request ")] == ["error"]
    assert any("RuntimeError: a bug" in line.get("exception", "") for line in mine)
    (entry,) = [line for line in mine if line["event"] == "request"]
    assert entry["status"] == 500 and entry["level"] == "warning"


def test_text_format() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging("text", "INFO", stream)
    try:
        logging.getLogger("gateway.test").info("request", extra={"route": "/api/user/{mail}", "status": 200})
        logging.getLogger("gateway.test").debug("not shown")
    finally:
        remove_logging(handler)
        logging.getLogger().setLevel(level)
    line = stream.getvalue()
    assert "request" in line and "route=/api/user/{mail}" in line and "status=200" in line
    assert "not shown" not in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("cannot connect to mysql+asyncmy://vmailadmin:DsnS3cret@db.local/vmail", "DsnS3cret"),
        ("postgresql://user:pa%40ss@127.0.0.1:5432/iredapd", "pa%40ss"),
        ("stored {SSHA512}c2VjcmV0aGFzaHZhbHVl", "c2VjcmV0aGFzaHZhbHVl"),
        ("stored {CRYPT}$6$salt$hashhashhash", "hashhashhash"),
        ("stored $2b$12$abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuv"),
        (f"Cookie: {SESSION_COOKIE}=tokenvalue123; other=1", "tokenvalue123"),
        ('"PUT /api/user/a@b.c?quota=1&password=Qu3ry-S3cret%21 HTTP/1.1" 200', "Qu3ry-S3cret"),
        ("GET /api/x?newPassword=Qu3ry-S3cret&name=a", "Qu3ry-S3cret"),
    ],
)
def test_secrets_in_messages_are_masked(text: str, secret: str) -> None:
    assert secret not in scrub(text)
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging("json", "INFO", stream)
    try:
        logging.getLogger("gateway.test").warning("failed: %s", text, extra={"password": "field-secret"})
        try:
            raise RuntimeError(text)
        except RuntimeError:
            logging.getLogger("gateway.test").exception("with a traceback")
    finally:
        remove_logging(handler)
        logging.getLogger().setLevel(level)
    output = stream.getvalue()
    assert secret not in output and "field-secret" not in output
    assert "failed" in output and "RuntimeError" in output
