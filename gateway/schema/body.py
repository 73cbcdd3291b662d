"""The body of a ``/graphql`` request: capped while it streams in, then decoded strictly.

A refusal is a GraphQL-style answer, ``{"errors": [{"message", "extensions": {"code"}}]}``,
with the HTTP status saying why: 413 for a body over the cap, 400 for one that
is not a UTF-8 JSON object of reasonable nesting.
"""

from __future__ import annotations

import json

from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope

from gateway.errors import ErrorCode
from gateway.rest.params import MAX_BODY_BYTES

MAX_JSON_DEPTH = 64
TOO_LARGE = ErrorCode.REQUEST_TOO_LARGE
MALFORMED = ErrorCode.INVALID_PARAMETER


class BodyRefused(Exception):
    """The request cannot be read as one GraphQL operation."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        return refusal(self.status, self.code, self.message)


def refusal(status: int, code: ErrorCode, message: str) -> JSONResponse:
    """A request error before any execution: no ``data``, one error with its code."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def _too_large() -> BodyRefused:
    return BodyRefused(413, TOO_LARGE, f"The request body is over {MAX_BODY_BYTES} bytes.")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            if not value.isdigit():
                raise BodyRefused(400, MALFORMED, "Content-Length is not a number.")
            return int(value)
    return None


async def read_body(scope: Scope, receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, refused as soon as its declared or received length passes ``limit``."""
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        raise _too_large()
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; what came is all there is
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out ``body`` once, then defers to the real one (for disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in ``value`` (without recursion)."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


def decode_operation(data: str | bytes) -> dict[str, object]:
    """The JSON object of one operation; a clear 400 for anything else."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise BodyRefused(400, MALFORMED, "The request body is not UTF-8.") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise BodyRefused(400, MALFORMED, f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.") from None
    except ValueError:
        raise BodyRefused(400, MALFORMED, "The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise BodyRefused(400, MALFORMED, "The JSON body must be an object with a `query`.")
    if _depth(value) > MAX_JSON_DEPTH:
        raise BodyRefused(400, MALFORMED, f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
    return value
