"""iRedAdmin's own SQL database, which holds what an LDAP server keeps outside the directory.

With the LDAP backend iRedMail records deleted mailboxes there
(``deleted_mailboxes``, read by a cron job that removes the maildirs once
``delete_date`` has passed) and Dovecot counts used quota there
(``used_quota``); both tables have the same columns as in ``vmail``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, insert, select

from gateway.backends.base import DeletedMailbox
from gateway.backends.sql import listing, renames
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import unavailability_translated, write_transaction
from gateway.backends.sql.port import SqlPort
from gateway.clock import utcnow
from gateway.model import UsedQuota


class IredadminDatabase(SqlPort):
    """``deleted_mailboxes`` and ``used_quota`` in the ``iredadmin`` database (an ``IredadminStore``)."""

    async def record(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        """Queue the maildirs of removed mailboxes for deletion with their last used quota; forget that quota."""
        if not mailboxes:
            return
        now = utcnow()
        async with unavailability_translated(self.engine), write_transaction(self.engine) as conn:
            used = await listing.used_quota(conn, [mailbox.username for mailbox in mailboxes])
            rows = []
            for mailbox in mailboxes:
                usage = used.get(mailbox.username, UsedQuota(bytes=0, messages=0))
                rows.append(
                    {
                        "timestamp": now,
                        "username": mailbox.username,
                        "domain": mailbox.domain,
                        "maildir": mailbox.maildir,
                        "bytes": usage.bytes,
                        "messages": usage.messages,
                        "admin": mailbox.admin,
                        "delete_date": mailbox.delete_date,
                    }
                )
            await conn.execute(insert(t.deleted_mailboxes), rows)
            await conn.execute(
                delete(t.used_quota).where(t.used_quota.c.username.in_([mailbox.username for mailbox in mailboxes]))
            )

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        """What Dovecot counted for each of ``emails`` that it has a row for."""
        if not emails:
            return {}
        async with self.reading() as conn:
            return await listing.used_quota(conn, emails)

    async def used_by_domain(self, domains: Collection[str] | None) -> dict[str, UsedQuota]:
        """What Dovecot counted, summed per domain (every domain when None)."""
        q = t.used_quota
        query = select(q.c.domain, func.sum(q.c.bytes), func.sum(q.c.messages)).group_by(q.c.domain)
        if domains is not None:
            if not domains:
                return {}
            query = query.where(q.c.domain.in_(list(domains)))
        async with self.reading() as conn:
            rows = await conn.execute(query)
            return {domain: UsedQuota(bytes=int(used or 0), messages=int(count or 0)) for domain, used, count in rows}

    async def deleted_maildirs(self, username: str) -> list[str]:
        """The maildirs of ``username``'s deleted mailboxes still listed for removal."""
        query = select(t.deleted_mailboxes.c.maildir).where(t.deleted_mailboxes.c.username == username)
        async with self.reading() as conn:
            return [str(path) for path in (await conn.execute(query)).scalars()]

    async def move_used_quota(self, username: str, new_username: str) -> None:
        """Dovecot's count of ``username`` becomes that of ``new_username`` (a renamed mailbox)."""
        async with unavailability_translated(self.engine), write_transaction(self.engine) as conn:
            await renames.move_used_quota(conn, username, new_username)
