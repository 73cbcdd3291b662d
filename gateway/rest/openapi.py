"""The OpenAPI 3.1 document of ``/api``, made from the route declarations only.

Nothing here names a route: each ``ApiRoute`` gives its path, parameters
(with legacy aliases), session use, status and, when declared, the shape of
its answer's data. Error responses come from ``ErrorCode``; both envelopes
are described and the operations use the one the server answers with.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gateway import __version__
from gateway.errors import ErrorCode
from gateway.request_context import SESSION_COOKIE
from gateway.rest.declare import ApiRoute, Param, Session
from gateway.rest.envelope import Style

OPENAPI_VERSION = "3.1.0"
SERVER = "/api"
SCHEME = "session"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
STYLES: tuple[Style, ...] = ("classic", "pro")
_ANY: Mapping[str, Any] = {}
_SESSION_HEADERS = {
    Session.OPENS: "The new session's cookie",
    Session.ENDS: "Clears the session cookie",
}

Document = dict[str, Any]


def _key(style: Style, name: str) -> str:
    return f"_{name}" if style == "pro" else name


def error_codes() -> dict[int, list[ErrorCode]]:
    """The codes REST answers with, by HTTP status (QUERY_TOO_COSTLY is GraphQL's only)."""
    by_status: dict[int, list[ErrorCode]] = defaultdict(list)
    for code in ErrorCode:
        if code.http_status >= 400:
            by_status[code.http_status].append(code)
    return dict(sorted(by_status.items()))


def success_envelope(style: Style, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The success envelope; ``data`` None: no data, ``{}``: any data or none, else data of that shape."""
    properties: dict[str, Any] = {_key(style, "success"): {"const": True}}
    required = [_key(style, "success")]
    if data is not None:
        properties[_key(style, "data")] = dict(data)
        if data:
            required.append(_key(style, "data"))
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def failure_envelope(style: Style, codes: Iterable[ErrorCode]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            _key(style, "success"): {"const": False},
            _key(style, "msg"): {"type": "string", "enum": [str(code) for code in codes]},
            "invalid": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The values refused, where the code names several (INVALID_WBLIST_ENTRY).",
            },
        },
        "required": [_key(style, "success"), _key(style, "msg")],
        "additionalProperties": False,
    }


def _answers(route: ApiRoute) -> Mapping[str, Any] | None:
    """The declared data shape; undeclared: no data when the call is annotated ``-> None``, else any."""
    if route.answers is not None:
        return route.answers
    if route.session in _SESSION_HEADERS:
        return None
    try:
        returned = inspect.signature(route.call, eval_str=True).return_annotation
    except (NameError, TypeError, ValueError):
        return _ANY
    return None if returned is None else _ANY


def _example(shape: Mapping[str, Any]) -> Any:
    """The first example in ``shape`` or in its first alternative, if any."""
    if shape.get("examples"):
        return shape["examples"][0]
    for alternative in shape.get("anyOf", ()):
        found = _example(alternative)
        if found is not None:
            return found
    return None


def _success_example(style: Style, data: Mapping[str, Any] | None) -> dict[str, Any]:
    example: dict[str, Any] = {_key(style, "success"): True}
    if data:
        found = _example(data)
        if found is not None:
            example[_key(style, "data")] = found
    return example


def _operation_id(route: ApiRoute) -> str:
    return f"{route.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', route.path).strip('_')}"


def _first_segment(route: ApiRoute) -> str:
    return route.path.strip("/").split("/")[0]


def _tags(routes: Sequence[ApiRoute]) -> dict[str, str]:
    """The tag of each first path segment: a plural goes with its singular (``/users`` with ``/user``)."""
    segments = {_first_segment(route) for route in routes}
    tags = {}
    for segment in segments:
        singular = [s for s in (segment.removesuffix("es"), segment.removesuffix("s")) if s != segment]
        tags[segment] = next((s for s in singular if s in segments), segment)
    return tags


def _param_example(param: Param) -> Any:
    """The declared example as JSON: integers as numbers."""
    if param.example is None or param.type.schema.get("type") != "integer":
        return param.example
    return int(param.example)


def _param_schemas(param: Param) -> dict[str, dict[str, Any]]:
    """The parameter and each legacy alias by name (an alias is deprecated and must agree with the name)."""
    schema = {**param.type.schema, "description": param.description}
    if param.example is not None:
        schema["examples"] = [_param_example(param)]
    found = {param.name: schema}
    for alias in param.aliases:
        found[alias] = {**schema, "description": f"Legacy name of `{param.name}`", "deprecated": True}
    return found


def _query_parameters(route: ApiRoute) -> list[dict[str, Any]]:
    parameters = []
    for param in route.params:
        for name, schema in _param_schemas(param).items():
            parameters.append({
                "name": name,
                "in": "query",
                "required": param.required and name == param.name,
                "description": schema["description"],
                "deprecated": schema.get("deprecated", False),
                "schema": {key: value for key, value in schema.items() if key not in {"description", "deprecated"}},
            })
    return parameters


def _request_body(route: ApiRoute) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for param in route.params:
        properties.update(_param_schemas(param))
    schema = {
        "type": "object",
        "properties": properties,
        "required": [param.name for param in route.params if param.required],
        "additionalProperties": False,
    }
    example = {param.name: _param_example(param) for param in route.params if param.example is not None}
    media = {"schema": schema, **({"example": example} if example else {})}
    return {
        "description": "Form fields or a JSON object (a legacy name and its new name, if both given, must agree)",
        "content": {FORM: media, JSON: media},
    }


def _path_parameters(route: ApiRoute) -> list[dict[str, Any]]:
    parameters = []
    for value in route.path_values:
        schema = dict(value.type.schema)
        if schema.get("type") == "integer":
            schema["minimum"] = 0  # digits only, else the path matches no route
        else:
            schema["pattern"] = "^[^/]+$"
        parameters.append({
            "name": value.name,
            "in": "path",
            "required": True,
            "description": value.description,
            "schema": schema,
            "example": int(value.example) if schema.get("type") == "integer" else value.example,
        })
    return parameters


def operation(route: ApiRoute, style: Style, tag: str) -> dict[str, Any]:
    """The OpenAPI operation of one route."""
    data = _answers(route)
    success: dict[str, Any] = {
        "description": "Done" if not data else "Done, with the data",
        "content": {JSON: {
            "schema": success_envelope(style, data),
            "example": _success_example(style, data),
        }},
    }
    if route.session in _SESSION_HEADERS:
        success["headers"] = {
            "Set-Cookie": {"description": _SESSION_HEADERS[route.session], "schema": {"type": "string"}}
        }
    responses: dict[str, Any] = {str(route.status): success}
    responses.update({str(status): {"$ref": f"#/components/responses/{status}"} for status in error_codes()})
    found: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": route.summary,
        "tags": [tag],
        "parameters": _path_parameters(route) + (_query_parameters(route) if route.method == "GET" else []),
        "responses": responses,
        "security": [{SCHEME: []}] if route.session is Session.REQUIRED else [],
    }
    if route.params and route.method != "GET":
        found["requestBody"] = _request_body(route)
    return found


def _error_responses(style: Style) -> dict[str, Any]:
    responses = {}
    for status, codes in error_codes().items():
        responses[str(status)] = {
            "description": ", ".join(codes),
            "content": {JSON: {
                "schema": failure_envelope(style, codes),
                "examples": {
                    str(code): {"value": {_key(style, "success"): False, _key(style, "msg"): str(code)}}
                    for code in codes
                },
            }},
        }
    return responses


def _description(style: Style) -> str:
    rows = "\n".join(f"| `{code}` | {code.http_status} |" for code in ErrorCode)
    other: Style = "pro" if style == "classic" else "classic"
    return (
        "The iRedAdmin-Pro RESTful API served by iredmail-gateway.\n\n"
        "Parameters are form fields (`application/x-www-form-urlencoded` or `multipart/form-data`), a JSON "
        "object, or the query string. Unknown parameters are refused with `INVALID_PARAMETER`; legacy "
        "parameter names are accepted beside the new ones.\n\n"
        "Log in with `POST /api/login`; the session cookie then authenticates every call.\n\n"
        f"Every answer is a JSON envelope. This server answers the **{style}** envelope "
        f"(`{_key(style, 'success')}`, `{_key(style, 'data')}`, `{_key(style, 'msg')}`); with "
        f"`GATEWAY_API_ENVELOPE={other}` it answers the {other} one (`{_key(other, 'success')}`, "
        f"`{_key(other, 'data')}`, `{_key(other, 'msg')}`). Both are in the components' schemas.\n\n"
        "| Error code | HTTP status |\n|---|---|\n" + rows + "\n\n"
        "`QUERY_TOO_COSTLY` is GraphQL's only (200 with the code in `errors[].extensions.code`)."
    )


def document(routes: Sequence[ApiRoute], style: Style, extra_paths: Mapping[str, Any] | None = None) -> Document:
    """The OpenAPI 3.1 document of ``routes`` answering the ``style`` envelope, plus ``extra_paths``."""
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    tags = _tags(routes)
    for route in routes:
        paths[route.path][route.method.lower()] = operation(route, style, tags[_first_segment(route)])
    paths.update(extra_paths or {})
    schemas: dict[str, Any] = {"ErrorCode": {"type": "string", "enum": [str(code) for code in ErrorCode]}}
    for name in STYLES:
        title = name.capitalize()
        schemas[f"{title}Success"] = success_envelope(name, _ANY)
        schemas[f"{title}Failure"] = failure_envelope(name, ErrorCode)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "iredmail-gateway REST API", "version": __version__, "description": _description(style)},
        "servers": [{"url": SERVER}],
        "paths": dict(paths),
        "components": {
            "schemas": schemas,
            "responses": _error_responses(style),
            "securitySchemes": {
                SCHEME: {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                         "description": "Set by POST /api/login"},
            },
        },
    }
