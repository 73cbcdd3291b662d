"""Checks of single values: names, languages, transports, numbers, statuses."""

from __future__ import annotations

import re

from gateway.errors import ErrorCode, InvalidInput
from gateway.model import AccessPolicy

MAX_NAME_LENGTH = 255
MAX_TRANSPORT_LENGTH = 255
MAX_QUOTA_MB = 2**40  # far above any disk; keeps values inside BIGINT with bytes arithmetic
MAX_COUNT = 2**31 - 1

_LANGUAGE = re.compile(r"[a-z]{2}(_[A-Z]{2})?", re.ASCII)
# Postfix's transport:nexthop (transport(5)): a master.cf service name, then optionally
# a unix socket path (lmtp:unix:private/dovecot-lmtp), a host or [address] with a port
# (smtp:[192.0.2.1]:25, lmtp:inet:127.0.0.1:24) or a path below it (mlmmj:example.com/list).
_SERVICE = r"[A-Za-z][A-Za-z0-9_-]*"
_HOST = r"(?:\[[A-Za-z0-9.:]+\]|[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)"
_NEXTHOP = rf"(?:unix:[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*|(?:inet:)?{_HOST}(?::[A-Za-z0-9]+)?(?:/[A-Za-z0-9_.-]+)*)"
_TRANSPORT = re.compile(rf"{_SERVICE}(?::{_NEXTHOP}?)?", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_utf8(value: str) -> bool:
    """Whether ``value`` encodes as UTF-8: JSON and GraphQL strings can carry lone surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_storable(value: str) -> bool:
    """Whether every database can store ``value``: UTF-8 without NUL."""
    return is_utf8(value) and "\x00" not in value


def display_name(value: str) -> str:
    """A display name or description: UTF-8 text without control characters, at most 255 characters."""
    text = value.strip()
    if len(text) > MAX_NAME_LENGTH or _CONTROL.search(text) or not is_storable(text):
        raise InvalidInput(ErrorCode.INVALID_NAME)
    return text


def language(value: str) -> str:
    """A locale such as ``en_US`` or ``de``; empty means "not set"."""
    text = value.strip()
    if text and not _LANGUAGE.fullmatch(text):
        raise InvalidInput(ErrorCode.INVALID_LANGUAGE)
    return text


def transport(value: str) -> str:
    """A Postfix transport such as ``dovecot`` or ``relay:[192.0.2.1]:25``; empty means the default."""
    text = value.strip()
    if text and (len(text) > MAX_TRANSPORT_LENGTH or not _TRANSPORT.fullmatch(text)):
        raise InvalidInput(ErrorCode.INVALID_TRANSPORT)
    return text


def quota(value: int) -> int:
    """A quota in MB: 0 (unlimited) or more."""
    if value < 0 or value > MAX_QUOTA_MB:
        raise InvalidInput(ErrorCode.INVALID_QUOTA)
    return value


def account_limit(value: int) -> int:
    """A maximum number of accounts: -1 none allowed, 0 unlimited, else the limit."""
    if value < -1 or value > MAX_COUNT:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER)
    return value


def password_length(value: int) -> int:
    """A password length bound: 0 means "use the global setting"."""
    if value < 0 or value > 1024:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER)
    return value


def access_policy(value: str) -> str:
    """One of iRedMail's access policies; empty means public, the legacy ``allowedonly`` moderatorsonly."""
    text = value.strip().lower()
    if text == "":
        return AccessPolicy.PUBLIC.value
    if text == "allowedonly":
        return AccessPolicy.MODERATORS_ONLY.value
    try:
        return AccessPolicy(text).value
    except ValueError:
        raise InvalidInput(ErrorCode.INVALID_ACCESS_POLICY) from None
