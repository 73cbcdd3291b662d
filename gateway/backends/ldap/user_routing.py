"""A user's routing in the directory (storage reference 2), on its mailUser entry.

``mailForwardingAddress`` (none: mail stays in the mailbox; the user's own
address among them keeps a copy), ``shadowAddress`` in the user's domain for
its per-user aliases (those in alias domains belong to the domain's alias
domains), ``userSenderBccAddress`` / ``userRecipientBccAddress``,
``enabledService``, ``mailboxFormat``, ``mailboxFolder``, ``homeDirectory``,
``givenName``, ``sn``, ``telephoneNumber`` and ``mobile``. The services
Postfix's filters need for forwarding (``forward``) and BCC (``senderbcc``,
``recipientbcc``) are switched on with the data.
"""

from __future__ import annotations

from collections.abc import Collection

from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import Tree, all_of, any_of, eq, not_, object_class
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import domain_part, local_part
from gateway.errors import Conflict, ErrorCode
from gateway.model import UserRouting, UserRoutingUpdate

ATTRIBUTES = [
    "mail", "mailForwardingAddress", "shadowAddress", "userSenderBccAddress", "userRecipientBccAddress",
    "enabledService", "mailboxFormat", "mailboxFolder", "homeDirectory", "givenName", "sn", "telephoneNumber",
    "mobile", "objectClass",
]  # fmt: skip


def _lower(values: Collection[str]) -> tuple[str, ...]:
    return tuple(sorted({value.lower() for value in values}))


def routing_from_entry(entry: Entry) -> UserRouting:
    email = entry.first("mail").lower()
    domain = domain_part(email)
    return UserRouting(
        forwardings=_lower(entry.values("mailForwardingAddress")) or (email,),
        aliases=tuple(a for a in _lower(entry.values("shadowAddress")) if domain_part(a) == domain),
        sender_bcc=entry.first("userSenderBccAddress").lower(),
        recipient_bcc=entry.first("userRecipientBccAddress").lower(),
        services=_lower(entry.values("enabledService")),
        mailbox_format=entry.first("mailboxFormat"),
        mailbox_folder=entry.first("mailboxFolder"),
        maildir=entry.first("homeDirectory"),
        first_name=entry.first("givenName"),
        last_name=entry.first("sn"),
        telephone=tuple(entry.values("telephoneNumber")),
        mobile=tuple(entry.values("mobile")),
    )


def read_routing(directory: Directory, tree: Tree, emails: Collection[str]) -> dict[str, UserRouting]:
    """The routing of each of ``emails`` that is a user, in one search."""
    wanted = sorted({email.lower() for email in emails})
    if not wanted:
        return {}
    found = directory.search(
        tree.domains, all_of(object_class("mailUser"), any_of(*(eq("mail", e) for e in wanted))), attributes=ATTRIBUTES
    )
    return {
        entry.first("mail").lower(): routing_from_entry(entry) for entry in found if local_part(entry.first("mail"))
    }


def _services(entry: Entry, wanted: UserRouting) -> list[str]:
    """``wanted.services`` as values, the stored spelling kept, with those the wanted data needs."""
    needed = set(wanted.services) | {"mail"}
    if wanted.forwardings != (entry.first("mail").lower(),):
        needed |= {"forward"}
    if wanted.sender_bcc:
        needed.add("senderbcc")
    if wanted.recipient_bcc:
        needed.add("recipientbcc")
    kept = [value for value in entry.values("enabledService") if value.lower() in needed]
    have = {value.lower() for value in kept}
    return kept + sorted(needed - have)


def _shadow_addresses(entry: Entry, wanted: UserRouting) -> list[str]:
    domain = domain_part(entry.first("mail"))
    others = [value for value in entry.values("shadowAddress") if domain_part(value) != domain]
    return others + list(wanted.aliases)


def _holders(directory: Directory, tree: Tree, address: str) -> int:
    """How many accounts use ``address`` (as mail or shadowAddress), admins included."""
    taken = all_of(any_of(eq("mail", address), eq("shadowAddress", address)), not_(object_class("mailExternalUser")))
    found = directory.search(tree.domains, taken, attributes=["1.1"])
    return len(found) + len(directory.search(tree.admins, eq("mail", address), scope=LEVEL, attributes=["1.1"]))


def _one(value: str) -> list[str]:
    return [value] if value else []


def write_routing(
    directory: Directory, tree: Tree, journal: Journal, entry: Entry, current: UserRouting, wanted: UserRouting
) -> None:
    """Turn the stored ``current`` routing of the user entry ``entry`` into ``wanted``."""
    email = entry.first("mail").lower()
    added = sorted(set(wanted.aliases) - set(current.aliases))
    if any(_holders(directory, tree, alias) for alias in added):
        raise Conflict(ErrorCode.ALREADY_EXISTS, "an alias address is taken")
    own = wanted.forwardings in ((), (email,))
    journal.replace(
        directory,
        entry,
        {
            "mailForwardingAddress": [] if own else list(wanted.forwardings),
            "shadowAddress": _shadow_addresses(entry, wanted),
            "userSenderBccAddress": _one(wanted.sender_bcc),
            "userRecipientBccAddress": _one(wanted.recipient_bcc),
            "enabledService": _services(entry, wanted),
            "mailboxFormat": _one(wanted.mailbox_format),
            "mailboxFolder": _one(wanted.mailbox_folder),
            "homeDirectory": _one(wanted.maildir),
            "givenName": _one(wanted.first_name),
            "sn": [wanted.last_name or local_part(email)],
            "telephoneNumber": list(wanted.telephone),
            "mobile": list(wanted.mobile),
        },
    )
    # a concurrent writer may have taken an alias meanwhile: LDAP cannot lock the address
    if any(_holders(directory, tree, alias) > 1 for alias in added):
        raise Conflict(ErrorCode.ALREADY_EXISTS, "an alias address is taken")


def apply_routing(
    directory: Directory, tree: Tree, journal: Journal, email: str, update: UserRoutingUpdate | None
) -> None:
    """Apply the routing update of a user's changes, if any, to the user as it is now."""
    if update is None:
        return
    entry = directory.get(tree.user_dn(email), ATTRIBUTES)
    if entry is None:
        return
    current = routing_from_entry(entry)
    write_routing(directory, tree, journal, entry, current, update(current))
