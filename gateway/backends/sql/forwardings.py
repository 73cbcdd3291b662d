"""A user's own forwardings in ``vmail``: ``forwardings`` rows with ``is_forwarding=1``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import retried
from gateway.backends.sql.port import SqlPort
from gateway.errors import ErrorCode, NotFound


class SqlForwardings(SqlPort):
    """The ``ForwardingStore`` over ``vmail``: one row per target, the self row keeping a local copy."""

    @retried
    async def set_forwardings(self, email: str, targets: Sequence[str]) -> None:
        async with self.writing() as conn:
            mailbox = t.mailbox
            found = (
                await conn.execute(select(mailbox.c.domain, mailbox.c.active).where(mailbox.c.username == email))
            ).first()
            if found is None:
                raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
            f = t.forwardings
            await conn.execute(delete(f).where(f.c.address == email, f.c.is_forwarding == 1))
            rows = [
                {
                    "address": email,
                    "forwarding": target,
                    "domain": found.domain,
                    "dest_domain": target.rsplit("@", 1)[1],
                    "is_forwarding": 1,
                    "active": found.active,  # a disabled user's forwardings stay off, as the panel keeps them
                }
                for target in (targets or (email,))
            ]
            await conn.execute(insert(f), rows)
