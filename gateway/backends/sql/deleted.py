"""``deleted_mailboxes`` in iRedAdmin's own database, where LDAP servers record them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.ldap.deleted import DeletedMailbox
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import write_transaction
from gateway.clock import utcnow


class SqlDeletedMailboxes:
    """Writes ``iredadmin.deleted_mailboxes`` rows, as iRedAdmin does for its LDAP backend."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        if not mailboxes:
            return
        now = utcnow()
        rows = [
            {
                "timestamp": now,
                "username": mailbox.username,
                "domain": mailbox.domain,
                "maildir": mailbox.maildir,
                "admin": mailbox.admin,
                "delete_date": mailbox.delete_date,
            }
            for mailbox in mailboxes
        ]
        async with write_transaction(self.engine) as conn:
            await conn.execute(insert(t.deleted_mailboxes), rows)
