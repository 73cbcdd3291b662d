"""iRedAPD greylisting settings and whitelists in the ``iredapd`` database.

Rows are written as iRedAPD's own tools write them: one ``sender='@.'`` row
per account holds its status; whitelists are ``(account, sender)`` pairs.
Removing an account's rows together with the account is
:meth:`SqlThrottles.clearing`'s work (one ``iredapd`` transaction).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import retried
from gateway.backends.sql.port import SqlPort
from gateway.model import GreylistingSetting, GreylistingWhitelist

ANY_SENDER = "@."
# rows iRedAPD's SPF job (tools/spf_to_greylist_whitelists.py) keeps; a replace leaves them alone
AUTO_UPDATE = "AUTO-UPDATE: "


class SqlGreylisting(SqlPort):
    """Reads and writes ``greylisting``, ``greylisting_whitelists`` and ``greylisting_whitelist_domains``."""

    async def settings(self, accounts: Collection[str] | None) -> list[GreylistingSetting]:
        g = t.greylisting
        query = select(g).order_by(g.c.account, g.c.priority.desc(), g.c.sender_priority.desc(), g.c.sender)
        if accounts is not None:
            query = query.where(g.c.account.in_(list(accounts)))
        async with self.reading() as conn:
            return [
                GreylistingSetting(
                    account=row.account, priority=int(row.priority), sender=row.sender,
                    sender_priority=int(row.sender_priority), active=bool(row.active), comment=row.comment,
                )  # fmt: skip
                for row in await conn.execute(query)
            ]

    @retried
    async def set_status(self, account: str, priority: int, active: bool) -> None:
        """Replace the account's ``@.`` row: greylist every sender (active) or none."""
        g = t.greylisting
        async with self.writing() as conn:
            await conn.execute(delete(g).where(g.c.account == account, g.c.sender == ANY_SENDER))
            await conn.execute(
                insert(g).values(
                    account=account, priority=priority, sender=ANY_SENDER, sender_priority=0, active=int(active)
                )
            )

    @retried
    async def clear_status(self, account: str) -> bool:
        """Remove the account's ``@.`` row, so that the next level decides; False when there was none."""
        g = t.greylisting
        async with self.writing() as conn:
            result = await conn.execute(delete(g).where(g.c.account == account, g.c.sender == ANY_SENDER))
            return bool(result.rowcount)

    async def whitelists(self, accounts: Collection[str] | None) -> list[GreylistingWhitelist]:
        return await self._whitelists(t.greylisting_whitelists, accounts)

    async def spf_whitelists(self) -> list[GreylistingWhitelist]:
        return await self._whitelists(t.greylisting_whitelist_domain_spf, None)

    async def _whitelists(self, table: Table, accounts: Collection[str] | None) -> list[GreylistingWhitelist]:
        query = select(table.c.account, table.c.sender, table.c.comment).order_by(table.c.account, table.c.sender)
        if accounts is not None:
            query = query.where(table.c.account.in_(list(accounts)))
        async with self.reading() as conn:
            return [
                GreylistingWhitelist(account=row.account, sender=row.sender, comment=row.comment)
                for row in await conn.execute(query)
            ]

    @retried
    async def update_whitelists(
        self, account: str, *, replace: Collection[str] | None, add: Collection[str], remove: Collection[str]
    ) -> None:
        w = t.greylisting_whitelists
        async with self.writing() as conn:
            if replace is not None:
                await conn.execute(
                    delete(w).where(
                        w.c.account == account,
                        w.c.sender.not_in(list(replace)),
                        w.c.comment.not_like(f"{AUTO_UPDATE}%"),
                    )
                )
            present = set(
                (await conn.execute(select(w.c.sender).where(w.c.account == account))).scalars()
            )
            wanted = [sender for sender in dict.fromkeys([*(replace or ()), *add]) if sender not in present]
            if wanted:
                await conn.execute(insert(w), [{"account": account, "sender": s, "comment": ""} for s in wanted])
            if remove:
                await conn.execute(delete(w).where(w.c.account == account, w.c.sender.in_(list(remove))))

    async def whitelist_domains(self) -> list[str]:
        d = t.greylisting_whitelist_domains
        async with self.reading() as conn:
            return list((await conn.execute(select(d.c.domain).order_by(d.c.domain))).scalars())

    @retried
    async def update_whitelist_domains(
        self, *, replace: Collection[str] | None, add: Collection[str], remove: Collection[str]
    ) -> None:
        """Change the SPF job's domain list; a domain that leaves it takes its whitelisted hosts along."""
        d = t.greylisting_whitelist_domains
        async with self.writing() as conn:
            present = set((await conn.execute(select(d.c.domain))).scalars())
            gone = set(remove)
            if replace is not None:
                gone |= present - set(replace)
            wanted = [name for name in dict.fromkeys([*(replace or ()), *add]) if name not in present | gone]
            if wanted:
                await conn.execute(insert(d), [{"domain": name} for name in wanted])
            if gone:
                await conn.execute(delete(d).where(d.c.domain.in_(sorted(gone))))
                await self._forget_hosts(conn, sorted(gone))

    @staticmethod
    async def _forget_hosts(conn: AsyncConnection, domains: list[str]) -> None:
        comments = [f"{AUTO_UPDATE}{name}" for name in domains]
        for table in (t.greylisting_whitelist_domain_spf, t.greylisting_whitelists):
            await conn.execute(delete(table).where(table.c.comment.in_(comments)))
