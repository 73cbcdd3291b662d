"""The closed sets of the schema: the model's StrEnums as GraphQL enums, each member described."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

from gateway.errors import ErrorCode, InvalidInput
from gateway.mailpolicy import WblistColour, WblistDirection
from gateway.model import AccessPolicy, AccountStatus, LdifKind, ThrottleKind
from gateway.resolvers import validation

E = TypeVar("E", bound=StrEnum)


def _graphql_enum(cls: type[E], description: str, members: Mapping[E, str]) -> type[E]:
    """Expose ``cls`` as a GraphQL enum named after its members, each with its description."""
    wrapped: object = strawberry.enum(cls, description=description)
    if not has_enum_definition(wrapped):
        raise TypeError(f"{cls.__name__} is not a GraphQL enum")
    for value in wrapped.__strawberry_definition__.values:
        value.description = members[cls[value.name]]
    return cls


_graphql_enum(
    AccessPolicy,
    "Who may send to an alias or mailing list.",
    {
        AccessPolicy.PUBLIC: "Anyone, inside or outside the server.",
        AccessPolicy.DOMAIN: "Senders of the address's own domain.",
        AccessPolicy.SUBDOMAIN: "Senders of the address's domain and its subdomains.",
        AccessPolicy.MEMBERS_ONLY: "Members of the alias or list.",
        AccessPolicy.MODERATORS_ONLY: "Its moderators.",
        AccessPolicy.MEMBERS_AND_MODERATORS_ONLY: "Its members and its moderators.",
    },
)
_graphql_enum(
    ThrottleKind,
    "Which mail an iRedAPD throttle counts.",
    {
        ThrottleKind.INBOUND: "Mail received by the account.",
        ThrottleKind.OUTBOUND: "Mail sent by the account.",
    },
)
_graphql_enum(
    AccountStatus,
    "Whether a domain or account is in service (REST's accountStatus).",
    {
        AccountStatus.ACTIVE: "In service: receives, sends and logs in.",
        AccountStatus.DISABLED: "Kept but out of service.",
    },
)

_graphql_enum(
    WblistDirection,
    "Which mail a white/blacklist applies to.",
    {
        WblistDirection.INBOUND: "Mail to the account: the list names senders (Amavisd's wblist).",
        WblistDirection.OUTBOUND: "Mail from the account: the list names recipients (outbound_wblist).",
    },
)
_graphql_enum(
    WblistColour,
    "Whether listed addresses are let through or refused.",
    {
        WblistColour.WHITELIST: "Accepted (and not scanned for spam).",
        WblistColour.BLACKLIST: "Refused.",
    },
)
_graphql_enum(
    LdifKind,
    "Which directory entry an LDIF export reads (OpenLDAP only).",
    {
        LdifKind.DOMAIN: "The domain's own entry (named by the domain), not what lies beneath it.",
        LdifKind.CATCHALL: "The domain's catch-all entry (named by the domain).",
        LdifKind.ADMIN: "A standalone admin (named by its address).",
        LdifKind.USER: "A mail user (named by its address).",
        LdifKind.MAILLIST: "A mailing list (named by its address).",
        LdifKind.ALIAS: "A mail alias (named by its address).",
    },
)


def stored_access_policy(value: str) -> AccessPolicy | None:
    """The policy a stored value names, legacy spellings included; None for one outside the set."""
    try:
        return AccessPolicy(validation.access_policy(value))
    except InvalidInput:
        return None


def account_active(status: AccountStatus | None, active: bool | None) -> bool | None:
    """The model's flag from ``status``, or from the deprecated ``active`` when status is absent.

    Both may be given only if they agree; otherwise ``INVALID_ACCOUNT_STATUS``.
    """
    if status is None:
        return active
    wanted = status is AccountStatus.ACTIVE
    if active is not None and active != wanted:
        raise InvalidInput(ErrorCode.INVALID_ACCOUNT_STATUS, "status and active disagree")
    return wanted
