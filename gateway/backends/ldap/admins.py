"""Who may log in to administer: standalone admins and mail users with admin rights.

A standalone admin is ``mail=<a>,o=domainAdmins`` (mailAdmin); a mail user
is one in ``o=domains``. Either must be ``accountStatus: active``. It is a
global admin with ``domainGlobalAdmin: yes``, and admin of every domain
whose ``domainAdmin`` names it; an account with neither is no admin.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

from gateway.backends.admin_settings import may_create_domains
from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import Tree, all_of, any_of, ends_with, eq, object_class
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.mapping import is_active, parse_settings
from gateway.backends.ldap.store import DirectoryPort
from gateway.model import Actor

ATTRIBUTES = ["mail", "userPassword", "accountStatus", "domainGlobalAdmin", "objectClass", "accountSetting"]


def _account(directory: Directory, tree: Tree, username: str) -> Entry | None:
    """The standalone admin of that address, else the mail user."""
    found = directory.search(
        tree.admins, all_of(object_class("mailAdmin"), eq("mail", username)), scope=LEVEL, attributes=ATTRIBUTES
    )
    if not found:
        found = directory.search(
            tree.domains, all_of(object_class("mailUser"), eq("mail", username)), attributes=ATTRIBUTES
        )
    return found[0] if found else None


def _admin(directory: Directory, tree: Tree, username: str) -> tuple[Entry, Actor] | None:
    account = _account(directory, tree, username)
    if account is None or not is_active(account):
        return None
    is_global = account.first("domainGlobalAdmin").lower() == "yes"
    domains = directory.search(
        tree.domains,
        all_of(object_class("mailDomain"), eq("domainAdmin", username)),
        scope=LEVEL,
        attributes=["domainName"],
    )
    names = frozenset(entry.first("domainName").lower() for entry in domains)
    # a normal admin allowed to create domains may log in before it manages any
    settings = parse_settings(account.values("accountSetting"))
    may_create = "mailadmin" in account.classes() and may_create_domains(settings)
    if not is_global and not names and not may_create:
        return None
    return account, Actor(username=username, is_global=is_global, domains=names)


def load_actor(directory: Directory, tree: Tree, username: str) -> Actor | None:
    found = _admin(directory, tree, username)
    return None if found is None else found[1]


def credentials(directory: Directory, tree: Tree, username: str) -> str | None:
    """The stored password hash of an active admin, None for anyone else."""
    found = _admin(directory, tree, username)
    if found is None:
        return None
    return found[0].first("userPassword") or None


def _rights(
    directory: Directory, tree: Tree, accounts: str, managers: str, wanted: Callable[[str], bool]
) -> dict[str, Actor]:
    """The rights of the accounts ``accounts`` selects (by ``mail``) and ``managers`` (by ``domainAdmin``)
    selects, active or not; ``wanted`` keeps the ``domainAdmin`` values asked about."""
    flagged = all_of(accounts, eq("domainGlobalAdmin", "yes"))
    entries = directory.search(tree.domains, all_of(object_class("mailUser"), flagged), attributes=["mail"])
    entries += directory.search(
        tree.admins, all_of(object_class("mailAdmin"), flagged), scope=LEVEL, attributes=["mail"]
    )
    global_admins = {entry.first("mail").lower() for entry in entries}
    managed: dict[str, set[str]] = {}
    domains = all_of(object_class("mailDomain"), managers)
    for entry in directory.search(tree.domains, domains, scope=LEVEL, attributes=["domainName", "domainAdmin"]):
        for admin in (value.lower() for value in entry.values("domainAdmin")):
            if wanted(admin):
                managed.setdefault(admin, set()).add(entry.first("domainName").lower())
    return {
        email: Actor(username=email, is_global=email in global_admins, domains=frozenset(managed.get(email, ())))
        for email in global_admins | set(managed)
    }


def admin_rights(directory: Directory, tree: Tree, emails: Collection[str]) -> dict[str, Actor]:
    """``domainGlobalAdmin`` and the domains naming each of ``emails`` in ``domainAdmin``, whatever its status."""
    asked = sorted({email.lower() for email in emails})
    if not asked:
        return {}
    accounts = any_of(*(eq("mail", email) for email in asked))
    managers = any_of(*(eq("domainAdmin", email) for email in asked))
    return _rights(directory, tree, accounts, managers, set(asked).__contains__)


def domain_user_rights(directory: Directory, tree: Tree, domain: str) -> dict[str, Actor]:
    """``admin_rights`` of every address of ``domain``, in three searches."""
    suffix = "@" + domain.lower()
    accounts, managers = ends_with("mail", suffix), ends_with("domainAdmin", suffix)
    return _rights(directory, tree, accounts, managers, lambda admin: admin.endswith(suffix))


class LdapAdmins(DirectoryPort):
    """The ``AdminStore``: standalone ``mailAdmin`` entries and mail users with admin rights."""

    async def admin_credentials(self, username: str) -> str | None:
        return await self.store.read(partial(credentials, username=username))

    async def load_actor(self, username: str) -> Actor | None:
        return await self.store.read(partial(load_actor, username=username))

    async def admin_rights(self, emails: Collection[str]) -> dict[str, Actor]:
        return await self.store.read(partial(admin_rights, emails=emails)) if emails else {}

    async def domain_user_rights(self, domain: str) -> dict[str, Actor]:
        return await self.store.read(partial(domain_user_rights, domain=domain))
