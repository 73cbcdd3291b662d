"""The GraphQL object types. Each wraps a model value; nested fields go through loaders."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Generic, NewType, TypeVar

import strawberry
from graphql.error import GraphQLError
from strawberry.types import Info
from strawberry.types.scalar import ScalarDefinition

from gateway import model
from gateway.model import AccessPolicy, AccountStatus, ThrottleKind
from gateway.resolvers.dashboard import encode_cursor, page_query
from gateway.resolvers.throttles import GLOBAL_ACCOUNT
from gateway.schema.context import GatewayContext
from gateway.schema.enums import account_active, stored_access_policy
from gateway.schema.routing import DomainRouting

BigInt = NewType("BigInt", int)
INT64 = range(-(2**63), 2**63)
_DIGITS = re.compile(r"-?[0-9]{1,19}")


def _parse_bigint(value: object) -> int:
    """An integer within 64 bits, given as a number or a string of digits; never a float or a boolean."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in INT64:
        raise GraphQLError("BigInt must be a 64-bit integer")  # the client's mistake: shown, never masked
    return value


SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A 64-bit integer (bytes, megabytes, message counts).",
        serialize=int,
        parse_value=_parse_bigint,
    )
}

T = TypeVar("T")
M = TypeVar("M")
N = TypeVar("N")
GatewayInfo = Info[GatewayContext, None]

ACTIVE_DEPRECATED = "Use status."
StatusFilter = Annotated[AccountStatus | None, strawberry.argument(description="Only those in this status.")]
ActiveFilter = Annotated[
    bool | None,
    strawberry.argument(
        description="true: only active ones; false: only disabled ones.", deprecation_reason=ACTIVE_DEPRECATED
    ),
]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    """A page of a list in a stable order, with the total number of matches."""

    total_count: int
    nodes: list[T]
    edges: list[Edge[T]]
    page_info: PageInfo


def connection(page: model.Page[M], wrap: Callable[..., N], key: str) -> Connection[N]:
    """A page of models as a connection of ``wrap(model=…)`` nodes, cursors made from ``key``."""
    nodes = [wrap(model=item) for item in page.items]
    edges = [
        Edge(cursor=encode_cursor(getattr(item, key)), node=node) for item, node in zip(page.items, nodes, strict=True)
    ]
    return Connection(
        total_count=page.total,
        nodes=nodes,
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None),
    )


@strawberry.type
class UsedQuota:
    """What Dovecot counted."""

    bytes: BigInt
    messages: BigInt


@strawberry.type
class Throttle:
    """An iRedAPD throttle: -1 inherits from a lower priority, 0 is unlimited."""

    model: strawberry.Private[model.Throttle]

    @strawberry.field
    def account(self) -> str:
        return self.model.account

    @strawberry.field
    def scope(self) -> str:
        """``global``, ``domain`` or ``user``."""
        if self.model.account == GLOBAL_ACCOUNT:
            return "global"
        return "domain" if self.model.account.startswith("@") else "user"

    @strawberry.field
    def kind(self) -> ThrottleKind:
        return ThrottleKind(self.model.kind.lower())

    @strawberry.field
    def priority(self) -> int:
        return self.model.priority

    @strawberry.field
    def period(self) -> BigInt:
        return BigInt(self.model.period)

    @strawberry.field
    def msg_size(self) -> BigInt:
        return BigInt(self.model.msg_size)

    @strawberry.field
    def max_msgs(self) -> BigInt:
        return BigInt(self.model.max_msgs)

    @strawberry.field
    def max_quota(self) -> BigInt:
        return BigInt(self.model.max_quota)

    @strawberry.field
    def max_rcpts(self) -> BigInt:
        return BigInt(self.model.max_rcpts)


async def _throttle(info: GatewayInfo, account: str, kind: ThrottleKind) -> Throttle | None:
    found = await info.context.loaders.throttles.load((account, kind))
    return Throttle(model=found) if found else None


