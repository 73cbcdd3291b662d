"""iRedMail's OpenLDAP directory as the account store."""

from gateway.backends.ldap.accounts import LdapAccounts, LdapMaillists
from gateway.backends.ldap.connection import LdapPool
from gateway.backends.ldap.iredadmin import DeletedMailbox, IredadminStore

__all__ = ["DeletedMailbox", "IredadminStore", "LdapAccounts", "LdapMaillists", "LdapPool"]
