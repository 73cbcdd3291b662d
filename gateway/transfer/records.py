"""The records a transfer file holds: their kinds, fields and typed values.

A record is one domain, user, alias, user forwarding or throttle. Its
values are typed (text, integer, boolean, list of addresses) and only the
fields given are kept: a field left out (or an empty CSV cell) keeps what
is stored, or the default on creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gateway.errors import ErrorCode, InvalidInput

TEXT, INT, BOOL, LIST = "text", "int", "bool", "list"


class Kind(StrEnum):
    """What a record describes, in the order an import applies them."""

    DOMAIN = "domain"
    USER = "user"
    ALIAS = "alias"
    FORWARDING = "forwarding"
    THROTTLE = "throttle"

    @property
    def section(self) -> str:
        """The JSON document's key for records of this kind."""
        return f"{self.value}es" if self is Kind.ALIAS else f"{self.value}s"


FIELDS: dict[Kind, dict[str, str]] = {
    Kind.DOMAIN: {
        "domain": TEXT, "description": TEXT, "active": BOOL, "transport": TEXT, "quota": INT, "max_users": INT,
        "max_aliases": INT, "max_lists": INT, "default_user_quota": INT, "max_user_quota": INT,
        "min_password_length": INT, "max_password_length": INT, "default_language": TEXT,
    },
    Kind.USER: {
        "email": TEXT, "name": TEXT, "password": TEXT, "password_hash": TEXT, "language": TEXT, "quota": INT,
        "transport": TEXT, "active": BOOL, "employee_id": TEXT,
    },
    Kind.ALIAS: {"address": TEXT, "name": TEXT, "access_policy": TEXT, "active": BOOL, "members": LIST},
    Kind.FORWARDING: {"email": TEXT, "targets": LIST},
    Kind.THROTTLE: {
        "target": TEXT, "kind": TEXT, "period": INT, "msg_size": INT, "max_msgs": INT, "max_quota": INT,
        "max_rcpts": INT,
    },
}  # fmt: skip
KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.DOMAIN: ("domain",),
    Kind.USER: ("email",),
    Kind.ALIAS: ("address",),
    Kind.FORWARDING: ("email",),
    Kind.THROTTLE: ("target", "kind"),
}
# the CSV header: the record's kind, then every field once
COLUMNS: tuple[str, ...] = ("type", *dict.fromkeys(name for fields in FIELDS.values() for name in fields))
TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True)
class Record:
    """One record as given; ``source`` says where it came from (``users[3]``, ``line 7``)."""

    kind: Kind
    values: Mapping[str, Any]
    source: str

    @property
    def key(self) -> str:
        """What the record is about, e.g. ``john@example.com`` or ``example.com outbound``."""
        return " ".join(str(self.values[name]) for name in KEYS[self.kind])


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read; it is reported with its error and never applied."""

    kind: Kind | None
    key: str
    source: str
    error: InvalidInput


def _typed(name: str, kind: str, value: Any) -> Any:
    if kind == TEXT and isinstance(value, str):
        return value
    if kind == INT:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
            return value.strip().lower() in TRUE
    if kind == LIST:
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
    raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{name}: expected {kind}, got {value!r}")


def parse_record(kind: Kind, given: Mapping[str, Any], source: str) -> Record | BadRecord:
    """A typed record of ``kind`` from ``given`` (a JSON object or CSV row; None and "" are not given)."""
    fields = FIELDS[kind]
    present = {name: value for name, value in given.items() if value is not None and value != ""}
    key = " ".join(str(present.get(name, "")) for name in KEYS[kind])
    try:
        unknown = sorted(set(present) - set(fields))
        if unknown:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"fields not used by a {kind} record: {', '.join(unknown)}")
        missing = [name for name in KEYS[kind] if name not in present]
        if missing:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"missing {', '.join(missing)}")
        values = {name: _typed(name, fields[name], value) for name, value in present.items()}
        for name in KEYS[kind]:
            values[name] = str(values[name]).strip().lower()
    except InvalidInput as exc:
        return BadRecord(kind=kind, key=key, source=source, error=exc)
    return Record(kind=kind, values=values, source=source)
