"""What a lookup found, or the not-found error the API answers."""

from __future__ import annotations

from typing import TypeVar

from gateway.errors import ErrorCode, NotFound

T = TypeVar("T")


def found(value: T | None, code: ErrorCode = ErrorCode.NO_SUCH_ACCOUNT) -> T:
    """``value``, or ``NotFound(code)`` when the lookup gave nothing."""
    if value is None:
        raise NotFound(code)
    return value
