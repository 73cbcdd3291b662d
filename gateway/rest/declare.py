"""What an ``/api`` route is: method, path, parameters, the resolver call, session use and status.

A route is data. ``routes.api_routes`` makes the Starlette routes of the
declarations, ``endpoint.endpoint`` runs one, and ``ApiRoute.describe`` lists
it for the OpenAPI document (``gateway.rest.openapi``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from gateway.resolvers.context import Context
from gateway.rest.params import Params

Values = Mapping[str, Any]
"""Parsed parameters and path values by API name; an absent parameter is None (a flag: False)."""

Call = Callable[[Context, Values], Awaitable[object]]
"""Calls the resolver; returns the answer's data, or None for an answer without data."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Reader(Protocol):
    def __call__(self, params: Params, /, *names: str) -> Any: ...


@dataclass(frozen=True)
class ValueType:
    """How a parameter's text becomes a value, and its JSON Schema."""

    name: str
    read: Reader
    schema: Mapping[str, Any]


TEXT = ValueType("text", Params.text, {"type": "string"})
INTEGER = ValueType("integer", Params.integer, {"type": "integer"})
FLAG = ValueType("yes/no flag", Params.flag, {"type": "string", "enum": ["yes", "no"], "default": "no"})
YES_NO = ValueType("yes/no switch", Params.switch, {"type": "string", "enum": ["yes", "no"]})
ACCOUNT_STATUS = ValueType("account status", Params.status, {"type": "string", "enum": ["active", "disabled"]})
COMMA_LIST = ValueType("comma list", Params.listing, {"type": "string", "description": "comma-separated"})


@dataclass(frozen=True)
class Param:
    """A form (or JSON) parameter; ``required`` is documented, and the resolver refuses its absence."""

    name: str
    type: ValueType
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str | None = None
    """A value as a client sends it, for the API document."""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "type": self.type.name,
            "schema": dict(self.type.schema),
            "description": self.description,
            "required": self.required,
            "example": self.example,
        }


@dataclass(frozen=True)
class PathValue:
    """A ``{name}`` segment of a path: text, or an integer (digits only, else the path does not match)."""

    name: str
    description: str
    example: str
    type: ValueType = TEXT

    def __post_init__(self) -> None:
        if self.type not in (TEXT, INTEGER):
            raise ValueError(f"path value {self.name}: text or integer only")

    @property
    def segment(self) -> str:
        """The Starlette placeholder."""
        return f"{{{self.name}:int}}" if self.type is INTEGER else f"{{{self.name}}}"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.name,
            "schema": dict(self.type.schema),
            "description": self.description,
            "example": self.example,
        }


class Session(Enum):
    """What a route does with the session."""

    REQUIRED = "required"  # LOGIN_REQUIRED without one, before any parameter is read
    NONE = "none"
    OPENS = "opens"  # the call returns the Actor a new session (and cookie) is made for
    ENDS = "ends"  # the request's session ends and its cookie is cleared


@dataclass(frozen=True)
class ApiRoute:
    """One method on one path under ``/api``."""

    method: str
    path: str
    summary: str
    call: Call
    params: tuple[Param, ...] = ()
    path_values: tuple[PathValue, ...] = ()
    session: Session = Session.REQUIRED
    status: int = 200
    answers: Mapping[str, Any] | None = None
    """JSON Schema of the success answer's data; None: undeclared, any data or none."""

    def __post_init__(self) -> None:
        where = f"{self.method} {self.path}"
        if self.method != self.method.upper():
            raise ValueError(f"{where}: method in capitals")
        if _PLACEHOLDER.findall(self.path) != [value.name for value in self.path_values]:
            raise ValueError(f"{where}: path values must be declared in the order of the path")
        names = [name for param in self.params for name in (param.name, *param.aliases)]
        names += [value.name for value in self.path_values]
        if len(names) != len(set(names)):
            raise ValueError(f"{where}: a name is declared twice")

    @property
    def accepted(self) -> frozenset[str]:
        """Every parameter name the route takes, aliases included."""
        return frozenset(name for param in self.params for name in (param.name, *param.aliases))

    @property
    def starlette_path(self) -> str:
        segments = {value.name: value.segment for value in self.path_values}
        return _PLACEHOLDER.sub(lambda match: segments[match[1]], self.path)

    def values(self, params: Params, path_params: Mapping[str, Any]) -> dict[str, Any]:
        """Unknown names refused, then each parameter parsed in declaration order; path values added."""
        params.only(self.accepted)
        values = {param.name: param.type.read(params, param.name, *param.aliases) for param in self.params}
        values.update((value.name, path_params[value.name]) for value in self.path_values)
        return values

    def describe(self) -> dict[str, Any]:
        """The route as data, for an API document."""
        return {
            "method": self.method,
            "path": self.path,
            "summary": self.summary,
            "session": self.session.value,
            "status": self.status,
            "path_values": [value.describe() for value in self.path_values],
            "params": [param.describe() for param in self.params],
            "answers": None if self.answers is None else dict(self.answers),
        }
