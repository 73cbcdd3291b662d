"""The pair of SQL databases the gateway works on: ``vmail`` and ``iredapd``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql.engine import make_engine
from gateway.settings import Settings


@dataclass(frozen=True)
class SqlDatabases:
    """One async engine per database."""

    vmail: AsyncEngine
    iredapd: AsyncEngine

    @classmethod
    def open(cls, settings: Settings) -> SqlDatabases:
        """Create the engines named by ``settings`` (no connection is made yet)."""
        return cls(
            vmail=make_engine(settings.vmail_url(), "GATEWAY_VMAIL_DSN"),
            iredapd=make_engine(settings.iredapd_url(), "GATEWAY_IREDAPD_DSN"),
        )

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await asyncio.gather(self.vmail.dispose(), self.iredapd.dispose())

    async def unreachable(self, timeout: float = 5.0) -> list[str]:
        """Names of the databases that do not answer ``SELECT 1`` within ``timeout``."""
        names = ("vmail", "iredapd")
        results = await asyncio.gather(
            *(_ping(engine, timeout) for engine in (self.vmail, self.iredapd)), return_exceptions=False
        )
        return [name for name, ok in zip(names, results, strict=True) if not ok]


async def _ping(engine: AsyncEngine, timeout: float) -> bool:
    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), timeout)
    except Exception:  # any failure means "not ready"; the reason is not the client's business
        return False
    return True
