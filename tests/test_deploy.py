"""deploy/iredmail-gateway.service runs the installed ``iredmail-gateway serve`` and is a valid, hardened unit."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "iredmail-gateway.service"


def unit() -> configparser.RawConfigParser:
    """The unit file; a key systemd allows to repeat keeps its last value."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def command() -> list[str]:
    return shlex.split(unit()["Service"]["ExecStart"])


def test_the_unit_runs_the_console_script_serve() -> None:
    program, *arguments = command()
    assert Path(program).is_absolute()
    assert arguments == ["serve"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[Path(program).name] == "gateway.cli:main"
    assert "serve" in main.commands
    assert CliRunner().invoke(main, ["serve", "--help"]).exit_code == 0


def test_the_installed_command_exists() -> None:
    """``pip install`` put the console script on PATH, and it answers."""
    program = Path(command()[0]).name
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is not on PATH: pip install -e .")
        pytest.skip(f"{program} is not installed")
    done = subprocess.run([found, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Run the HTTP service" in done.stdout


def test_the_unit_is_hardened_and_reads_an_env_file() -> None:
    service = unit()["Service"]
    assert service["EnvironmentFile"].startswith("/etc/")
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "DynamicUser": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == value, key
    assert service["StateDirectory"] == "iredmail-gateway"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """``systemd-analyze verify`` of the unit, run with the console script installed here."""
    analyze = shutil.which("systemd-analyze")
    program = shutil.which(Path(command()[0]).name)
    if analyze is None or program is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze (Debian: systemd) or the console script is missing")
        pytest.skip("systemd-analyze or the console script is missing")
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace(f"ExecStart={command()[0]} ", f"ExecStart={program} "))
    done = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
