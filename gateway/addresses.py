"""Domain names and e-mail addresses as iRedMail accepts them.

Every value is returned lower-case, the form iRedMail stores. The rules
follow the panel's (see the storage reference, 3.1), with a few stricter
points: ASCII only, no empty labels, local parts of at most 64 characters,
domain names of at most 253 (the longest DNS name, which also keeps a domain's
iRedAPD account ``@domain`` inside ``throttle.account``, 255).
"""

from __future__ import annotations

import re

from gateway.errors import ErrorCode, InvalidInput

_DOMAIN = re.compile(r"[a-z0-9_-][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\.[a-z0-9-]{2,25}", re.ASCII)
_MAILBOX_LOCAL = re.compile(r"[a-z0-9_#-][a-z0-9_.&#-]*", re.ASCII)
_OTHER_LOCAL = re.compile(r"[a-z0-9_#+=/-][a-z0-9_.&#+=/-]*", re.ASCII)
_MAILBOX_TLD = re.compile(r"[a-z0-9-]{2,15}", re.ASCII)

MAX_DOMAIN_LENGTH = 253
MAX_LOCAL_LENGTH = 64
MAX_ADDRESS_LENGTH = 255


def domain_name(value: str) -> str:
    """Validate a domain name; raise ``INVALID_DOMAIN_NAME``."""
    name = value.strip().lower()
    if (
        not name
        or len(name) > MAX_DOMAIN_LENGTH
        or not _DOMAIN.fullmatch(name)
        or any(len(label) > 63 or label.startswith("-") or label.endswith("-") for label in name.split("."))
    ):
        raise InvalidInput(ErrorCode.INVALID_DOMAIN_NAME)
    return name


def _split(value: str) -> tuple[str, str]:
    address = value.strip().lower()
    if address.count("@") != 1 or len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidInput(ErrorCode.INVALID_MAIL)
    local, _, domain = address.partition("@")
    if not local or len(local) > MAX_LOCAL_LENGTH:
        raise InvalidInput(ErrorCode.INVALID_MAIL)
    try:
        domain = domain_name(domain)
    except InvalidInput:
        raise InvalidInput(ErrorCode.INVALID_MAIL) from None
    return local, domain


def mailbox_address(value: str) -> str:
    """Validate the address of a new mailbox, alias or admin; raise ``INVALID_MAIL``."""
    local, domain = _split(value)
    if not _MAILBOX_LOCAL.fullmatch(local) or not _MAILBOX_TLD.fullmatch(domain.rsplit(".", 1)[1]):
        raise InvalidInput(ErrorCode.INVALID_MAIL)
    return f"{local}@{domain}"


def member_address(value: str) -> str:
    """Validate a member or forwarding target, which may also carry ``+``, ``=``, ``/``."""
    local, domain = _split(value)
    if not _OTHER_LOCAL.fullmatch(local):
        raise InvalidInput(ErrorCode.INVALID_MAIL)
    return f"{local}@{domain}"


def domain_of(address: str) -> str:
    """The domain part of an already validated address."""
    return address.rsplit("@", 1)[1]


def local_part(address: str) -> str:
    """The local part of an already validated address."""
    return address.rsplit("@", 1)[0]


def without_extension(address: str) -> str:
    """``john+tag@example.com`` -> ``john@example.com``."""
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"
