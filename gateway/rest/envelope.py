"""The JSON envelope of every ``/api`` answer.

Classic (iRedAdmin-Pro before SQL-2.6): ``{"success": true, "data": …}`` /
``{"success": false, "msg": "CODE"}``. With ``GATEWAY_API_ENVELOPE=pro`` the
keys are ``_success``, ``_data`` and ``_msg``, as in later Pro releases.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.errors import ErrorCode

Style = Literal["classic", "pro"]
_MISSING = object()


def _key(style: Style, name: str) -> str:
    return f"_{name}" if style == "pro" else name


def success(style: Style, data: Any = _MISSING, status: int = 200) -> JSONResponse:
    body: dict[str, Any] = {_key(style, "success"): True}
    if data is not _MISSING:
        body[_key(style, "data")] = data
    return JSONResponse(body, status_code=status)


def failure(style: Style, code: ErrorCode, status: int, details: dict[str, Any] | None = None) -> JSONResponse:
    """The failure envelope; ``details`` (such as the ``invalid`` values) join ``success`` and ``msg``."""
    return JSONResponse(
        {_key(style, "success"): False, _key(style, "msg"): code, **(details or {})}, status_code=status
    )


def style_of(request: Request) -> Style:
    """The envelope style configured for the app serving ``request``."""
    style: Style = request.app.state.settings.api_envelope
    return style
