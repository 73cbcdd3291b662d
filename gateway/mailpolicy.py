"""Amavisd's per-account spam policy and white/blacklists, as the API names them.

An account is what Amavisd looks up: ``@.`` (the whole server), ``@domain``
or an address; its ``users`` row carries iRedAPD's MAILADDR_PRIORITIES. A
policy parameter maps onto ``policy`` columns; None means the column stays
NULL, so Amavisd takes the value from the next account (user > domain >
global > amavisd.conf). "no" is written as an explicit value ('N', '') that
stops that fall-through.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

GLOBAL_ACCOUNT = "@."
# iRedAPD's MAILADDR_PRIORITIES for the accounts the API manages
ACCOUNT_PRIORITY = {"global": 0, "domain": 5, "user": 10}

# quarantine_<kind>: (lover column, quarantine column, amavisd.conf quarantine name)
_QUARANTINE = {
    "quarantine_spam": ("spam_lover", "spam_quarantine_to", "spam-quarantine"),
    "quarantine_virus": ("virus_lover", "virus_quarantine_to", "virus-quarantine"),
    "quarantine_banned": ("banned_files_lover", "banned_quarantine_to", "banned-quarantine"),
    "quarantine_bad_header": ("bad_header_lover", "bad_header_quarantine_to", "bad-header-quarantine"),
}
SPAM_SUBJECT_PREFIX = "[SPAM] "
ALWAYS_TAG_LEVEL = -999.0
# iRedMail's amavisd.conf $sa_tag_level_deflt: "no" restores it rather than inheriting -999
DEFAULT_TAG_LEVEL = 2.0
MIN_SPAM_SCORE = 0.0
MAX_SPAM_SCORE = 1000.0
MAX_RULENAMES_LENGTH = 64  # policy.banned_rulenames VARCHAR(64)
_RULENAME = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)

# every policy column the API writes
COLUMNS = (
    "bypass_spam_checks", "bypass_virus_checks", "bypass_banned_checks", "bypass_header_checks",
    "spam_lover", "virus_lover", "banned_files_lover", "bad_header_lover",
    "spam_quarantine_to", "virus_quarantine_to", "banned_quarantine_to", "bad_header_quarantine_to",
    "spam_subject_tag2", "spam_tag_level", "spam_tag2_level", "spam_kill_level", "banned_rulenames",
)  # fmt: skip

Columns = Mapping[str, Any]


@dataclass
class PolicyFlags:
    """The yes/no values of a policy: None = not set (inherited).

    Not frozen, and so neither are the classes built on it: the GraphQL type and input extend it.
    """

    bypass_spam_checks: bool | None = None
    bypass_virus_checks: bool | None = None
    bypass_banned_checks: bool | None = None
    bypass_header_checks: bool | None = None
    quarantine_spam: bool | None = None
    quarantine_virus: bool | None = None
    quarantine_banned: bool | None = None
    quarantine_bad_header: bool | None = None
    prefix_spam_in_subject: bool | None = None
    always_insert_x_spam_headers: bool | None = None


FLAGS = tuple(field.name for field in fields(PolicyFlags))


@dataclass
class SpamPolicy(PolicyFlags):
    """The API's view of one account's policy row: None = not set (inherited)."""

    spam_score: float | None = None
    banned_rulenames: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @property
    def empty(self) -> bool:
        return all(value is None for value in self.as_dict().values())


def _yes_no(value: bool) -> str:
    return "Y" if value else "N"


def to_columns(policy: SpamPolicy) -> dict[str, Any]:
    """The policy columns that ``policy``'s set values write."""
    columns: dict[str, Any] = {}
    for name in ("bypass_spam_checks", "bypass_virus_checks", "bypass_banned_checks", "bypass_header_checks"):
        value = getattr(policy, name)
        if value is not None:
            columns[name] = _yes_no(value)
    for name, (lover, quarantine_to, quarantine) in _QUARANTINE.items():
        value = getattr(policy, name)
        if value is not None:
            columns[lover] = _yes_no(not value)
            columns[quarantine_to] = quarantine if value else ""
    if policy.prefix_spam_in_subject is not None:
        columns["spam_subject_tag2"] = SPAM_SUBJECT_PREFIX if policy.prefix_spam_in_subject else ""
    if policy.always_insert_x_spam_headers is not None:
        columns["spam_tag_level"] = ALWAYS_TAG_LEVEL if policy.always_insert_x_spam_headers else DEFAULT_TAG_LEVEL
    if policy.spam_score is not None:
        columns["spam_tag2_level"] = columns["spam_kill_level"] = policy.spam_score
    if policy.banned_rulenames is not None:
        columns["banned_rulenames"] = ",".join(policy.banned_rulenames)
    return columns


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    return str(value).strip().upper() == "Y"


