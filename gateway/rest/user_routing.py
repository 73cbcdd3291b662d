"""The parameters of ``PUT /api/user/<mail>`` that change a user's routing, services and profile fields."""

from __future__ import annotations

from gateway.resolvers.user_routing import UserRoutingInput
from gateway.rest.declare import COMMA_LIST, TEXT, Param, Values
from gateway.rest.fields import ListNames, list_change, list_params

FORWARDINGS: ListNames = ("forwarding", "addForwarding", "removeForwarding")
ALIASES: ListNames = ("aliases", "addAlias", "removeAlias")
SERVICES: ListNames = ("services", "addService", "removeService")


PARAMS = (
    *list_params(FORWARDINGS, (
        "Forwarding targets (replaces them all; the user's own address among them keeps a copy in the mailbox; "
        "empty: no forwarding)",
        "Forwarding targets to add",
        "Forwarding targets to remove (the own address: keep no copy)",
    ), example="john@example.com,john@elsewhere.test"),
    Param("senderBcc", TEXT, "Address that gets a copy of all mail the user sends (empty removes it)"),
    Param("recipientBcc", TEXT, "Address that gets a copy of all mail the user receives (empty removes it)"),
    *list_params(ALIASES, (
        "Per-user alias addresses in the user's domain (replaces them all)",
        "Per-user alias addresses to add",
        "Per-user alias addresses to remove",
    ), example="j.doe@example.com"),
    *list_params(SERVICES, (
        "Enabled services, like smtp,imap,pop3 (replaces them all; delivery and internal services stay unless "
        "removed by name)",
        "Services to enable",
        "Services to disable",
    )),
    Param("mailboxFormat", TEXT, "Dovecot mailbox format: maildir, mdbox, sdbox or mbox (no migration)"),
    Param("mailboxFolder", TEXT, "Folder of the mailbox under the home directory, like Maildir"),
    Param("maildir", TEXT, "Absolute home directory (global admins; the mail is not moved)",
          example="/var/vmail/vmail1/example.com/j/o/h/john/"),
    Param("gn", TEXT, "First name"),
    Param("sn", TEXT, "Last name"),
    Param("telephoneNumber", COMMA_LIST, "Telephone numbers (LDAP only)"),
    Param("mobile", COMMA_LIST, "Mobile numbers (LDAP only)"),
)  # fmt: skip


def routing_input(values: Values) -> UserRoutingInput | None:
    """The routing changes the request gives, None when it gives none."""
    if all(values.get(param.name) is None for param in PARAMS):
        return None
    return UserRoutingInput(
        forwardings=list_change(values, FORWARDINGS),
        aliases=list_change(values, ALIASES),
        sender_bcc=values["senderBcc"],
        recipient_bcc=values["recipientBcc"],
        services=list_change(values, SERVICES),
        mailbox_format=values["mailboxFormat"],
        mailbox_folder=values["mailboxFolder"],
        maildir=values["maildir"],
        first_name=values["gn"],
        last_name=values["sn"],
        telephone=values["telephoneNumber"],
        mobile=values["mobile"],
    )
