"""The storage ports the resolvers depend on: one protocol per concept, and the types they share.

A backend runs each write in one transaction (LDAP: undoes what it did on
failure). Where a rule must hold against concurrent writers (a domain's
limits), the resolver hands the backend a ``check`` that the backend calls
with fresh figures while it holds the domain, before writing.

Every port raises only ``GatewayError``s for what it can foresee: a storage
server that cannot be reached or refuses the gateway's login is
``BackendUnavailable`` by the time it leaves the port, whichever backend
it came from.

Every port is declared here, and carried by name in ``Backends`` and the
resolver ``Context``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, Protocol

from gateway.mailpolicy import Colour, Direction, WbLists
from gateway.model import (
    Actor,
    Admin,
    AdminChanges,
    AdminLimits,
    AdminUsage,
    Alias,
    AuditEntry,
    AuditQuery,
    Destination,
    Domain,
    DomainChanges,
    DomainRouting,
    DomainUsage,
    GreylistingSetting,
    GreylistingWhitelist,
    LdifKind,
    NewUser,
    Page,
    PageQuery,
    Stats,
    Throttle,
    UsedQuota,
    User,
    UserChanges,
    UserRouting,
)

DomainCheck = Callable[[Domain, DomainUsage], None]
UserCheck = Callable[[Domain, DomainUsage, "User | None"], None]
AliasUpdate = Callable[[Alias], Alias]


@dataclass(frozen=True)
class AdminBound:
    """A normal admin's limits, held while a store creates in one of its domains.

    The store serialises the admin's writes (SQL: locks its account row first),
    writes, then calls ``check`` with what the admin's domains hold now, the
    new object included; a raise undoes the write.
    """

    username: str
    check: Callable[[AdminUsage], None]


class DomainStore(Protocol):
    """Mail domains, their settings and what they hold."""

    async def get_domain(self, name: str) -> Domain | None: ...
    async def list_domains(
        self, *, names: Collection[str] | None = None, active: bool | None = None
    ) -> list[Domain]: ...
    async def domain_usage(self, names: Collection[str]) -> dict[str, DomainUsage]: ...
    async def create_domain(self, name: str, changes: DomainChanges, bound: AdminBound | None = None) -> None:
        """Create a domain; with ``bound`` it is assigned to that admin within its limits."""
        ...

    async def update_domain(self, name: str, changes: DomainChanges, check: DomainCheck) -> None: ...
    async def delete_domain(self, name: str, *, admin: str, delete_date: date | None) -> None: ...
    async def domain_routing(self, names: Collection[str]) -> dict[str, DomainRouting]:
        """Alias domains, catch-all, relay, BCC, services and switches of each of ``names`` that exists."""
        ...

    async def destinations(self, addresses: Collection[str]) -> dict[str, Destination]:
        """Where each of ``addresses`` in a hosted domain or alias domain lands; others are left out."""
        ...


class UserStore(Protocol):
    """Mail users (mailboxes). Bulk updates leave the addresses in ``skip`` unchanged."""

    async def get_user(self, email: str) -> User | None: ...
    async def get_routed_user(self, email: str) -> tuple[User, UserRouting] | None:
        """``get_user`` and ``user_routing`` of one user, in one read."""
        ...

    async def list_users(self, domain: str, *, active: bool | None = None) -> list[User]: ...
    async def user_emails(self, domain: str) -> list[str]: ...
    async def create_user(self, user: NewUser, check: UserCheck, bound: AdminBound | None = None) -> None: ...
    async def create_users(self, users: Sequence[tuple[NewUser, UserCheck]]) -> None:
        """Create users of one domain in one write, each checked after those before it: all or none."""
        ...

    async def update_user(
        self, email: str, domain_name: str, changes: UserChanges, check: UserCheck, bound: AdminBound | None = None
    ) -> None: ...
    async def update_domain_users(self, domain: str, changes: UserChanges, *, skip: Collection[str] = ()) -> int: ...
    async def set_passwords(self, domain: str, hashes: Mapping[str, str]) -> None: ...
    async def delete_user(self, email: str, *, admin: str, delete_date: date | None) -> None: ...
    async def user_routing(self, emails: Collection[str]) -> dict[str, UserRouting]:
        """Forwardings, per-user aliases, BCC, services and profile fields of each of ``emails`` that is a user;
        a ``UserChanges.routing`` update is applied to them within ``update_user``'s write."""
        ...


