"""iRedAPD throttle settings in the ``iredapd`` database.

Creating or deleting an account clears the iRedAPD rows of its address
(throttles, greylisting settings and whitelists) in one ``iredapd``
transaction wrapped around the account's own write (see
:meth:`SqlThrottles.clearing`): iredapd is locked and cleared first, so an
unreachable iredapd refuses before the account store is touched, and
iredapd commits only after the account write succeeded. One transaction for
all of them, because a second one would wait for the first's write lock on
SQLite.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, delete, insert, literal_column, or_, select, text, union_all, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import is_retryable, retried, unavailability_translated, write_transaction
from gateway.backends.sql.port import SqlPort
from gateway.errors import Conflict, ErrorCode
from gateway.model import Throttle

log = logging.getLogger(__name__)

LIMIT_COLUMNS = ("period", "msg_size", "max_msgs", "max_quota", "max_rcpts")
# iRedAPD's tables whose rows name an account (``account`` column) and go with it
ACCOUNT_TABLES: tuple[Table, ...] = (t.throttle, t.greylisting, t.greylisting_whitelists)
RowKey = tuple[str, int]  # (table name, id)
AccountMatch = Callable[[Any], ColumnElement[bool]]
# PostgreSQL: writers of one throttle take turns (one statement object, compiled once)
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def throttle_from_row(row: Row[Any]) -> Throttle:
    return Throttle(
        account=row.account,
        kind=row.kind,
        priority=int(row.priority),
        period=int(row.period),
        msg_size=int(row.msg_size),
        max_msgs=int(row.max_msgs),
        max_quota=int(row.max_quota),
        max_rcpts=int(row.max_rcpts),
    )


class SqlThrottles(SqlPort):
    """Reads and writes ``throttle`` rows; removes their ``throttle_tracking`` rows with them."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        # (table, id) -> account: removals whose commit was not confirmed, redone by the next write
        self.unconfirmed: dict[RowKey, str] = {}

    async def get(self, account: str, kind: str) -> Throttle | None:
        async with self.reading() as conn:
            row = (
                await conn.execute(
                    select(t.throttle)
                    .where(t.throttle.c.account == account, t.throttle.c.kind == kind)
                    .order_by(t.throttle.c.id)
                )
            ).first()
        return throttle_from_row(row) if row else None

    async def list(self, accounts: list[str]) -> list[Throttle]:
        async with self.reading() as conn:
            rows = await conn.execute(
                select(t.throttle)
                .where(t.throttle.c.account.in_(accounts))
                .order_by(t.throttle.c.account, t.throttle.c.kind)
            )
            return [throttle_from_row(row) for row in rows]

    @retried
    async def put(self, throttle: Throttle) -> None:
        """Create or replace the one row of ``(account, kind)``."""
        values = {
            "account": throttle.account,
            "kind": throttle.kind,
            "priority": throttle.priority,
            **{column: getattr(throttle, column) for column in LIMIT_COLUMNS},
        }
        async with self._writing() as conn:
            if conn.dialect.name == "mysql":
                statement = mysql_insert(t.throttle).values(**values)
                changed = {k: statement.inserted[k] for k in ("priority", *LIMIT_COLUMNS)}
                await conn.execute(statement.on_duplicate_key_update(**changed))
                return
            if conn.dialect.name == "postgresql":
                # iRedAPD's PostgreSQL table has no unique key: serialize writers of one account/kind.
                await conn.execute(_ADVISORY_LOCK, {"key": f"iredapd.throttle:{throttle.account}:{throttle.kind}"})
            await self._replace(conn, values)

    @staticmethod
    async def _replace(conn: AsyncConnection, values: dict[str, Any]) -> None:
        match = (t.throttle.c.account == values["account"], t.throttle.c.kind == values["kind"])
        ids = (await conn.execute(select(t.throttle.c.id).where(*match).order_by(t.throttle.c.id))).scalars().all()
        if not ids:
            await conn.execute(insert(t.throttle).values(**values))
            return
        await conn.execute(update(t.throttle).where(t.throttle.c.id == ids[0]).values(**values))
        if len(ids) > 1:  # duplicates left by other tools: keep one row
            await SqlThrottles._purge(conn, t.throttle, ids[1:])

    @retried
    async def delete(self, account: str, kind: str | None = None) -> int:
        """Remove the rows of ``account`` (of one ``kind`` or all) and their tracking rows."""
        condition = t.throttle.c.account == account
        if kind is not None:
            condition = condition & (t.throttle.c.kind == kind)
        async with self._writing() as conn:
            ids = (await conn.execute(select(t.throttle.c.id).where(condition))).scalars().all()
            await self._purge(conn, t.throttle, ids)
            return len(ids)

    def clearing(self, account: str) -> AbstractAsyncContextManager[int]:
        """Remove the iRedAPD rows of ``account``; commit when the block (the account's write) succeeds."""
        return self._clearing(lambda column: column == account, account)

    def clearing_accounts(self, accounts: Collection[str]) -> AbstractAsyncContextManager[int]:
        """The same for several addresses at once (accounts created together)."""
        return self._clearing(lambda column: column.in_(list(accounts)), ", ".join(sorted(accounts)[:3]))

    def clearing_domain(self, domain: str) -> AbstractAsyncContextManager[int]:
        """The same for the domain's own rows and those of every address in it."""
        return self._clearing(
            lambda column: or_(column == f"@{domain}", column.endswith(f"@{domain}", autoescape=True)), f"@{domain}"
        )

    @asynccontextmanager
    async def renaming(self, account: str, new_account: str) -> AsyncIterator[int]:
        """Give the iRedAPD rows of ``account`` to ``new_account``, whose own rows (left by an earlier
        account) go; commit when the block (the account's rename) succeeds, roll back when it raises."""
        body_done = False
        try:
            async with self._writing() as conn:
                await self._remove_matching(conn, lambda column: column == new_account)
                moved = 0
                for table in (*ACCOUNT_TABLES, t.throttle_tracking):
                    result = await conn.execute(
                        update(table).where(table.c.account == account).values(account=new_account)
                    )
                    moved += int(result.rowcount or 0)
                yield moved
                body_done = True
        except Exception as exc:
            if not body_done:
                if is_retryable(exc):
                    raise Conflict(ErrorCode.CONCURRENT_CHANGE, f"moving the iRedAPD rows of {account}") from exc
                raise
            log.error(
                "iredapd: moving the rows of %s to %s may not have committed: %s",
                account, new_account, exc.__class__.__name__,
            )  # fmt: skip

    @asynccontextmanager
    async def _clearing(self, match: AccountMatch, label: str) -> AsyncIterator[int]:
        """Remove the rows whose account ``match``es in a transaction held open around the block.

        The block failing rolls the removal back. The block succeeding while
        the commit fails leaves the caller's write in place: the removal is
        then remembered, retried at once and redone by every later write
        until one commits, and logged, rather than reported as a failure of
        a write that did happen.
        """
        body_done = False
        removed: dict[RowKey, str] = {}
        try:
            async with self._writing() as conn:
                removed = await self._remove_matching(conn, match)
                yield len(removed)
                body_done = True
        except Exception as exc:
            if not body_done:
                if is_retryable(exc):  # the removal lost a deadlock; the block has not run
                    raise Conflict(ErrorCode.CONCURRENT_CHANGE, f"removing the iRedAPD rows of {label}") from exc
                raise
            self.unconfirmed.update(removed)
            log.error(
                "iredapd: removing the rows of %s (%s) may not have committed: %s; retrying",
                label, sorted(removed), exc.__class__.__name__,
            )  # fmt: skip
            await self._retry_unconfirmed()

    async def _retry_unconfirmed(self) -> None:
        try:
            async with self._writing():
                pass
        except Exception as exc:  # the retry is best effort; the next write retries again
            log.error(
                "iredapd: rows %s still to be removed: %s", sorted(self.unconfirmed), exc.__class__.__name__
            )

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction that first redoes the unconfirmed removals, forgotten once it commits."""
        redone = dict(self.unconfirmed)
        async with unavailability_translated(self.engine), write_transaction(self.engine) as conn:
            for table in ACCOUNT_TABLES if redone else ():
                ids = [row_id for name, row_id in redone if name == table.name]
                if not ids:
                    continue
                current = await conn.execute(select(table.c.id, table.c.account).where(table.c.id.in_(ids)))
                # an id now naming another account's row is not ours to remove
                ours = [row.id for row in current if row.account == redone[(table.name, row.id)]]
                await self._purge(conn, table, ours)
            yield conn
        for key in redone:
            self.unconfirmed.pop(key, None)

    async def _remove_matching(self, conn: AsyncConnection, match: AccountMatch) -> dict[RowKey, str]:
        """Find the matching rows of every table in one statement, then delete those found."""
        found = union_all(
            *(
                select(literal_column(f"'{table.name}'").label("name"), table.c.id, table.c.account).where(
                    match(table.c.account)
                )
                for table in ACCOUNT_TABLES
            )
        )
        removed = {(str(row.name), int(row.id)): str(row.account) for row in await conn.execute(found)}
        for table in ACCOUNT_TABLES:
            await self._purge(conn, table, [row_id for name, row_id in removed if name == table.name])
        return removed

    @staticmethod
    async def _purge(conn: AsyncConnection, table: Table, ids: Collection[int]) -> None:
        """Delete the rows of ``ids`` from ``table`` (throttles with their tracking rows)."""
        if not ids:
            return
        if table is t.throttle:
            await conn.execute(delete(t.throttle_tracking).where(t.throttle_tracking.c.tid.in_(list(ids))))
        await conn.execute(delete(table).where(table.c.id.in_(list(ids))))
