"""Writes that can be taken back: LDAP has no transactions across entries.

Each write through a ``Journal`` records its inverse. When an operation
fails part-way, ``rollback`` applies the inverses newest first, so the
directory returns to the state the operation found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from gateway.backends.ldap.connection import ADD, DELETE, REPLACE, Directory, dn_depth
from gateway.backends.ldap.dn import leading_rdn
from gateway.backends.ldap.entry import Entry, Values
from gateway.errors import GatewayError

log = logging.getLogger(__name__)

Undo = Callable[[Directory], None]


def _same(current: Sequence[str], wanted: Sequence[str]) -> bool:
    return sorted(current) == sorted(wanted)


class Journal:
    """The inverses of the writes made so far."""

    def __init__(self) -> None:
        self._undo: list[Undo] = []

    def __bool__(self) -> bool:
        return bool(self._undo)

    def add(self, directory: Directory, dn: str, attributes: Mapping[str, Values | str]) -> None:
        directory.add(dn, attributes)
        self._undo.append(lambda d: d.delete(dn))

    def replace(self, directory: Directory, entry: Entry, values: Mapping[str, Sequence[str]]) -> bool:
        """Give the attributes of ``values`` exactly those values (none: remove); False when nothing changes."""
        changed = {name: list(wanted) for name, wanted in values.items() if not _same(entry.values(name), wanted)}
        if not changed:
            return False
        directory.modify(entry.dn, {name: (REPLACE, wanted) for name, wanted in changed.items()})
        before = {name: list(entry.raw.get(name.lower(), ())) for name in changed}
        self._undo.append(lambda d: d.modify(entry.dn, {name: (REPLACE, old) for name, old in before.items()}))
        return True

    def add_values(self, directory: Directory, dn: str, attribute: str, values: Sequence[str]) -> None:
        if values:
            directory.modify(dn, {attribute: (ADD, values)})
            self._undo.append(lambda d: d.modify(dn, {attribute: (DELETE, values)}))

    def delete_values(self, directory: Directory, dn: str, attribute: str, values: Sequence[str]) -> None:
        """Remove ``values`` as stored (their exact spelling)."""
        if values:
            directory.modify(dn, {attribute: (DELETE, values)})
            self._undo.append(lambda d: d.modify(dn, {attribute: (ADD, values)}))

    def delete(self, directory: Directory, entry: Entry) -> None:
        """Delete an entry read with all its user attributes; undo adds it back."""
        directory.delete(entry.dn)
        attributes = entry.user_attributes()
        self._undo.append(lambda d: d.add(entry.dn, attributes))

    def delete_tree(self, directory: Directory, entries: Sequence[Entry]) -> None:
        """Delete a subtree read with all user attributes, leaves first."""
        for entry in sorted(entries, key=lambda item: dn_depth(item.dn), reverse=True):
            self.delete(directory, entry)

    def rename(self, directory: Directory, dn: str, new_dn: str) -> None:
        """Move the entry at ``dn`` to ``new_dn``, a DN with another leading RDN under the same parent."""
        directory.rename(dn, leading_rdn(new_dn))
        self._undo.append(lambda d: d.rename(new_dn, leading_rdn(dn)))

    def rollback(self, directory: Directory) -> None:
        """Apply the inverses, newest first; a failing one is logged and the rest still run."""
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            try:
                step(directory)
            except GatewayError:
                log.exception("could not undo an LDAP write; the directory may hold a partial change")
