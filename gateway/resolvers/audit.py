"""The admin log: every write through either face leaves one row in iRedAdmin's ``log``, as the panel writes it.

The faces describe each write as an ``Action`` (the panel's event name, what
is changed, and the identifiers naming it) and run it through ``audited``,
so a route or mutation added later is logged without a change here.

The log lives in another database than the change, so the two cannot share
one transaction. ``audited`` checks the log before the change (a log that
cannot take a row refuses the write, which then is never made) and writes
the row only once the change has committed: a refused or failed write
leaves no row. Should the log fail in the moment between, the change
stands, and the missing row is reported in the gateway's own log.

Messages are built from the event, the subject and the identifiers only:
never from a value the client sent in the body, so no password or hash can
reach them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import TypeVar

from gateway import addresses
from gateway.clock import utcnow
from gateway.errors import ErrorCode, Forbidden, InvalidInput
from gateway.model import Actor, AuditEntry, AuditQuery, Page
from gateway.resolvers.access import require_actor
from gateway.resolvers.context import Context
from gateway.resolvers.dashboard import MAX_PAGE_SIZE

log = logging.getLogger("gateway.audit")

T = TypeVar("T")

MESSAGE_PREFIX = "[API] "  # how the panel marks what came through its API
LOGIN = "login"
EVENTS_BY_METHOD = {"POST": "create", "PUT": "update", "DELETE": "delete"}
EVENTS_BY_VERB = {
    "create": "create", "add": "create",
    "update": "update", "set": "update", "change": "update", "rename": "update",
    "delete": "delete", "remove": "delete",
    "login": LOGIN,
}  # fmt: skip
# the panel's words where the API's differ
SUBJECTS = {"alias": "mail alias", "ml": "mailing list", "maillist": "mailing list", "users": "domain users"}
MAX_EVENT_LENGTH = 20  # log.event is VARCHAR(20)


@dataclass(frozen=True)
class Action:
    """A write as the admin log records it: ``event`` (the panel's name), ``subject``, and what it names."""

    event: str
    subject: str
    targets: tuple[str, ...] = ()


def subject_named(word: str) -> str:
    """The panel's name for what a path segment or mutation names."""
    return SUBJECTS.get(word, word)


def event_of_verb(verb: str) -> str:
    """The panel's event for a mutation's leading verb; a verb it has no name for is an update."""
    return EVENTS_BY_VERB.get(verb.lower(), "update")


def message(action: Action) -> str:
    """The row's ``msg``, in the panel's words: "[API] Create user: bob@example.com." """
    if action.event == LOGIN:
        return f"{MESSAGE_PREFIX}Admin login success"
    text = f"{action.event.replace('_', ' ').capitalize()} {action.subject}"
    if action.targets:
        text += ": " + ", ".join(action.targets)
    return f"{MESSAGE_PREFIX}{text}."


def scope(targets: tuple[str, ...]) -> tuple[str, str]:
    """The ``(domain, username)`` columns for what an action names: its first address, else its first domain."""
    for target in targets:
        local, at, domain = target.strip().lower().rpartition("@")
        if at and domain:
            return domain, f"{local}@{domain}" if local else ""
    for target in targets:
        try:
            return addresses.domain_name(target), ""
        except InvalidInput:
            continue
    return "", ""


def entry(ctx: Context, action: Action, admin: str) -> AuditEntry:
    """The row ``action`` leaves, done by ``admin`` from ``ctx.client``."""
    domain, username = scope(action.targets)
    return AuditEntry(
        timestamp=utcnow().replace(microsecond=0),
        admin=admin,
        ip=ctx.client,
        domain=domain,
        username=username,
        event=action.event[:MAX_EVENT_LENGTH],
        message=message(action),
    )


async def audited(
    ctx: Context,
    action: Action | None,
    run: Callable[[], Awaitable[T]],
    actor_after: Callable[[T], Actor | None] | None = None,
) -> T:
    """Run the write ``run`` and record ``action`` once it has succeeded (None: not a write).

    ``actor_after`` names the admin when the request had none before the
    write (a login).
    """
    if action is None:
        return await run()
    await ctx.audit.ready()
    result = await run()
    actor = ctx.actor or (actor_after(result) if actor_after else None)
    row = entry(ctx, action, actor.username if actor else "")
    try:
        await ctx.audit.record(row)
    except Exception as exc:  # the change is made: answer it, report the missing row
        log.error(
            "admin log row not written (%s): admin=%s event=%s domain=%s username=%s msg=%s",
            exc.__class__.__name__, row.admin, row.event, row.domain, row.username, row.message,
        )
    return result


# Reading the log


def parse_time(value: str | None, *, end: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time as naive UTC; a date alone means its first (or, with ``end``, last) second."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min)
            return moment.replace(microsecond=0)
        return naive_utc(datetime.fromisoformat(text))
    except ValueError:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"{value!r} is not an ISO 8601 date or date-time") from None


def naive_utc(moment: datetime) -> datetime:
    """``moment`` in UTC without a zone, as the log stores it (a naive value is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


async def read_log(*, ctx: Context, query: AuditQuery) -> Page[AuditEntry]:
    """The rows ``query`` asks for, newest first, among those the actor may see.

    A global admin sees every row, a domain admin those of its domains: ``query.domains`` is set from the actor,
    whatever the caller gave.
    """
    actor = require_actor(ctx)
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise InvalidInput(ErrorCode.INVALID_PAGE_SIZE, f"the page size must be between 1 and {MAX_PAGE_SIZE}")
    if query.offset < 0:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "the page must be 1 or more")
    since = naive_utc(query.since) if query.since else None
    until = naive_utc(query.until) if query.until else None
    if since and until and since > until:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "from is after until")
    domain = addresses.domain_name(query.domain) if query.domain else None
    if domain is not None and not actor.may_manage(domain):
        raise Forbidden(ErrorCode.PERMISSION_DENIED)
    normalised = replace(
        query,
        admin=query.admin.strip().lower() if query.admin else None,
        domain=domain,
        event=query.event.strip() if query.event else None,
        since=since,
        until=until,
        domains=None if actor.is_global else actor.domains,
    )
    return await ctx.audit.page(normalised)


def page_offset(page: int, size: int) -> int:
    """The rows before page ``page`` (1-based) of ``size`` rows."""
    if page < 1:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "the page must be 1 or more")
    return (page - 1) * size

