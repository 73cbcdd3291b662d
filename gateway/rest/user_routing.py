"""The parameters of ``PUT /api/user/<mail>`` that change a user's routing, services and profile fields."""

from __future__ import annotations

from gateway.resolvers.domain_routing import ListChange
from gateway.resolvers.user_routing import UserRoutingInput
from gateway.rest.declare import COMMA_LIST, TEXT, Param, Values

PARAMS = (
    Param("forwarding", COMMA_LIST, "Forwarding targets (replaces them all; the user's own address among them "
          "keeps a copy in the mailbox; empty: no forwarding)", example="john@example.com,john@elsewhere.test"),
    Param("addForwarding", COMMA_LIST, "Forwarding targets to add"),
    Param("removeForwarding", COMMA_LIST, "Forwarding targets to remove (the own address: keep no copy)"),
    Param("senderBcc", TEXT, "Address that gets a copy of all mail the user sends (empty removes it)"),
    Param("recipientBcc", TEXT, "Address that gets a copy of all mail the user receives (empty removes it)"),
    Param("aliases", COMMA_LIST, "Per-user alias addresses in the user's domain (replaces them all)",
          example="j.doe@example.com"),
    Param("addAlias", COMMA_LIST, "Per-user alias addresses to add"),
    Param("removeAlias", COMMA_LIST, "Per-user alias addresses to remove"),
    Param("services", COMMA_LIST, "Enabled services, like smtp,imap,pop3 (replaces them all; delivery and "
          "internal services stay unless removed by name)"),
    Param("addService", COMMA_LIST, "Services to enable"),
    Param("removeService", COMMA_LIST, "Services to disable"),
    Param("mailboxFormat", TEXT, "Dovecot mailbox format: maildir, mdbox, sdbox or mbox (no migration)"),
    Param("mailboxFolder", TEXT, "Folder of the mailbox under the home directory, like Maildir"),
    Param("maildir", TEXT, "Absolute home directory (global admins; the mail is not moved)",
          example="/var/vmail/vmail1/example.com/j/o/h/john/"),
    Param("gn", TEXT, "First name"),
    Param("sn", TEXT, "Last name"),
    Param("telephoneNumber", COMMA_LIST, "Telephone numbers (LDAP only)"),
    Param("mobile", COMMA_LIST, "Mobile numbers (LDAP only)"),
)  # fmt: skip


def _listed(values: Values, given: str, add: str, remove: str) -> ListChange:
    return ListChange(values.get(given), values.get(add) or (), values.get(remove) or ())


def routing_input(values: Values) -> UserRoutingInput | None:
    """The routing changes the request gives, None when it gives none."""
    if all(values.get(param.name) is None for param in PARAMS):
        return None
    return UserRoutingInput(
        forwardings=_listed(values, "forwarding", "addForwarding", "removeForwarding"),
        aliases=_listed(values, "aliases", "addAlias", "removeAlias"),
        sender_bcc=values["senderBcc"],
        recipient_bcc=values["recipientBcc"],
        services=_listed(values, "services", "addService", "removeService"),
        mailbox_format=values["mailboxFormat"],
        mailbox_folder=values["mailboxFolder"],
        maildir=values["maildir"],
        first_name=values["gn"],
        last_name=values["sn"],
        telephone=values["telephoneNumber"],
        mobile=values["mobile"],
    )
