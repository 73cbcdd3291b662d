"""Random parameters, bodies and path segments on every /api route: always the envelope, never a 5xx.

Runs on SQLite (the rules live in the resolvers, shared by every storage)
with a fixed-seed hypothesis profile, so a failure reproduces in CI.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.rest.routes import api_routes
from tests.rest.conftest import STRONG, Api, backend_api, logged_in, with_two_domains

settings.register_profile(
    "gateway-property",
    max_examples=100,
    derandomize=True,  # the same examples on every run
    database=None,
    deadline=None,  # examples hit a database; their time says nothing
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = settings.get_profile("gateway-property")

ROUTES = [(method, route.path) for route in api_routes() for method in sorted(route.methods or ()) if method != "HEAD"]
SEGMENT = re.compile(r"\{(\w+)(?::\w+)?\}")
KNOWN = {
    "domain": ["example.com", "other.org", "nosuch.test", "EXAMPLE.COM"],
    "mail": ["bob@example.com", "new@example.com", "team@example.com", "carol@other.org", "x@nosuch.test"],
    "target": ["global", "example.com", "bob@example.com", "nosuch.test"],
    "kind": ["inbound", "outbound", "both"],
    "days": ["0", "7", "36500", "36501", "99999999999999999999999"],
}
PARAMETERS = [
    "name", "cn", "password", "password_hash", "language", "preferredLanguage", "quota", "mailQuota",
    "transport", "employeeid", "accountStatus", "defaultQuota", "maxUserQuota", "numberOfUsers",
    "numberOfAliases", "numberOfLists", "minPasswordLength", "maxPasswordLength", "accessPolicy", "members",
    "addMember", "removeMember", "period", "msg_size", "max_msgs", "max_quota", "max_rcpts", "username",
    "name_only", "disabled_only", "email_only",
]
# text a client can send in a form: anything but lone surrogates, which cannot be encoded
FORM_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
VALUES = st.one_of(
    FORM_TEXT,
    st.sampled_from(["", "-1", "0", "1", "yes", "active", "disabled", STRONG, "{PLAIN}x", "dovecot", "a@b.c"]),
    st.integers(-(2**70), 2**70).map(str),
)
KEYS = st.one_of(st.sampled_from(PARAMETERS), FORM_TEXT)
# JSON also carries what a form cannot: lone surrogates and NUL
JSON_TEXT = st.text(st.characters(categories=["Cs", "Cc"]), min_size=1, max_size=3)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | JSON_TEXT | VALUES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=b",
    "application/json", "text/plain", "", "application/json; charset=latin-1",
]


@st.composite
def paths(draw: st.DrawFn) -> tuple[str, str]:
    """A method and a path of a route, its segments known values or any text."""
    method, template = draw(st.sampled_from(ROUTES))

    def segment(match: re.Match[str]) -> str:
        value = draw(st.one_of(st.sampled_from(KNOWN.get(match[1], ["x"])), FORM_TEXT))
        return quote(value, safe="@")

    return method, "/api" + SEGMENT.sub(segment, template)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """httpx request arguments: a query string, and a form, JSON or raw body."""
    method, path = draw(paths())
    arguments: dict[str, Any] = {"method": method, "url": path}
    if draw(st.booleans()):
        arguments["params"] = draw(st.lists(st.tuples(KEYS, VALUES), max_size=3))
    body = draw(st.sampled_from(["none", "form", "json", "raw"]))
    if body == "form":
        arguments["data"] = draw(st.dictionaries(KEYS, VALUES, max_size=6))
    elif body == "json":
        value = draw(st.one_of(st.dictionaries(KEYS, JSON_VALUES, max_size=6), JSON_VALUES))
        arguments["content"] = json.dumps(value)  # ASCII: lone surrogates travel as \\ud800 escapes
        arguments["headers"] = {"content-type": "application/json"}
    elif body == "raw":
        arguments["content"] = draw(st.binary(max_size=200))
        arguments["headers"] = {"content-type": draw(st.sampled_from(CONTENT_TYPES))}
    return arguments


@pytest.fixture
def stored() -> Stored:
    return Stored()


@pytest.fixture
async def gateway(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Api]:
    """The gateway on SQLite with example.com (bob) and other.org (carol); the admin logged in."""
    async with backend_api(request, "sqlite", tmp_path) as api:
        yield await with_two_domains(await logged_in(api))


class Stored:
    """What storage held after the last example: one snapshot per example instead of two."""

    def __init__(self) -> None:
        self.state: dict[str, Any] | None = None

    async def before(self, api: Api) -> dict[str, Any]:
        if self.state is None:
            self.state = await api.snapshot()
        return self.state


async def _check(api: Api, client: httpx.AsyncClient, arguments: dict[str, Any], stored: Stored) -> None:
    before = await stored.before(api)
    response = await client.request(**arguments)
    assert response.status_code < 500, (arguments, response.status_code, response.text)
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("success"), bool), (arguments, response.text)
    assert body["success"] is (response.status_code < 400), (arguments, response.text)
    if not body["success"]:
        assert isinstance(body.get("msg"), str) and body["msg"].isupper(), (arguments, response.text)
    stored.state = await api.snapshot()
    if not body["success"]:
        assert stored.state == before, (arguments, response.text)


@PROFILE
@given(arguments=requests())
async def test_random_requests_of_the_global_admin(gateway: Api, stored: Stored, arguments: dict[str, Any]) -> None:
    await logged_in(gateway)  # an earlier example may have logged out, or in as someone else
    stored.state = None  # the login is in the admin log: the state before is after it
    await _check(gateway, gateway.client, arguments, stored)


@PROFILE
@given(arguments=requests())
async def test_random_requests_of_anyone(gateway: Api, stored: Stored, arguments: dict[str, Any]) -> None:
    transport = gateway.client._transport
    async with httpx.AsyncClient(transport=transport, base_url=str(gateway.client.base_url)) as anonymous:
        await _check(gateway, anonymous, arguments, stored)
