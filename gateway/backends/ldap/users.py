"""Mail users: ``mail=<address>,ou=Users,domainName=<domain>`` entries."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from typing import TypeVar

from gateway.backends.base import AdminBound, DeletedMailbox, UserCheck
from gateway.backends.ldap.admin_limits import bounded, taking_turns
from gateway.backends.ldap.admin_rights import set_user_global
from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import USERS, Tree, active_filter, all_of, any_of, eq, not_, object_class, present
from gateway.backends.ldap.domain_routing import add_alias_domain_addresses
from gateway.backends.ldap.domains import ENTRY_ATTRIBUTES, counted, require_domain, usage
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import (
    domain_from_entry,
    domain_part,
    home_directory,
    local_part,
    password_values,
    user_attributes,
    user_changes,
    user_from_entry,
)
from gateway.backends.ldap.store import DirectoryPort, Write
from gateway.backends.ldap.user_routing import apply_routing, read_routing, routing_from_entry
from gateway.errors import Conflict, ErrorCode, NotFound
from gateway.maildir import maildir_variant
from gateway.model import NewUser, User, UserChanges, UserRouting

# attributes of other entries that may name a user; a deleted user's address leaves them all
REFERENCES = (
    "domainAdmin", "mailForwardingAddress", "listModerator", "listOwner",
    "userSenderBccAddress", "userRecipientBccAddress", "domainSenderBccAddress", "domainRecipientBccAddress",
)  # fmt: skip
MAILBOX = object_class("mailUser")


def holders(directory: Directory, tree: Tree, address: str) -> int:
    """How many accounts use ``address``: users, aliases, lists (also as shadowAddress) and admins."""
    in_domains = all_of(
        any_of(eq("mail", address), eq("shadowAddress", address)), not_(object_class("mailExternalUser"))
    )
    found = directory.search(tree.domains, in_domains, attributes=["1.1"])
    found += directory.search(tree.admins, eq("mail", address), scope=LEVEL, attributes=["1.1"])
    return len(found)


def admin_names(directory: Directory, tree: Tree) -> set[str]:
    """Every address named in some domain's ``domainAdmin``."""
    entries = directory.search(
        tree.domains,
        all_of(object_class("mailDomain"), present("domainAdmin")),
        scope=LEVEL,
        attributes=["domainAdmin"],
    )
    return {value.lower() for entry in entries for value in entry.values("domainAdmin")}


def is_mailbox(entry: Entry) -> bool:
    """A mail user with a local part: not the catch-all ``@domain`` entry."""
    return bool(local_part(entry.first("mail")))


def fetch_user_entry(directory: Directory, tree: Tree, email: str) -> Entry | None:
    entry = directory.get(tree.user_dn(email), ENTRY_ATTRIBUTES)
    return entry if entry is not None and "mailuser" in entry.classes() else None


def user_entries(directory: Directory, tree: Tree, domain: str, search_filter: str = "") -> list[Entry]:
    """The domain's users (no catch-all), by address."""
    wanted = all_of(MAILBOX, *([search_filter] if search_filter else []))
    found = directory.search(tree.container_dn(domain, USERS), wanted, scope=LEVEL, attributes=ENTRY_ATTRIBUTES)
    return sorted((entry for entry in found if is_mailbox(entry)), key=lambda entry: entry.first("mail").lower())


def fetch_user(directory: Directory, tree: Tree, email: str) -> User | None:
    entry = fetch_user_entry(directory, tree, email)
    return None if entry is None else user_from_entry(entry, admin_names(directory, tree))


def fetch_routed_user(directory: Directory, tree: Tree, email: str) -> tuple[User, UserRouting] | None:
    entry = fetch_user_entry(directory, tree, email)
    return None if entry is None else (user_from_entry(entry, admin_names(directory, tree)), routing_from_entry(entry))


def fetch_users(directory: Directory, tree: Tree, domain: str, active: bool | None) -> list[User]:
    entries = user_entries(directory, tree, domain, active_filter(active))
    admins = admin_names(directory, tree) if entries else set()
    return [user_from_entry(entry, admins) for entry in entries]


