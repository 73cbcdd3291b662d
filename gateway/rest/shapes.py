"""JSON Schemas of the data ``serialize`` answers with, for the ``answers`` of route declarations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Shape = Mapping[str, Any]

_TEXT: Shape = {"type": "string"}
_INTEGER: Shape = {"type": "integer"}
_BOOLEAN: Shape = {"type": "boolean"}
_TIME: Shape = {"type": ["string", "null"], "description": "YYYY-MM-DD hh:mm:ss, UTC"}
_STATUS: Shape = {"type": "string", "enum": ["active", "disabled"]}
_ADDRESSES: Shape = {"type": "array", "items": _TEXT}


def record(properties: Mapping[str, Shape], example: Mapping[str, Any], optional: tuple[str, ...] = ()) -> Shape:
    """An object with exactly ``properties`` (all present but ``optional``) and an example."""
    return {
        "type": "object",
        "properties": dict(properties),
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "examples": [dict(example)],
    }


def listing(item: Shape, address_example: str) -> Shape:
    """A list of ``item``, or of addresses only (``email_only``/``name_only``)."""
    return {
        "anyOf": [
            {"type": "array", "items": item},
            {"type": "array", "items": _TEXT, "examples": [[address_example]]},
        ],
    }


_USAGE = ("users", "aliases", "allocatedQuota", "usedBytes", "usedMessages")
_ROUTING_LISTS = (
    "aliasDomains", "catchall", "services", "disabledDomainProfiles", "disabledUserProfiles", "disabledUserPreferences",
)
_ROUTING_TEXTS = ("primarymx", "outboundRelay", "senderBcc", "recipientBcc")
_ROUTING = (*_ROUTING_LISTS, *_ROUTING_TEXTS)
DOMAIN = record(
    {
        "domain": _TEXT, "name": _TEXT, "accountStatus": _STATUS, "quota": _INTEGER, "language": _TEXT,
        "transport": _TEXT, "backupmx": _BOOLEAN, "defaultQuota": _INTEGER, "maxUserQuota": _INTEGER,
        "numberOfUsers": _INTEGER, "numberOfAliases": _INTEGER, "numberOfLists": _INTEGER,
        "minPasswordLength": _INTEGER, "maxPasswordLength": _INTEGER, "created": _TIME, "modified": _TIME,
        **{name: _INTEGER for name in _USAGE},
        **{name: _ADDRESSES for name in _ROUTING_LISTS},
        **{name: _TEXT for name in _ROUTING_TEXTS},
    },
    {
        "domain": "example.com", "name": "Example Inc.", "accountStatus": "active", "quota": 0, "language": "en_US",
        "transport": "dovecot", "backupmx": False, "defaultQuota": 1024, "maxUserQuota": 0, "numberOfUsers": 0,
        "numberOfAliases": 0, "numberOfLists": 0, "minPasswordLength": 0, "maxPasswordLength": 0,
        "created": "2026-01-02 03:04:05", "modified": None, "users": 1, "aliases": 0, "allocatedQuota": 1024,
        "usedBytes": 0, "usedMessages": 0, "aliasDomains": ["example.net"], "catchall": ["postmaster@example.com"],
        "primarymx": "", "outboundRelay": "", "senderBcc": "", "recipientBcc": "", "services": ["self-service"],
        "disabledDomainProfiles": [], "disabledUserProfiles": [], "disabledUserPreferences": [],
    },
    optional=(*_USAGE, *_ROUTING),
)
_USER_LISTS = ("aliases", "services", "telephoneNumber", "mobile")
_USER_TEXTS = ("senderBcc", "recipientBcc", "mailboxFormat", "mailboxFolder", "gn", "sn")
USER = record(
    {
        "mail": _TEXT, "domain": _TEXT, "name": _TEXT, "language": _TEXT, "quota": _INTEGER, "transport": _TEXT,
        "accountStatus": _STATUS, "employeeid": _TEXT, "isAdmin": _BOOLEAN, "isGlobalAdmin": _BOOLEAN,
        "maildir": _TEXT, "forwardings": _ADDRESSES, "created": _TIME, "modified": _TIME,
        "passwordLastChange": _TIME,
        **{name: _ADDRESSES for name in _USER_LISTS},
        **{name: _TEXT for name in _USER_TEXTS},
    },
    {
        "mail": "john@example.com", "domain": "example.com", "name": "John", "language": "en_US", "quota": 1024,
        "transport": "dovecot", "accountStatus": "active", "employeeid": "", "isAdmin": False,
        "isGlobalAdmin": False, "maildir": "example.com/j/o/h/john-2026.01.02.03.04.05/",
        "forwardings": ["john@example.com"], "created": "2026-01-02 03:04:05", "modified": None,
        "passwordLastChange": "2026-01-02 03:04:05", "aliases": ["j.doe@example.com"], "senderBcc": "",
        "recipientBcc": "", "services": ["deliver", "imap", "smtp"], "mailboxFormat": "maildir",
        "mailboxFolder": "Maildir", "gn": "John", "sn": "Doe", "telephoneNumber": [], "mobile": [],
    },
    optional=(*_USER_LISTS, *_USER_TEXTS),
)
ALIAS = record(
    {
        "mail": _TEXT, "domain": _TEXT, "name": _TEXT, "accessPolicy": _TEXT, "accountStatus": _STATUS,
        "members": _ADDRESSES, "created": _TIME,
    },
    {
        "mail": "team@example.com", "domain": "example.com", "name": "Team", "accessPolicy": "public",
        "accountStatus": "active", "members": ["john@example.com"], "created": "2026-01-02 03:04:05",
    },
)
_THROTTLE = record(
    {
        "account": _TEXT, "kind": {"type": "string", "enum": ["inbound", "outbound"]}, "priority": _INTEGER,
        "period": _INTEGER, "msg_size": _INTEGER, "max_msgs": _INTEGER, "max_quota": _INTEGER,
        "max_rcpts": _INTEGER,
    },
    {
        "account": "example.com", "kind": "outbound", "priority": 10, "period": 3600, "msg_size": -1,
        "max_msgs": 100, "max_quota": -1, "max_rcpts": -1,
    },
)
THROTTLE: Shape = {"anyOf": [_THROTTLE, {"type": "object", "maxProperties": 0}]}
"""A throttle setting, or ``{}`` when there is none."""
DOMAINS = listing(DOMAIN, "example.com")
USERS = listing(USER, "john@example.com")
ALIASES = listing(ALIAS, "team@example.com")
LDIF: Shape = {
    "type": "string",
    "description": "One directory entry as LDIF (RFC 2849), without userPassword",
    "examples": [
        "dn: mail=john@example.com,ou=Users,domainName=example.com,o=domains,dc=example,dc=com\n"
        "objectClass: inetOrgPerson\nobjectClass: mailUser\naccountStatus: active\ncn: John\n"
        "mail: john@example.com\nmailQuota: 1073741824\nsn: john\nuid: john\n"
    ],
}
