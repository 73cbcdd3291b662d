"""iRedMail's OpenLDAP directory as the account storage: one port per concept over a shared ``DirectoryStore``."""

from gateway.backends.base import AccountStores
from gateway.backends.ldap.admin_accounts import LdapAdminStore
from gateway.backends.ldap.aliases import LdapAliases
from gateway.backends.ldap.connection import LdapPool
from gateway.backends.ldap.domains import LdapDomains
from gateway.backends.ldap.forwardings import LdapForwardings, LdapPasswordHashes
from gateway.backends.ldap.ldif import LdapLdif
from gateway.backends.ldap.listing import LdapListing
from gateway.backends.ldap.maillists import LdapMaillists
from gateway.backends.ldap.renames import LdapRenames
from gateway.backends.ldap.store import DirectoryStore
from gateway.backends.ldap.users import LdapUsers


def ldap_account_stores(store: DirectoryStore) -> AccountStores:
    """Every account port on the directory ``store`` reaches."""
    return AccountStores(
        domains=LdapDomains(store),
        users=LdapUsers(store),
        aliases=LdapAliases(store),
        maillists=LdapMaillists(store),
        admins=LdapAdminStore(store),
        listing=LdapListing(store),
        forwardings=LdapForwardings(store),
        hashes=LdapPasswordHashes(store),
        ldif=LdapLdif(store),
        renames=LdapRenames(store),
    )


__all__ = ["DirectoryStore", "LdapPool", "ldap_account_stores"]
