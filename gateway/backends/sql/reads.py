"""A read of a SQL port: one query function run on one of its reading connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql.port import SqlPort

P = ParamSpec("P")
T = TypeVar("T")


async def read(
    port: SqlPort, query: Callable[Concatenate[AsyncConnection, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
) -> T:
    """What ``query`` answers on a reading connection of ``port``."""
    async with port.reading() as conn:
        return await query(conn, *args, **kwargs)
