from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from gateway.backends.sql.engine import make_engine
from gateway.cli import main
from gateway.passwords import verify_password
from tests.databases import DatabasePair, run_sync

SOURCE_ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {key: None for key in os.environ if key.startswith("GATEWAY_") or key in ("RESTFUL_API_CLIENTS",)}


def _env(databases: DatabasePair, **extra: str) -> dict[str, str | None]:
    return {
        **CLEAN_ENV, "GATEWAY_VMAIL_DSN": databases.vmail, "GATEWAY_IREDAPD_DSN": databases.iredapd,
        "GATEWAY_AMAVISD_DSN": databases.amavisd, **extra,
    }


async def _dump(dsn: str) -> list[tuple[str, tuple[Any, ...]]]:
    engine = make_engine(dsn, "x")
    try:
        async with engine.connect() as conn:
            rows: list[tuple[str, tuple[Any, ...]]] = []
            for table in ("admin", "domain_admins", "mailbox", "domain"):
                for row in await conn.execute(text(f"SELECT * FROM {table}")):
                    rows.append((table, tuple(row)))
            return sorted(rows, key=repr)
    finally:
        await engine.dispose()


def test_init_creates_schema_and_admin_then_changes_nothing(
    empty_databases: DatabasePair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = _env(empty_databases, GATEWAY_ADMIN_PASSWORD="First-Adm1n!")
    result = runner.invoke(main, ["init", "--admin", "boss@admins.test"], env=env)
    assert result.exit_code == 0, result.output
    for database in ("vmail", "iredapd", "amavisd"):
        assert f"{database}: schema created" in result.output
    assert "global admin boss@admins.test created" in result.output
    assert "First-Adm1n!" not in result.output

    rows = run_sync(_dump(empty_databases.vmail))
    admins = [row for table, row in rows if table == "admin"]
    assert len(admins) == 1 and verify_password(str(admins[0][1]), "First-Adm1n!")
    assert any(table == "domain_admins" and "ALL" in row for table, row in rows)

    again = runner.invoke(main, ["init", "--admin", "boss@admins.test"], env=_env(empty_databases))
    assert again.exit_code == 0, again.output
    assert "schema present and complete, left unchanged" in again.output
    assert "exists already, left unchanged" in again.output
    assert run_sync(_dump(empty_databases.vmail)) == rows


def test_init_generates_a_password_and_prints_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    databases = DatabasePair(
        kind="sqlite",
        vmail=f"sqlite+aiosqlite:///{tmp_path / 'vmail.sqlite3'}",
        iredapd=f"sqlite+aiosqlite:///{tmp_path / 'iredapd.sqlite3'}",
        amavisd=f"sqlite+aiosqlite:///{tmp_path / 'amavisd.sqlite3'}",
        names=("vmail", "iredapd", "amavisd"),
    )
    result = CliRunner().invoke(main, ["init"], env=_env(databases))
    assert result.exit_code == 0, result.output
    match = re.search(r"its password \(shown only this once\): (\S+)", result.output)
    assert match
    rows = run_sync(_dump(databases.vmail))
    [admin] = [row for table, row in rows if table == "admin"]
    assert admin[0] == "postmaster@gateway.local"
    assert verify_password(str(admin[1]), match.group(1))


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"GATEWAY_VMAIL_DSN": "nonsense", "GATEWAY_IREDAPD_DSN": "sqlite:///x.db"}, "GATEWAY_VMAIL_DSN"),
        ({"GATEWAY_VMAIL_DSN": "oracle://h/vmail", "GATEWAY_IREDAPD_DSN": "sqlite:///x.db"}, "GATEWAY_VMAIL_DSN"),
        ({"GATEWAY_VMAIL_DSN": "sqlite:///v.db"}, "GATEWAY_IREDAPD_DSN"),
        ({"GATEWAY_VMAIL_DSN": "sqlite:///v.db", "GATEWAY_IREDAPD_DSN": "sqlite:///i.db"}, "GATEWAY_IREDADMIN_DSN"),
        (
            {"GATEWAY_BACKEND": "ldap", "GATEWAY_IREDAPD_DSN": "sqlite:///i.db", "GATEWAY_LDAP_BIND_DN": "cn=x",
             "GATEWAY_LDAP_BASE_DN": "dc=x"},
            "GATEWAY_IREDADMIN_DSN",
        ),
        (
            {"GATEWAY_VMAIL_DSN": "sqlite:///v.db", "GATEWAY_IREDAPD_DSN": "sqlite:///i.db",
             "GATEWAY_IREDADMIN_DSN": "oracle://h/iredadmin"},
            "GATEWAY_IREDADMIN_DSN",
        ),
        (
            {"GATEWAY_VMAIL_DSN": "sqlite:///v.db", "GATEWAY_IREDAPD_DSN": "sqlite:///i.db",
             "GATEWAY_IREDADMIN_DSN": "sqlite:///a.db"},
            "GATEWAY_AMAVISD_DSN",
        ),
        (
            {"GATEWAY_VMAIL_DSN": "sqlite:///v.db", "GATEWAY_IREDAPD_DSN": "sqlite:///i.db",
             "GATEWAY_IREDADMIN_DSN": "sqlite:///a.db", "GATEWAY_AMAVISD_DSN": "oracle://h/amavisd"},
            "GATEWAY_AMAVISD_DSN",
        ),
        ({"RESTFUL_API_CLIENTS": "10.0.0.0/8,not-an-ip"}, "RESTFUL_API_CLIENTS"),
        ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT"),
    ],
)
def test_bad_configuration_names_the_setting(
    env: dict[str, str], setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve"], env={**CLEAN_ENV, **env})
    assert result.exit_code == 2
    assert setting in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output and "init" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(directory: Path, port: int, *options: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env["GATEWAY_PORT"] = str(port)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), env.get("PYTHONPATH")]))  # this checkout
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", *options],
        cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _wait_healthy(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the service did not answer /healthz")


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=20)
    return output


