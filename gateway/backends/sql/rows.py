"""One row read by its key, optionally locked until the transaction ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Row, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def row_by_key(conn: AsyncConnection, key: Column[Any], value: object, *, lock: bool = False) -> Row[Any] | None:
    """The row of ``key``'s table whose ``key`` is ``value`` (``SELECT … FOR UPDATE`` with ``lock``)."""
    query = select(key.table).where(key == value)
    if lock:
        query = query.with_for_update()
    return (await conn.execute(query)).first()
