"""Pages, batches and totals for dashboards.

Each page call makes one search holding every match (filters, search text
and status applied by the server) and pages in Python: ordering by key,
keyset ``after``, totals. LDAP offers no portable server-side sort with
keyset paging; with iRedMail's ``sizelimit unlimited`` a search returns all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from functools import partial
from typing import TypeVar

from gateway.backends.ldap.connection import Directory
from gateway.backends.ldap.dn import Tree, active_filter, all_of, any_of, contains, ends_with, eq, object_class
from gateway.backends.ldap.domains import ENTRY_ATTRIBUTES, domain_entries, names_filter
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.mapping import (
    MB,
    alias_from_entry,
    alias_members,
    domain_from_entry,
    domain_part,
    is_active,
    user_from_entry,
)
from gateway.backends.ldap.store import DirectoryPort
from gateway.backends.ldap.users import admin_names, is_mailbox, users_by_email
from gateway.model import Alias, Domain, Page, PageQuery, Stats, UsedQuota, User

T = TypeVar("T")


def query_filter(key: str, query: PageQuery) -> list[str]:
    """Search text (in ``key`` or ``cn``, case-insensitively) and status of a page query."""
    parts = [active_filter(query.active)]
    if query.search:
        parts.append(any_of(contains(key, query.search), contains("cn", query.search)))
    return [part for part in parts if part]


def page_of(items: Sequence[T], key: Callable[[T], str], query: PageQuery) -> Page[T]:
    ordered = sorted(items, key=key)
    rest = [item for item in ordered if query.after is None or key(item) > query.after]
    return Page(items=tuple(rest[: query.first]), total=len(ordered), has_next=len(rest) > query.first)


def _in_domains(domains: Collection[str]) -> str:
    return any_of(*(ends_with("mail", f"@{name}") for name in sorted(set(domains))))


def _grouped(entries: list[Entry], domains: list[str]) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = {name: [] for name in domains}
    for entry in entries:
        found = grouped.get(domain_part(entry.first("mail")))
        if found is not None:
            found.append(entry)
    return grouped


def page_domains(directory: Directory, tree: Tree, names: Collection[str] | None, query: PageQuery) -> Page[Domain]:
    parts = query_filter("domainName", query)
    if names is not None:
        parts.append(names_filter(names))
    domains = [domain_from_entry(entry) for entry in domain_entries(directory, tree, all_of(*parts))]
    return page_of(domains, lambda domain: domain.name, query)


def page_users(directory: Directory, tree: Tree, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
    if not domains:
        return {}
    wanted = all_of(object_class("mailUser"), _in_domains(domains), *query_filter("mail", query))
    entries = [
        entry for entry in directory.search(tree.domains, wanted, attributes=ENTRY_ATTRIBUTES) if is_mailbox(entry)
    ]
    admins = admin_names(directory, tree) if entries else set()
    return {
        name: page_of([user_from_entry(entry, admins) for entry in found], lambda user: user.email, query)
        for name, found in _grouped(entries, domains).items()
    }


def page_aliases(directory: Directory, tree: Tree, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
    if not domains:
        return {}
    wanted = all_of(object_class("mailAlias"), _in_domains(domains), *query_filter("mail", query))
    entries = directory.search(tree.domains, wanted, attributes=ENTRY_ATTRIBUTES)
    return {
        name: page_of(
            [alias_from_entry(entry, alias_members(entry)) for entry in found], lambda alias: alias.address, query
        )
        for name, found in _grouped(entries, domains).items()
    }


def alias_memberships(directory: Directory, tree: Tree, emails: list[str]) -> dict[str, tuple[str, ...]]:
    """The aliases naming each address as a member."""
    if not emails:
        return {}
    wanted = all_of(
        object_class("mailAlias"), any_of(*(eq("mailForwardingAddress", email) for email in sorted(set(emails))))
    )
    result: dict[str, set[str]] = {}
    asked = {email.lower(): email for email in emails}
    for entry in directory.search(tree.domains, wanted, attributes=["mail", "mailForwardingAddress"]):
        for member in entry.values("mailForwardingAddress"):
            email = asked.get(member.lower())
            if email is not None:
                result.setdefault(email, set()).add(entry.first("mail").lower())
    return {email: tuple(sorted(aliases)) for email, aliases in sorted(result.items())}


def domain_admins(directory: Directory, tree: Tree, domains: list[str]) -> dict[str, tuple[str, ...]]:
    """The ``domainAdmin`` values of each domain."""
    if not domains:
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for entry in domain_entries(directory, tree, names_filter(domains)):
        admins = sorted({value.lower() for value in entry.values("domainAdmin")})
        if admins:
            result[entry.first("domainName").lower()] = tuple(admins)
    return result


def stats(directory: Directory, tree: Tree, names: Collection[str] | None) -> Stats:
    """Totals over ``names`` (every domain when None), from one search; used figures are not in LDAP (0)."""
    kinds = any_of(*(object_class(kind) for kind in ("mailDomain", "mailUser", "mailAlias")))
    scope = "" if names is None else any_of(names_filter(names), _in_domains(names))
    entries = directory.search(
        tree.domains,
        all_of(kinds, *filter(None, [scope])),
        attributes=["objectClass", "domainName", "mail", "accountStatus", "mailQuota"],
    )
    wanted = None if names is None else {name.lower() for name in names}
    domains = active_domains = users = active_users = aliases = allocated_quota = 0
    for entry in entries:
        classes = entry.classes()
        if "maildomain" in classes:
            if wanted is None or entry.first("domainName").lower() in wanted:
                domains += 1
                active_domains += is_active(entry)
            continue
        if wanted is not None and domain_part(entry.first("mail")) not in wanted:
            continue
        if "mailuser" in classes and is_mailbox(entry):
            users += 1
            active_users += is_active(entry)
            allocated_quota += entry.integer("mailQuota") // MB
        elif "mailalias" in classes:
            aliases += 1
    return Stats(domains, active_domains, users, active_users, aliases, allocated_quota, used_bytes=0, used_messages=0)


class LdapListing(DirectoryPort):
    """The ``ListingStore`` over the directory; used quota comes from iRedAdmin's database, zeros without it."""

    async def page_domains(self, names: Collection[str] | None, query: PageQuery) -> Page[Domain]:
        return await self.store.read(partial(page_domains, names=names, query=query))

    async def page_users(self, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
        return await self.store.read(partial(page_users, domains=domains, query=query))

    async def page_aliases(self, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
        return await self.store.read(partial(page_aliases, domains=domains, query=query))

    async def users_by_email(self, emails: list[str]) -> dict[str, User]:
        return await self.store.read(partial(users_by_email, emails=emails))

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        """What Dovecot counted, from the ``iredadmin`` store; zeros without one."""
        iredadmin = self.store.iredadmin
        counted = await iredadmin.used_quota(emails) if iredadmin is not None and emails else {}
        return {email: counted.get(email, UsedQuota()) for email in emails}

    async def alias_memberships(self, emails: list[str]) -> dict[str, tuple[str, ...]]:
        return await self.store.read(partial(alias_memberships, emails=emails))

    async def domain_admins(self, domains: list[str]) -> dict[str, tuple[str, ...]]:
        return await self.store.read(partial(domain_admins, domains=domains))

    async def stats(self, names: Collection[str] | None) -> Stats:
        totals = await self.store.read(partial(stats, names=names))
        if self.store.iredadmin is None:
            return totals
        used = (await self.store.iredadmin.used_by_domain(names)).values()
        return replace(
            totals, used_bytes=sum(item.bytes for item in used), used_messages=sum(item.messages for item in used)
        )
