"""Schemathesis against a live gateway (uvicorn) on SQLite and MariaDB: no 5xx, no answer the document forbids.

Logged in as the global admin, with example.com (user john, alias team)
prepared. Each operation gets a few examples with random path values and a few
with the prepared objects' ones, in both positive and negative generation;
``MAX_EXAMPLES`` keeps a run well under two minutes per storage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.app import create_app
from gateway.settings import Settings
from tests.conftest import require_server
from tests.databases import PreparedPool, prepared_pair
from tests.live_server import serving_in_thread
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, STRONG, gateway_settings, make_admin

MAX_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PREPARED = {"domain": "example.com", "mail": "john@example.com", "target": "example.com", "kind": "outbound"}
ALIAS = "team@example.com"
SKIPPED = {("POST", "/logout")}  # would end the session every other example runs in; tested in test_sessions
PROFILE = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Live:
    base: str
    session: requests.Session
    settings: Settings


@pytest.fixture(params=["sqlite", "mariadb"])
def live(request: pytest.FixtureRequest, tmp_path: Path, prepared_pool: PreparedPool) -> Iterator[Live]:
    """A gateway under uvicorn (classic envelope on SQLite, pro on MariaDB), ADMIN logged in, example.com made."""
    kind: str = request.param
    require_server(kind)
    with prepared_pair(kind, tmp_path, prepared_pool) as databases:
        config = gateway_settings(databases, api_envelope="classic" if kind == "sqlite" else "pro")
        asyncio.run(make_admin(config))
        with serving_in_thread(create_app(config)) as base, requests.Session() as session:
            _prepare(base, session)
            yield Live(base, session, config)


def _prepare(base: str, session: requests.Session) -> None:
    login = session.post(f"{base}/api/login", data={"username": ADMIN, "password": ADMIN_PASSWORD})
    assert login.status_code == 200, login.text
    for path, data in [
        ("/api/domain/example.com", {}),
        ("/api/user/john@example.com", {"password": STRONG}),
        (f"/api/alias/{ALIAS}", {"members": "john@example.com"}),
    ]:
        response = session.post(base + path, data=data)
        assert response.status_code == 201, (path, response.text)


def _prepared_values(path: str, names: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {name: PREPARED[name] for name in names if name in PREPARED}
    if path.startswith("/alias/"):
        values["mail"] = ALIAS
    if "days" in names:
        values["days"] = 30
    return values


def _runner(live: Live, operation: Any, strategy: st.SearchStrategy[Any], failures: list[str]) -> Callable[[], None]:
    authenticated = bool(operation.definition.raw.get("security"))

    @PROFILE
    @given(case=strategy)
    def run(case: schemathesis.Case[Any]) -> None:
        response = case.call(base_url=f"{live.base}/api", session=live.session if authenticated else None)
        try:
            case.validate_response(response, checks=CHECKS)
        except schemathesis.errors.FailureGroup as group:
            failures.extend(f"{case.method} {case.formatted_path}: {failure}" for failure in group.exceptions)

    return run


def _fuzz(live: Live, document: dict[str, Any], only: set[tuple[str, str]] | None = None) -> tuple[int, list[str]]:
    """Run every operation of ``document`` (or ``only`` those) on ``live``: how many, and what failed."""
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key in SKIPPED or (only is not None and key not in only):
            continue
        operations += 1
        names = [parameter.name for parameter in operation.path_parameters]
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(generation_mode=mode)]
            if names:
                pinned = _prepared_values(operation.path, names)
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=pinned))
            for strategy in strategies:
                try:
                    _runner(live, operation, strategy, failures)()
                except Unsatisfiable:  # nothing to break: no parameter besides the pinned path values
                    assert mode is schemathesis.GenerationMode.NEGATIVE
    return operations, failures


def test_schemathesis_finds_nothing(live: Live) -> None:
    document = live.session.get(f"{live.base}/api/openapi.json").json()
    operations, failures = _fuzz(live, document)
    assert operations == sum(len(item) for item in document["paths"].values()) - len(SKIPPED)
    assert not failures, "\n\n".join(failures[:10])
    still = live.session.get(f"{live.base}/api/domains")
    assert still.status_code == 200, "the run lost the admin's session"


@pytest.mark.parametrize("live", ["sqlite"], indirect=True)
def test_schemathesis_catches_an_answer_the_document_forbids(live: Live) -> None:
    document = live.session.get(f"{live.base}/api/openapi.json").json()
    answer = document["paths"]["/domains"]["get"]["responses"]["200"]["content"]["application/json"]
    answer["schema"]["properties"]["success"] = {"const": False}
    operations, failures = _fuzz(live, document, only={("GET", "/domains")})
    assert operations == 1 and failures
    assert all("GET /domains" in failure for failure in failures)
