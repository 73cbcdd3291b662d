"""A gateway and the real iRedAPD on the same MariaDB or PostgreSQL databases, for proofs over the policy protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from tests.conftest import require_server
from tests.databases import DatabasePair, PreparedPool, emptied, prepared_pair
from tests.iredapd import DEFAULT_PLUGINS, Iredapd, require_tarball, start_iredapd
from tests.rest.conftest import STRONG, Api, backend_api, logged_in, open_api

JOHN = "john@example.com"


@asynccontextmanager
async def gateway_with_iredapd(
    request: pytest.FixtureRequest,
    kind: str,
    tmp_path: Path,
    plugins: Sequence[str] = DEFAULT_PLUGINS,
    amavisd_dsn: str | None = None,
) -> AsyncIterator[tuple[Api, Iredapd]]:
    """A gateway on SQL storage ``kind`` with ADMIN logged in, and iRedAPD with ``plugins`` reading its databases."""
    require_tarball()
    async with backend_api(request, kind, tmp_path) as api:
        await logged_in(api)
        directory = tmp_path / "iredapd"
        directory.mkdir()
        with start_iredapd(
            directory,
            vmail_dsn=api.settings.vmail_url(),
            iredapd_dsn=api.settings.iredapd_url(),
            amavisd_dsn=amavisd_dsn,
            plugins=plugins,
        ) as server:
            yield api, server


@contextmanager
def shared_iredapd(
    kind: str,
    pool: PreparedPool,
    directory: Path,
    plugins: Sequence[str],
    extra_settings: Mapping[str, object] | None = None,
) -> Iterator[tuple[DatabasePair, Iredapd]]:
    """One iRedAPD with ``plugins`` on one database set of ``kind``, for many tests (see :func:`fresh_gateway`)."""
    require_server(kind)
    require_tarball()
    with prepared_pair(kind, directory, pool) as databases:
        with start_iredapd(
            directory,
            vmail_dsn=databases.vmail,
            iredapd_dsn=databases.iredapd,
            amavisd_dsn=databases.amavisd,
            plugins=plugins,
            extra_settings=extra_settings,
        ) as server:
            yield databases, server


@asynccontextmanager
async def fresh_gateway(databases: DatabasePair) -> AsyncIterator[Api]:
    """A gateway with ADMIN logged in on ``databases``, emptied of what an earlier test left there."""
    assert await emptied(databases), "the shared databases lost their schema"
    async for api in open_api(databases):
        yield await logged_in(api)


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    """Call the gateway and insist it succeeded."""
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)


async def with_john(api: Api) -> None:
    """Domain example.com with the mailbox JOHN, made through the API."""
    await ok(api, "POST", "/api/domain/example.com")
    await ok(api, "POST", f"/api/user/{JOHN}", password=STRONG)
