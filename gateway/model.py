"""What the gateway manages, as frozen values independent of any backend.

Quotas of domains and users are in MB (0 = unlimited); message sizes and
throttle quotas are in bytes. A change set field left ``None`` means "keep".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class AccessPolicy(StrEnum):
    """Who may send to an alias or list."""

    PUBLIC = "public"
    DOMAIN = "domain"
    SUBDOMAIN = "subdomain"
    MEMBERS_ONLY = "membersonly"
    MODERATORS_ONLY = "moderatorsonly"
    MEMBERS_AND_MODERATORS_ONLY = "membersandmoderatorsonly"


class ThrottleKind(StrEnum):
    """iRedAPD throttle kinds the API manages."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class AccountStatus(StrEnum):
    """Whether a domain or account is in service (iRedMail's ``active`` flag, LDAP ``accountStatus``)."""

    ACTIVE = "active"
    DISABLED = "disabled"

    @classmethod
    def of(cls, active: bool) -> AccountStatus:
        return cls.ACTIVE if active else cls.DISABLED


@dataclass(frozen=True)
class Actor:
    """Who is asking: an admin and the domains it may manage."""

    username: str
    is_global: bool
    domains: frozenset[str] = frozenset()

    def may_manage(self, domain: str) -> bool:
        return self.is_global or domain in self.domains


@dataclass(frozen=True)
class Domain:
    name: str
    description: str
    active: bool
    transport: str
    backupmx: bool
    quota: int
    max_users: int
    max_aliases: int
    max_lists: int
    default_user_quota: int
    max_user_quota: int
    min_password_length: int
    max_password_length: int
    default_language: str
    created: datetime | None
    modified: datetime | None


@dataclass
class DomainChanges:
    """Values given when creating or updating a domain; not frozen, as GraphQL's input extends it."""

    description: str | None = None
    active: bool | None = None
    transport: str | None = None
    quota: int | None = None
    max_users: int | None = None
    max_aliases: int | None = None
    max_lists: int | None = None
    default_user_quota: int | None = None
    max_user_quota: int | None = None
    min_password_length: int | None = None
    max_password_length: int | None = None
    default_language: str | None = None
    backupmx: bool | None = None
    routing: RoutingUpdate | None = None
    """Applied to the stored routing within the write; it checks and may refuse."""


@dataclass(frozen=True)
class DomainRouting:
    """Where a domain's mail goes beyond its accounts, and its domain-level switches (storage reference 3)."""

    alias_domains: tuple[str, ...] = ()
    catchall: tuple[str, ...] = ()
    relayhost: str = ""
    sender_bcc: str = ""
    recipient_bcc: str = ""
    services: tuple[str, ...] = ()
    disabled_domain_profiles: tuple[str, ...] = ()
    disabled_user_profiles: tuple[str, ...] = ()
    disabled_user_preferences: tuple[str, ...] = ()


RoutingUpdate = Callable[[DomainRouting], DomainRouting]


@dataclass(frozen=True)
class Destination:
    """Where an address of a hosted domain lands: that domain (an alias domain resolved) and whether an
    account (mailbox, alias, list, per-user alias) answers for it."""

    domain: str
    exists: bool

    @staticmethod
    def in_primary_domains(emails: Iterable[str], primary: Mapping[str, str]) -> dict[str, str]:
        """Each of ``emails`` whose domain is hosted (a key of ``primary``), in the domain it stands for."""
        split = {email: email.rsplit("@", 1) for email in emails}
        return {email: f"{local}@{primary[domain]}" for email, (local, domain) in split.items() if domain in primary}

    @staticmethod
    def of(resolved: Mapping[str, str], existing: Collection[str]) -> dict[str, Destination]:
        """The destinations of ``in_primary_domains``'s answer, given the addresses an account answers for."""
        return {
            email: Destination(domain=address.rsplit("@", 1)[1], exists=address in existing)
            for email, address in resolved.items()
        }


@dataclass(frozen=True)
class DomainUsage:
    """Counts and quota figures of one domain."""

    users: int
    aliases: int
    allocated_quota: int
    used_bytes: int
    used_messages: int
    lists: int = 0


@dataclass(frozen=True)
class User:
    email: str
    domain: str
    name: str
    language: str
    quota: int
    transport: str
    active: bool
    is_admin: bool
    is_global_admin: bool
    employee_id: str
    maildir: str
    created: datetime | None
    modified: datetime | None
    password_last_change: datetime | None
    forwardings: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewUser:
    """A mailbox ready to be written: every value resolved, password hashed."""

    email: str
    domain: str
    name: str
    password_hash: str
    language: str
    quota: int
    transport: str
    storage_base_directory: str
    storage_node: str
    maildir: str
    employee_id: str = ""
    disabled_services: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserChanges:
    """Values given when updating a user (the password arrives hashed)."""

    name: str | None = None
    language: str | None = None
    quota: int | None = None
    transport: str | None = None
    active: bool | None = None
    employee_id: str | None = None
    password_hash: str | None = None
    is_global_admin: bool | None = None  # promote (also isadmin) or demote; domain rights stay
    routing: UserRoutingUpdate | None = None
    """Applied to the stored routing within the write; it checks and may refuse."""


