"""iRedAPD throttle settings in the ``iredapd`` database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, text, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import retried, write_transaction
from gateway.model import Throttle

LIMIT_COLUMNS = ("period", "msg_size", "max_msgs", "max_quota", "max_rcpts")


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


class SqlThrottles:
    """Reads and writes ``throttle`` rows; removes their ``throttle_tracking`` rows with them."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, account: str, kind: str) -> Throttle | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.throttle)
                    .where(t.throttle.c.account == account, t.throttle.c.kind == kind)
                    .order_by(t.throttle.c.id)
                )
            ).first()
        return throttle_from_row(row) if row else None

    async def list(self, accounts: list[str]) -> list[Throttle]:
        async with self.engine.connect() as conn:
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
        async with write_transaction(self.engine) as conn:
            if conn.dialect.name == "mysql":
                statement = mysql_insert(t.throttle).values(**values)
                changed = {k: statement.inserted[k] for k in ("priority", *LIMIT_COLUMNS)}
                await conn.execute(statement.on_duplicate_key_update(**changed))
                return
            if conn.dialect.name == "postgresql":
                # iRedAPD's PostgreSQL table has no unique key: serialize writers of one account/kind.
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"iredapd.throttle:{throttle.account}:{throttle.kind}"},
                )
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
            await conn.execute(delete(t.throttle_tracking).where(t.throttle_tracking.c.tid.in_(ids[1:])))
            await conn.execute(delete(t.throttle).where(t.throttle.c.id.in_(ids[1:])))

    async def delete(self, account: str, kind: str | None = None) -> int:
        """Remove the rows of ``account`` (of one ``kind`` or all) and their tracking rows."""
        condition = t.throttle.c.account == account
        if kind is not None:
            condition = condition & (t.throttle.c.kind == kind)
        return await self._delete_where(condition)

    async def delete_domain(self, domain: str) -> int:
        """Remove the domain's own rows and those of every address in it."""
        condition = or_(
            t.throttle.c.account == f"@{domain}",
            t.throttle.c.account.endswith(f"@{domain}", autoescape=True),
        )
        return await self._delete_where(condition)

    @retried
    async def _delete_where(self, condition: Any) -> int:
        async with write_transaction(self.engine) as conn:
            ids = select(t.throttle.c.id).where(condition).scalar_subquery()
            await conn.execute(delete(t.throttle_tracking).where(t.throttle_tracking.c.tid.in_(ids)))
            result = await conn.execute(delete(t.throttle).where(condition))
            return int(result.rowcount or 0)

