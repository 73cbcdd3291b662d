"""The admin log in GraphQL: every mutation recorded (``AuditMutations``), and the ``auditLog`` connection."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from inspect import isawaitable
from typing import Annotated, Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from gateway import model
from gateway.errors import ErrorCode, InvalidInput
from gateway.resolvers import audit
from gateway.resolvers.dashboard import encode_cursor, page_query
from gateway.schema.context import GatewayContext
from gateway.schema.types import Edge, GatewayInfo, PageInfo

MUTATION = "Mutation"
UNRECORDED = frozenset({"logout"})  # mutations that change nothing an admin manages
# the arguments that name what a mutation changes; only these reach the message (never a password)
IDENTIFIERS = ("name", "email", "mail", "address", "account", "domain", "target", "kind", "newEmail", "newAddress")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+")


def mutation_action(field_name: str, arguments: dict[str, Any]) -> audit.Action | None:
    """How the admin log records the mutation ``field_name``: the event from its leading verb."""
    if field_name in UNRECORDED:
        return None
    verb, *rest = [word.lower() for word in _WORDS.findall(field_name)] or [field_name]
    subject = audit.subject_named(" ".join(rest)) if rest else field_name
    targets = tuple(str(arguments[name]) for name in IDENTIFIERS if isinstance(arguments.get(name), str))
    return audit.Action(audit.event_of_verb(verb), subject, targets)


class AuditMutations(SchemaExtension):
    """Runs every mutation through the admin log: a row for each that succeeds, none for one refused."""

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: str, **kwargs: Any
    ) -> Any:
        if info.parent_type.name != MUTATION:
            return _next(root, info, *args, **kwargs)
        context: GatewayContext = info.context

        async def run() -> object:
            result = _next(root, info, *args, **kwargs)
            return await result if isawaitable(result) else result

        return audit.audited(
            context.resolver, mutation_action(info.field_name, kwargs), run, lambda _: context.resolver.actor
        )


@strawberry.type(description="A row of iRedAdmin's admin log, as the panel shows it.")
class AuditEntry:
    id: int
    timestamp: datetime = strawberry.field(description="When, in UTC.")
    admin: str
    ip: str = strawberry.field(description="The client's address.")
    domain: str
    username: str = strawberry.field(description="The account changed, when one was.")
    event: str = strawberry.field(description="The panel's event name: create, update, delete, login, …")
    loglevel: str
    message: str

    @classmethod
    def of(cls, value: model.AuditEntry) -> AuditEntry:
        return cls(**asdict(value))


@strawberry.type
class AuditLogConnection:
    """A page of the admin log, newest first, with the number of matching rows."""

    total_count: int
    nodes: list[AuditEntry]
    edges: list[Edge[AuditEntry]]
    page_info: PageInfo


def _before(after: str | None) -> int | None:
    key = page_query(1, after).after
    if key is None:
        return None
    if not key.isdigit():
        raise InvalidInput(ErrorCode.INVALID_CURSOR)
    return int(key)


async def audit_log(
    info: GatewayInfo,
    first: int = 20,
    after: str | None = None,
    admin: str | None = None,
    domain: str | None = None,
    event: str | None = None,
    since: Annotated[datetime | None, strawberry.argument(name="from")] = None,
    until: datetime | None = None,
) -> AuditLogConnection:
    """The ``auditLog`` root field."""
    query = model.AuditQuery(
        limit=first, before_id=_before(after), admin=admin, domain=domain, event=event, since=since, until=until
    )
    page = await audit.read_log(ctx=info.context.resolver, query=query)
    nodes = [AuditEntry.of(item) for item in page.items]
    edges = [Edge(cursor=encode_cursor(str(node.id)), node=node) for node in nodes]
    return AuditLogConnection(
        total_count=page.total,
        nodes=nodes,
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None),
    )
