"""Who may log in to administer: standalone admins and mail users with admin rights.

A standalone admin is ``mail=<a>,o=domainAdmins`` (mailAdmin); a mail user
is one in ``o=domains``. Either must be ``accountStatus: active``. It is a
global admin with ``domainGlobalAdmin: yes``, and admin of every domain
whose ``domainAdmin`` names it; an account with neither is no admin.
"""

from __future__ import annotations

from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import Tree, all_of, eq, object_class
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.mapping import is_active
from gateway.model import Actor

ATTRIBUTES = ["mail", "userPassword", "accountStatus", "domainGlobalAdmin"]


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
    if not is_global and not names:
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
