"""A domain's routing: alias domains, catch-all, backup MX, outbound relay, BCC, services and profile switches.

Each change arrives as a ``RoutingInput``; ``routing_changes`` checks the
values and gives the ``DomainChanges`` that carry it, whose ``routing`` the
storage applies to what it holds inside the domain's write (storage
reference 3).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from gateway import addresses
from gateway.errors import ErrorCode, Forbidden, GatewayError, InvalidInput
from gateway.model import Actor, DomainChanges, DomainRouting, RoutingUpdate
from gateway.resolvers.context import Context

# the names iRedAdmin-Pro documents for its profile switches
DOMAIN_PROFILES = (
    "bcc", "relay", "catchall", "aliases", "throttle", "greylisting", "wblist", "spampolicy", "backupmx",
    "password_policies", "advanced",
)  # fmt: skip
USER_PROFILES = ("bcc", "forwarding", "relay", "aliases", "throttle", "greylisting", "wblist", "spampolicy")
USER_PREFERENCES = ("personal_info", "forwarding", "wblist", "quarantine", "rcvd_mails", "spampolicy")
# LDAP domain services the storage keeps in step with the data they switch on; never set by hand
MANAGED_SERVICES = frozenset({"mail", "domainalias", "senderbcc", "recipientbcc"})
LOCAL_TRANSPORT = "dovecot"
MAX_ALIAS_DOMAINS = 1000
MAX_CATCHALL_TARGETS = 100
_SERVICE = re.compile(r"[a-z][a-z0-9_-]{0,63}", re.ASCII)
# [host]:port, host:port or host, as Postfix's relayhost takes it (an IPv6 address only in brackets)
_RELAYHOST = re.compile(
    r"(?:\[(?:[A-Za-z0-9.-]+|ipv6:[0-9A-Fa-f:.]+)\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?",
    re.ASCII,
)
_MX_HOST = re.compile(r"(?:\[[A-Za-z0-9.:-]+\]|[A-Za-z0-9](?:[A-Za-z0-9.:-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?", re.ASCII)


@dataclass(frozen=True)
class ListChange:
    """A set-valued setting: replaced (``given``), then ``add`` added and ``remove`` removed."""

    given: tuple[str, ...] | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.given is not None or bool(self.add or self.remove)

    def applied(self, current: Iterable[str]) -> tuple[str, ...]:
        result = set(current if self.given is None else self.given)
        return tuple(sorted((result | set(self.add)) - set(self.remove)))

    def bounded(self, current: Iterable[str], *, own: str, refusal: GatewayError, limit: int) -> tuple[str, ...]:
        """``applied``; refused with ``refusal`` when the result holds the account's own name ``own``, then
        with TOO_MANY_MEMBERS when it holds more than ``limit`` values."""
        result = self.applied(current)
        if own in result:
            raise refusal
        if len(result) > limit:
            raise InvalidInput(ErrorCode.TOO_MANY_MEMBERS)
        return result

    def within(self, limit: int) -> ListChange:
        """This change, refused with TOO_MANY_MEMBERS when it names more than ``limit`` values to hold."""
        if len(self.given or ()) + len(self.add) > limit:
            raise InvalidInput(ErrorCode.TOO_MANY_MEMBERS)
        return self

    def checked(self, each: Callable[[str], str]) -> ListChange:
        return ListChange(
            None if self.given is None else _unique(each(v) for v in self.given),
            _unique(each(v) for v in self.add),
            _unique(each(v) for v in self.remove),
        )


def refuse_mixed(changes: Iterable[ListChange]) -> None:
    """Refuse a change that gives a full list and also adds or removes."""
    for change in changes:
        if change.given is not None and (change.add or change.remove):
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, "a full list conflicts with adding or removing")


@dataclass(frozen=True)
class RoutingInput:
    """What a client gives about a domain's routing; ``None`` / empty = not given."""

    alias_domains: ListChange = field(default_factory=ListChange)
    catchall: tuple[str, ...] | None = None
    backupmx: bool | None = None
    primary_mx: str | None = None
    relayhost: str | None = None
    sender_bcc: str | None = None
    recipient_bcc: str | None = None
    services: ListChange = field(default_factory=ListChange)
    disabled_domain_profiles: ListChange = field(default_factory=ListChange)
    disabled_user_profiles: ListChange = field(default_factory=ListChange)
    disabled_user_preferences: ListChange = field(default_factory=ListChange)

    def global_only(self) -> bool:
        """Whether it changes what only a global admin may: where mail is routed and what the domain may do."""
        return bool(
            self.alias_domains or self.backupmx is not None or self.primary_mx is not None
            or self.relayhost is not None or self.services or self.disabled_domain_profiles
            or self.disabled_user_profiles or self.disabled_user_preferences
        )  # fmt: skip


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def alias_domain(value: str) -> str:
    try:
        return addresses.domain_name(value)
    except InvalidInput:
        raise InvalidInput(ErrorCode.INVALID_ALIAS_DOMAIN) from None


