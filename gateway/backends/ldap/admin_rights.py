"""Writes of a mail user's admin rights: ``domainGlobalAdmin`` and the ``domainadmin`` service.

A mail user gains ``enabledService: domainadmin`` with its first right and
loses it with its last (reference: pro-api-storage 1.3).
"""

from __future__ import annotations

from collections.abc import Collection

from gateway.backends.ldap.admin_limits import managed_domains
from gateway.backends.ldap.connection import Directory
from gateway.backends.ldap.dn import Tree
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import ADMIN_SERVICE

GLOBAL_ATTRIBUTES = ["mail", "objectClass", "enabledService", "domainGlobalAdmin"]


def grant_service(directory: Directory, tree: Tree, journal: Journal, emails: Collection[str]) -> None:
    """The mail users among ``emails`` get the ``domainadmin`` service."""
    for email in emails:
        entry = directory.get(tree.user_dn(email), GLOBAL_ATTRIBUTES)
        if entry is not None and "mailuser" in entry.classes() and not entry.has("enabledService", ADMIN_SERVICE):
            journal.add_values(directory, entry.dn, "enabledService", [ADMIN_SERVICE])


def revoke_if_no_domains(directory: Directory, tree: Tree, journal: Journal, emails: Collection[str]) -> None:
    """The mail users among ``emails`` that manage nothing and are not global lose the ``domainadmin`` service."""
    for email in emails:
        entry = directory.get(tree.user_dn(email), GLOBAL_ATTRIBUTES)
        if entry is None or "mailuser" not in entry.classes():
            continue
        if entry.first("domainGlobalAdmin").lower() == "yes" or managed_domains(directory, tree, email):
            continue
        journal.delete_values(directory, entry.dn, "enabledService", entry.matching("enabledService", ADMIN_SERVICE))


def set_user_global(directory: Directory, tree: Tree, journal: Journal, email: str, is_global: bool) -> None:
    """Promote a mail user (``domainGlobalAdmin: yes`` and the service) or demote it, keeping its domains."""
    entry = directory.get(tree.user_dn(email), GLOBAL_ATTRIBUTES)
    if entry is None:
        return
    journal.replace(directory, entry, {"domainGlobalAdmin": ["yes"] if is_global else []})
    if is_global:
        grant_service(directory, tree, journal, [email])
    else:
        revoke_if_no_domains(directory, tree, journal, [email])
