"""The committed schema.graphql is the schema the code serves."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

from gateway.schema.app import build_schema
from gateway.schema.sdl import sdl
from gateway.settings import Settings

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"
REGENERATE = "python -m gateway.schema.sdl > schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert COMMITTED.exists(), f"schema.graphql is missing; create it with `{REGENERATE}`"
    committed = COMMITTED.read_text(encoding="utf-8")
    current = sdl()
    if committed != current:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "schema.graphql (committed)",
                "schema from the code",
            )
        )
        raise AssertionError(
            f"schema.graphql differs from the code's schema; regenerate it with `{REGENERATE}` "
            f"at the repository root and commit it.\n{diff}"
        )


def test_settings_do_not_change_the_printed_schema() -> None:
    locked = Settings.model_construct(graphiql=False, graphql_max_depth=3, graphql_max_aliases=1)
    assert build_schema(locked).as_str().rstrip("\n") + "\n" == sdl()


def test_module_prints_the_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway.schema.sdl"],
        cwd=COMMITTED.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == sdl()
