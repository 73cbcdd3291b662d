"""Every code the gateway answers is an ``ErrorCode`` member, documented in the README with its status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.errors import (
    BackendUnavailable,
    ConfigurationError,
    Conflict,
    ErrorCode,
    Forbidden,
    GatewayError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotSupported,
)

README = Path(__file__).resolve().parent.parent / "README.md"
ROW = re.compile(r"^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \| ([0-9, ]+) \|", re.M)


def documented() -> dict[str, set[int]]:
    """The README's error table: each code with the statuses its row gives."""
    text = README.read_text()
    table = text[text.index("### Error codes") :]
    table = table[: table.index("\n\n", table.index("|---|"))]
    found: dict[str, set[int]] = {}
    for codes, statuses in ROW.findall(table):
        names = re.findall(r"`([A-Z_]+)`", codes)
        numbers = [int(number) for number in statuses.split(",")]
        for position, name in enumerate(names):
            # "404, 405" beside two codes pairs them up; one status applies to every code of the row
            found[name] = {numbers[position]} if len(numbers) == len(names) > 1 else set(numbers)
    return found


def test_the_readme_lists_exactly_the_error_codes() -> None:
    assert set(documented()) == {code.value for code in ErrorCode}


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_the_readme_gives_each_code_its_status(code: ErrorCode) -> None:
    assert code.http_status in documented()[code.value]


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (GatewayError, ErrorCode.INTERNAL_ERROR, 500),
        (InvalidInput, ErrorCode.INVALID_PARAMETER, 400),
        (NotAuthenticated, ErrorCode.LOGIN_REQUIRED, 401),
        (Forbidden, ErrorCode.PERMISSION_DENIED, 403),
        (NotFound, ErrorCode.NO_SUCH_ACCOUNT, 404),
        (Conflict, ErrorCode.ALREADY_EXISTS, 409),
        (NotSupported, ErrorCode.NOT_SUPPORTED, 400),
        (ConfigurationError, ErrorCode.INVALID_CONFIGURATION, 500),
        (BackendUnavailable, ErrorCode.BACKEND_UNAVAILABLE, 503),
    ],
)
def test_each_kind_of_failure_has_its_default_code(error: type[GatewayError], code: ErrorCode, status: int) -> None:
    raised = error()
    assert (raised.code, raised.http_status) == (code, status)


def test_a_code_carries_its_status_whatever_the_class() -> None:
    assert InvalidInput(ErrorCode.PW_EMPTY).http_status == 400
    assert Conflict(ErrorCode.CONCURRENT_CHANGE).http_status == 409
    assert NotFound(ErrorCode.NO_SUCH_DOMAIN).code == "NO_SUCH_DOMAIN"