@strawberry.type
class Domain:
    model: strawberry.Private[model.Domain]

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field
    def status(self) -> AccountStatus:
        return AccountStatus.of(self.model.active)

    @strawberry.field(deprecation_reason=ACTIVE_DEPRECATED)
    def active(self) -> bool:
        return self.model.active

    @strawberry.field
    def transport(self) -> str:
        return self.model.transport

    @strawberry.field
    def backup_mx(self) -> bool:
        return self.model.backupmx

    @strawberry.field(description="Domain quota in MB; 0 is unlimited.")
    def quota(self) -> BigInt:
        return BigInt(self.model.quota)

    @strawberry.field(description="Quota of new users in MB.")
    def default_user_quota(self) -> BigInt:
        return BigInt(self.model.default_user_quota)

    @strawberry.field(description="Largest quota of one user in MB; 0 is no limit.")
    def max_user_quota(self) -> BigInt:
        return BigInt(self.model.max_user_quota)

    @strawberry.field(description="-1 none allowed, 0 unlimited.")
    def max_users(self) -> int:
        return self.model.max_users

    @strawberry.field(description="-1 none allowed, 0 unlimited.")
    def max_aliases(self) -> int:
        return self.model.max_aliases

    @strawberry.field(description="-1 none allowed, 0 unlimited.")
    def max_lists(self) -> int:
        return self.model.max_lists

    @strawberry.field(description="0 means the server-wide setting.")
    def min_password_length(self) -> int:
        return self.model.min_password_length

    @strawberry.field(description="0 means the server-wide setting.")
    def max_password_length(self) -> int:
        return self.model.max_password_length

    @strawberry.field
    def default_language(self) -> str:
        return self.model.default_language

    @strawberry.field
    def created(self) -> datetime | None:
        return self.model.created

    @strawberry.field
    async def user_count(self, info: GatewayInfo) -> int:
        return (await info.context.loaders.usage.load(self.model.name)).users

    @strawberry.field
    async def alias_count(self, info: GatewayInfo) -> int:
        return (await info.context.loaders.usage.load(self.model.name)).aliases

    @strawberry.field(description="Sum of the users' quotas in MB.")
    async def allocated_quota(self, info: GatewayInfo) -> BigInt:
        usage = await info.context.loaders.usage.load(self.model.name)
        return BigInt(usage.allocated_quota)

    @strawberry.field(description="Bytes and messages stored, as Dovecot counted them.")
    async def used_quota(self, info: GatewayInfo) -> UsedQuota:
        usage = await info.context.loaders.usage.load(self.model.name)
        return UsedQuota(bytes=BigInt(usage.used_bytes), messages=BigInt(usage.used_messages))

    @strawberry.field
    async def users(
        self,
        info: GatewayInfo,
        first: int = 20,
        after: str | None = None,
        search: str | None = None,
        status: StatusFilter = None,
        active: ActiveFilter = None,
    ) -> Connection[User]:
        query = page_query(first, after, search, account_active(status, active))
        page = await info.context.loaders.users.load((self.model.name, query))
        return connection(page, User, "email")

    @strawberry.field
    async def aliases(
        self,
        info: GatewayInfo,
        first: int = 20,
        after: str | None = None,
        search: str | None = None,
        status: StatusFilter = None,
        active: ActiveFilter = None,
    ) -> Connection[Alias]:
        query = page_query(first, after, search, account_active(status, active))
        page = await info.context.loaders.aliases.load((self.model.name, query))
        return connection(page, Alias, "address")

    @strawberry.field
    async def inbound_throttle(self, info: GatewayInfo) -> Throttle | None:
        return await _throttle(info, f"@{self.model.name}", ThrottleKind.INBOUND)

    @strawberry.field
    async def outbound_throttle(self, info: GatewayInfo) -> Throttle | None:
        return await _throttle(info, f"@{self.model.name}", ThrottleKind.OUTBOUND)

    @strawberry.field(description="Accounts with admin rights on this domain.")
    async def admins(self, info: GatewayInfo) -> list[str]:
        return list(await info.context.loaders.admins.load(self.model.name))

    @strawberry.field(description="Alias domains, catch-all, backup MX, relay, BCC, services and switches.")
    async def routing(self, info: GatewayInfo) -> DomainRouting:
        return DomainRouting(domain=self.model, model=await info.context.loaders.routing.load(self.model.name))


