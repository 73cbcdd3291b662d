"""Mail domains: the mailDomain entry, its four containers and everything beneath."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from functools import partial
from typing import TypeVar

from gateway.backends.base import AdminBound, DeletedMailbox, DomainCheck
from gateway.backends.ldap.connection import LEVEL, SUBTREE, Directory
from gateway.backends.ldap.dn import CONTAINERS, Tree, active_filter, all_of, any_of, ends_with, eq, not_, object_class
from gateway.backends.ldap.domain_routing import destinations, read_routing, write_routing
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import (
    DISABLED,
    MB,
    domain_attributes,
    domain_from_entry,
    domain_part,
    local_part,
    merged_settings,
    status,
)
from gateway.backends.ldap.store import DirectoryPort, Write
from gateway.errors import Conflict, ErrorCode, NotFound
from gateway.model import Destination, Domain, DomainChanges, DomainRouting, DomainUsage, UsedQuota

T = TypeVar("T")

ENTRY_ATTRIBUTES = ["*", "createTimestamp", "modifyTimestamp"]
ACCOUNT_CLASSES = ("mailUser", "mailList", "mailAlias", "mailExternalUser")
COUNTED = any_of(object_class("mailUser"), object_class("mailAlias"), object_class("mailList"))
# the panel's counters on the domain entry, which it shows and iRedMail's tools keep current
COUNTERS = {
    "users": "domainCurrentUserNumber",
    "aliases": "domainCurrentAliasNumber",
    "lists": "domainCurrentListNumber",
    "quota": "domainCurrentQuotaSize",  # bytes
}


def domain_entries(directory: Directory, tree: Tree, search_filter: str = "") -> list[Entry]:
    """The mailDomain entries matching ``search_filter``."""
    wanted = all_of(object_class("mailDomain"), *filter(None, [search_filter]))
    return directory.search(tree.domains, wanted, scope=LEVEL, attributes=ENTRY_ATTRIBUTES)


def names_filter(names: Collection[str]) -> str:
    return any_of(*(eq("domainName", name) for name in sorted(names)))


def fetch_domain(directory: Directory, tree: Tree, name: str) -> Entry | None:
    found = domain_entries(directory, tree, eq("domainName", name))
    return found[0] if found else None


def require_domain(directory: Directory, tree: Tree, name: str) -> Entry:
    entry = fetch_domain(directory, tree, name)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return entry


def fetch_domains(directory: Directory, tree: Tree, names: Collection[str] | None, active: bool | None) -> list[Domain]:
    parts = [active_filter(active), "" if names is None else names_filter(names)]
    entries = domain_entries(directory, tree, all_of(*filter(None, parts)))
    return sorted((domain_from_entry(entry) for entry in entries), key=lambda domain: domain.name)


def is_hosted(directory: Directory, tree: Tree, name: str) -> bool:
    """Whether ``name`` is a mail domain or an alias domain of one."""
    return bool(domain_entries(directory, tree, any_of(eq("domainName", name), eq("domainAliasName", name))))


def usage(directory: Directory, tree: Tree, names: Collection[str]) -> dict[str, DomainUsage]:
    """Users, aliases, lists and allocated quota (MB) per domain; used figures live outside LDAP (0)."""
    counts = {name: [0, 0, 0, 0] for name in names}  # users, aliases, lists, quota
    if not counts:
        return {}
    by_domain = any_of(*(ends_with("mail", f"@{name}") for name in sorted(counts)))
    for entry in directory.search(
        tree.domains, all_of(COUNTED, by_domain), attributes=["objectClass", "mail", "mailQuota"]
    ):
        address = entry.first("mail").lower()
        row = counts.get(domain_part(address))
        if row is None:
            continue
        classes = entry.classes()
        if "mailuser" in classes and local_part(address):
            row[0] += 1
            row[3] += entry.integer("mailQuota") // MB
        elif "mailalias" in classes:
            row[1] += 1
        elif "maillist" in classes:
            row[2] += 1
    return {
        name: DomainUsage(users=u, aliases=a, allocated_quota=q, used_bytes=0, used_messages=0, lists=lists)
        for name, (u, a, lists, q) in counts.items()
    }


def refresh_counters(directory: Directory, tree: Tree, journal: Journal, name: str) -> None:
    """Bring the panel's ``domainCurrent*`` counters of domain ``name`` up to what it holds now."""
    entry = directory.get(tree.domain_dn(name), list(COUNTERS.values()))
    if entry is None:
        return
    counted = usage(directory, tree, [name])[name]
    figures = {
        "users": counted.users,
        "aliases": counted.aliases,
        "lists": counted.lists,
        "quota": counted.allocated_quota * MB,
    }
    journal.replace(directory, entry, {attribute: [str(figures[key])] for key, attribute in COUNTERS.items()})


