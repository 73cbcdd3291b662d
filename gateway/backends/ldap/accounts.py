"""The account store over an iRedMail OpenLDAP directory.

Every call runs its LDAP operations in one worker thread of the pool. A
write that touches several entries records the inverse of each change and,
when any later step fails, puts the directory back as it found it. LDAP
cannot lock a domain, so limits are checked with fresh figures before the
write and again after it, undoing the write when a concurrent one got in
first. Creates of accounts in one domain wait for each other within a
gateway, so that check only has to settle races between gateways.

Not kept in LDAP, and so not here: Dovecot's used quota and the list of
deleted mailboxes, both in iRedAdmin's SQL database, reached through the
``iredadmin`` store when one is given; without it used quota reads as 0 and
deleted mailboxes are not recorded. A re-created address does not reuse a
maildir still waiting there for removal.

Every write that adds or removes accounts or changes quotas also brings
the panel's ``domainCurrent*`` counters up to date; the gateway's own
counts are taken from the entries themselves.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from typing import TypeVar

import anyio

from gateway.backends.base import AliasUpdate, DomainCheck, MaillistStore, UserCheck
from gateway.backends.ldap import admins, aliases, domains, listing, maillists, users
from gateway.backends.ldap.connection import Directory, LdapPool
from gateway.backends.ldap.dn import Tree
from gateway.backends.ldap.iredadmin import DeletedMailbox, IredadminStore
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import domain_from_entry, domain_part, home_directory
from gateway.errors import GatewayError
from gateway.maildir import maildir_variant
from gateway.model import (
    Actor,
    Alias,
    Domain,
    DomainChanges,
    DomainUsage,
    NewUser,
    Page,
    PageQuery,
    Stats,
    UsedQuota,
    User,
    UserChanges,
)

T = TypeVar("T")

log = logging.getLogger(__name__)

Read = Callable[[Directory, Tree], T]
Write = Callable[[Directory, Tree, Journal], T]


def _with_used(usage: DomainUsage, used: UsedQuota) -> DomainUsage:
    return replace(usage, used_bytes=used.bytes, used_messages=used.messages)


def counted(operation: Write[T], domain: str) -> Write[T]:
    """``operation``, then the domain's panel counters brought up to date within the same undoable write."""

    def write(directory: Directory, tree: Tree, journal: Journal) -> T:
        result = operation(directory, tree, journal)
        domains.refresh_counters(directory, tree, journal, domain)
        return result

    return write


def _counted_if_quota(operation: Write[T], domain: str, changes: UserChanges) -> Write[T]:
    """A user update counts only when it changes a quota: the other fields leave the counters as they are."""
    return counted(operation, domain) if changes.quota is not None else operation


class DirectoryStore:
    """Reads and undoable writes on one directory tree."""

    def __init__(self, pool: LdapPool, tree: Tree, creating: defaultdict[str, anyio.Lock] | None = None) -> None:
        self.pool = pool
        self.tree = tree
        # one lock per domain: accounts created in a domain take turns within this process
        self.creating = creating if creating is not None else defaultdict(anyio.Lock)

    async def _read(self, operation: Read[T]) -> T:
        tree = self.tree
        return await self.pool.run(lambda directory: operation(directory, tree))

    async def _write(self, operation: Write[T], then: Callable[[T], Awaitable[None]] | None = None) -> T:
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


class LdapMaillists(DirectoryStore):
    """Mailing lists as ``mailList`` entries; members carry ``memberOfGroup``."""

    async def get_maillist(self, address: str) -> Alias | None:
        return await self._read(partial(maillists.fetch_list, address=address))

    async def create_maillist(self, maillist: Alias, check: DomainCheck) -> None:
        async with self.creating[maillist.domain]:
            await self._write(counted(partial(maillists.create_list, maillist=maillist, check=check), maillist.domain))

    async def update_maillist(self, address: str, apply: AliasUpdate) -> None:
        await self._write(partial(maillists.update_list, address=address, apply=apply))

    async def delete_maillist(self, address: str) -> None:
        await self._write(counted(partial(maillists.delete_list, address=address), domain_part(address)))