def relayhost(value: str) -> str:
    """An outbound relay as stored: ``[host]:port`` or ``host[:port]``; a leading ``smtp:`` is dropped; empty: none."""
    text = value.strip()
    if text.lower().startswith("smtp:"):
        text = text[5:]
    if text and (len(text) > 255 or not _RELAYHOST.fullmatch(text)):
        raise InvalidInput(ErrorCode.INVALID_RELAYHOST)
    return text


def backupmx_transport(domain: str, primary_mx: str | None) -> str:
    """The next hop of a backup MX domain: the primary MX given (bare host or IP bracketed: no MX lookup,
    no loop back to us), else the domain's MX records."""
    if not primary_mx:
        return f"relay:{domain}"
    host = primary_mx.strip()
    if len(host) > 240 or not _MX_HOST.fullmatch(host):
        raise InvalidInput(ErrorCode.INVALID_TRANSPORT, "primarymx must be a host or IP address, optionally :port")
    if not host.startswith("["):
        name, _, port = host.partition(":") if host.count(":") == 1 else (host, "", "")
        host = f"[{name}]" + (f":{port}" if port else "")
    return f"relay:{host}"


def primary_mx(domain: str, transport: str) -> str:
    """The primary MX a backup MX domain relays to, read back from its transport ('' when by DNS)."""
    hop = transport.partition(":")[2] if transport.startswith("relay:") else ""
    return "" if hop == domain else hop


def bcc_address(value: str) -> str:
    return addresses.member_address(value) if value.strip() else ""


def service(value: str) -> str:
    name = value.strip().lower()
    if not _SERVICE.fullmatch(name) or name in MANAGED_SERVICES:
        raise InvalidInput(ErrorCode.INVALID_DOMAIN_SERVICE, f"{value!r} is not a domain service the API sets")
    return name


def _profile(names: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        name = value.strip().lower()
        if name not in names:
            raise InvalidInput(ErrorCode.INVALID_PROFILE_NAME, f"one of {', '.join(names)}")
        return name

    return check


def checked(data: RoutingInput) -> RoutingInput:
    """``data`` with every value validated and normalised."""
    lists = (
        data.alias_domains, data.services, data.disabled_domain_profiles, data.disabled_user_profiles,
        data.disabled_user_preferences,
    )
    refuse_mixed(lists)
    catchall = None if data.catchall is None else _unique(addresses.member_address(t) for t in data.catchall)
    if catchall is not None and len(catchall) > MAX_CATCHALL_TARGETS:
        raise InvalidInput(ErrorCode.TOO_MANY_MEMBERS)
    return replace(
        data,
        alias_domains=data.alias_domains.checked(alias_domain).within(MAX_ALIAS_DOMAINS),
        catchall=catchall,
        relayhost=None if data.relayhost is None else relayhost(data.relayhost),
        sender_bcc=None if data.sender_bcc is None else bcc_address(data.sender_bcc),
        recipient_bcc=None if data.recipient_bcc is None else bcc_address(data.recipient_bcc),
        services=data.services.checked(service),
        disabled_domain_profiles=data.disabled_domain_profiles.checked(_profile(DOMAIN_PROFILES)),
        disabled_user_profiles=data.disabled_user_profiles.checked(_profile(USER_PROFILES)),
        disabled_user_preferences=data.disabled_user_preferences.checked(_profile(USER_PREFERENCES)),
    )


def given_fields(data: object, names: Iterable[str]) -> dict[str, Any]:
    """The fields ``names`` of ``data`` that it gives (not None), by name: what they replace."""
    return {name: value for name in names if (value := getattr(data, name)) is not None}


def _refuse_disabled(actor: Actor, data: RoutingInput, current: DomainRouting) -> None:
    """A domain admin may not change what a global admin switched off for the domain (its profile pages)."""
    if actor.is_global:
        return
    disabled = set(current.disabled_domain_profiles)
    if data.catchall is not None and "catchall" in disabled:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "catch-all is disabled for this domain")
    if (data.sender_bcc is not None or data.recipient_bcc is not None) and "bcc" in disabled:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "BCC is disabled for this domain")


