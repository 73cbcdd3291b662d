"""Hostile and out-of-range input: a 4xx envelope with a clear code, never a 500, nothing written."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from gateway.maildir import MAX_MAILDIR_LENGTH
from gateway.resolvers.domains import MAX_KEEP_DAYS
from gateway.rest.params import MAX_FIELDS
from tests.rest.conftest import STRONG, Api

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
LONE_SURROGATE = '{"name": "\\ud800"}'


def long_domain(length: int) -> str:
    """A valid-looking domain name of ``length`` characters (labels of at most 63)."""
    labels, left = [], length - len(".com")
    while left > 0:
        size = min(63, left - 1 if left > 63 else left)  # leave room for the dot before the next label
        labels.append("d" * size)
        left -= size + 1
    name = ".".join(labels) + ".com"
    assert len(name) == length, (len(name), length)
    return name


DOMAIN_190 = long_domain(190)


def refused(response: httpx.Response, status: int, msg: str) -> None:
    """The envelope of an expected refusal: no request id, since nothing failed."""
    assert (response.status_code, response.json()) == (status, {"success": False, "msg": msg}), response.text
    assert "x-request-id" not in response.headers


async def graphql(api: Api, query: str, variables: str = "{}") -> dict[str, Any]:
    """POST a GraphQL document with ``variables`` as raw JSON text (so it may carry lone surrogates)."""
    body = f'{{"query": {json.dumps(query)}, "variables": {variables}}}'
    response = await api.client.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def error_codes(result: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", error["message"]) for error in result.get("errors", [])]


# keep_mailbox_days


@pytest.mark.parametrize("days", [MAX_KEEP_DAYS + 1, 4_000_000, 10**30])
@pytest.mark.parametrize("path", ["/api/user/bob@example.com", "/api/domain/example.com"])
async def test_keep_mailbox_days_beyond_a_century_is_refused(domain_api: Api, path: str, days: int) -> None:
    before = await domain_api.snapshot()
    refused(await domain_api.client.delete(f"{path}/keep_mailbox_days/{days}"), 400, "INVALID_PARAMETER")
    assert await domain_api.snapshot() == before


async def test_keep_mailbox_days_of_a_century_is_kept(domain_api: Api) -> None:
    response = await domain_api.client.delete(f"/api/user/bob@example.com/keep_mailbox_days/{MAX_KEEP_DAYS}")
    assert response.status_code == 200, response.text
    assert await domain_api.storage.user("bob@example.com") is None


async def test_graphql_keep_mailbox_days_overflow_is_refused(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    for mutation in (
        'deleteUser(email: "bob@example.com", keepMailboxDays: 2147483647)',
        'deleteDomain(name: "example.com", keepMailboxDays: 2147483647)',
    ):
        result = await graphql(domain_api, f"mutation {{ {mutation} }}")
        assert error_codes(result) == ["INVALID_PARAMETER"], result
    assert await domain_api.snapshot() == before


# text that is not UTF-8


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/user/new@example.com"),
        ("PUT", "/api/user/bob@example.com"),
        ("POST", "/api/domain/new.com"),
        ("PUT", "/api/domain/example.com"),
        ("POST", "/api/alias/team@example.com"),
        ("PUT", "/api/alias/team@example.com"),
        ("POST", "/api/maillist/staff@example.com"),
        ("PUT", "/api/maillist/staff@example.com"),
    ],
)
async def test_a_lone_surrogate_in_json_is_refused(domain_api: Api, method: str, path: str) -> None:
    before = await domain_api.snapshot()
    for body in (LONE_SURROGATE, '{"members": "\\udfff@example.com"}', '{"\\udfff": "x"}', '{"x\\u0000": "x"}'):
        refused(await domain_api.client.request(method, path, content=body, headers=JSON), 400, "INVALID_PARAMETER")
    assert await domain_api.snapshot() == before


async def test_graphql_refuses_a_lone_surrogate(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    cases = [
        ('mutation($v: String!) { createDomain(name: "new.com", input: {description: $v}) { name } }', "INVALID_NAME"),
        ('mutation($v: String!) { updateUser(email: "bob@example.com", input: {name: $v}) { email } }', "INVALID_NAME"),
        (
            'mutation($v: String!) { createUser(email: "new@example.com", input: {passwordHash: $v}) { email } }',
            "INVALID_PASSWORD_HASH",
        ),
        ('mutation($v: String!) { createAlias(email: "team@example.com", input: {name: $v}) { email } }',
         "INVALID_NAME"),
    ]
    for query, code in cases:
        variables = '{"v": "{PLAIN}\\ud800"}' if "passwordHash" in query else '{"v": "\\ud800"}'
        assert error_codes(await graphql(domain_api, query, variables)) == [code], query
    assert await domain_api.snapshot() == before


# bodies that are not parameters


def _hostile_bodies() -> dict[str, tuple[bytes, dict[str, str]]]:
    boundary = "multipart/form-data; boundary=b"
    return {
        "too many fields": ("&".join(f"f{i}=1" for i in range(1001)).encode(), FORM),
        "too many multipart fields": (
            b"".join(b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n1\r\n' % i for i in range(1001))
            + b"--b--\r\n",
            {"content-type": boundary},
        ),
        "multipart without boundary": (b"--b\r\n\r\n", {"content-type": "multipart/form-data"}),
        "malformed multipart": (b"--b\r\n\x00broken header\r\n\r\n", {"content-type": boundary}),
        "part without a name": (
            b'--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n',
            {"content-type": boundary},
        ),
        "a file": (
            b'--b\r\nContent-Disposition: form-data; name="username"; filename="a.txt"\r\n\r\nx\r\n--b--\r\n',
            {"content-type": boundary},
        ),
        "deeply nested JSON": (b"[" * 100_000 + b"]" * 100_000, JSON),
        "deeply nested JSON object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, JSON),
        "unknown content type": (b"username=x", {"content-type": "text/plain"}),
        "over 1 MiB": (b"a=" + b"x" * (1024 * 1024), FORM),
    }


HOSTILE = _hostile_bodies()
PUBLIC_ROUTES = [("POST", "/api/login"), ("POST", "/api/logout")]
ROUTES = [
    *PUBLIC_ROUTES,
    ("POST", "/api/domain/example.com"),
    ("PUT", "/api/user/bob@example.com"),
    ("POST", "/api/alias/team@example.com"),
    ("POST", "/api/throttle/global/outbound"),
    ("PUT", "/api/users/example.com"),
]


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_bodies_get_an_envelope(api: Api, name: str) -> None:
    """Anonymous: refused on every route, public ones included, before anything runs."""
    body, headers = HOSTILE[name]
    before = await api.snapshot()
    for method, path in ROUTES:
        response = await api.client.request(method, path, content=body, headers=headers)
        if (method, path) in PUBLIC_ROUTES:
            expected = "REQUEST_TOO_LARGE" if name == "over 1 MiB" else "INVALID_PARAMETER"
            refused(response, 400, expected)
        else:
            refused(response, 401, "LOGIN_REQUIRED")
    assert await api.snapshot() == before


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_bodies_from_an_admin_get_an_envelope(domain_api: Api, name: str) -> None:
    body, headers = HOSTILE[name]
    before = await domain_api.snapshot()
    for method, path in ROUTES[2:]:
        response = await domain_api.client.request(method, path, content=body, headers=headers)
        refused(response, 400, "REQUEST_TOO_LARGE" if name == "over 1 MiB" else "INVALID_PARAMETER")
    assert await domain_api.snapshot() == before


async def test_a_field_limit_leaves_room_for_every_endpoint(admin_api: Api) -> None:
    fields = {f"f{i}": "1" for i in range(MAX_FIELDS + 1)}
    before = await admin_api.snapshot()
    refused(await admin_api.client.post("/api/domain/example.com", data=fields), 400, "INVALID_PARAMETER")
    assert await admin_api.snapshot() == before
    multipart = await admin_api.client.post("/api/domain/example.com", files={"name": (None, "Multi Inc")})
    assert multipart.status_code == 201, multipart.text
    domain = await admin_api.storage.domain("example.com")
    assert domain is not None and domain.description == "Multi Inc"


# names that pass the address rules but not iRedMail's columns


async def test_a_maildir_longer_than_its_column_is_refused(admin_api: Api) -> None:
    await admin_api.call("POST", f"/api/domain/{DOMAIN_190}")
    before = await admin_api.snapshot()
    for local in ("a" * 40, "a" * 64):
        response = await admin_api.call("POST", f"/api/user/{local}@{DOMAIN_190}", password=STRONG)
        refused(response, 400, "INVALID_MAIL")
    assert await admin_api.snapshot() == before
    # the longest that fits: /var/vmail/vmail1/ + domain/a/a/a/local-stamp/ and room for a variant
    fits = "a" * (MAX_MAILDIR_LENGTH - len("/var/vmail/vmail1/") - len(DOMAIN_190) - 28 - 4)
    response = await admin_api.call("POST", f"/api/user/{fits}@{DOMAIN_190}", password=STRONG)
    assert response.status_code == 201, response.text
    user = await admin_api.storage.user(f"{fits}@{DOMAIN_190}")
    assert user is not None and len(user.home) <= MAX_MAILDIR_LENGTH - 4
    deleted = await admin_api.client.delete(f"/api/user/{fits}@{DOMAIN_190}")
    assert deleted.status_code == 200, deleted.text


@pytest.mark.parametrize("length", [254, 255, 300])
async def test_a_domain_over_253_characters_is_refused(admin_api: Api, length: int) -> None:
    before = await admin_api.snapshot()
    name = long_domain(length)
    refused(await admin_api.call("POST", f"/api/domain/{name}"), 400, "INVALID_DOMAIN_NAME")
    refused(await admin_api.call("POST", f"/api/throttle/{name}/inbound", period="60"), 400, "INVALID_DOMAIN_NAME")
    assert await admin_api.snapshot() == before


async def test_a_253_character_domain_and_its_throttle_fit_the_columns(sql_admin_api: Api) -> None:
    name = long_domain(253)
    assert (await sql_admin_api.call("POST", f"/api/domain/{name}")).status_code == 201
    response = await sql_admin_api.call("POST", f"/api/throttle/{name}/inbound", period="60", max_msgs="5")
    assert response.status_code == 200, response.text
    rows = await sql_admin_api.rows("SELECT account, max_msgs FROM throttle", "iredapd")
    assert rows == [{"account": f"@{name}", "max_msgs": 5}]


@pytest.mark.parametrize("length", [235, 253])
async def test_ldap_refuses_a_domain_its_database_cannot_name(ldap_admin_api: Api, length: int) -> None:
    before = await ldap_admin_api.snapshot()
    refused(await ldap_admin_api.call("POST", f"/api/domain/{long_domain(length)}"), 400, "INVALID_DOMAIN_NAME")
    assert await ldap_admin_api.snapshot() == before
    assert (await ldap_admin_api.call("POST", f"/api/domain/{long_domain(234)}")).status_code == 201


async def test_ldap_refuses_an_address_its_database_cannot_name(ldap_admin_api: Api) -> None:
    await ldap_admin_api.call("POST", f"/api/domain/{DOMAIN_190}")
    before = await ldap_admin_api.snapshot()
    for kind in ("alias", "maillist"):
        response = await ldap_admin_api.call("POST", f"/api/{kind}/{'a' * 64}@{DOMAIN_190}")
        refused(response, 400, "INVALID_MAIL")
    refused(
        await ldap_admin_api.call("POST", f"/api/user/{'a' * 64}@{DOMAIN_190}", password=STRONG), 400, "INVALID_MAIL"
    )
    assert await ldap_admin_api.snapshot() == before
    # "mail=" and the address: 245 bytes is the most back-mdb adds
    fits = f"{'a' * (245 - len('mail=@') - len(DOMAIN_190))}@{DOMAIN_190}"
    assert (await ldap_admin_api.call("POST", f"/api/alias/{fits}")).status_code == 201


async def test_sql_keeps_a_255_character_alias(sql_admin_api: Api) -> None:
    await sql_admin_api.call("POST", f"/api/domain/{DOMAIN_190}")
    address = f"{'a' * 64}@{DOMAIN_190}"
    assert len(address) == 255
    assert (await sql_admin_api.call("POST", f"/api/alias/{address}")).status_code == 201
    assert await sql_admin_api.storage.alias(address) is not None


# transports


@pytest.mark.parametrize("transport", ["-1", "1", ":x", "smtp::", "smtp:-x", "smtp:[]", "a b", "dovecot; rm -rf /"])
async def test_a_transport_must_be_a_postfix_transport(domain_api: Api, transport: str) -> None:
    before = await domain_api.snapshot()
    refused(await domain_api.call("PUT", "/api/user/bob@example.com", transport=transport), 400, "INVALID_TRANSPORT")
    refused(await domain_api.call("PUT", "/api/domain/example.com", transport=transport), 400, "INVALID_TRANSPORT")
    assert await domain_api.snapshot() == before


@pytest.mark.parametrize(
    "transport",
    [
        "dovecot",
        "lmtp:unix:private/dovecot-lmtp",
        "lmtp:inet:127.0.0.1:24",
        "smtp:[192.0.2.1]:25",
        "relay:[mx.example.org]",
        "smtp-amavis:[127.0.0.1]:10024",
        "mlmmj:example.com/list",
    ],
)
async def test_postfix_transports_are_stored(domain_api: Api, transport: str) -> None:
    response = await domain_api.call("PUT", "/api/domain/example.com", transport=transport)
    assert response.status_code == 200, response.text
    domain = await domain_api.storage.domain("example.com")
    assert domain is not None and domain.transport == transport


# paths


@pytest.mark.parametrize("path", ["/api/domains/", "/api/domain/example.com/", "/api", "/api/"])
async def test_no_redirects_under_api(admin_api: Api, path: str) -> None:
    response = await admin_api.client.get(path)
    refused(response, 404, "NOT_FOUND")
    assert "location" not in response.headers


# concurrent writers


async def test_racing_creates_and_deletes_of_one_address_never_fail(sql_domain_api: Api) -> None:
    """MariaDB and PostgreSQL abort one of two deadlocked transactions; the gateway runs it again."""
    api = sql_domain_api

    async def create() -> httpx.Response:
        return await api.call("POST", "/api/user/race@example.com", password=STRONG)

    async def delete() -> httpx.Response:
        return await api.client.delete("/api/user/race@example.com")

    async def throttle() -> httpx.Response:
        return await api.call("POST", "/api/throttle/race@example.com/outbound", period="60", max_msgs="3")

    for _ in range(5):
        responses = await asyncio.gather(*(call() for _ in range(10) for call in (create, delete, delete, throttle)))
        for response in responses:
            assert response.status_code in (200, 201, 404, 409), response.text
            assert response.json()["success"] is (response.status_code < 400)
            assert "x-request-id" not in response.headers
    # the address ends either fully there or fully gone
    user = await api.storage.user("race@example.com")
    forwardings = await api.rows("SELECT forwarding FROM forwardings WHERE address = 'race@example.com'")
    assert (user is None) == (forwardings == []), (user, forwardings)