def test_serve_on_the_embedded_default(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    first = _serve(tmp_path, port)
    try:
        _wait_healthy(port, first)
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
    finally:
        output = _stop(first)
    match = re.search(r"its password \(shown only this once\): (\S+)", output)
    assert match, output
    data = tmp_path / "gateway-data"
    assert (data / "vmail.sqlite3").exists() and (data / "iredadmin.sqlite3").exists()
    assert not (data / "session-secret").exists()

    second = _serve(tmp_path, port)
    try:
        _wait_healthy(port, second)
        login = httpx.post(
            f"{base}/api/login", data={"username": "postmaster@gateway.local", "password": match.group(1)}
        )
        assert login.json() == {"success": True}
        cookie = {"cookie": login.headers["set-cookie"].split(";")[0]}
    finally:
        output = _stop(second)
    assert "shown only this once" not in output

    # the session is the iredadmin database's, not the process's: it outlives a restart until logout
    third = _serve(tmp_path, port)
    try:
        _wait_healthy(port, third)
        assert httpx.get(f"{base}/api/domains", headers=cookie).status_code == 200
        assert httpx.post(f"{base}/api/logout", headers=cookie).json() == {"success": True}
        assert httpx.get(f"{base}/api/domains", headers=cookie).json() == {"success": False, "msg": "LOGIN_REQUIRED"}
    finally:
        _stop(third)
    # with no setting at all, the admin log is iRedAdmin's log table in the embedded iredadmin database
    with sqlite3.connect(data / "iredadmin.sqlite3") as db:
        rows = db.execute("SELECT admin, event, msg FROM log ORDER BY id").fetchall()
    assert rows == [("postmaster@gateway.local", "login", "[API] Admin login success")]


def test_serve_help_documents_workers() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output and "Worker processes" in result.output


def _workers_of(pid: int) -> list[int]:
    """The worker processes a ``serve --workers`` supervisor started (multiprocessing's spawned children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def test_serve_with_two_workers_answers_on_one_port(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(tmp_path, port, "--workers", "2")
    try:
        _wait_healthy(port, process)
        deadline = time.monotonic() + 30
        while len(_workers_of(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_workers_of(process.pid)) == 2
        for _ in range(6):  # a new connection each time, whichever worker accepts it
            assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
            assert httpx.get(f"{base}/api/domains").json() == {"success": False, "msg": "LOGIN_REQUIRED"}
    finally:
        output = _stop(process)
    assert "shown only this once" in output  # initialised once, by the supervisor
