"""Stored password hashes of a domain's users in ``vmail``."""

from __future__ import annotations

from sqlalchemy import select

from gateway.backends.sql import tables as t
from gateway.backends.sql.port import SqlPort


class SqlPasswordHashes(SqlPort):
    """The ``PasswordHashStore`` over ``vmail``'s ``mailbox.password``."""

    async def password_hashes(self, domain: str) -> dict[str, str]:
        m = t.mailbox
        async with self.reading() as conn:
            rows = await conn.execute(select(m.c.username, m.c.password).where(m.c.domain == domain))
            return {str(row.username): str(row.password) for row in rows}
