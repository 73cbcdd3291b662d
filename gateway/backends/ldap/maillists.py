"""Mailing lists: ``mailList`` entries in ``ou=Groups``.

A list's members are the entries carrying ``memberOfGroup: <list>``: users,
aliases and lists of the directory, and for any other address a
``mailExternalUser`` entry in the list domain's ``ou=Externals``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial

from gateway.backends.base import AdminBound, AliasUpdate, DomainCheck
from gateway.backends.ldap.admin_limits import bounded, taking_turns
from gateway.backends.ldap.aliases import add_within_limits
from gateway.backends.ldap.connection import Directory
from gateway.backends.ldap.dn import EXTERNALS, Tree, all_of, any_of, eq, object_class
from gateway.backends.ldap.domains import ENTRY_ATTRIBUTES, counted
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import (
    alias_changes,
    alias_from_entry,
    domain_part,
    external_attributes,
    list_attributes,
)
from gateway.backends.ldap.store import DirectoryPort
from gateway.errors import ErrorCode, NotFound
from gateway.model import Alias

MEMBERSHIP = "memberOfGroup"
INTERNAL = any_of(object_class("mailUser"), object_class("mailAlias"), object_class("mailList"))


def member_entries(directory: Directory, tree: Tree, address: str) -> list[Entry]:
    return directory.search(tree.domains, eq(MEMBERSHIP, address), attributes=["*"])


def members_of(directory: Directory, tree: Tree, address: str) -> list[str]:
    return [entry.first("mail").lower() for entry in member_entries(directory, tree, address) if entry.first("mail")]


def fetch_list_entry(directory: Directory, tree: Tree, address: str) -> Entry | None:
    entry = directory.get(tree.list_dn(address), ENTRY_ATTRIBUTES)
    return entry if entry is not None and "maillist" in entry.classes() else None


def fetch_list(directory: Directory, tree: Tree, address: str) -> Alias | None:
    entry = fetch_list_entry(directory, tree, address)
    return None if entry is None else alias_from_entry(entry, members_of(directory, tree, address))


def create_list(directory: Directory, tree: Tree, journal: Journal, maillist: Alias, check: DomainCheck) -> None:
    dn = tree.list_dn(maillist.address)
    domain = add_within_limits(
        directory, tree, journal, check, maillist, dn, list_attributes, lambda n: replace(n, lists=n.lists - 1)
    )
    add_members(directory, tree, journal, maillist.address, maillist.members, domain.active)


def update_list(directory: Directory, tree: Tree, journal: Journal, address: str, apply: AliasUpdate) -> None:
    entry = fetch_list_entry(directory, tree, address)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    current = alias_from_entry(entry, members_of(directory, tree, address))
    updated = apply(current)
    journal.replace(directory, entry, alias_changes(current, updated, with_members=False))
    old, new = set(current.members), {member.lower() for member in updated.members}
    for member in sorted(old - new):
        remove_member(directory, tree, journal, address, member)
    domain_active = not entry.has("domainStatus", "disabled")
    add_members(directory, tree, journal, address, sorted(new - old), domain_active)


def delete_list(directory: Directory, tree: Tree, journal: Journal, address: str) -> None:
    """Remove the list from its members' entries, then the list entry."""
    entry = fetch_list_entry(directory, tree, address)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    for member in member_entries(directory, tree, address):
        _leave(directory, journal, member, address)
    journal.delete_tree(directory, directory.search(entry.dn, "(objectClass=*)", attributes=["*"]))


def add_members(
    directory: Directory, tree: Tree, journal: Journal, address: str, members: Iterable[str], domain_active: bool
) -> None:
    for member in members:
        add_member(directory, tree, journal, address, member, domain_active)


def add_member(
    directory: Directory, tree: Tree, journal: Journal, address: str, member: str, domain_active: bool
) -> None:
    """``memberOfGroup: <list>`` on the member's own entry, or on an external entry made for it."""
    internal = directory.search(tree.domains, all_of(eq("mail", member), INTERNAL), attributes=[MEMBERSHIP])
    if internal:
        for entry in internal:
            if not entry.has(MEMBERSHIP, address):
                journal.add_values(directory, entry.dn, MEMBERSHIP, [address])
        return
    dn = tree.external_dn(address, member)
    external = directory.get(dn, [MEMBERSHIP])
    if external is not None:
        if not external.has(MEMBERSHIP, address):
            journal.add_values(directory, dn, MEMBERSHIP, [address])
        return
    container = tree.container_dn(address.rsplit("@", 1)[1], EXTERNALS)
    if directory.get(container, ["1.1"]) is None:
        journal.add(directory, container, {"objectClass": ["organizationalUnit"], "ou": [EXTERNALS]})
    journal.add(directory, dn, external_attributes(member, address, domain_active))


def remove_member(directory: Directory, tree: Tree, journal: Journal, address: str, member: str) -> None:
    wanted = all_of(eq(MEMBERSHIP, address), eq("mail", member))
    for entry in directory.search(tree.domains, wanted, attributes=["*"]):
        _leave(directory, journal, entry, address)


def _leave(directory: Directory, journal: Journal, entry: Entry, address: str) -> None:
    """Drop one membership; an external entry left in no list goes."""
    stored = entry.matching(MEMBERSHIP, address)
    if "mailexternaluser" in entry.classes() and len(stored) == len(entry.values(MEMBERSHIP)):
        journal.delete(directory, entry)
    else:
        journal.delete_values(directory, entry.dn, MEMBERSHIP, stored)


class LdapMaillists(DirectoryPort):
    """The ``MaillistStore``: ``mailList`` entries whose members carry ``memberOfGroup``."""

    async def get_maillist(self, address: str) -> Alias | None:
        return await self.store.read(partial(fetch_list, address=address))

    async def create_maillist(self, maillist: Alias, check: DomainCheck, bound: AdminBound | None = None) -> None:
        async with self.store.creating[maillist.domain], taking_turns(self.store, bound):
            create = partial(create_list, maillist=maillist, check=check)
            await self.store.write(bounded(counted(create, maillist.domain), bound))

    async def update_maillist(self, address: str, apply: AliasUpdate) -> None:
        await self.store.write(partial(update_list, address=address, apply=apply))

    async def delete_maillist(self, address: str) -> None:
        await self.store.write(counted(partial(delete_list, address=address), domain_part(address)))
