"""A gateway and the real iRedAPD on the same MariaDB or PostgreSQL databases, for proofs over the policy protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.iredapd import DEFAULT_PLUGINS, Iredapd, require_tarball, start_iredapd
from tests.rest.conftest import Api, backend_api, logged_in


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
