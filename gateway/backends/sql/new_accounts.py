"""The frame of adding a mail account in ``vmail``: the creating admin's bound, the domain row, a free address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.base import AdminBound
from gateway.backends.sql.admin_limits import check_admin, lock_admin
from gateway.backends.sql.domains import locked_domain_usage
from gateway.backends.sql.existence import address_taken
from gateway.errors import Conflict, ErrorCode
from gateway.model import Domain, DomainUsage


@asynccontextmanager
async def new_account(
    conn: AsyncConnection, bound: AdminBound | None, domain: str, address: str
) -> AsyncIterator[tuple[Domain, DomainUsage]]:
    """Hold the admin's ``bound`` and the ``domain`` row, refuse a taken ``address``, and give the domain with
    its usage for the limits check before the insert; after it, the admin's bound is checked again."""
    await lock_admin(conn, bound)
    held, usage = await locked_domain_usage(conn, domain)
    if await address_taken(conn, address):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    yield held, usage
    await check_admin(conn, bound)
