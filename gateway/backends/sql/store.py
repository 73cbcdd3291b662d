"""The SQL databases ``init`` prepares: ``vmail``, ``iredapd`` and ``amavisd``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql.engine import make_engine
from gateway.settings import Settings


@dataclass(frozen=True)
class SqlDatabases:
    """One async engine per database."""

    vmail: AsyncEngine
    iredapd: AsyncEngine
    amavisd: AsyncEngine

    @classmethod
    def open(cls, settings: Settings) -> SqlDatabases:
        """Create the engines named by ``settings`` (no connection is made yet)."""
        return cls(
            vmail=make_engine(settings.vmail_url(), "GATEWAY_VMAIL_DSN"),
            iredapd=make_engine(settings.iredapd_url(), "GATEWAY_IREDAPD_DSN"),
            amavisd=make_engine(settings.required_amavisd_url(), "GATEWAY_AMAVISD_DSN"),
        )

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await asyncio.gather(self.vmail.dispose(), self.iredapd.dispose(), self.amavisd.dispose())
