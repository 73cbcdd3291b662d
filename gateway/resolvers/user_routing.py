"""A user's routing: forwardings, per-user aliases, BCC, services and profile fields (storage reference 2).

Each change arrives as a ``UserRoutingInput``; ``routing_update`` checks the
values and gives the update the storage applies to what it holds inside the
user's write, so that it lands with the user's other changes or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from gateway import addresses
from gateway.errors import Conflict, ErrorCode, Forbidden, InvalidInput
from gateway.model import Actor, UserRouting, UserRoutingUpdate
from gateway.resolvers import validation
from gateway.resolvers.access import managed_address
from gateway.resolvers.context import Context
from gateway.resolvers.domain_routing import ListChange, bcc_address, given_fields, refuse_mixed

MAX_FORWARDINGS = 100
MAX_ALIASES = 100
MAX_PHONES = 10
MAILBOX_FORMATS = ("maildir", "mdbox", "sdbox", "mbox")
# never named: `mail` is every account's mark (always kept), `domainadmin` is an admin right
FIXED_SERVICES = frozenset({"mail", "domainadmin"})
# kept by a full replacement unless removed by name: without them Dovecot stops delivering or indexing
KEPT_ON_RESET = frozenset({
    "mail", "domainadmin", "internal", "doveadm", "lib-storage", "indexer-worker", "dsync", "quota-status",
    "deliver", "lda", "lmtp", "sieve", "sievesecured",
})  # fmt: skip
_SERVICE = re.compile(r"[a-z][a-z0-9_-]{0,63}", re.ASCII)
_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}", re.ASCII)
_PATH_PART = re.compile(r"[a-z0-9_][a-z0-9._+-]*", re.ASCII)
_PHONE = re.compile(r"[0-9+() ./-]{1,64}", re.ASCII)

# the fields whose given value replaces the stored one
_REPLACED_FIELDS = (
    "sender_bcc", "recipient_bcc", "mailbox_format", "mailbox_folder", "maildir", "first_name", "last_name",
    "telephone", "mobile",
)  # fmt: skip


@dataclass(frozen=True)
class UserRoutingInput:
    """What a client gives about a user's routing; ``None`` / empty = not given."""

    forwardings: ListChange = field(default_factory=ListChange)
    aliases: ListChange = field(default_factory=ListChange)
    sender_bcc: str | None = None
    recipient_bcc: str | None = None
    services: ListChange = field(default_factory=ListChange)
    mailbox_format: str | None = None
    mailbox_folder: str | None = None
    maildir: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    telephone: tuple[str, ...] | None = None
    mobile: tuple[str, ...] | None = None

    def global_only(self) -> bool:
        """Whether it changes what only a global admin may: where on disk the mailbox lives."""
        return self.maildir is not None


def service(value: str) -> str:
    name = value.strip().lower()
    if not _SERVICE.fullmatch(name) or name == "domainadmin":
        raise InvalidInput(ErrorCode.INVALID_SERVICE, f"{value!r} is not a user service the API sets")
    return name


def mailbox_format(value: str) -> str:
    name = value.strip().lower()
    if name not in MAILBOX_FORMATS:
        raise InvalidInput(ErrorCode.INVALID_MAILBOX_FORMAT, f"one of {', '.join(MAILBOX_FORMATS)}")
    return name


def mailbox_folder(value: str) -> str:
    name = value.strip()
    if not _FOLDER.fullmatch(name):
        raise InvalidInput(ErrorCode.INVALID_MAILDIR, "a folder name of letters, digits, '.', '_', '-'")
    return name


def maildir(value: str) -> str:
    """An absolute, lower-case home directory of at least three levels, ending in ``/``."""
    path = value.strip().lower()
    parts = path.strip("/").split("/")
    if not path.startswith("/") or len(path) > 255 or len(parts) < 3 or not all(map(_PATH_PART.fullmatch, parts)):
        raise InvalidInput(ErrorCode.INVALID_MAILDIR, "an absolute path like /var/vmail/vmail1/example.com/j/o/h/john/")
    return "/" + "/".join(parts) + "/"


def phone(value: str) -> str:
    number = value.strip()
    if not _PHONE.fullmatch(number):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{value!r} is not a telephone number")
    return number


def _phones(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    numbers = tuple(dict.fromkeys(phone(v) for v in values))
    if len(numbers) > MAX_PHONES:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"at most {MAX_PHONES} numbers")
    return numbers


def _name(value: str | None) -> str | None:
    return None if value is None else validation.display_name(value)