class AliasStore(Protocol):
    """Mail aliases and their members."""

    async def get_alias(self, address: str) -> Alias | None: ...
    async def list_aliases(self, domain: str, *, active: bool | None = None) -> list[Alias]: ...
    async def create_alias(self, alias: Alias, check: DomainCheck, bound: AdminBound | None = None) -> None: ...
    async def update_alias(self, address: str, apply: AliasUpdate) -> None: ...
    async def delete_alias(self, address: str) -> None: ...


class MaillistStore(Protocol):
    """Mailing lists (iRedMail's LDAP ``mailList`` entries); members as on aliases."""

    async def get_maillist(self, address: str) -> Alias | None: ...
    async def create_maillist(self, maillist: Alias, check: DomainCheck, bound: AdminBound | None = None) -> None: ...
    async def update_maillist(self, address: str, apply: AliasUpdate) -> None: ...
    async def delete_maillist(self, address: str) -> None: ...


class AdminStore(Protocol):
    """Who may administer, with which rights, and the stored password hash to log in with.

    ``admin_rights`` gives the rights each account holds whether or not it is
    active (accounts holding none are left out); ``domain_user_rights`` gives
    them for every user of a domain in a fixed number of requests.
    """

    async def admin_credentials(self, username: str) -> str | None: ...
    async def load_actor(self, username: str) -> Actor | None: ...
    async def admin_rights(self, emails: Collection[str]) -> dict[str, Actor]: ...
    async def domain_user_rights(self, domain: str) -> dict[str, Actor]: ...
    # the admin accounts themselves (reference: pro-api-storage 1)
    async def get_admin(self, email: str) -> Admin | None:
        """A standalone admin."""
        ...

    async def list_admins(self, *, active: bool | None = None) -> list[Admin]:
        """Standalone admins and mail users holding admin rights, with the domains each manages."""
        ...

    async def admin_limits(self, email: str) -> AdminLimits | None:
        """A standalone normal admin's limits; None for anyone else."""
        ...

    async def create_admin(self, email: str, changes: AdminChanges) -> None:
        """ALREADY_EXISTS when the address holds an admin or any account."""
        ...

    async def update_admin(self, email: str, changes: AdminChanges) -> None: ...
    async def delete_admin(self, email: str) -> None:
        """Remove the admin and every right it holds (domains it manages forget it)."""
        ...

    async def set_domain_admins(
        self, domain: str, *, add: Collection[str], remove: Collection[str], remove_all: bool
    ) -> None:
        """Change who manages ``domain``: each added address must be a standalone admin or a mailbox
        (else NO_SUCH_ACCOUNT); a mail user gains the admin flag, and loses it with its last domain."""
        ...

    async def stored_hash(self, email: str, *, admin: bool) -> str | None:
        """The stored password hash of a standalone admin (else of a mail user holding admin rights) when
        ``admin``, else of the mailbox; whatever its status."""
        ...


class ForwardingStore(Protocol):
    """A user's own forwarding targets (SQL ``forwardings`` rows with ``is_forwarding=1``, LDAP
    ``mailForwardingAddress``); the user's address among them keeps a copy in its mailbox."""

    async def set_forwardings(self, email: str, targets: Sequence[str]) -> None: ...


class RenameStore(Protocol):
    """A mail user's or alias's new address in one write, with every stored copy of the old one
    (rows or values naming it elsewhere follow); NO_SUCH_ACCOUNT, or ALREADY_EXISTS when the new one is taken."""

    async def rename_user(self, email: str, new_email: str) -> None: ...
    async def rename_alias(self, address: str, new_address: str) -> None: ...


class PasswordHashStore(Protocol):
    """The stored password hashes of a domain's users, for an export that must round-trip."""

    async def password_hashes(self, domain: str) -> dict[str, str]: ...