def create_user(directory: Directory, tree: Tree, journal: Journal, user: NewUser, check: UserCheck) -> None:
    """Add the user's entry after the checks, then check again: LDAP cannot lock the domain."""
    domain_entry = require_domain(directory, tree, user.domain)
    domain = domain_from_entry(domain_entry)
    if holders(directory, tree, user.email):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    check(domain, usage(directory, tree, [domain.name])[domain.name], None)
    journal.add(directory, tree.user_dn(user.email), user_attributes(user, domain.active))
    add_alias_domain_addresses(directory, journal, domain_entry, tree.user_dn(user.email), user.email)
    # a concurrent writer may have taken the address or the last free place meanwhile
    after = usage(directory, tree, [domain.name])[domain.name]
    check(domain, replace(after, users=after.users - 1, allocated_quota=after.allocated_quota - user.quota), None)
    if holders(directory, tree, user.email) > 1:
        raise Conflict(ErrorCode.ALREADY_EXISTS)


def update_user(
    directory: Directory,
    tree: Tree,
    journal: Journal,
    email: str,
    domain_name: str,
    changes: UserChanges,
    check: UserCheck,
) -> None:
    domain = domain_from_entry(require_domain(directory, tree, domain_name))
    entry = fetch_user_entry(directory, tree, email)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    current = user_from_entry(entry, admin_names(directory, tree))
    check(domain, usage(directory, tree, [domain.name])[domain.name], current)
    journal.replace(directory, entry, user_changes(email, changes))
    apply_routing(directory, tree, journal, email, changes.routing)
    if changes.is_global_admin is not None:
        set_user_global(directory, tree, journal, email, changes.is_global_admin)


def update_domain_users(
    directory: Directory, tree: Tree, journal: Journal, domain: str, changes: UserChanges, skip: Collection[str] = ()
) -> int:
    """Apply one change set to every user of ``domain`` but ``skip``; returns how many it changed."""
    require_domain(directory, tree, domain)
    if changes == UserChanges():
        return 0
    skipped = {email.lower() for email in skip}
    entries = [entry for entry in user_entries(directory, tree, domain) if entry.first("mail").lower() not in skipped]
    for entry in entries:
        journal.replace(directory, entry, user_changes(entry.first("mail"), changes))
    return len(entries)


def set_passwords(directory: Directory, tree: Tree, journal: Journal, domain: str, hashes: Mapping[str, str]) -> None:
    """Give each user of ``domain`` its own hash; addresses without a user there are skipped."""
    require_domain(directory, tree, domain)
    wanted = {email.lower(): password_hash for email, password_hash in hashes.items()}
    for entry in user_entries(directory, tree, domain):
        password_hash = wanted.get(entry.first("mail").lower())
        if password_hash is not None:
            journal.replace(directory, entry, password_values(password_hash))


def delete_user(
    directory: Directory, tree: Tree, journal: Journal, email: str, *, admin: str, delete_date: date | None
) -> list[DeletedMailbox]:
    """Remove the user's subtree and its address from every entry naming it; returns its mailbox."""
    entry = fetch_user_entry(directory, tree, email)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    forget_address(directory, tree, journal, email)
    journal.delete_tree(directory, directory.search(entry.dn, "(objectClass=*)", attributes=["*"]))
    maildir = entry.first("homeDirectory")
    if not maildir:
        return []
    return [
        DeletedMailbox(
            username=email, domain=email.rsplit("@", 1)[1], maildir=maildir, admin=admin, delete_date=delete_date
        )
    ]


def forget_address(directory: Directory, tree: Tree, journal: Journal, address: str) -> None:
    """Remove ``address`` from the REFERENCES attributes of every other entry."""
    naming = all_of(any_of(*(eq(attribute, address) for attribute in REFERENCES)), not_(eq("mail", address)))
    for entry in directory.search(tree.domains, naming, attributes=list(REFERENCES)):
        for attribute in REFERENCES:
            journal.delete_values(directory, entry.dn, attribute, entry.matching(attribute, address))


