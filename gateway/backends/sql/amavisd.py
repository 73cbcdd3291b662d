"""Spam policies and white/blacklists in Amavisd's ``amavisd`` database (both backends).

One ``users`` row per account (``@.``, ``@domain``, an address) serves its
policy (``policy_id``; 0 = none) and its lists (``wblist.rid``,
``outbound_wblist.sid``). Our policy rows are named after the account.
``mailaddr`` rows are never deleted: iRedAdmin's cleanup cron removes the
unreferenced ones.

Creating or deleting an account clears its rows in an ``amavisd``
transaction held open around the account's own write (:meth:`clearing`),
as the throttles are cleared in ``iredapd``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import CursorResult, Table, Text, cast, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.amavisd_tables import Address
from gateway.backends.sql.engine import retried
from gateway.backends.sql.port import SqlPort
from gateway.mailpolicy import COLUMNS, WB, Colour, Direction, WbLists

log = logging.getLogger(__name__)

users = t.amavisd_users
policy = t.amavisd_policy


def _table(direction: Direction) -> tuple[Table, str, str]:
    """The list table of ``direction``, its account column and its entry column."""
    if direction is Direction.INBOUND:
        return t.wblist, "rid", "sid"
    return t.outbound_wblist, "sid", "rid"


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class SqlAmavisd(SqlPort):
    """Reads and writes ``users``, ``policy``, ``mailaddr``, ``wblist`` and ``outbound_wblist``."""

    # --- spam policy ----------------------------------------------------------------

    async def policies(self, accounts: Collection[str]) -> dict[str, dict[str, Any]]:
        """The policy columns linked to each of ``accounts`` that has a policy."""
        if not accounts:
            return {}
        columns = [policy.c[name] for name in COLUMNS]
        async with self.reading() as conn:
            rows = await conn.execute(
                select(users.c.email, *columns)
                .join(policy, users.c.policy_id == policy.c.id)
                .where(users.c.email.in_(sorted(accounts)))
            )
            return {row.email: {name: row._mapping[name] for name in COLUMNS} for row in rows}

    @retried
    async def put_policy(self, account: str, priority: int, columns: Mapping[str, Any]) -> None:
        """Write ``columns`` into the account's own policy row, creating it and the users row as needed."""
        async with self.writing() as conn:
            found = (
                await conn.execute(select(policy.c.id).where(policy.c.policy_name == account).with_for_update())
            ).first()
            if found is None:
                result = await conn.execute(insert(policy).values(policy_name=account, **columns))
                policy_id = _new_id(result)
            else:
                policy_id = int(found.id)
                if columns:
                    await conn.execute(update(policy).where(policy.c.id == policy_id).values(**columns))
            user_id = await self._user_id(conn, account)
            if user_id is None:
                await conn.execute(insert(users).values(email=account, priority=priority, policy_id=policy_id))
            else:
                await conn.execute(update(users).where(users.c.id == user_id).values(policy_id=policy_id))

    @retried
    async def delete_policy(self, account: str) -> bool:
        """Remove the account's policy; its users row stays only while lists refer to it."""
        async with self.writing() as conn:
            removed = (await conn.execute(delete(policy).where(policy.c.policy_name == account))).rowcount
            user_id = await self._user_id(conn, account)
            if user_id is None:
                return bool(removed)
            linked = (await conn.execute(select(users.c.policy_id).where(users.c.id == user_id))).scalar_one()
            if await self._listed(conn, user_id):
                await conn.execute(update(users).where(users.c.id == user_id).values(policy_id=0))
            else:
                await conn.execute(delete(users).where(users.c.id == user_id))
            return bool(removed) or int(linked) != 0

    # --- white/blacklists -----------------------------------------------------------

    async def lists(self, accounts: Collection[str]) -> dict[str, WbLists]:
        """The white/blacklists of each of ``accounts`` that has any."""
        if not accounts:
            return {}
        found: dict[str, dict[str, list[str]]] = {}
        async with self.reading() as conn:
            for direction in Direction:
                table, own, other = _table(direction)
                rows = await conn.execute(
                    select(users.c.email, t.mailaddr.c.email.label("entry"), table.c.wb)
                    .join(table, table.c[own] == users.c.id)
                    .join(t.mailaddr, t.mailaddr.c.id == table.c[other])
                    .where(users.c.email.in_(sorted(accounts)))
                )
                for row in rows:
                    colour = {"W": Colour.WHITELIST, "B": Colour.BLACKLIST}.get(str(row.wb).strip().upper())
                    if colour is not None:
                        found.setdefault(row.email, {}).setdefault(f"{direction}_{colour}", []).append(row.entry)
        return {
            account: WbLists(**{key: tuple(sorted(entries)) for key, entries in lists.items()})
            for account, lists in found.items()
        }

    @retried
    async def add_entries(
        self, account: str, priority: int, direction: Direction, colour: Colour, entries: Mapping[str, int]
    ) -> None:
        """List ``entries`` (address -> mailaddr priority) in one colour, taking them out of the other."""
        table, own, other = _table(direction)
        async with self.writing() as conn:
            user_id = await self._user_id(conn, account)
            if user_id is None:
                result = await conn.execute(insert(users).values(email=account, priority=priority, policy_id=0))
                user_id = _new_id(result)
            ids = await self._mailaddr_ids(conn, entries)
            await conn.execute(delete(table).where(table.c[own] == user_id, table.c[other].in_(list(ids.values()))))
            await conn.execute(
                insert(table), [{own: user_id, other: entry_id, "wb": WB[colour]} for entry_id in ids.values()]
            )

    @retried
    async def remove_entries(
        self, account: str, direction: Direction, colour: Colour, entries: Collection[str] | None
    ) -> int:
        """Take ``entries`` (None: every entry) off one list; returns how many were listed."""
        table, own, other = _table(direction)
        async with self.writing() as conn:
            user_id = await self._user_id(conn, account)
            if user_id is None:
                return 0
            condition = (table.c[own] == user_id) & (table.c.wb == WB[colour])
            if entries is not None:
                if not entries:
                    return 0
                ids = select(t.mailaddr.c.id).where(t.mailaddr.c.email.in_(sorted(entries))).scalar_subquery()
                condition = condition & table.c[other].in_(ids)
            return int((await conn.execute(delete(table).where(condition))).rowcount)

    # --- accounts created and deleted -----------------------------------------------------

    def clearing(self, account: str) -> AbstractAsyncContextManager[int]:
        """Remove the account's policy, users row and lists; commit when the block succeeds."""
        return self._clearing(lambda email: email == account, account, account)

    def clearing_accounts(self, accounts: Collection[str]) -> AbstractAsyncContextManager[int]:
        """The same for several addresses at once (accounts created together)."""
        wanted = set(accounts)
        domains = {account.rpartition("@")[2] for account in wanted}
        pattern = f"%@{domains.pop()}" if len(domains) == 1 else "%"
        return self._clearing(lambda email: email in wanted, pattern, ", ".join(sorted(wanted)[:3]))

    def clearing_domain(self, domain: str) -> AbstractAsyncContextManager[int]:
        """The same for ``@domain`` and every address in the domain."""
        suffix = f"@{domain}"
        return self._clearing(lambda email: email.endswith(suffix), f"%{suffix}", suffix)

    @asynccontextmanager
    async def renaming(self, account: str, new_account: str) -> AsyncIterator[int]:
        """Give the policy, users row and lists of ``account`` to ``new_account``, whose own go; commit
        when the block succeeds."""
        body_done = False
        try:
            async with self.writing() as conn:
                await self._remove_accounts(conn, lambda email: email == new_account, new_account)
                moved = await conn.execute(update(users).where(users.c.email == account).values(email=new_account))
                named = await conn.execute(
                    update(policy).where(policy.c.policy_name == account).values(policy_name=new_account)
                )
                yield int(moved.rowcount or 0) + int(named.rowcount or 0)
                body_done = True
        except Exception as exc:
            if not body_done:
                raise
            log.error(
                "amavisd: moving the policy rows of %s to %s may not have committed: %s",
                account, new_account, type(exc).__name__,
            )  # fmt: skip

    @asynccontextmanager
    async def _clearing(self, matches: Any, pattern: str, label: str) -> AsyncIterator[int]:
        body_done = False
        try:
            async with self.writing() as conn:
                removed = await self._remove_accounts(conn, matches, pattern)
                yield removed
                body_done = True
        except Exception as exc:
            if not body_done:
                raise
            # the account's write happened; its leftover policy rows only cost a cleanup
            log.error("amavisd: removing the policy rows of %s may not have committed: %s", label, type(exc).__name__)

    async def _remove_accounts(self, conn: AsyncConnection, matches: Any, pattern: str) -> int:
        # LIKE narrows the rows ('_' in a domain matches any character); ``matches`` decides
        if conn.dialect.name == "sqlite":  # SQLite's LIKE never matches a BLOB
            like = cast(users.c.email, Text).like(pattern)
        else:
            like = users.c.email.op("LIKE")(literal(pattern, Address()))
        candidates = await conn.execute(select(users.c.id, users.c.email).where(like).with_for_update())
        user_ids = [int(row.id) for row in candidates if matches(row.email)]
        named = await conn.execute(
            select(policy.c.id, policy.c.policy_name).where(policy.c.policy_name.like(pattern)).with_for_update()
        )
        policy_ids = [int(row.id) for row in named if matches(row.policy_name)]
        if user_ids:
            await conn.execute(delete(t.wblist).where(t.wblist.c.rid.in_(user_ids)))
            await conn.execute(delete(t.outbound_wblist).where(t.outbound_wblist.c.sid.in_(user_ids)))
            await conn.execute(delete(users).where(users.c.id.in_(user_ids)))
        if policy_ids:
            await conn.execute(delete(policy).where(policy.c.id.in_(policy_ids)))
        return len(user_ids) + len(policy_ids)

    # --- shared -------------------------------------------------------------------------

    @staticmethod
    async def _user_id(conn: AsyncConnection, account: str) -> int | None:
        found = (await conn.execute(select(users.c.id).where(users.c.email == account).with_for_update())).first()
        return None if found is None else int(found.id)

    @staticmethod
    async def _listed(conn: AsyncConnection, user_id: int) -> bool:
        for table, column in ((t.wblist, "rid"), (t.outbound_wblist, "sid")):
            if (await conn.execute(select(table.c[column]).where(table.c[column] == user_id).limit(1))).first():
                return True
        return False

    @staticmethod
    async def _mailaddr_ids(conn: AsyncConnection, entries: Mapping[str, int]) -> dict[str, int]:
        """The mailaddr id of each entry, inserting the missing ones."""
        wanted = sorted(entries)
        query = select(t.mailaddr.c.id, t.mailaddr.c.email).where(t.mailaddr.c.email.in_(wanted))
        ids = {row.email: int(row.id) for row in await conn.execute(query)}
        missing = [entry for entry in wanted if entry not in ids]
        if missing:
            await conn.execute(insert(t.mailaddr), [{"email": entry, "priority": entries[entry]} for entry in missing])
            ids = {row.email: int(row.id) for row in await conn.execute(query)}
        return ids

