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
    drop_database,
    prepared_pair,
    server_problem,
    unique_names,
)
from tests.ldap_server import LdapServer, require_slapd

BACKENDS = (*SQL_KINDS, "ldap")


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
    """A fresh, empty set of vmail/iredapd/amavisd databases on each SQL server."""
    names = unique_names()
    for name in names:
        create_database(sql_kind, name)
    try:
        yield DatabasePair.named(sql_kind, names, tmp_path)
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
    """A vmail/iredapd/amavisd set holding iRedMail's schema and no rows, on each SQL server."""
    with prepared_pair(sql_kind, tmp_path, prepared_pool) as pair:
        yield pair


@pytest.fixture(params=BACKENDS)
def backend_kind(request: pytest.FixtureRequest) -> str:
    """Each storage the gateway runs on: the three SQL servers and OpenLDAP."""
    kind: str = request.param
    if kind == "ldap":
        require_slapd()
    else:
        require_server(kind)
    return kind


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[LdapServer]:
    """A private slapd with an empty iRedMail tree, shared by the session."""
    require_slapd()
    with LdapServer() as server:
        yield server


@pytest.fixture
def ldap_tree(ldap_server: LdapServer) -> Iterator[LdapServer]:
    """The session's slapd with nothing below ``o=domains`` and ``o=domainAdmins``, before and after the test."""
    ldap_server.clear()
    yield ldap_server
    ldap_server.clear()


# the tests' own HTTP client, which logs every URL it sends (fuzzed query strings included): not the service
CLIENT_LOGGERS = ("httpx", "httpcore")


@pytest.fixture(scope="session", autouse=True)
def secrets_log() -> Iterator[None]:
    """With ``TEST_SECRETS_LOG=FILE``, the whole run's log as the service writes it (see tests/test_secrets_log.py)."""
    name = os.environ.get("TEST_SECRETS_LOG")
    if not name:
        yield
        return
    import logging

    from gateway.logs import formatter

    # appended to: every pytest-xdist worker writes to the same file, which scripts/test.sh starts empty
    handler = logging.FileHandler(name, mode="a", encoding="utf-8")
    handler.setFormatter(formatter("json"))
    handler.addFilter(lambda record: not record.name.startswith(CLIENT_LOGGERS))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(os.environ.get("TEST_SECRETS_LOG_LEVEL", "INFO").upper())
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The grep of the run's log comes last, after everything it checks."""
    last = [item for item in items if item.name == "test_suite_log_holds_no_secret"]
    items[:] = [item for item in items if item not in last] + last