@strawberry.type
class User:
    model: strawberry.Private[model.User]

    @strawberry.field
    def email(self) -> str:
        return self.model.email

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def language(self) -> str:
        return self.model.language

    @strawberry.field(description="Mailbox quota in MB; 0 is unlimited.")
    def quota(self) -> BigInt:
        return BigInt(self.model.quota)

    @strawberry.field
    def transport(self) -> str:
        return self.model.transport

    @strawberry.field
    def status(self) -> AccountStatus:
        return AccountStatus.of(self.model.active)

    @strawberry.field(deprecation_reason=ACTIVE_DEPRECATED)
    def active(self) -> bool:
        return self.model.active

    @strawberry.field
    def is_admin(self) -> bool:
        return self.model.is_admin

    @strawberry.field
    def is_global_admin(self) -> bool:
        return self.model.is_global_admin

    @strawberry.field
    def employee_id(self) -> str:
        return self.model.employee_id

    @strawberry.field
    def created(self) -> datetime | None:
        return self.model.created

    @strawberry.field
    def password_last_change(self) -> datetime | None:
        return self.model.password_last_change

    @strawberry.field(description="Forwarding targets; the user's own address means a copy is kept.")
    def forwardings(self) -> list[str]:
        return list(self.model.forwardings)

    @strawberry.field
    async def used_quota(self, info: GatewayInfo) -> UsedQuota:
        used = await info.context.loaders.used_quota.load(self.model.email)
        return UsedQuota(bytes=BigInt(used.bytes), messages=BigInt(used.messages))

    @strawberry.field(description="Addresses of the aliases this user is a member of.")
    async def aliases(self, info: GatewayInfo) -> list[str]:
        return list(await info.context.loaders.memberships.load(self.model.email))

    @strawberry.field
    async def domain(self, info: GatewayInfo) -> Domain | None:
        found = await info.context.loaders.domain.load(self.model.domain)
        return Domain(model=found) if found else None

    @strawberry.field(description="The user's own throttles: inbound, then outbound.")
    async def throttles(self, info: GatewayInfo) -> list[Throttle]:
        keys = [(self.model.email, kind) for kind in ThrottleKind]
        found = await info.context.loaders.throttles.load_many(keys)
        return [Throttle(model=throttle) for throttle in found if throttle is not None]

    @strawberry.field
    async def inbound_throttle(self, info: GatewayInfo) -> Throttle | None:
        return await _throttle(info, self.model.email, ThrottleKind.INBOUND)

    @strawberry.field
    async def outbound_throttle(self, info: GatewayInfo) -> Throttle | None:
        return await _throttle(info, self.model.email, ThrottleKind.OUTBOUND)


@strawberry.type
class Alias:
    model: strawberry.Private[model.Alias]

    @strawberry.field
    def email(self) -> str:
        return self.model.address

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field(
        description="Who may send to this address; null when storage holds a policy outside the set, "
        "written by another tool (REST shows the stored text)."
    )
    def access_policy(self) -> AccessPolicy | None:
        return stored_access_policy(self.model.access_policy)

    @strawberry.field
    def status(self) -> AccountStatus:
        return AccountStatus.of(self.model.active)

    @strawberry.field(deprecation_reason=ACTIVE_DEPRECATED)
    def active(self) -> bool:
        return self.model.active

    @strawberry.field
    def members(self) -> list[str]:
        return list(self.model.members)

    @strawberry.field
    def created(self) -> datetime | None:
        return self.model.created

    @strawberry.field
    async def domain(self, info: GatewayInfo) -> Domain | None:
        found = await info.context.loaders.domain.load(self.model.domain)
        return Domain(model=found) if found else None


@strawberry.type(description="A mailing list (LDAP backend).")
class MailingList(Alias):
    pass


@strawberry.type
class Admin:
    """The logged-in admin."""

    model: strawberry.Private[model.Actor]

    @strawberry.field
    def username(self) -> str:
        return self.model.username

    @strawberry.field
    def is_global(self) -> bool:
        return self.model.is_global

    @strawberry.field(description="Domains this admin manages; empty for a global admin, who manages all.")
    def domains(self) -> list[str]:
        return sorted(self.model.domains)


@strawberry.type
class Stats:
    """Totals over the domains the actor manages."""

    domains: int
    active_domains: int
    users: int
    active_users: int
    aliases: int
    allocated_quota: BigInt
    used_bytes: BigInt
    used_messages: BigInt
