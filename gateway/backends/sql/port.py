"""What every SQL port shares: its connections, its write transactions, and how their failures read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.sql.engine import unavailability_translated, write_transaction
from gateway.errors import Conflict, ErrorCode


class SqlPort:
    """A port over one database: an unreachable server leaves it as ``BackendUnavailable``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads."""
        async with unavailability_translated(self.engine), self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction; a key a concurrent writer inserted first is ``ALREADY_EXISTS``."""
        try:
            async with unavailability_translated(self.engine), write_transaction(self.engine) as conn:
                yield conn
        except IntegrityError:
            # a concurrent writer created the same key between our check and our insert
            raise Conflict(ErrorCode.ALREADY_EXISTS) from None
