from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import (
    SQL_KINDS,
    DatabasePair,
    create_database,
    database_url,
    drop_database,
    server_problem,
    unique_name,
)


def require_server(kind: str) -> None:
    """Skip (or, with ``CI`` set, fail) when the server of ``kind`` is missing."""
    problem = server_problem(kind)
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"backend required in CI but unavailable: {problem}")
    pytest.skip(f"backend unavailable: {problem}")


@pytest.fixture(params=SQL_KINDS)
def sql_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    require_server(kind)
    return kind


@pytest.fixture
def empty_databases(sql_kind: str, tmp_path: Path) -> Iterator[DatabasePair]:
    """A fresh, empty pair of vmail/iredapd databases on each SQL server."""
    names = (unique_name("vmail"), unique_name("iredapd"))
    for name in names:
        create_database(sql_kind, name)
    try:
        yield DatabasePair(
            kind=sql_kind,
            vmail=database_url(sql_kind, names[0], tmp_path),
            iredapd=database_url(sql_kind, names[1], tmp_path),
            names=names,
        )
    finally:
        for name in names:
            drop_database(sql_kind, name)