class LdapAccounts(DirectoryStore):
    """Domains, users, aliases, lists and admins of an iRedMail LDAP server below ``suffix``."""

    maillists: MaillistStore | None

    def __init__(self, pool: LdapPool, suffix: str, *, iredadmin: IredadminStore | None = None) -> None:
        super().__init__(pool, Tree(suffix))
        self.iredadmin = iredadmin
        self.maillists = LdapMaillists(pool, self.tree, self.creating)

    async def _recorded(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        if self.iredadmin is not None and mailboxes:
            await self.iredadmin.record(mailboxes)

    # domains

    async def get_domain(self, name: str) -> Domain | None:
        entry = await self._read(partial(domains.fetch_domain, name=name))
        return None if entry is None else domain_from_entry(entry)

    async def list_domains(self, *, names: Collection[str] | None = None, active: bool | None = None) -> list[Domain]:
        return await self._read(partial(domains.fetch_domains, names=names, active=active))

    async def domain_usage(self, names: Collection[str]) -> dict[str, DomainUsage]:
        figures = await self._read(partial(domains.usage, names=list(names)))
        used = await self.iredadmin.used_by_domain(list(figures)) if self.iredadmin is not None and figures else {}
        return {name: _with_used(usage, used.get(name, UsedQuota())) for name, usage in figures.items()}

    async def create_domain(self, name: str, changes: DomainChanges) -> None:
        await self._write(partial(domains.create_domain, name=name, changes=changes))

    async def update_domain(self, name: str, changes: DomainChanges, check: DomainCheck) -> None:
        await self._write(partial(domains.update_domain, name=name, changes=changes, check=check))

    async def delete_domain(self, name: str, *, admin: str, delete_date: date | None) -> None:
        await self._write(
            partial(domains.delete_domain, name=name, admin=admin, delete_date=delete_date), then=self._recorded
        )

    # users

    async def get_user(self, email: str) -> User | None:
        return await self._read(partial(users.fetch_user, email=email))

    async def list_users(self, domain: str, *, active: bool | None = None) -> list[User]:
        return await self._read(partial(users.fetch_users, domain=domain, active=active))

    async def user_emails(self, domain: str) -> list[str]:
        entries = await self._read(partial(users.user_entries, domain=domain))
        return [entry.first("mail").lower() for entry in entries]

    async def create_user(self, user: NewUser, check: UserCheck) -> None:
        async with self.creating[user.domain]:
            user = await self._unused_home(user)
            await self._write(counted(partial(users.create_user, user=user, check=check), user.domain))

    async def _unused_home(self, user: NewUser) -> NewUser:
        """``user``, or it with a variant of its maildir while a deleted mailbox of that address still names it."""
        if self.iredadmin is None:
            return user
        used = {path.lower() for path in await self.iredadmin.deleted_maildirs(user.email)}
        candidate, attempt = user, 1
        while home_directory(candidate).lower() in used:
            attempt += 1
            candidate = replace(user, maildir=maildir_variant(user.maildir, attempt))
        return candidate

    async def update_user(self, email: str, domain_name: str, changes: UserChanges, check: UserCheck) -> None:
        update = partial(users.update_user, email=email, domain_name=domain_name, changes=changes, check=check)
        await self._write(_counted_if_quota(update, domain_name, changes))

    async def update_domain_users(self, domain: str, changes: UserChanges, *, skip: Collection[str] = ()) -> int:
        update = partial(users.update_domain_users, domain=domain, changes=changes, skip=skip)
        return await self._write(_counted_if_quota(update, domain, changes))

    async def set_passwords(self, domain: str, hashes: Mapping[str, str]) -> None:
        await self._write(partial(users.set_passwords, domain=domain, hashes=dict(hashes)))

    async def delete_user(self, email: str, *, admin: str, delete_date: date | None) -> None:
        await self._write(
            counted(partial(users.delete_user, email=email, admin=admin, delete_date=delete_date), domain_part(email)),
            then=self._recorded,
        )

    # aliases

    async def get_alias(self, address: str) -> Alias | None:
        return await self._read(partial(aliases.fetch_alias, address=address))

    async def list_aliases(self, domain: str, *, active: bool | None = None) -> list[Alias]:
        return await self._read(partial(aliases.fetch_aliases, domain=domain, active=active))

    async def create_alias(self, alias: Alias, check: DomainCheck) -> None:
        async with self.creating[alias.domain]:
            await self._write(counted(partial(aliases.create_alias, alias=alias, check=check), alias.domain))

    async def update_alias(self, address: str, apply: AliasUpdate) -> None:
        await self._write(partial(aliases.update_alias, address=address, apply=apply))

    async def delete_alias(self, address: str) -> None:
        await self._write(counted(partial(aliases.delete_alias, address=address), domain_part(address)))

    # pages and batches

    async def page_domains(self, names: Collection[str] | None, query: PageQuery) -> Page[Domain]:
        return await self._read(partial(listing.page_domains, names=names, query=query))

    async def page_users(self, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
        return await self._read(partial(listing.page_users, domains=domains, query=query))

    async def page_aliases(self, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
        return await self._read(partial(listing.page_aliases, domains=domains, query=query))

    async def users_by_email(self, emails: list[str]) -> dict[str, User]:
        return await self._read(partial(users.users_by_email, emails=emails))

    iredadmin: IredadminStore | None = None

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        """What Dovecot counted, from the ``iredadmin`` store; zeros without one."""
        counted = await self.iredadmin.used_quota(emails) if self.iredadmin is not None and emails else {}
        return {email: counted.get(email, UsedQuota()) for email in emails}

    async def alias_memberships(self, emails: list[str]) -> dict[str, tuple[str, ...]]:
        return await self._read(partial(listing.alias_memberships, emails=emails))

    async def domain_admins(self, domains: list[str]) -> dict[str, tuple[str, ...]]:
        return await self._read(partial(listing.domain_admins, domains=domains))

    async def stats(self, names: Collection[str] | None) -> Stats:
        totals = await self._read(partial(listing.stats, names=names))
        if self.iredadmin is None:
            return totals
        used = (await self.iredadmin.used_by_domain(names)).values()
        return replace(
            totals, used_bytes=sum(item.bytes for item in used), used_messages=sum(item.messages for item in used)
        )

    # admins

    async def admin_credentials(self, username: str) -> str | None:
        return await self._read(partial(admins.credentials, username=username))

    async def load_actor(self, username: str) -> Actor | None:
        return await self._read(partial(admins.load_actor, username=username))

    async def admin_rights(self, emails: Collection[str]) -> dict[str, Actor]:
        return await self._read(partial(admins.admin_rights, emails=emails)) if emails else {}

    async def domain_user_rights(self, domain: str) -> dict[str, Actor]:
        return await self._read(partial(admins.domain_user_rights, domain=domain))
