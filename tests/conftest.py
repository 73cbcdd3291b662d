from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import (
    SQL_KINDS,
    DatabasePair,
    PreparedPool,
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


@pytest.fixture(scope="session")
def prepared_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreparedPool]:
    pool = PreparedPool(tmp_path_factory.mktemp("prepared"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def prepared_databases(sql_kind: str, tmp_path: Path, prepared_pool: PreparedPool) -> Iterator[DatabasePair]:
    """A vmail/iredapd pair holding iRedMail's schema and no rows, on each SQL server.

    SQLite pairs are new files; server pairs are reused after their rows are deleted.
    """
    if sql_kind == "sqlite":
        pool = PreparedPool(tmp_path)
        pair = pool.take(sql_kind)
        yield pair
        return
    pair = prepared_pool.take(sql_kind)
    try:
        yield pair
    finally:
        prepared_pool.give_back(pair)
