"""Renaming a mail user or alias in the directory: a modrdn of its entry, then the values naming it.

The entry keeps its attributes (a user its ``homeDirectory``, so its mail
stays); ``mail`` follows the RDN, a user's ``uid`` its local part, its own
address among its ``mailForwardingAddress`` values the new one, and its
addresses in the domain's alias domains (``shadowAddress``) the new local
part. Other entries naming the old address (domain admins, alias members,
forwardings, list moderators, owners and allowed senders, BCC targets) name
the new one. Every step is journalled and undone on failure; Dovecot's used
quota row in iRedAdmin's database follows last.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from gateway.backends.ldap.aliases import fetch_alias_entry
from gateway.backends.ldap.connection import Directory
from gateway.backends.ldap.dn import Tree, any_of, eq, rdn_fits
from gateway.backends.ldap.domains import require_domain
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import domain_part, local_part
from gateway.backends.ldap.store import DirectoryPort
from gateway.backends.ldap.users import REFERENCES, fetch_user_entry, holders
from gateway.errors import Conflict, ErrorCode, InvalidInput, NotFound

NAMING = (*REFERENCES, "listAllowedUser")  # attributes of other entries whose values may be the address
OWN = ("uid", "mail", "mailForwardingAddress", "shadowAddress")


def _swapped(values: list[str], old: str, new: str) -> list[str]:
    """``values`` with ``old`` (any spelling) replaced by ``new``, which appears once."""
    kept = [value for value in values if value.lower() not in (old.lower(), new.lower())]
    return [*kept, new] if len(kept) < len(values) else values


def _shadows(entry: Entry, aliases: list[str], old: str, new: str) -> list[str]:
    """The entry's ``shadowAddress`` values with its addresses in ``aliases`` (alias domains) renamed."""
    values = entry.values("shadowAddress")
    for alias in aliases:
        values = _swapped(values, f"{local_part(old)}@{alias}", f"{local_part(new)}@{alias}")
    return values


def follow_references(directory: Directory, tree: Tree, journal: Journal, old: str, new: str, moved: str) -> None:
    """Every entry but ``moved`` naming ``old`` in an attribute of ``NAMING`` names ``new`` instead."""
    naming = any_of(*(eq(attribute, old) for attribute in NAMING))
    for entry in directory.search(tree.domains, naming, attributes=list(NAMING)):
        if entry.dn.lower() == moved.lower():
            continue
        changes = {attribute: _swapped(entry.values(attribute), old, new) for attribute in NAMING}
        journal.replace(directory, entry, changes)


def _move(
    directory: Directory,
    tree: Tree,
    journal: Journal,
    entry: Entry | None,
    new_dn: str,
    old: str,
    new: str,
    own: Callable[[Entry], dict[str, list[str]]],
) -> None:
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    if holders(directory, tree, new):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    if not rdn_fits(new_dn):
        raise InvalidInput(ErrorCode.INVALID_MAIL, f"{new} is too long for the directory")
    journal.rename(directory, entry.dn, new_dn)
    moved = directory.get(new_dn, list(OWN))
    assert moved is not None
    journal.replace(directory, moved, own(moved))
    follow_references(directory, tree, journal, old, new, new_dn)
    if holders(directory, tree, new) > 1:  # a concurrent writer took the address meanwhile
        raise Conflict(ErrorCode.ALREADY_EXISTS)


def rename_user(directory: Directory, tree: Tree, journal: Journal, email: str, new_email: str) -> None:
    aliases = [name.lower() for name in require_domain(directory, tree, domain_part(email)).values("domainAliasName")]

    def own(entry: Entry) -> dict[str, list[str]]:
        return {
            "uid": [local_part(new_email)],
            "mailForwardingAddress": _swapped(entry.values("mailForwardingAddress"), email, new_email),
            "shadowAddress": _shadows(entry, aliases, email, new_email),
        }

    entry = fetch_user_entry(directory, tree, email)
    _move(directory, tree, journal, entry, tree.user_dn(new_email), email, new_email, own)


def rename_alias(directory: Directory, tree: Tree, journal: Journal, address: str, new_address: str) -> None:
    domain = require_domain(directory, tree, domain_part(address))
    aliases = [name.lower() for name in domain.values("domainAliasName")]

    def own(entry: Entry) -> dict[str, list[str]]:
        return {"shadowAddress": _shadows(entry, aliases, address, new_address)}

    entry = fetch_alias_entry(directory, tree, address)
    _move(directory, tree, journal, entry, tree.alias_dn(new_address), address, new_address, own)


class LdapRenames(DirectoryPort):
    """The ``RenameStore`` over the directory; a user's used quota row in iRedAdmin's database follows."""

    async def rename_user(self, email: str, new_email: str) -> None:
        async def used_quota(_: None) -> None:
            if self.store.iredadmin is not None:
                await self.store.iredadmin.move_used_quota(email, new_email)

        await self.store.write(partial(rename_user, email=email, new_email=new_email), then=used_quota)

    async def rename_alias(self, address: str, new_address: str) -> None:
        await self.store.write(partial(rename_alias, address=address, new_address=new_address))