def apply_routing(directory: Directory, tree: Tree, journal: Journal, name: str, changes: DomainChanges) -> None:
    """Apply the routing update ``changes`` carries, if any, to the domain as it is now."""
    if changes.routing is None:
        return
    entry = require_domain(directory, tree, name)
    current = read_routing(directory, tree, [entry])[name]
    write_routing(directory, tree, journal, entry, current, changes.routing(current))


def create_domain(
    directory: Directory, tree: Tree, journal: Journal, name: str, changes: DomainChanges, owner: str | None = None
) -> None:
    """The mailDomain entry and its ou=Users, Groups, Aliases and Externals; ``owner`` becomes its admin."""
    if is_hosted(directory, tree, name):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    dn = tree.domain_dn(name)
    attributes = domain_attributes(name, changes)
    if owner is not None:
        attributes["domainAdmin"] = [owner]
    journal.add(directory, dn, attributes)
    for container in CONTAINERS:
        journal.add(
            directory, tree.container_dn(name, container), {"objectClass": ["organizationalUnit"], "ou": [container]}
        )
    apply_routing(directory, tree, journal, name, changes)


def update_domain(
    directory: Directory, tree: Tree, journal: Journal, name: str, changes: DomainChanges, check: DomainCheck
) -> None:
    entry = require_domain(directory, tree, name)
    current = domain_from_entry(entry)
    check(current, usage(directory, tree, [current.name])[current.name])
    values: dict[str, list[str]] = {}
    if changes.description is not None:
        values["cn"] = [changes.description] if changes.description else []
    if changes.transport is not None:
        values["mtaTransport"] = [changes.transport] if changes.transport else []
    if changes.quota is not None:
        values["domainMaxQuotaSize"] = [str(changes.quota)] if changes.quota else []
    if changes.backupmx is not None:
        values["domainBackupMX"] = ["yes"] if changes.backupmx else []
    if changes.active is not None:
        values["accountStatus"] = [status(changes.active)]
    settings = merged_settings(entry.values("accountSetting"), changes)
    if settings is not None:
        values["accountSetting"] = settings
    journal.replace(directory, entry, values)
    if changes.active is not None:
        set_accounts_status(directory, tree, journal, current.name, changes.active)
    apply_routing(directory, tree, journal, current.name, changes)


def set_accounts_status(directory: Directory, tree: Tree, journal: Journal, name: str, active: bool) -> None:
    """Add (disable) or remove (enable) ``domainStatus: disabled`` on every account of the domain."""
    accounts = any_of(*(object_class(kind) for kind in ACCOUNT_CLASSES))
    marked = eq("domainStatus", DISABLED)
    wanted = all_of(accounts, marked if active else not_(marked))
    for entry in directory.search(tree.domain_dn(name), wanted, scope=SUBTREE, attributes=["domainStatus"]):
        journal.replace(directory, entry, {"domainStatus": [] if active else [DISABLED]})


