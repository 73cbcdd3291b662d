"""Admin sessions in the gateway's own ``gateway_sessions`` table of the ``iredadmin`` database.

Every instance pointed at the same database shares them, so a logout or a
revocation on one takes effect on all at once. A row holds the SHA-256 digest
of the session id: whoever reads the table cannot present a session.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql.engine import is_unavailable, write_transaction
from gateway.backends.sql.tables import gateway_metadata, gateway_sessions
from gateway.clock import utcnow
from gateway.errors import BackendUnavailable

ID_BYTES = 32
MAX_ID_LENGTH = 128  # a longer cookie value is no id of ours; refused before hashing
_DELETE_BATCH = 500


def digest(session_id: str) -> str:
    """What the table keeps of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@asynccontextmanager
async def _driver_failures() -> AsyncIterator[None]:
    """A database that does not answer, or fails a statement, gives ``BACKEND_UNAVAILABLE``."""
    try:
        yield
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise BackendUnavailable(detail=f"iredadmin database: {exc.__class__.__name__}") from exc


def _create_table(conn: Connection) -> None:
    gateway_metadata.create_all(conn, checkfirst=True)


def _has_table(conn: Connection) -> bool:
    return inspect(conn).has_table(gateway_sessions.name)


class SqlSessions:
    """A ``SessionStore`` on ``engine``; creates its own table on first use (iRedAdmin's are never touched)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._ready = False
        self._preparing = asyncio.Lock()

    async def prepare(self) -> None:
        """Create ``gateway_sessions`` when missing (once per process)."""
        if self._ready:
            return
        async with self._preparing:
            if self._ready:
                return
            async with _driver_failures():
                try:
                    async with self.engine.begin() as conn:
                        await conn.run_sync(_create_table)
                except DBAPIError as exc:
                    # another instance may have created it at the same moment
                    if is_unavailable(exc):
                        raise
                    async with self.engine.connect() as conn:
                        if not await conn.run_sync(_has_table):
                            raise
            self._ready = True

    async def create(self, username: str, lifetime: timedelta, *, replacing: str | None = None) -> str:
        """A new session of ``username`` ending ``lifetime`` from now; expired rows and the session
        ``replacing`` names go in the same transaction."""
        await self.prepare()
        session_id = secrets.token_urlsafe(ID_BYTES)
        now = datetime.now(UTC).replace(tzinfo=None)
        created = now.replace(microsecond=0)  # the columns keep whole seconds: round the end up, never short
        expires = created + lifetime + (timedelta(seconds=1) if now.microsecond else timedelta(0))
        table = gateway_sessions
        async with _driver_failures(), write_transaction(self.engine) as conn:
            await conn.execute(delete(table).where(table.c.expires <= created))
            if replacing and len(replacing) <= MAX_ID_LENGTH:
                await conn.execute(delete(table).where(table.c.token_hash == digest(replacing)))
            await conn.execute(
                insert(table).values(
                    token_hash=digest(session_id), username=username, created=created, expires=expires
                )
            )
        return session_id

    async def lookup(self, session_id: str) -> str | None:
        """The username of a live session, None when unknown or expired."""
        if not session_id or len(session_id) > MAX_ID_LENGTH:
            return None
        await self.prepare()
        table = gateway_sessions
        query = select(table.c.username).where(table.c.token_hash == digest(session_id), table.c.expires > utcnow())
        async with _driver_failures(), self.engine.connect() as conn:
            username = (await conn.execute(query)).scalar_one_or_none()
        return None if username is None else str(username)

    async def delete(self, session_id: str) -> None:
        """End one session (nothing when unknown)."""
        if not session_id or len(session_id) > MAX_ID_LENGTH:
            return
        await self.prepare()
        async with _driver_failures(), write_transaction(self.engine) as conn:
            await conn.execute(delete(gateway_sessions).where(gateway_sessions.c.token_hash == digest(session_id)))

    async def delete_for(self, usernames: Collection[str]) -> None:
        """End every session of each of ``usernames``."""
        names = sorted(set(usernames))
        if not names:
            return
        await self.prepare()
        async with _driver_failures(), write_transaction(self.engine) as conn:
            for start in range(0, len(names), _DELETE_BATCH):
                batch = names[start : start + _DELETE_BATCH]
                await conn.execute(delete(gateway_sessions).where(gateway_sessions.c.username.in_(batch)))
