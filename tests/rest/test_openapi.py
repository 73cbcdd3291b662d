"""The OpenAPI document: valid 3.1, the same routes as the app, generated from the declarations."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_schema_validator import validate as validate_schema
from openapi_spec_validator import OpenAPIV31SpecValidator
from starlette.routing import Mount, Route

from gateway.apidocs import api_document
from gateway.errors import ErrorCode
from gateway.resolvers.context import Context
from gateway.rest import serialize, shapes
from gateway.rest.declare import INTEGER, TEXT, ApiRoute, Param, PathValue, Session, Values
from gateway.rest.envelope import Style
from gateway.rest.openapi import SERVER, document, error_codes
from gateway.rest.routes import ROUTES
from gateway.settings import Settings
from tests.rest.conftest import STRONG, Api, backend_api, logged_in

METHODS = {"get", "put", "post", "delete", "patch"}


def _document(style: Style = "classic") -> dict[str, Any]:
    return api_document(Settings(_env_file=None, api_envelope=style))


def _operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), SERVER + path)
        for path, item in doc["paths"].items()
        for method in item
        if method in METHODS
    }


def _app_routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    """Every method and path the app answers under /api, path placeholders without their convertors."""
    found = set()
    for route in routes:
        if isinstance(route, Mount) and route.path == SERVER:
            found |= _app_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route) and (prefix + route.path).startswith(SERVER + "/"):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", prefix + route.path)
            found |= {(method, path) for method in route.methods or () if method != "HEAD"}
    return found


@pytest.fixture
async def sqlite_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    async with backend_api(request, "sqlite", tmp_path) as value:
        yield value


@pytest.mark.parametrize("style", ["classic", "pro"])
def test_the_document_is_valid_openapi_3_1(style: Style) -> None:
    doc = _document(style)
    OpenAPIV31SpecValidator(doc).validate()
    assert doc["openapi"].startswith("3.1")


async def test_every_app_route_is_documented_and_every_documented_route_served(sqlite_api: Api) -> None:
    app = sqlite_api.client._transport.app  # type: ignore[attr-defined]
    served = _app_routes(app.routes)
    assert ("GET", "/api/openapi.json") in served and ("DELETE", "/api/user/{mail}") in served
    assert served == _operations(_document())
    response = await sqlite_api.client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json() == _document()


async def test_the_pro_envelope_is_documented_where_it_is_served(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with backend_api(request, "sqlite", tmp_path, api_envelope="pro") as api:
        doc = (await api.client.get("/api/openapi.json")).json()
    success = doc["paths"]["/domain/{domain}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(success["schema"]["required"]) == {"_success", "_data"}
    assert success["example"]["_data"]["domain"] == "example.com"
    assert {"ClassicSuccess", "ClassicFailure", "ProSuccess", "ProFailure"} <= set(doc["components"]["schemas"])


async def test_the_document_is_refused_where_the_api_is(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    async with backend_api(request, "sqlite", tmp_path, enable_restful_api=False) as api:
        for path in ("/api/openapi.json", "/api/docs"):
            response = await api.client.get(path)
            assert response.status_code == 403
            assert response.json() == {"success": False, "msg": "API_DISABLED"}


def test_parameters_aliases_and_types_come_from_the_declarations() -> None:
    doc = _document()
    create = doc["paths"]["/user/{mail}"]["post"]
    body = create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert body == create["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False
    assert body["properties"]["quota"]["type"] == "integer"
    assert body["properties"]["mailQuota"] == {
        "type": "integer", "description": "Legacy name of `quota`", "deprecated": True,
    }
    assert body["properties"]["cn"]["deprecated"] is True
    assert "201" in create["responses"] and "200" not in create["responses"]
    throttle = doc["paths"]["/throttle/{target}/{kind}"]["post"]["requestBody"]["content"]["application/json"]
    assert throttle["schema"]["required"] == ["period"]
    assert throttle["schema"]["properties"]["period"]["examples"] == [3600] and throttle["example"] == {"period": 3600}
    listing = doc["paths"]["/users/{domain}"]["get"]
    query = {p["name"]: p for p in listing["parameters"] if p["in"] == "query"}
    assert query["email_only"]["schema"]["enum"] == ["yes", "no"]
    assert [p["name"] for p in listing["parameters"] if p["in"] == "path"] == ["domain"]
    assert listing["tags"] == create["tags"] == ["user"]
    days = doc["paths"]["/user/{mail}/keep_mailbox_days/{days}"]["delete"]["parameters"][1]
    assert days["schema"]["type"] == "integer" and days["example"] == 30
    login = doc["paths"]["/login"]["post"]
    assert login["security"] == [] and "Set-Cookie" in login["responses"]["200"]["headers"]
    assert doc["paths"]["/domains"]["get"]["security"] == [{"session": []}]


def test_every_error_code_is_documented_with_its_status() -> None:
    doc = _document()
    documented: dict[str, int] = {}
    for status, response in doc["components"]["responses"].items():
        content = response["content"]["application/json"]
        codes = content["schema"]["properties"]["msg"]["enum"]
        assert set(content["examples"]) == set(codes)
        documented.update(dict.fromkeys(codes, int(status)))
    rest_codes = {code: code.http_status for code in ErrorCode if code is not ErrorCode.QUERY_TOO_COSTLY}
    assert documented == rest_codes
    assert set(doc["components"]["schemas"]["ErrorCode"]["enum"]) == set(ErrorCode)
    for code in ErrorCode:
        assert f"| `{code}` | {code.http_status} |" in doc["info"]["description"]
    for item in doc["paths"].values():
        for operation in item.values():
            assert "403" in operation["responses"]
    for path in ROUTES:
        responses = doc["paths"][path.path][path.method.lower()]["responses"]
        assert {str(status) for status in error_codes()} <= set(responses)


async def _none(ctx: Context, values: Values) -> None:
    return None


async def _something(ctx: Context, values: Values) -> dict[str, Any]:
    return {}


def test_a_new_declaration_appears_without_touching_the_openapi_module() -> None:
    shape = shapes.record({"address": {"type": "string"}}, {"address": "spam@example.com"})
    later = (
        ApiRoute(
            "GET", "/spampolicy/{domain}", "A domain's spam policy", _something,
            path_values=(PathValue("domain", "The mail domain", "example.com"),), answers=shape,
        ),
        ApiRoute(
            "POST", "/greylisting/{domain}", "Turn greylisting on", _none,
            params=(Param("enabled", TEXT, "yes or no", aliases=("greylisting",), required=True),),
            path_values=(PathValue("domain", "The mail domain", "example.com"),),
        ),
        ApiRoute("GET", "/whitelists", "Whitelisted senders", _something, params=(Param("page", INTEGER, "Page"),)),
        ApiRoute("POST", "/ping", "Nothing", _none, session=Session.NONE),
    )
    doc = document(later, "classic")
    OpenAPIV31SpecValidator(doc).validate()
    spam = doc["paths"]["/spampolicy/{domain}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert spam["schema"]["properties"]["data"] == dict(shape) and spam["schema"]["required"] == ["success", "data"]
    assert spam["example"] == {"success": True, "data": {"address": "spam@example.com"}}
    grey = doc["paths"]["/greylisting/{domain}"]["post"]
    assert grey["requestBody"]["content"]["application/json"]["schema"]["required"] == ["enabled"]
    assert grey["responses"]["200"]["content"]["application/json"]["schema"]["properties"] == {
        "success": {"const": True}
    }
    whitelists = doc["paths"]["/whitelists"]["get"]
    assert whitelists["parameters"][0]["name"] == "page" and "requestBody" not in whitelists
    undeclared = whitelists["responses"]["200"]["content"]["application/json"]["schema"]
    assert undeclared["properties"]["data"] == {} and undeclared["required"] == ["success"]
    assert doc["paths"]["/ping"]["post"]["security"] == []


@pytest.mark.parametrize("shape", [shapes.DOMAIN, shapes.USER, shapes.ALIAS, shapes.THROTTLE["anyOf"][0]])
def test_shape_examples_fit_their_shapes(shape: shapes.Shape) -> None:
    validate_schema(shape["examples"][0], shape, cls=OAS31Validator)
    validate_schema([shape["examples"][0]], shapes.listing(shape, "x@example.com"), cls=OAS31Validator)
    validate_schema(serialize.throttle(None), shapes.THROTTLE, cls=OAS31Validator)


async def test_answers_fit_the_declared_shapes(sqlite_api: Api) -> None:
    api = await logged_in(sqlite_api)
    for path, params in [
        ("/api/domain/example.com", {}),
        ("/api/user/john@example.com", {"password": STRONG}),
        ("/api/alias/team@example.com", {"members": "john@example.com"}),
        ("/api/throttle/example.com/outbound", {"period": "60", "max_msgs": "5"}),
    ]:
        assert (await api.call("POST", path, **params)).status_code in {200, 201}
    for path, shape in [
        ("/api/domain/example.com", shapes.DOMAIN),
        ("/api/domains", shapes.DOMAINS),
        ("/api/domains?name_only=yes", shapes.DOMAINS),
        ("/api/user/john@example.com", shapes.USER),
        ("/api/users/example.com", shapes.USERS),
        ("/api/alias/team@example.com", shapes.ALIAS),
        ("/api/aliases/example.com?email_only=yes", shapes.ALIASES),
        ("/api/throttle/example.com/outbound", shapes.THROTTLE),
        ("/api/throttle/example.com/inbound", shapes.THROTTLE),
    ]:
        response = await api.client.get(path)
        assert response.status_code == 200, (path, response.text)
        validate_schema(response.json()["data"], shape, cls=OAS31Validator)
