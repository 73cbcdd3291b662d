"""``iredmail-gateway import`` and ``export`` as a user runs them, on SQLite."""

from __future__ import annotations

import copy
import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gateway.backends.sql.engine import make_engine
from gateway.cli import main
from tests.databases import DatabasePair, PreparedPool, prepared_pair, run_sync
from tests.storage import SqlStorage
from tests.transfer.conftest import DOCUMENT, STRONG

SOURCE_ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {key: None for key in os.environ if key.startswith("GATEWAY_")}
WRITES = sum(len(DOCUMENT[section]) for section in DOCUMENT)


@pytest.fixture
def databases(prepared_pool: PreparedPool, tmp_path: Path) -> Iterator[DatabasePair]:
    with prepared_pair("sqlite", tmp_path, prepared_pool) as pair:
        yield pair


def _env(databases: DatabasePair) -> dict[str, str | None]:
    return {
        **CLEAN_ENV,
        "GATEWAY_VMAIL_DSN": databases.vmail,
        "GATEWAY_IREDAPD_DSN": databases.iredapd,
        "GATEWAY_IREDADMIN_DSN": databases.vmail,
    }


def _storage(databases: DatabasePair) -> SqlStorage:
    return SqlStorage("sqlite", make_engine(databases.vmail, "vmail"), make_engine(databases.iredapd, "iredapd"))


def snapshot(databases: DatabasePair) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        storage = _storage(databases)
        try:
            return await storage.snapshot()
        finally:
            await storage.vmail.dispose()
            await storage.iredapd.dispose()

    return run_sync(read())


def invoke(databases: DatabasePair, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=_env(databases))


def write(path: Path, document: dict[str, Any]) -> str:
    path.write_text(json.dumps(document))
    return str(path)


def test_dry_run_reports_and_writes_nothing(databases: DatabasePair, tmp_path: Path) -> None:
    before = snapshot(databases)
    result = invoke(databases, "import", "--dry-run", write(tmp_path / "accounts.json", DOCUMENT))
    assert result.exit_code == 0, result.output
    assert "domains: 2 would create, 0 would update, 0 unchanged, 0 failed" in result.output
    assert "users: 3 would create" in result.output and "dry run: nothing written" in result.output
    assert snapshot(databases) == before


def _with_bad_records() -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    document["users"] += [
        {"email": "bad@@example.com", "password": STRONG},
        {"email": "weak@example.com", "password": "short"},
        {"email": "x@nowhere.test", "password": STRONG},
        {"email": "both@example.com", "password": STRONG, "password_hash": "{PLAIN}x"},
        {"email": "odd@example.com", "password": STRONG, "shoe_size": 44},
    ]
    document["throttles"].append({"target": "example.com", "kind": "inbound"})
    return document


BAD = [
    ("users[3] bad@@example.com", "INVALID_MAIL"),
    ("users[4] weak@example.com", "PW_LESS_THAN_MIN_LENGTH"),
    ("users[5] x@nowhere.test", "NO_SUCH_DOMAIN"),
    ("users[6] both@example.com", "INVALID_PARAMETER"),
    ("users[7] odd@example.com", "INVALID_PARAMETER (fields not used by a user record: shoe_size)"),
    ("throttles[3] example.com inbound", "INVALID_PERIOD"),
]


def test_bad_records_stop_the_import_before_anything_is_written(databases: DatabasePair, tmp_path: Path) -> None:
    before = snapshot(databases)
    result = invoke(databases, "import", write(tmp_path / "accounts.json", _with_bad_records()))
    assert result.exit_code == 1
    for where, code in BAD:
        assert f"failed: {where}: {code}" in result.output
    assert "nothing written" in result.output
    assert snapshot(databases) == before


def test_continue_on_error_writes_the_good_records_and_lists_the_bad(databases: DatabasePair, tmp_path: Path) -> None:
    result = invoke(databases, "import", "--continue-on-error", write(tmp_path / "accounts.json", _with_bad_records()))
    assert result.exit_code == 1
    assert "users: 3 created, 0 updated, 0 unchanged, 5 failed" in result.output
    assert "throttles: 3 created, 0 updated, 0 unchanged, 1 failed" in result.output
    for where, code in BAD:
        assert f"failed: {where}: {code}" in result.output

    async def users() -> list[str]:
        storage = _storage(databases)
        try:
            return [user.email for user in await storage.users()]
        finally:
            await storage.vmail.dispose()
            await storage.iredapd.dispose()

    assert run_sync(users()) == ["carol@other.org", "john@example.com", "mary@example.com"]


def test_rerun_changes_nothing_and_export_is_private(databases: DatabasePair, tmp_path: Path) -> None:
    source = write(tmp_path / "accounts.json", DOCUMENT)
    assert invoke(databases, "import", source).exit_code == 0
    before = snapshot(databases)
    again = invoke(databases, "import", source)
    assert again.exit_code == 0, again.output
    assert "users: 0 created, 0 updated, 3 unchanged, 0 failed" in again.output
    assert snapshot(databases) == before

    target = tmp_path / "export.csv"
    target.write_text("old")
    target.chmod(0o644)
    exported = invoke(databases, "export", "-o", str(target))
    assert exported.exit_code == 0, exported.output
    assert "holds password hashes" in exported.output
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text().startswith("type,domain,")
    assert "{SSHA512}" in target.read_text() and STRONG not in target.read_text()


def test_an_admin_named_with_as_acts_with_its_rights(databases: DatabasePair, tmp_path: Path) -> None:
    assert invoke(databases, "import", write(tmp_path / "accounts.json", DOCUMENT)).exit_code == 0

    async def add_admin() -> None:
        storage = _storage(databases)
        try:
            await storage.add_admin("boss@admins.test", STRONG)
            await storage.grant_domain("boss@admins.test", "example.com")
        finally:
            await storage.vmail.dispose()
            await storage.iredapd.dispose()

    run_sync(add_admin())
    document = {
        "users": [{"email": "new@example.com", "password": STRONG}, {"email": "new@other.org", "password": STRONG}],
        "domains": [{"domain": "third.net"}],
    }
    result = invoke(
        databases, "import", "--as", "boss@admins.test", "--continue-on-error", write(tmp_path / "b.json", document)
    )
    assert "failed: domains[0] third.net: PERMISSION_DENIED" in result.output
    assert "failed: users[1] new@other.org: PERMISSION_DENIED" in result.output
    assert "users: 1 created" in result.output
    nobody = invoke(databases, "import", "--as", "nobody@admins.test", str(tmp_path / "b.json"))
    assert nobody.exit_code == 2 and "nobody@admins.test is not an active admin" in nobody.output


def test_a_terminal_gets_a_progress_bar(databases: DatabasePair, tmp_path: Path) -> None:
    source = write(tmp_path / "accounts.json", DOCUMENT)
    env = {key: value for key, value in {**os.environ, **_env(databases)}.items() if value is not None}
    env.update(TERM="xterm", COLUMNS="100")
    env.pop("NO_COLOR", None)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "import", source],
        stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, cwd=SOURCE_ROOT, env=env,
    )  # fmt: skip
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait() == 0, output
    text = output.decode()
    assert "importing" in text and f"{WRITES}/{WRITES}" in text and "━" in text
    assert "users: 3 created" in text

    quiet = invoke(databases, "import", source)
    assert "importing" not in quiet.output and "users: 0 created, 0 updated, 3 unchanged" in quiet.output
