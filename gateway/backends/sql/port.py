"""What every SQL port shares: its connections, its write transactions, and how their failures read."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from weakref import WeakKeyDictionary

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.sql.engine import PING_AFTER_IDLE, unavailability_translated, write_transaction
from gateway.errors import Conflict, ErrorCode

# when each database last completed a read or a write of any port on it
_ANSWERED: WeakKeyDictionary[AsyncEngine, float] = WeakKeyDictionary()


class SqlPort:
    """A port over one database: an unreachable server leaves it as ``BackendUnavailable``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads."""
        async with unavailability_translated(self.engine), self.engine.connect() as conn:
            yield conn
        _ANSWERED[self.engine] = time.monotonic()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction; a key a concurrent writer inserted first is ``ALREADY_EXISTS``."""
        try:
            async with unavailability_translated(self.engine), write_transaction(self.engine) as conn:
                yield conn
        except IntegrityError:
            # a concurrent writer created the same key between our check and our insert
            raise Conflict(ErrorCode.ALREADY_EXISTS) from None
        _ANSWERED[self.engine] = time.monotonic()

    def answered_lately(self) -> bool:
        """Whether the database completed a read or write of any port within ``PING_AFTER_IDLE`` seconds
        (the time within which the pool hands out a connection without pinging it)."""
        answered = _ANSWERED.get(self.engine)
        return answered is not None and time.monotonic() - answered < PING_AFTER_IDLE