def users_by_email(directory: Directory, tree: Tree, emails: Collection[str]) -> dict[str, User]:
    if not emails:
        return {}
    wanted = all_of(MAILBOX, any_of(*(eq("mail", email) for email in sorted(set(emails)))))
    entries = directory.search(tree.domains, wanted, attributes=ENTRY_ATTRIBUTES)
    admins = admin_names(directory, tree) if entries else set()
    users = (user_from_entry(entry, admins) for entry in entries if is_mailbox(entry))
    return {user.email: user for user in users}


T = TypeVar("T")


def _counted_if_quota(operation: Write[T], domain: str, changes: UserChanges) -> Write[T]:
    """A user update counts only when it changes a quota: the other fields leave the counters as they are."""
    return counted(operation, domain) if changes.quota is not None else operation


class LdapUsers(DirectoryPort):
    """The ``UserStore`` over the directory; deleted mailboxes are queued in iRedAdmin's database."""

    async def get_user(self, email: str) -> User | None:
        return await self.store.read(partial(fetch_user, email=email))

    async def get_routed_user(self, email: str) -> tuple[User, UserRouting] | None:
        return await self.store.read(partial(fetch_routed_user, email=email))

    async def list_users(self, domain: str, *, active: bool | None = None) -> list[User]:
        return await self.store.read(partial(fetch_users, domain=domain, active=active))

    async def user_emails(self, domain: str) -> list[str]:
        entries = await self.store.read(partial(user_entries, domain=domain))
        return [entry.first("mail").lower() for entry in entries]

    async def create_user(self, user: NewUser, check: UserCheck, bound: AdminBound | None = None) -> None:
        async with self.store.creating[user.domain], taking_turns(self.store, bound):
            user = await self._unused_home(user)
            create = counted(partial(create_user, user=user, check=check), user.domain)
            await self.store.write(bounded(create, bound))

    async def create_users(self, users: Sequence[tuple[NewUser, UserCheck]]) -> None:
        if not users:
            return
        domain = users[0][0].domain
        async with self.store.creating[domain]:
            homes = [(await self._unused_home(user), check) for user, check in users]

            def create_all(directory: Directory, tree: Tree, journal: Journal) -> None:
                for user, check in homes:
                    create_user(directory, tree, journal, user, check)

            await self.store.write(counted(create_all, domain))

    async def _unused_home(self, user: NewUser) -> NewUser:
        """``user``, or it with a variant of its maildir while a deleted mailbox of that address still names it."""
        if self.store.iredadmin is None:
            return user
        used = {path.lower() for path in await self.store.iredadmin.deleted_maildirs(user.email)}
        candidate, attempt = user, 1
        while home_directory(candidate).lower() in used:
            attempt += 1
            candidate = replace(user, maildir=maildir_variant(user.maildir, attempt))
        return candidate

    async def update_user(
        self, email: str, domain_name: str, changes: UserChanges, check: UserCheck, bound: AdminBound | None = None
    ) -> None:
        update = partial(update_user, email=email, domain_name=domain_name, changes=changes, check=check)
        async with taking_turns(self.store, bound):
            await self.store.write(bounded(_counted_if_quota(update, domain_name, changes), bound))

    async def update_domain_users(self, domain: str, changes: UserChanges, *, skip: Collection[str] = ()) -> int:
        update = partial(update_domain_users, domain=domain, changes=changes, skip=skip)
        return await self.store.write(_counted_if_quota(update, domain, changes))

    async def set_passwords(self, domain: str, hashes: Mapping[str, str]) -> None:
        await self.store.write(partial(set_passwords, domain=domain, hashes=dict(hashes)))

    async def delete_user(self, email: str, *, admin: str, delete_date: date | None) -> None:
        await self.store.write(
            counted(partial(delete_user, email=email, admin=admin, delete_date=delete_date), domain_part(email)),
            then=self.store.recorded,
        )

    async def user_routing(self, emails: Collection[str]) -> dict[str, UserRouting]:
        return await self.store.read(partial(read_routing, emails=list(emails)))
