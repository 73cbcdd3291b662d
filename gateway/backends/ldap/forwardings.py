"""A user's own forwardings: ``mailForwardingAddress`` on its entry; none means mail stays in the mailbox."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from gateway.backends.ldap.connection import Directory
from gateway.backends.ldap.dn import Tree
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.store import DirectoryPort
from gateway.backends.ldap.users import fetch_user_entry, user_entries
from gateway.errors import ErrorCode, NotFound


def set_forwardings(directory: Directory, tree: Tree, journal: Journal, email: str, targets: Sequence[str]) -> None:
    entry = fetch_user_entry(directory, tree, email)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    # the user's address alone is the same as no value: the mailbox keeps the mail
    values = [] if list(targets) in ([], [email]) else list(targets)
    journal.replace(directory, entry, {"mailForwardingAddress": values})


def password_hashes(directory: Directory, tree: Tree, domain: str) -> dict[str, str]:
    return {
        entry.first("mail").lower(): entry.first("userPassword")
        for entry in user_entries(directory, tree, domain)
        if entry.first("userPassword")
    }


class LdapForwardings(DirectoryPort):
    """The ``ForwardingStore`` over the directory."""

    async def set_forwardings(self, email: str, targets: Sequence[str]) -> None:
        await self.store.write(partial(set_forwardings, email=email, targets=list(targets)))


class LdapPasswordHashes(DirectoryPort):
    """The ``PasswordHashStore`` over the users' ``userPassword``."""

    async def password_hashes(self, domain: str) -> dict[str, str]:
        return await self.store.read(partial(password_hashes, domain=domain))