class ListingStore(Protocol):
    """Pages, batches and totals for dashboards, each in a fixed number of requests."""

    async def page_domains(self, names: Collection[str] | None, query: PageQuery) -> Page[Domain]: ...
    async def page_users(self, domains: list[str], query: PageQuery) -> dict[str, Page[User]]: ...
    async def page_aliases(self, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]: ...
    async def users_by_email(self, emails: list[str]) -> dict[str, User]: ...
    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]: ...
    async def alias_memberships(self, emails: list[str]) -> dict[str, tuple[str, ...]]: ...
    async def domain_admins(self, domains: list[str]) -> dict[str, tuple[str, ...]]: ...
    async def stats(self, names: Collection[str] | None) -> Stats: ...


class LdifStore(Protocol):
    """Directory entries as LDIF (RFC 2849), where the account storage is a directory (reference: pro-api-storage 8)."""

    async def entry_ldif(self, kind: LdifKind, name: str, *, hidden: Collection[str]) -> str | None:
        """The text of the one entry of ``kind`` named ``name`` (a domain or an address), its attributes
        ``hidden`` left out; None when there is no such entry."""
        ...


@dataclass(frozen=True)
class AccountStores:
    """The ports over one account storage (``vmail`` or the directory); ``maillists`` and ``ldif`` are None
    where it has none."""

    domains: DomainStore
    users: UserStore
    aliases: AliasStore
    maillists: MaillistStore | None
    admins: AdminStore
    listing: ListingStore
    forwardings: ForwardingStore
    hashes: PasswordHashStore
    ldif: LdifStore | None
    renames: RenameStore


def account_ports(stores: AccountStores) -> dict[str, Any]:
    """The account ports of ``stores`` by name, for building another bundle that carries them."""
    return {field.name: getattr(stores, field.name) for field in fields(AccountStores)}


class ThrottleStore(Protocol):
    """iRedAPD throttle settings.

    ``clearing`` and ``clearing_domain`` wrap the write of an account store
    that creates or deletes the address (or domain): they remove its
    iRedAPD rows (throttles with their tracking rows, greylisting settings
    and whitelists: one ``iredapd`` transaction) before the block, in a transaction that
    commits only when the block succeeds and rolls back when it raises. An
    unreachable iredapd raises on entry, before the block runs.
    """

    async def get(self, account: str, kind: str) -> Throttle | None: ...
    async def list(self, accounts: list[str]) -> list[Throttle]: ...
    async def put(self, throttle: Throttle) -> None: ...
    async def delete(self, account: str, kind: str | None = None) -> int: ...
    def clearing(self, account: str) -> AbstractAsyncContextManager[int]: ...
    def clearing_accounts(self, accounts: Collection[str]) -> AbstractAsyncContextManager[int]: ...
    def clearing_domain(self, domain: str) -> AbstractAsyncContextManager[int]: ...
    def renaming(self, account: str, new_account: str) -> AbstractAsyncContextManager[int]:
        """Give the rows of ``account`` to ``new_account`` (whose own are removed) around the account's rename."""
        ...


class GreylistingStore(Protocol):
    """iRedAPD greylisting: per-account settings, sender whitelists, and the domains whose SPF hosts are whitelisted.

    ``settings`` and ``whitelists`` read every account's rows when ``accounts``
    is None. The ``update_*`` methods apply ``replace`` (None: keep), then
    ``add``, then ``remove`` in one transaction; a replace keeps the rows
    iRedAPD's SPF job wrote (comment ``AUTO-UPDATE: …``).
    """

    async def settings(self, accounts: Collection[str] | None) -> list[GreylistingSetting]: ...
    async def set_status(self, account: str, priority: int, active: bool) -> None: ...
    async def clear_status(self, account: str) -> bool: ...
    async def whitelists(self, accounts: Collection[str] | None) -> list[GreylistingWhitelist]: ...
    async def spf_whitelists(self) -> list[GreylistingWhitelist]: ...
    async def update_whitelists(
        self, account: str, *, replace: Collection[str] | None, add: Collection[str], remove: Collection[str]
    ) -> None: ...
    async def whitelist_domains(self) -> list[str]: ...
    async def update_whitelist_domains(
        self, *, replace: Collection[str] | None, add: Collection[str], remove: Collection[str]
    ) -> None: ...


