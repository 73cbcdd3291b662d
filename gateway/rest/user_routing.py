"""The parameters of ``PUT /api/user/<mail>`` that change a user's routing, services and profile fields."""

from __future__ import annotations

from gateway.resolvers.domain_routing import ListChange
from gateway.resolvers.user_routing import UserRoutingInput
from gateway.rest.declare import COMMA_LIST, TEXT, Param, Values

ListNames = tuple[str, str, str]
"""The parameters of one list: the whole list, values to add, values to remove."""

FORWARDINGS: ListNames = ("forwarding", "addForwarding", "removeForwarding")
ALIASES: ListNames = ("aliases", "addAlias", "removeAlias")
SERVICES: ListNames = ("services", "addService", "removeService")


def _list_params(names: ListNames, texts: tuple[str, str, str], example: str | None = None) -> tuple[Param, ...]:
    """The parameters ``names`` of one list described by ``texts``; ``example`` is of the whole list."""
    (given, add, remove), (whole, added, removed) = names, texts
    return (
        Param(given, COMMA_LIST, whole, example=example),
        Param(add, COMMA_LIST, added),
        Param(remove, COMMA_LIST, removed),
    )


PARAMS = (
    *_list_params(FORWARDINGS, (
        "Forwarding targets (replaces them all; the user's own address among them keeps a copy in the mailbox; "
        "empty: no forwarding)",
        "Forwarding targets to add",
        "Forwarding targets to remove (the own address: keep no copy)",
    ), example="john@example.com,john@elsewhere.test"),
    Param("senderBcc", TEXT, "Address that gets a copy of all mail the user sends (empty removes it)"),
    Param("recipientBcc", TEXT, "Address that gets a copy of all mail the user receives (empty removes it)"),
    *_list_params(ALIASES, (
        "Per-user alias addresses in the user's domain (replaces them all)",
        "Per-user alias addresses to add",
        "Per-user alias addresses to remove",
    ), example="j.doe@example.com"),
    *_list_params(SERVICES, (
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


def _listed(values: Values, names: ListNames) -> ListChange:
    given, add, remove = names
    return ListChange(values.get(given), values.get(add) or (), values.get(remove) or ())


def routing_input(values: Values) -> UserRoutingInput | None:
    """The routing changes the request gives, None when it gives none."""
    if all(values.get(param.name) is None for param in PARAMS):
        return None
    return UserRoutingInput(
        forwardings=_listed(values, FORWARDINGS),
        aliases=_listed(values, ALIASES),
        sender_bcc=values["senderBcc"],
        recipient_bcc=values["recipientBcc"],
        services=_listed(values, SERVICES),
        mailbox_format=values["mailboxFormat"],
        mailbox_folder=values["mailboxFolder"],
        maildir=values["maildir"],
        first_name=values["gn"],
        last_name=values["sn"],
        telephone=values["telephoneNumber"],
        mobile=values["mobile"],
    )