def delete_domain(
    directory: Directory, tree: Tree, journal: Journal, name: str, *, admin: str, delete_date: date | None
) -> list[DeletedMailbox]:
    """Remove the domain's subtree and what other domains hold about its accounts; returns its mailboxes."""
    require_domain(directory, tree, name)
    subtree = directory.search(tree.domain_dn(name), "(objectClass=*)", attributes=["*"])
    inside = {entry.dn.lower() for entry in subtree}
    suffix = f"@{name}"
    naming = any_of(ends_with("domainAdmin", suffix), ends_with("memberOfGroup", suffix))
    for entry in directory.search(tree.domains, naming, attributes=["*"]):
        if entry.dn.lower() not in inside:
            _forget_domain(directory, journal, entry, suffix)
    mailboxes = [
        DeletedMailbox(
            username=entry.first("mail").lower(),
            domain=name,
            maildir=entry.first("homeDirectory"),
            admin=admin,
            delete_date=delete_date,
        )
        for entry in subtree
        if "mailuser" in entry.classes() and entry.first("homeDirectory") and local_part(entry.first("mail"))
    ]
    journal.delete_tree(directory, subtree)
    return mailboxes


def _forget_domain(directory: Directory, journal: Journal, entry: Entry, suffix: str) -> None:
    """Drop an outside entry's domainAdmin and memberOfGroup values within the domain being deleted."""
    for attribute in ("domainAdmin", "memberOfGroup"):
        values = entry.values(attribute)
        stale = [value for value in values if value.lower().endswith(suffix)]
        if (
            attribute == "memberOfGroup"
            and stale
            and len(stale) == len(values)
            and "mailexternaluser" in entry.classes()
        ):
            journal.delete(directory, entry)
            return
        journal.delete_values(directory, entry.dn, attribute, stale)


def counted(operation: Write[T], domain: str) -> Write[T]:
    """``operation``, then the domain's panel counters brought up to date within the same undoable write."""

    def write(directory: Directory, tree: Tree, journal: Journal) -> T:
        result = operation(directory, tree, journal)
        refresh_counters(directory, tree, journal, domain)
        return result

    return write


def _with_used(usage: DomainUsage, used: UsedQuota) -> DomainUsage:
    return replace(usage, used_bytes=used.bytes, used_messages=used.messages)


class LdapDomains(DirectoryPort):
    """The ``DomainStore`` over the directory; used quota comes from iRedAdmin's database."""

    async def get_domain(self, name: str) -> Domain | None:
        entry = await self.store.read(partial(fetch_domain, name=name))
        return None if entry is None else domain_from_entry(entry)

    async def list_domains(self, *, names: Collection[str] | None = None, active: bool | None = None) -> list[Domain]:
        return await self.store.read(partial(fetch_domains, names=names, active=active))

    async def domain_usage(self, names: Collection[str]) -> dict[str, DomainUsage]:
        figures = await self.store.read(partial(usage, names=list(names)))
        iredadmin = self.store.iredadmin
        used = await iredadmin.used_by_domain(list(figures)) if iredadmin is not None and figures else {}
        return {name: _with_used(figure, used.get(name, UsedQuota())) for name, figure in figures.items()}

    async def create_domain(self, name: str, changes: DomainChanges, bound: AdminBound | None = None) -> None:
        from gateway.backends.ldap.admin_limits import bounded, taking_turns  # it builds on this module

        owner = None if bound is None else bound.username
        async with taking_turns(self.store, bound):
            await self.store.write(bounded(partial(create_domain, name=name, changes=changes, owner=owner), bound))

    async def update_domain(self, name: str, changes: DomainChanges, check: DomainCheck) -> None:
        await self.store.write(partial(update_domain, name=name, changes=changes, check=check))

    async def delete_domain(self, name: str, *, admin: str, delete_date: date | None) -> None:
        await self.store.write(
            partial(delete_domain, name=name, admin=admin, delete_date=delete_date), then=self.store.recorded
        )

    async def domain_routing(self, names: Collection[str]) -> dict[str, DomainRouting]:
        def read(directory: Directory, tree: Tree) -> dict[str, DomainRouting]:
            entries = domain_entries(directory, tree, names_filter(names)) if names else []
            return read_routing(directory, tree, entries)

        return await self.store.read(read)

    async def destinations(self, addresses: Collection[str]) -> dict[str, Destination]:
        return await self.store.read(partial(destinations, emails=list(addresses)))