class SpamPolicyStore(Protocol):
    """Amavisd spam policies by account (``@.``, ``@domain``, an address), as ``policy`` columns.

    ``clearing`` and ``clearing_domain`` remove an account's policy and
    white/blacklists around the account store's write, as ``ThrottleStore``'s do.
    """

    async def policies(self, accounts: Collection[str]) -> dict[str, dict[str, Any]]: ...
    async def put_policy(self, account: str, priority: int, columns: Mapping[str, Any]) -> None: ...
    async def delete_policy(self, account: str) -> bool: ...
    def clearing(self, account: str) -> AbstractAsyncContextManager[int]: ...
    def clearing_accounts(self, accounts: Collection[str]) -> AbstractAsyncContextManager[int]: ...
    def clearing_domain(self, domain: str) -> AbstractAsyncContextManager[int]: ...
    def renaming(self, account: str, new_account: str) -> AbstractAsyncContextManager[int]:
        """Give the policy and lists of ``account`` to ``new_account`` around the account's rename."""
        ...


class WblistStore(Protocol):
    """Amavisd/iRedAPD white- and blacklists by account; adding to one colour removes from the other."""

    async def lists(self, accounts: Collection[str]) -> dict[str, WbLists]: ...
    async def add_entries(
        self, account: str, priority: int, direction: Direction, colour: Colour, entries: Mapping[str, int]
    ) -> None: ...
    async def remove_entries(
        self, account: str, direction: Direction, colour: Colour, entries: Collection[str] | None
    ) -> int: ...


class SessionStore(Protocol):
    """Admin sessions, shared by every instance; the cookie carries only the opaque id ``create`` returns.

    The store keeps a digest of the id, never the id. ``lookup`` refuses an
    expired session; expired rows are removed as new sessions are made.
    """

    async def create(self, username: str, lifetime: timedelta, *, replacing: str | None = None) -> str: ...
    async def lookup(self, session_id: str) -> str | None: ...
    async def delete(self, session_id: str) -> None: ...
    async def delete_for(self, usernames: Collection[str]) -> None: ...


@dataclass(frozen=True)
class DeletedMailbox:
    """A removed mailbox whose maildir waits for iRedAdmin's cron job to delete it."""

    username: str
    domain: str
    maildir: str  # absolute: the entry's homeDirectory
    admin: str
    delete_date: date | None  # None: keep forever


class IredadminStore(Protocol):
    """What an iRedMail LDAP server keeps outside the directory, in iRedAdmin's SQL database.

    Deleted mailboxes wait in ``deleted_mailboxes`` until a cron job removes
    their maildirs once ``delete_date`` has passed, and Dovecot counts used
    quota in ``used_quota``.
    """

    async def record(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        """Queue the maildirs of removed mailboxes for removal; forget their used quota."""
        ...

    async def deleted_maildirs(self, username: str) -> Collection[str]:
        """The maildirs of ``username``'s deleted mailboxes still waiting for removal."""
        ...

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        """What Dovecot counted for each of ``emails`` it has a row for."""
        ...

    async def used_by_domain(self, domains: Collection[str] | None) -> dict[str, UsedQuota]:
        """What Dovecot counted, summed per domain (every domain when None)."""
        ...

    async def move_used_quota(self, username: str, new_username: str) -> None:
        """Dovecot's count of ``username`` becomes that of ``new_username`` (a renamed mailbox)."""
        ...


class AuditLogStore(Protocol):
    """iRedAdmin's admin log (``log`` in the ``iredadmin`` database), on every install.

    ``ready`` makes sure a row can be taken (creating the panel's table where
    it is missing) and raises ``BackendUnavailable`` when it cannot.
    """

    async def ready(self) -> None: ...
    async def record(self, entry: AuditEntry) -> None: ...
    async def page(self, query: AuditQuery) -> Page[AuditEntry]: ...
