"""A directory entry as read: its DN and its raw attribute values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# attributes slapd maintains itself; an entry written back must not carry them
OPERATIONAL = frozenset(
    {"createtimestamp", "modifytimestamp", "creatorsname", "modifiersname", "entryuuid", "entrycsn", "entrydn",
     "structuralobjectclass", "subschemasubentry", "hassubordinates"}
)  # fmt: skip

Values = Sequence[str | bytes]


@dataclass(frozen=True)
class Entry:
    """One entry; attribute names are compared case-insensitively."""

    dn: str
    raw: Mapping[str, tuple[bytes, ...]] = field(default_factory=dict)
    spelled: Mapping[str, str] = field(default_factory=dict)
    """Each attribute's name as the directory gave it, by its lower-cased name."""

    @classmethod
    def from_response(cls, dn: str, raw_attributes: Mapping[str, Sequence[bytes]]) -> Entry:
        present = {name: values for name, values in raw_attributes.items() if values}
        return cls(
            dn,
            {name.lower(): tuple(values) for name, values in present.items()},
            {name.lower(): name for name in present},
        )

    def name(self, lowered: str) -> str:
        """The directory's spelling of the attribute ``lowered`` (itself when unknown)."""
        return self.spelled.get(lowered, lowered)

    def values(self, name: str) -> list[str]:
        """Every value of ``name``, decoded as UTF-8."""
        return [value.decode("utf-8", "replace") for value in self.raw.get(name.lower(), ())]

    def first(self, name: str, default: str = "") -> str:
        found = self.raw.get(name.lower())
        return found[0].decode("utf-8", "replace") if found else default

    def has(self, name: str, value: str) -> bool:
        """Whether ``name`` holds ``value``, compared case-insensitively as iRedMail's attributes are."""
        wanted = value.lower()
        return any(item.lower() == wanted for item in self.values(name))

    def matching(self, name: str, value: str) -> list[str]:
        """The stored spellings of ``value`` among the values of ``name``."""
        wanted = value.lower()
        return [item for item in self.values(name) if item.lower() == wanted]

    def integer(self, name: str) -> int:
        try:
            return int(self.first(name, "0"))
        except ValueError:
            return 0

    def time(self, name: str) -> datetime | None:
        """A GeneralizedTime value (``20250301081542Z``) as naive UTC."""
        value = self.first(name)
        try:
            return datetime.strptime(value[:14], "%Y%m%d%H%M%S") if value else None
        except ValueError:
            return None

    def classes(self) -> set[str]:
        return {name.lower() for name in self.values("objectClass")}

    def user_attributes(self) -> dict[str, list[bytes]]:
        """The attributes a client may write, for putting the entry back."""
        return {name: list(values) for name, values in self.raw.items() if name not in OPERATIONAL}