def routing_update(actor: Actor, name: str, data: RoutingInput) -> RoutingUpdate:
    """The change to apply to the stored routing of domain ``name``, under the domain's write."""

    def apply(current: DomainRouting) -> DomainRouting:
        _refuse_disabled(actor, data, current)
        refusal = InvalidInput(ErrorCode.INVALID_ALIAS_DOMAIN, "a domain cannot be its own alias domain")
        return replace(
            current,
            alias_domains=data.alias_domains.bounded(
                current.alias_domains, own=name, refusal=refusal, limit=MAX_ALIAS_DOMAINS
            ),
            catchall=current.catchall if data.catchall is None else tuple(sorted(data.catchall)),
            services=data.services.applied(current.services),
            disabled_domain_profiles=data.disabled_domain_profiles.applied(current.disabled_domain_profiles),
            disabled_user_profiles=data.disabled_user_profiles.applied(current.disabled_user_profiles),
            disabled_user_preferences=data.disabled_user_preferences.applied(current.disabled_user_preferences),
            **given_fields(data, ("relayhost", "sender_bcc", "recipient_bcc")),
        )

    return apply


def with_backupmx(name: str, changes: DomainChanges, data: RoutingInput) -> tuple[DomainChanges, bool]:
    """``changes`` with the backup MX mark and its transport; True when the domain must already be a backup MX."""
    if data.backupmx is None and data.primary_mx is None:
        return changes, False
    if changes.transport is not None:
        raise InvalidInput(ErrorCode.BACKUPMX_CONFLICT, "transport conflicts with is_backupmx and primarymx")
    if data.backupmx is False:
        if data.primary_mx:
            raise InvalidInput(ErrorCode.BACKUPMX_CONFLICT, "primarymx needs is_backupmx=yes")
        return replace(changes, backupmx=False, transport=LOCAL_TRANSPORT), False
    transport = backupmx_transport(name, data.primary_mx)
    return replace(changes, backupmx=True, transport=transport), data.backupmx is None


async def check_catchall(ctx: Context, name: str, data: RoutingInput) -> None:
    """Refuse catch-all targets on this server that no account answers: in the domain itself (or its alias
    domains) they would come back to the catch-all, elsewhere they would bounce."""
    if not data.catchall:
        return
    own = set(data.alias_domains.given or ()) | set(data.alias_domains.add)
    wanted = {
        target: f"{addresses.local_part(target)}@{name}" if addresses.domain_of(target) in own else target
        for target in data.catchall
    }
    found = await ctx.domains.destinations(sorted(set(wanted.values())))
    for target, address in wanted.items():
        destination = found.get(address)
        if destination is None or destination.exists:
            continue
        if destination.domain == name:
            raise InvalidInput(ErrorCode.CATCHALL_LOOP, f"{target} has no account: it would reach the catch-all again")
        raise InvalidInput(ErrorCode.UNKNOWN_CATCHALL_TARGET, f"{target} has no account on this server")