def checked(data: UserRoutingInput) -> UserRoutingInput:
    """``data`` with every value validated and normalised."""
    refuse_mixed((data.forwardings, data.aliases, data.services))
    forwardings = data.forwardings.checked(lambda v: addresses.member_address(v).lower())
    aliases = data.aliases.checked(lambda v: addresses.mailbox_address(v).lower())
    services = data.services.checked(service)
    if "mail" in services.remove:
        raise InvalidInput(ErrorCode.INVALID_SERVICE, "every user keeps the service mail")
    return replace(
        data,
        forwardings=forwardings.within(MAX_FORWARDINGS),
        aliases=aliases.within(MAX_ALIASES),
        services=services,
        sender_bcc=None if data.sender_bcc is None else bcc_address(data.sender_bcc),
        recipient_bcc=None if data.recipient_bcc is None else bcc_address(data.recipient_bcc),
        mailbox_format=None if data.mailbox_format is None else mailbox_format(data.mailbox_format),
        mailbox_folder=None if data.mailbox_folder is None else mailbox_folder(data.mailbox_folder),
        maildir=None if data.maildir is None else maildir(data.maildir),
        first_name=_name(data.first_name),
        last_name=_name(data.last_name),
        telephone=_phones(data.telephone),
        mobile=_phones(data.mobile),
    )


async def _check_aliases(ctx: Context, email: str, data: UserRoutingInput) -> None:
    """Per-user aliases must be new addresses of the user's own domain (not of an alias domain: Postfix
    joins forwardings.domain on the domain table)."""
    wanted = sorted(set(data.aliases.given or ()) | set(data.aliases.add))
    if not wanted:
        return
    domain = addresses.domain_of(email)
    found = await ctx.domains.destinations(wanted)
    for alias in wanted:
        destination = found.get(alias)
        if destination is not None and destination.domain != addresses.domain_of(alias):
            raise InvalidInput(ErrorCode.ALIAS_IN_ALIAS_DOMAIN, f"{alias} is in an alias domain")
        if addresses.domain_of(alias) != domain:
            raise InvalidInput(ErrorCode.ALIAS_OUTSIDE_USER_DOMAIN, f"{alias} is not in {domain}")


async def _check_forwardings(ctx: Context, email: str, data: UserRoutingInput) -> None:
    """Refuse forwarding targets in hosted domains that no account answers: the mail would bounce."""
    wanted = sorted((set(data.forwardings.given or ()) | set(data.forwardings.add)) - {email})
    found = await ctx.domains.destinations(wanted) if wanted else {}
    for target in wanted:
        destination = found.get(target)
        if destination is not None and not destination.exists:
            raise InvalidInput(ErrorCode.UNKNOWN_FORWARDING_TARGET, f"{target} has no account on this server")


def _services(change: ListChange, current: tuple[str, ...]) -> tuple[str, ...]:
    """``change`` applied; a full list keeps the services of KEPT_ON_RESET the user has."""
    if change.given is not None:
        kept = {name for name in current if name in KEPT_ON_RESET}
        change = replace(change, given=tuple(sorted(set(change.given) | kept | {"mail"})))
    return change.applied(current)


def applied(email: str, data: UserRoutingInput, current: UserRouting) -> UserRouting:
    """The routing ``current`` becomes with the checked ``data``."""
    forwardings = data.forwardings.applied(current.forwardings) or (email,)
    if len(forwardings) > MAX_FORWARDINGS:
        raise InvalidInput(ErrorCode.TOO_MANY_MEMBERS)
    refusal = Conflict(ErrorCode.ALREADY_EXISTS, "a user's own address is not its alias")
    return replace(
        current,
        forwardings=forwardings,
        aliases=data.aliases.bounded(current.aliases, own=email, refusal=refusal, limit=MAX_ALIASES),
        services=_services(data.services, current.services),
        **given_fields(data, _REPLACED_FIELDS),
    )


async def routing_update(ctx: Context, actor: Actor, email: str, data: UserRoutingInput) -> UserRoutingUpdate:
    """The change to apply to the stored routing of user ``email``, under the user's write."""
    if data.global_only() and not actor.is_global:
        raise Forbidden(ErrorCode.PERMISSION_DENIED, "only a global admin moves a mailbox")
    data = checked(data)
    await _check_aliases(ctx, email, data)
    await _check_forwardings(ctx, email, data)
    return lambda current: applied(email, data, current)


async def get_routing(*, ctx: Context, emails: list[str]) -> dict[str, UserRouting]:
    """The routing of users the actor manages."""
    for email in emails:
        managed_address(ctx, email)
    return await ctx.users.user_routing(emails)
