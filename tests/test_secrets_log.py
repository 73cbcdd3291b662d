"""The log of a whole test run holds none of the passwords the tests used.

With ``TEST_SECRETS_LOG=FILE`` (``scripts/test.sh`` sets it and starts it
empty) every record the run logs is appended to FILE as the service writes it
(JSON, from INFO up; ``TEST_SECRETS_LOG_LEVEL`` changes the level), and this
test greps FILE for every password in the tests' source. In one pytest process
it runs last; ``scripts/test.sh`` runs it on its own after the parallel run.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# a password as the default policy wants it: letters in both cases, a digit and a special character
PASSWORD = re.compile(r"[^\s@/{}()\[\]=,:;.]{8,64}")
HASH = re.compile(r"\{(?:SSHA512|SSHA|SHA512|SHA|CRYPT|SHA512-CRYPT|MD5-CRYPT|PLAIN-MD5|MD5|PLAIN)\}[^*\s\"]")


def is_password(text: str) -> bool:
    return bool(
        PASSWORD.fullmatch(text)
        and re.search(r"[a-z]", text)
        and re.search(r"[A-Z]", text)
        and re.search(r"\d", text)
        and re.search(r"[^A-Za-z0-9]", text)
    )


def passwords_in_tests() -> set[str]:
    """Every string literal in the tests that is a password."""
    found: set[str] = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and is_password(node.value):
                found.add(node.value)
    return found


def test_the_passwords_are_found() -> None:
    from tests.rest.conftest import ADMIN_PASSWORD, STRONG

    assert {ADMIN_PASSWORD, STRONG} <= passwords_in_tests()
    assert not is_password("postmaster@example.com") and not is_password("{SSHA512}c2VjcmV0")


def test_suite_log_holds_no_secret() -> None:
    """Runs after every other test of the session (see ``pytest_collection_modifyitems``)."""
    name = os.environ.get("TEST_SECRETS_LOG")
    if not name:
        if os.environ.get("CI"):
            pytest.fail("TEST_SECRETS_LOG is not set: the run's log is not checked for secrets")
        pytest.skip("TEST_SECRETS_LOG is not set")
    text = Path(name).read_text(errors="replace")
    assert '"event"' in text, f"{name} holds no log records"
    leaked = sorted(password for password in passwords_in_tests() if password in text)
    assert leaked == [], f"passwords in {name}: {leaked}"
    assert HASH.search(text) is None, f"a password hash in {name}"