def from_columns(row: Columns) -> SpamPolicy:
    """What a policy row (or an effective set of columns) means in API terms."""
    values: dict[str, Any] = {
        name: _flag(row.get(name))
        for name in ("bypass_spam_checks", "bypass_virus_checks", "bypass_banned_checks", "bypass_header_checks")
    }
    for name, (lover, quarantine_to, _) in _QUARANTINE.items():
        target, loves = row.get(quarantine_to), _flag(row.get(lover))
        values[name] = bool(target) if target is not None else None if loves is None else not loves
    tag2 = row.get("spam_subject_tag2")
    values["prefix_spam_in_subject"] = None if tag2 is None else bool(tag2)
    tag_level = row.get("spam_tag_level")
    values["always_insert_x_spam_headers"] = None if tag_level is None else float(tag_level) <= ALWAYS_TAG_LEVEL
    score = row.get("spam_tag2_level")
    values["spam_score"] = None if score is None else round(float(score), 2)
    names = row.get("banned_rulenames")
    values["banned_rulenames"] = None if names is None else tuple(part for part in str(names).split(",") if part)
    return SpamPolicy(**values)


def effective(rows: Iterable[Columns]) -> dict[str, Any]:
    """Amavisd's reading of rows ordered by priority, highest first: each column's first non-NULL value."""
    merged: dict[str, Any] = {}
    for row in rows:
        for column in COLUMNS:
            if merged.get(column) is None and row.get(column) is not None:
                merged[column] = row[column]
    return merged


# --- white/blacklists ----------------------------------------------------------------

class WblistDirection(StrEnum):
    """Senders to the account (inbound) or recipients of its mail (outbound)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class WblistColour(StrEnum):
    """Which of an account's two lists."""

    WHITELIST = "whitelist"
    BLACKLIST = "blacklist"


Direction = WblistDirection
Colour = WblistColour
WB = {"whitelist": "W", "blacklist": "B"}  # by Colour
_LOCAL = re.compile(r"[a-z0-9_.&#+=/-]+", re.ASCII)
_DOMAIN_PART = re.compile(r"(?:[a-z0-9_-]+\.)*[a-z0-9-]+", re.ASCII)
MAX_ENTRY_LENGTH = 255  # mailaddr.email VARBINARY(255)


@dataclass(frozen=True)
class WbLists:
    """One account's lists: entries per (direction, colour), sorted."""

    inbound_whitelist: tuple[str, ...] = ()
    inbound_blacklist: tuple[str, ...] = ()
    outbound_whitelist: tuple[str, ...] = ()
    outbound_blacklist: tuple[str, ...] = ()

    def of(self, direction: Direction, colour: Colour) -> tuple[str, ...]:
        found: tuple[str, ...] = getattr(self, f"{direction}_{colour}")
        return found


def entry_priority(entry: str) -> int | None:
    """The MAILADDR_PRIORITIES priority of a valid entry (normalised), None when it is not one."""
    if entry == "@.":
        return 0
    if "/" in entry:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return None
        return 7
    try:
        ipaddress.ip_address(entry)
    except ValueError:
        pass
    else:
        return 9
    if entry.startswith("@."):
        domain = entry[2:]
        if not _DOMAIN_PART.fullmatch(domain):
            return None
        return 3 if "." in domain else 2
    local, at, domain = entry.rpartition("@")
    if not at or not _DOMAIN_PART.fullmatch(domain) or "." not in domain:
        return None
    if not local:
        return 5
    return 10 if _LOCAL.fullmatch(local) else None


def normalised_entry(value: str) -> str:
    """Lower case; networks in their canonical form (``192.168.1.0/24``); addresses as given."""
    entry = value.strip().lower()
    if "/" in entry and "@" not in entry:
        try:
            return str(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            return entry
    if "@" not in entry:
        try:
            return str(ipaddress.ip_address(entry))
        except ValueError:
            return entry
    return entry


def parse_entries(values: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Valid entries (normalised, de-duplicated) with their priorities, and the invalid ones as given."""
    valid: dict[str, int] = {}
    invalid: list[str] = []
    for value in values:
        entry = normalised_entry(value)
        priority = entry_priority(entry) if len(entry) <= MAX_ENTRY_LENGTH else None
        if priority is None:
            invalid.append(value.strip())
        else:
            valid[entry] = priority
    return valid, invalid


def rulenames(value: str) -> tuple[str, ...] | None:
    """Parsed banned rule names, None when malformed."""
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if any(not _RULENAME.fullmatch(name) for name in names) or len(",".join(names)) > MAX_RULENAMES_LENGTH:
        return None
    return names
