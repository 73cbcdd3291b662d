"""Mail aliases: ``mailAlias`` entries in ``ou=Aliases``; members are ``mailForwardingAddress`` values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial

from gateway.backends.base import AdminBound, AliasUpdate, DomainCheck
from gateway.backends.ldap.admin_limits import bounded, taking_turns
from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import ALIASES, Tree, active_filter, all_of, object_class
from gateway.backends.ldap.domain_routing import add_alias_domain_addresses
from gateway.backends.ldap.domains import ENTRY_ATTRIBUTES, counted, require_domain, usage
from gateway.backends.ldap.entry import Entry, Values
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import (
    alias_attributes,
    alias_changes,
    alias_from_entry,
    alias_members,
    domain_from_entry,
    domain_part,
)
from gateway.backends.ldap.store import DirectoryPort
from gateway.backends.ldap.users import holders
from gateway.errors import Conflict, ErrorCode, NotFound
from gateway.model import Alias, Domain, DomainUsage

ALIAS = object_class("mailAlias")


def fetch_alias_entry(directory: Directory, tree: Tree, address: str) -> Entry | None:
    entry = directory.get(tree.alias_dn(address), ENTRY_ATTRIBUTES)
    return entry if entry is not None and "mailalias" in entry.classes() else None


def fetch_alias(directory: Directory, tree: Tree, address: str) -> Alias | None:
    entry = fetch_alias_entry(directory, tree, address)
    return None if entry is None else alias_from_entry(entry, alias_members(entry))


def fetch_aliases(directory: Directory, tree: Tree, domain: str, active: bool | None) -> list[Alias]:
    wanted = all_of(ALIAS, *filter(None, [active_filter(active)]))
    entries = directory.search(tree.container_dn(domain, ALIASES), wanted, scope=LEVEL, attributes=ENTRY_ATTRIBUTES)
    return sorted((alias_from_entry(entry, alias_members(entry)) for entry in entries), key=lambda alias: alias.address)


def add_within_limits(
    directory: Directory,
    tree: Tree,
    journal: Journal,
    check: DomainCheck,
    group: Alias,
    dn: str,
    attributes: Callable[[Alias, bool], Mapping[str, Values | str]],
    uncount: Callable[[DomainUsage], DomainUsage],
) -> Domain:
    """Add the entry ``dn`` of a new alias or list ``group`` with the ``attributes`` for its domain's status,
    checking the domain's limits before and after, and its addresses in the domain's alias domains: the domain.

    ``uncount`` takes the new entry out of the usage counted after the add, so that ``check``
    sees the same figures as before; a concurrent add of the same address is refused.
    """
    domain_entry = require_domain(directory, tree, group.domain)
    domain = domain_from_entry(domain_entry)
    if holders(directory, tree, group.address):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    check(domain, usage(directory, tree, [domain.name])[domain.name])
    journal.add(directory, dn, attributes(group, domain.active))
    check(domain, uncount(usage(directory, tree, [domain.name])[domain.name]))
    if holders(directory, tree, group.address) > 1:
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    add_alias_domain_addresses(directory, journal, domain_entry, dn, group.address)
    return domain


def create_alias(directory: Directory, tree: Tree, journal: Journal, alias: Alias, check: DomainCheck) -> None:
    dn = tree.alias_dn(alias.address)
    add_within_limits(
        directory, tree, journal, check, alias, dn, alias_attributes, lambda n: replace(n, aliases=n.aliases - 1)
    )


def update_alias(directory: Directory, tree: Tree, journal: Journal, address: str, apply: AliasUpdate) -> None:
    """One modify of the alias entry: name, policy, status and members at once."""
    entry = fetch_alias_entry(directory, tree, address)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    current = alias_from_entry(entry, alias_members(entry))
    journal.replace(directory, entry, alias_changes(current, apply(current), with_members=True))


def delete_alias(directory: Directory, tree: Tree, journal: Journal, address: str) -> None:
    entry = fetch_alias_entry(directory, tree, address)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    journal.delete_tree(directory, directory.search(entry.dn, "(objectClass=*)", attributes=["*"]))


class LdapAliases(DirectoryPort):
    """The ``AliasStore`` over the directory."""

    async def get_alias(self, address: str) -> Alias | None:
        return await self.store.read(partial(fetch_alias, address=address))

    async def list_aliases(self, domain: str, *, active: bool | None = None) -> list[Alias]:
        return await self.store.read(partial(fetch_aliases, domain=domain, active=active))

    async def create_alias(self, alias: Alias, check: DomainCheck, bound: AdminBound | None = None) -> None:
        async with self.store.creating[alias.domain], taking_turns(self.store, bound):
            create = counted(partial(create_alias, alias=alias, check=check), alias.domain)
            await self.store.write(bounded(create, bound))

    async def update_alias(self, address: str, apply: AliasUpdate) -> None:
        await self.store.write(partial(update_alias, address=address, apply=apply))

    async def delete_alias(self, address: str) -> None:
        await self.store.write(counted(partial(delete_alias, address=address), domain_part(address)))
