"""The route declarations: introspection, generated routes, aliases, unknown and required parameters."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.routing import Mount, Route, Router

from gateway.resolvers.context import Context
from gateway.rest.declare import TEXT, ApiRoute, Param, PathValue, Session, Values
from gateway.rest.routes import ROUTES, api_routes, describe
from tests.rest.conftest import STRONG, Api, backend_api, logged_in, with_two_domains
from tests.storage import LdapStorage

TYPES = {"text", "integer", "yes/no flag", "yes/no switch", "account status", "comma list"}
CREATED = ("/domain/{domain}", "/user/{mail}", "/alias/{mail}", "/maillist/{mail}", "/admin/{mail}")
CREATES = {("POST", path) for path in CREATED}


def example_path(route: ApiRoute) -> str:
    examples = {value.name: value.example for value in route.path_values}
    return "/api" + re.sub(r"\{(\w+)\}", lambda match: examples[match[1]], route.path)


@pytest.fixture
async def sqlite_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """A gateway on SQLite, nobody logged in: routing does not depend on the storage."""
    async with backend_api(request, "sqlite", tmp_path) as value:
        yield value


def test_every_route_and_parameter_is_described() -> None:
    described = describe()
    assert len(described) == len(ROUTES) > 0
    for route in described:
        where = f"{route['method']} {route['path']}"
        assert route["summary"].strip(), where
        assert route["session"] in {session.value for session in Session}, where
        assert route["status"] == (201 if (route["method"], route["path"]) in CREATES else 200), where
        for item in [*route["params"], *route["path_values"]]:
            assert item["description"].strip(), (where, item["name"])
            assert item["type"] in TYPES and item["schema"].get("type") in {"string", "integer"}, (where, item)
        for value in route["path_values"]:
            assert value["example"], (where, value["name"])


def test_describe_names_the_legacy_aliases() -> None:
    create_user = next(r for r in describe() if (r["method"], r["path"]) == ("POST", "/user/{mail}"))
    aliases = {param["name"]: param["aliases"] for param in create_user["params"]}
    assert aliases["name"] == ["cn"]
    assert aliases["language"] == ["preferredLanguage"]
    assert aliases["quota"] == ["mailQuota"]
    assert aliases["password"] == []
    throttle = next(r for r in describe() if (r["method"], r["path"]) == ("POST", "/throttle/{target}/{kind}"))
    assert [(p["name"], p["required"]) for p in throttle["params"]][0] == ("period", True)


def test_starlette_routes_are_generated_from_the_declarations() -> None:
    declared = [(route.method, route.starlette_path) for route in ROUTES]
    generated = [(method, r.path) for r in api_routes() for method in sorted(r.methods or ()) if method != "HEAD"]
    assert generated == declared
    assert len(set(declared)) == len(declared)
    assert ("DELETE", "/user/{mail}/keep_mailbox_days/{days:int}") in declared


async def test_the_app_serves_every_declared_route(sqlite_api: Api) -> None:
    transport = sqlite_api.client._transport
    app = transport.app  # type: ignore[attr-defined]
    mount = next(route for route in app.routes if isinstance(route, Mount) and route.path == "/api")
    assert isinstance(mount.app, Router)
    served = [route for route in mount.app.routes if isinstance(route, Route)]
    assert len(served) == len(mount.app.routes)
    assert [(r.path, r.methods) for r in served] == [(r.path, r.methods) for r in api_routes()]
    for route in ROUTES:
        response = await sqlite_api.call(route.method, example_path(route))
        expected = {
            Session.REQUIRED: (401, "LOGIN_REQUIRED"),
            Session.OPENS: (401, "INVALID_CREDENTIALS"),
            Session.ENDS: (200, None),
        }[route.session]
        assert (response.status_code, response.json().get("msg")) == expected, (route.method, route.path)


async def _call(ctx: Context, values: Values) -> None:
    raise AssertionError("never called")


@pytest.mark.parametrize(
    ("path", "path_values", "params"),
    [
        ("/x/{a}", (), ()),  # a placeholder without its declaration
        ("/x", (PathValue("a", "A", "1"),), ()),  # a declaration without its placeholder
        ("/x", (), (Param("name", TEXT, "Name", aliases=("cn",)), Param("cn", TEXT, "Common name"))),
        ("/x/{name}", (PathValue("name", "Name", "n"),), (Param("name", TEXT, "Name"),)),
    ],
)
def test_inconsistent_declarations_fail_at_import(
    path: str, path_values: tuple[PathValue, ...], params: tuple[Param, ...]
) -> None:
    with pytest.raises(ValueError):
        ApiRoute("GET", path, "Something", _call, params=params, path_values=path_values)


async def test_every_route_refuses_an_unknown_parameter_and_writes_nothing(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    for route in ROUTES:
        response = await domain_api.call(route.method, example_path(route), bogus="1")
        assert (response.status_code, response.json()) == (400, {"success": False, "msg": "INVALID_PARAMETER"}), (
            route.method,
            route.path,
        )
    assert await domain_api.snapshot() == before
    # the refused logout left the session open
    assert (await domain_api.call("GET", "/api/domains")).status_code == 200


async def test_a_name_and_its_alias_must_agree(domain_api: Api) -> None:
    before = await domain_api.snapshot()
    for given in [
        {"name": "John", "cn": "Johnny"},
        {"language": "en_US", "preferredLanguage": "de_DE"},
        {"quota": "10", "mailQuota": "20"},
    ]:
        response = await domain_api.call("POST", "/api/user/john@example.com", password=STRONG, **given)
        assert (response.status_code, response.json()["msg"]) == (400, "INVALID_PARAMETER"), given
    assert await domain_api.snapshot() == before
    response = await domain_api.call(
        "POST", "/api/user/john@example.com", password=STRONG, cn="John", name="John", preferredLanguage="de_DE",
        mailQuota="20",
    )
    assert response.status_code == 201, response.text
    stored = await domain_api.storage.user("john@example.com")
    assert stored is not None
    assert (stored.name, stored.language, stored.quota) == ("John", "de_DE", 20)


async def test_a_missing_required_parameter_is_refused(sqlite_api: Api) -> None:
    api = await with_two_domains(await logged_in(sqlite_api))
    required = [route for route in ROUTES if any(param.required for param in route.params)]
    assert required
    before = await api.snapshot()
    for route in required:
        response = await api.call(route.method, example_path(route))
        assert 400 <= response.status_code < 500 and response.json()["success"] is False, (route.method, route.path)
    assert await api.snapshot() == before


async def test_maillist_deletion_refuses_archive(ldap_domain_api: Api) -> None:
    assert (await ldap_domain_api.call("POST", "/api/maillist/list@example.com")).status_code == 201
    response = await ldap_domain_api.call("DELETE", "/api/maillist/list@example.com", archive="yes")
    assert (response.status_code, response.json()["msg"]) == (400, "INVALID_PARAMETER")
    assert isinstance(ldap_domain_api.storage, LdapStorage)
    assert await ldap_domain_api.storage.maillist("list@example.com") is not None
