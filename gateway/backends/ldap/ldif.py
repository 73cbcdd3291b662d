"""One directory entry as LDIF (RFC 2849), written by ldap3's LDIF producer.

The text is that of the entry alone: ``dn:`` first, then ``objectClass``,
then the other user attributes by name, each value as stored (base64 where
RFC 2849 asks for it: non-ASCII text, a leading space, colon or ``<``), lines
folded at 78 characters. Attributes slapd keeps itself (timestamps, UUIDs)
are not user attributes and are not read; a domain's export is the domain
entry, not what lies beneath it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

from ldap3.protocol.rfc2849 import operation_to_ldif  # type: ignore[import-untyped]

from gateway.backends.ldap.connection import ALL_ATTRIBUTES, Directory
from gateway.backends.ldap.dn import Tree
from gateway.backends.ldap.domain_routing import catchall_dn
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.store import DirectoryPort
from gateway.model import LdifKind

# where each kind of entry is, and the object class it must carry
PLACES: dict[LdifKind, tuple[Callable[[Tree, str], str], str]] = {
    LdifKind.DOMAIN: (Tree.domain_dn, "maildomain"),
    LdifKind.CATCHALL: (catchall_dn, "mailuser"),
    LdifKind.ADMIN: (Tree.admin_dn, "mailadmin"),
    LdifKind.USER: (Tree.user_dn, "mailuser"),
    LdifKind.MAILLIST: (Tree.list_dn, "maillist"),
    LdifKind.ALIAS: (Tree.alias_dn, "mailalias"),
}


def entry_text(entry: Entry, hidden: Collection[str]) -> str:
    """``entry`` as one LDIF record, without the attributes ``hidden``."""
    left_out = {name.lower() for name in hidden}
    names = sorted((name for name in entry.raw if name not in left_out), key=lambda name: (name != "objectclass", name))
    record = {
        "type": "searchResEntry",
        "dn": entry.dn,
        "raw_attributes": {entry.name(name): list(entry.raw[name]) for name in names},
    }
    lines = [line for line in operation_to_ldif("searchResponse", [record]) if not line.startswith("#")]
    return "\n".join(lines).strip("\n") + "\n"


def read_entry(directory: Directory, tree: Tree, kind: LdifKind, name: str, hidden: Collection[str]) -> str | None:
    place, object_class = PLACES[kind]
    entry = directory.get(place(tree, name), ALL_ATTRIBUTES)
    if entry is None or object_class not in entry.classes():
        return None
    return entry_text(entry, hidden)


class LdapLdif(DirectoryPort):
    """The ``LdifStore``: entries of iRedMail's tree, read with the user attributes only."""

    async def entry_ldif(self, kind: LdifKind, name: str, *, hidden: Collection[str]) -> str | None:
        return await self.store.read(partial(read_entry, kind=kind, name=name, hidden=hidden))
