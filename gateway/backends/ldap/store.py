"""What every LDAP port shares: the directory tree, its undoable writes, and iRedAdmin's database.

Every call runs its LDAP operations in one worker thread of the pool. A
write that touches several entries records the inverse of each change and,
when any later step fails, puts the directory back as it found it. LDAP
cannot lock a domain, so limits are checked with fresh figures before the
write and again after it, undoing the write when a concurrent one got in
first. Creates of accounts in one domain wait for each other within a
gateway, so that check only has to settle races between gateways.

Not kept in LDAP: Dovecot's used quota and the list of deleted mailboxes,
both in iRedAdmin's SQL database, reached through the ``iredadmin`` store
when one is given; without it used quota reads as 0 and deleted mailboxes
are not recorded. A re-created address does not reuse a maildir still
waiting there for removal.

Every write that adds or removes accounts or changes quotas also brings
the panel's ``domainCurrent*`` counters up to date; the gateway's own
counts are taken from the entries themselves.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

from gateway.backends.base import DeletedMailbox, IredadminStore
from gateway.backends.ldap.connection import Directory, LdapPool
from gateway.backends.ldap.dn import Tree
from gateway.backends.ldap.journal import Journal
from gateway.errors import GatewayError

T = TypeVar("T")

log = logging.getLogger(__name__)

Read = Callable[[Directory, Tree], T]
Write = Callable[[Directory, Tree, Journal], T]


class DirectoryStore:
    """Reads and undoable writes on the tree below ``suffix``, shared by the LDAP ports of one directory."""

    def __init__(self, pool: LdapPool, suffix: str, *, iredadmin: IredadminStore | None = None) -> None:
        self.pool = pool
        self.tree = Tree(suffix)
        self.iredadmin = iredadmin
        # one lock per domain: accounts created in a domain take turns within this process
        self.creating: defaultdict[str, anyio.Lock] = defaultdict(anyio.Lock)

    async def read(self, operation: Read[T]) -> T:
        tree = self.tree
        return await self.pool.run(lambda directory: operation(directory, tree))

    async def write(self, operation: Write[T], then: Callable[[T], Awaitable[None]] | None = None) -> T:
        """Run ``operation``, then ``then`` with its result; on any failure undo what was written."""
        journal, tree = Journal(), self.tree
        try:
            result = await self.pool.run(lambda directory: operation(directory, tree, journal))
            if then is not None:
                await then(result)
            return result
        except BaseException:
            if journal:
                with anyio.CancelScope(shield=True):
                    try:
                        await self.pool.run(journal.rollback, undo=True)
                    except GatewayError:
                        log.exception("could not undo a failed LDAP write")
            raise

    async def recorded(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        """Queue the maildirs of removed mailboxes in iRedAdmin's database, when there is one."""
        if self.iredadmin is not None and mailboxes:
            await self.iredadmin.record(mailboxes)


class DirectoryPort:
    """A port over a ``DirectoryStore``."""

    def __init__(self, store: DirectoryStore) -> None:
        self.store = store