@dataclass(frozen=True)
class UserRouting:
    """A user's forwardings, per-user aliases, BCC, services and profile fields (storage reference 2).

    ``forwardings`` holds the targets; the user's own address among them keeps a copy in the mailbox,
    and the own address alone is a mailbox without forwarding. ``maildir`` is the absolute home.
    """

    forwardings: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    sender_bcc: str = ""
    recipient_bcc: str = ""
    services: tuple[str, ...] = ()
    mailbox_format: str = ""
    mailbox_folder: str = ""
    maildir: str = ""
    first_name: str = ""
    last_name: str = ""
    telephone: tuple[str, ...] = ()
    mobile: tuple[str, ...] = ()


UserRoutingUpdate = Callable[[UserRouting], UserRouting]


@dataclass(frozen=True)
class Alias:
    address: str
    domain: str
    name: str
    access_policy: str
    active: bool
    members: tuple[str, ...]
    created: datetime | None


@dataclass(frozen=True)
class Throttle:
    """One iRedAPD throttle row: -1 inherits, 0 is unlimited."""

    account: str
    kind: str
    priority: int
    period: int
    msg_size: int = -1
    max_msgs: int = -1
    max_quota: int = -1
    max_rcpts: int = -1


@dataclass(frozen=True)
class GreylistingSetting:
    """One iRedAPD greylisting row: ``active`` greylists mail from ``sender`` to ``account``."""

    account: str
    priority: int
    sender: str
    sender_priority: int
    active: bool
    comment: str = ""


@dataclass(frozen=True)
class GreylistingWhitelist:
    """A sender (address, domain or network) never greylisted for ``account``."""

    account: str
    sender: str
    comment: str = ""


@dataclass(frozen=True)
class PageQuery:
    """One page of a list ordered by its key: ``first`` items after the key ``after``."""

    first: int
    after: str | None = None
    search: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    has_next: bool


@dataclass(frozen=True)
class UsedQuota:
    """What Dovecot counted for a mailbox (``used_quota``)."""

    bytes: int = 0
    messages: int = 0


@dataclass(frozen=True)
class Stats:
    """Totals over the domains an actor may see."""

    domains: int
    active_domains: int
    users: int
    active_users: int
    aliases: int
    allocated_quota: int
    used_bytes: int
    used_messages: int


@dataclass(frozen=True)
class AdminLimits:
    """What a normal (not global) admin may create, counted across the domains it manages.

    0 = no limit, -1 = may not add any (iRedAdmin's convention); ``max_domains`` 0 = may not create domains.
    ``max_quota`` is in MB.
    """

    max_domains: int = 0
    max_quota: int = 0
    max_users: int = 0
    max_aliases: int = 0
    max_lists: int = 0


@dataclass(frozen=True)
class Admin:
    """An admin: a standalone account (``standalone``) or a mail user holding admin rights."""

    email: str
    name: str
    language: str
    active: bool
    is_global: bool
    standalone: bool
    domains: tuple[str, ...]
    limits: AdminLimits
    disable_viewing_mail_log: bool = False
    disable_managing_quarantined_mails: bool = False
    created: datetime | None = None
    password_last_change: datetime | None = None


@dataclass(frozen=True)
class AdminChanges:
    """Values given when creating or updating a standalone admin (the password arrives hashed)."""

    name: str | None = None
    password_hash: str | None = None
    language: str | None = None
    active: bool | None = None
    is_global: bool | None = None
    limits: AdminLimits | None = None
    disable_viewing_mail_log: bool | None = None
    disable_managing_quarantined_mails: bool | None = None


@dataclass(frozen=True)
class AdminUsage:
    """What the domains an admin manages hold: how many domains, users, aliases, lists, and allocated MB."""

    domains: int
    users: int
    aliases: int
    lists: int
    allocated_quota: int


@dataclass(frozen=True)
class AuditEntry:
    """A row of iRedAdmin's admin log (``iredadmin.log``); ``id`` is 0 until stored."""

    timestamp: datetime  # naive UTC, as the panel writes it
    admin: str
    ip: str
    domain: str
    username: str
    event: str
    message: str
    loglevel: str = "info"
    id: int = 0


@dataclass(frozen=True)
class AuditQuery:
    """Which log rows, newest first: ``limit`` rows after skipping ``offset``, or those older than ``before_id``.

    ``domains`` None means every row; otherwise only rows of those domains.
    """

    limit: int
    offset: int = 0
    before_id: int | None = None
    admin: str | None = None
    domain: str | None = None
    event: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    domains: frozenset[str] | None = None


class LdifKind(StrEnum):
    """Which directory entry an LDIF export reads: ``domain`` and ``catchall`` are named by a domain, the rest
    by an address."""

    DOMAIN = "domain"
    CATCHALL = "catchall"
    ADMIN = "admin"
    USER = "user"
    MAILLIST = "maillist"
    ALIAS = "alias"
