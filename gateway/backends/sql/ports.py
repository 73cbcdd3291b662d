"""The account ports over one ``vmail`` database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.base import AccountStores
from gateway.backends.sql.admin_accounts import SqlAdminStore
from gateway.backends.sql.aliases import SqlAliases
from gateway.backends.sql.domains import SqlDomains
from gateway.backends.sql.forwardings import SqlForwardings
from gateway.backends.sql.hashes import SqlPasswordHashes
from gateway.backends.sql.listing import SqlListing
from gateway.backends.sql.mailboxes import SqlUsers
from gateway.backends.sql.renames import SqlRenames


def sql_account_stores(vmail: AsyncEngine) -> AccountStores:
    """Every account port on ``vmail``; iRedMail's SQL servers keep mailing lists in mlmmj, so there are none;
    LDIF is of directories only."""
    return AccountStores(
        domains=SqlDomains(vmail),
        users=SqlUsers(vmail),
        aliases=SqlAliases(vmail),
        maillists=None,
        admins=SqlAdminStore(vmail),
        listing=SqlListing(vmail),
        forwardings=SqlForwardings(vmail),
        hashes=SqlPasswordHashes(vmail),
        ldif=None,
        renames=SqlRenames(vmail),
    )
