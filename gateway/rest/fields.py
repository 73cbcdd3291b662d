"""Parameters and path values several ``/api`` concepts share."""

from __future__ import annotations

from gateway.rest.declare import ACCOUNT_STATUS, FLAG, INTEGER, TEXT, Param, PathValue, Values

MAIL = PathValue("mail", "The account's e-mail address", "john@example.com")
DOMAIN = PathValue("domain", "The mail domain", "example.com")
KEEP_DAYS = PathValue("days", "Days the deleted mailboxes' mail is kept (0 = forever, at most 36500)", "30", INTEGER)

DISPLAY_NAME = Param("name", TEXT, "Display name", aliases=("cn",))
STATUS = Param("accountStatus", ACCOUNT_STATUS, "active or disabled")
PASSWORD = Param("password", TEXT, "Plain password, checked against the password policy and hashed")
PASSWORD_HASH = Param("password_hash", TEXT, "A password hash in a {SCHEME} form Dovecot verifies")
TRANSPORT = Param("transport", TEXT, "Postfix transport, like dovecot or smtp:[192.0.2.1]:25")
DISABLED_ONLY = Param("disabled_only", FLAG, "List only disabled accounts")
EMAIL_ONLY = Param("email_only", FLAG, "List the addresses only")


def active_filter(values: Values) -> bool | None:
    """``disabled_only`` as the resolvers' ``active`` filter: disabled ones, or all."""
    return False if values["disabled_only"] else None
