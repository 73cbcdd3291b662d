"""``/api/log``: iRedAdmin's admin log, newest first, as the panel shows it."""

from __future__ import annotations

from typing import Any

from gateway.model import AuditEntry, AuditQuery
from gateway.resolvers import audit
from gateway.resolvers.context import Context
from gateway.rest.declare import INTEGER, TEXT, ApiRoute, Param, Values

DEFAULT_PAGE_SIZE = 50
PARAMS = (
    Param("admin", TEXT, "Only changes made by this admin"),
    Param("domain", TEXT, "Only changes in this domain"),
    Param("event", TEXT, "Only this event: create, update, delete, login, …"),
    Param("from", TEXT, "Only changes at or after this UTC date or date-time (ISO 8601)"),
    Param("until", TEXT, "Only changes at or before this UTC date or date-time (ISO 8601; a date: its whole day)"),
    Param("page", INTEGER, "Page number, from 1 (default 1)"),
    Param("page_size", INTEGER, f"Rows per page, 1 to 100 (default {DEFAULT_PAGE_SIZE})"),
)


def _entry(value: AuditEntry) -> dict[str, Any]:
    return {
        "id": value.id,
        "timestamp": value.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
        "admin": value.admin,
        "ip": value.ip,
        "domain": value.domain,
        "username": value.username,
        "event": value.event,
        "loglevel": value.loglevel,
        "msg": value.message,
    }


async def _list(ctx: Context, values: Values) -> dict[str, Any]:
    page = 1 if values["page"] is None else values["page"]
    size = DEFAULT_PAGE_SIZE if values["page_size"] is None else values["page_size"]
    query = AuditQuery(
        limit=size,
        offset=audit.page_offset(page, size),
        admin=values["admin"],
        domain=values["domain"],
        event=values["event"],
        since=audit.parse_time(values["from"]),
        until=audit.parse_time(values["until"], end=True),
    )
    found = await audit.read_log(ctx=ctx, query=query)
    return {"total": found.total, "page": page, "entries": [_entry(item) for item in found.items]}


ROUTES = (
    ApiRoute("GET", "/log", "iRedAdmin's admin log, newest first (a domain admin: its domains)", _list, params=PARAMS),
)
