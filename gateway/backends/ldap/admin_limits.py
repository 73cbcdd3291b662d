"""Holding a normal admin's limits across the domains it manages (``domainAdmin: <admin>``).

LDAP cannot lock: a write bound by an admin's limits counts what the admin's
domains hold after writing and is undone when over (a concurrent writer on
another gateway then undoes its own too); within one gateway the admin's
writes take turns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from gateway.backends.base import AdminBound
from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import Tree, all_of, eq, object_class
from gateway.backends.ldap.domains import usage
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.store import DirectoryStore, Write
from gateway.model import AdminUsage

T = TypeVar("T")


def managed_domains(directory: Directory, tree: Tree, username: str) -> list[str]:
    """The domains naming ``username`` in ``domainAdmin``."""
    found = directory.search(
        tree.domains,
        all_of(object_class("mailDomain"), eq("domainAdmin", username)),
        scope=LEVEL,
        attributes=["domainName"],
    )
    return sorted(entry.first("domainName").lower() for entry in found)


def admin_usage(directory: Directory, tree: Tree, username: str) -> AdminUsage:
    names = managed_domains(directory, tree, username)
    figures = usage(directory, tree, names).values()
    return AdminUsage(
        domains=len(names),
        users=sum(figure.users for figure in figures),
        aliases=sum(figure.aliases for figure in figures),
        lists=sum(figure.lists for figure in figures),
        allocated_quota=sum(figure.allocated_quota for figure in figures),
    )


def bounded(operation: Write[T], bound: AdminBound | None) -> Write[T]:
    """``operation``, then the admin's limits checked on what its domains hold now (a raise undoes it)."""
    if bound is None:
        return operation

    def write(directory: Directory, tree: Tree, journal: Journal) -> T:
        result = operation(directory, tree, journal)
        bound.check(admin_usage(directory, tree, bound.username))
        return result

    return write


@asynccontextmanager
async def taking_turns(store: DirectoryStore, bound: AdminBound | None) -> AsyncIterator[None]:
    """Within this gateway, one bound write of an admin at a time (the lock's name is never a domain's)."""
    if bound is None:
        yield
        return
    async with store.creating[f"admin {bound.username}"]:
        yield
