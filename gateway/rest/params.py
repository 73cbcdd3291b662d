"""Request parameters: form-encoded (or JSON) values, read by their API names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from starlette.requests import Request

from gateway.errors import InvalidInput

MAX_BODY_BYTES = 1024 * 1024
MAX_VALUE_LENGTH = 65536
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
_TRUE = {"yes", "true", "1", "on"}
_FALSE = {"no", "false", "0", "off"}
_STATUS = {"active": True, "disabled": False}


class Params:
    """The parameters of one request; every read marks the name as used."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    @classmethod
    async def read(cls, request: Request) -> Params:
        """Query string plus body (form-encoded or JSON); a name given twice is refused."""
        values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            _put(values, key, value)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise InvalidInput("REQUEST_TOO_LARGE")
        if body:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/json":
                for key, value in _json_items(body):
                    _put(values, key, value)
            else:
                form = await request.form()
                for key, item in form.multi_items():
                    if not isinstance(item, str):
                        raise InvalidInput("INVALID_PARAMETER", f"{key}: files are not accepted")
                    _put(values, key, item)
        return cls(values)

    def only(self, allowed: Iterable[str]) -> None:
        """Refuse parameters this endpoint does not know."""
        unknown = sorted(set(self._values) - set(allowed))
        if unknown:
            raise InvalidInput("INVALID_PARAMETER", f"unknown parameter(s): {', '.join(unknown)}")

    def text(self, *names: str) -> str | None:
        """The value of the first of ``names`` given (old and new names alike); both given must agree."""
        found = [self._values[name] for name in names if name in self._values]
        if len(set(found)) > 1:
            raise InvalidInput("INVALID_PARAMETER", f"{' and '.join(names)} disagree")
        return found[0] if found else None

    def integer(self, *names: str) -> int | None:
        value = self.text(*names)
        if value is None:
            return None
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            raise InvalidInput("INVALID_PARAMETER", f"{names[0]} must be an integer")
        return int(text)

    def flag(self, name: str) -> bool:
        """A yes/no switch; absent means no."""
        value = self.text(name)
        if value is None or value.strip().lower() in _FALSE or value.strip() == "":
            return False
        if value.strip().lower() in _TRUE:
            return True
        raise InvalidInput("INVALID_PARAMETER", f"{name} must be yes or no")

    def status(self, name: str = "accountStatus") -> bool | None:
        """``active`` / ``disabled`` as True / False."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return _STATUS[value.strip().lower()]
        except KeyError:
            raise InvalidInput("INVALID_ACCOUNT_STATUS") from None

    def listing(self, name: str) -> tuple[str, ...] | None:
        """A comma-separated list; empty string means an empty list."""
        value = self.text(name)
        if value is None:
            return None
        return tuple(part.strip() for part in value.split(",") if part.strip())


def _put(values: dict[str, str], key: str, value: str) -> None:
    if key in values:
        raise InvalidInput("INVALID_PARAMETER", f"{key} given more than once")
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidInput("INVALID_PARAMETER", f"{key} is too long")
    values[key] = value


def _json_items(body: bytes) -> list[tuple[str, str]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("INVALID_PARAMETER", "malformed JSON body") from None
    if not isinstance(data, dict):
        raise InvalidInput("INVALID_PARAMETER", "the JSON body must be an object")
    items: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, bool):
            items.append((key, "yes" if value else "no"))
        elif isinstance(value, (int, str)):
            items.append((key, str(value)))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items.append((key, ",".join(value)))
        else:
            raise InvalidInput("INVALID_PARAMETER", f"{key}: unsupported JSON value")
    return items
