"""iRedMail's OpenLDAP directory as the account store."""

from gateway.backends.ldap.accounts import LdapAccounts, LdapMaillists
from gateway.backends.ldap.connection import LdapPool
from gateway.backends.ldap.deleted import DeletedMailbox, MailboxRecorder

__all__ = ["DeletedMailbox", "LdapAccounts", "LdapMaillists", "LdapPool", "MailboxRecorder"]
