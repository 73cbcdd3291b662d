"""Request parameters: form-encoded (or JSON) values, read by their API names.

Whatever the body holds, reading it ends in parameters or in
``InvalidInput``: too large, too many fields, files, malformed multipart or
JSON, text that is not UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Iterable

from starlette.datastructures import Headers
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from gateway.errors import ErrorCode, InvalidInput
from gateway.resolvers.validation import is_storable, is_utf8

MAX_BODY_BYTES = 1024 * 1024
MAX_VALUE_LENGTH = 65536
# far more than any endpoint takes; query string and body together
MAX_FIELDS = 100
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
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
        body = await _body(request)
        if body:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/json":
                items = _json_items(body)
            elif content_type in FORM_TYPES:
                items = await _form_items(request.headers, content_type, body)
            else:
                raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"unsupported content type {content_type!r}")
            for key, value in items:
                _put(values, key, value)
        return cls(values)

    def only(self, allowed: Iterable[str]) -> None:
        """Refuse parameters this endpoint does not know."""
        unknown = sorted(set(self._values) - set(allowed))
        if unknown:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"unknown parameter(s): {', '.join(unknown)}")

    def text(self, *names: str) -> str | None:
        """The value of the first of ``names`` given (old and new names alike); both given must agree."""
        found = [self._values[name] for name in names if name in self._values]
        if len(set(found)) > 1:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{' and '.join(names)} disagree")
        return found[0] if found else None

    def integer(self, *names: str) -> int | None:
        value = self.text(*names)
        if value is None:
            return None
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{names[0]} must be an integer")
        return int(text)

    def flag(self, *names: str) -> bool:
        """A yes/no switch; absent means no."""
        value = self.text(*names)
        if value is None or value.strip().lower() in _FALSE or value.strip() == "":
            return False
        if value.strip().lower() in _TRUE:
            return True
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{names[0]} must be yes or no")

    def switch(self, *names: str) -> bool | None:
        """A yes/no switch; absent means unchanged (None)."""
        value = self.text(*names)
        if value is None:
            return None
        if not value.strip():
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{names[0]} must be yes or no")
        return self.flag(*names)

    def status(self, *names: str) -> bool | None:
        """``active`` / ``disabled`` as True / False."""
        value = self.text(*names)
        if value is None:
            return None
        try:
            return _STATUS[value.strip().lower()]
        except KeyError:
            raise InvalidInput(ErrorCode.INVALID_ACCOUNT_STATUS) from None

    def listing(self, *names: str) -> tuple[str, ...] | None:
        """A comma-separated list; empty string means an empty list."""
        value = self.text(*names)
        if value is None:
            return None
        return tuple(part.strip() for part in value.split(",") if part.strip())


def _put(values: dict[str, str], key: str, value: str) -> None:
    if not is_storable(key):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "a parameter name is not UTF-8 text")
    if key in values:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{key} given more than once")
    if len(values) >= MAX_FIELDS:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"more than {MAX_FIELDS} parameters")
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{key} is too long")
    if not is_utf8(value):  # NUL and other control characters get the code of the value they spoil
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{key} is not UTF-8 text")
    values[key] = value


async def _body(request: Request) -> bytes:
    """The body, refused as soon as it passes ``MAX_BODY_BYTES`` (announced or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise InvalidInput(ErrorCode.REQUEST_TOO_LARGE)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise InvalidInput(ErrorCode.REQUEST_TOO_LARGE)
            chunks.append(chunk)
    except ClientDisconnect:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "the client went away mid-body") from None
    return b"".join(chunks)


async def _form_items(headers: Headers, content_type: str, body: bytes) -> list[tuple[str, str]]:
    """Form fields of a form-encoded or multipart body; files and malformed parts are refused."""

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser: FormParser | MultiPartParser
    if content_type == "multipart/form-data":
        parser = MultiPartParser(
            headers, stream(), max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_VALUE_LENGTH
        )
    else:
        parser = FormParser(headers, stream(), max_fields=MAX_FIELDS, max_part_size=MAX_VALUE_LENGTH)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, exc.message) from None
    items: list[tuple[str, str]] = []
    for key, item in form.multi_items():
        if not isinstance(item, str):
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{key}: files are not accepted")
        items.append((key, item))
    return items


def _json_items(body: bytes) -> list[tuple[str, str]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "malformed JSON body") from None
    if not isinstance(data, dict):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "the JSON body must be an object")
    items: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, bool):
            items.append((key, "yes" if value else "no"))
        elif isinstance(value, (int, str)):
            items.append((key, str(value)))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items.append((key, ",".join(value)))
        else:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{key}: unsupported JSON value")
    return items
