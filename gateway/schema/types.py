"""The GraphQL object types. Each wraps a model value; nested fields go through loaders."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Generic, NewType, TypeVar

import strawberry
from graphql.error import GraphQLError
from strawberry.types import Info
from strawberry.types.scalar import ScalarDefinition

from gateway import model
from gateway.model import AccessPolicy, AccountStatus, ThrottleKind
from gateway.resolvers import domains
from gateway.resolvers.dashboard import encode_cursor, page_query
from gateway.resolvers.throttles import GLOBAL_ACCOUNT
from gateway.schema.context import GatewayContext
from gateway.schema.enums import account_active, stored_access_policy
from gateway.schema.fields import model_field, resolver_field
from gateway.schema.greylisting import Greylisting, greylisting_of
from gateway.schema.policy import SpamPolicy, Wblists, account_spam_policy, account_wblists
from gateway.schema.routing import DomainRouting
from gateway.schema.user_routing import UserRouting

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
UNLIMITED = "-1 none allowed, 0 unlimited."
SERVER_WIDE = "0 means the server-wide setting."
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

    account = model_field("account", str)

    @strawberry.field
    def scope(self) -> str:
        """``global``, ``domain`` or ``user``."""
        if self.model.account == GLOBAL_ACCOUNT:
            return "global"
        return "domain" if self.model.account.startswith("@") else "user"

    @strawberry.field
    def kind(self) -> ThrottleKind:
        return ThrottleKind(self.model.kind.lower())

    priority = model_field("priority", int)
    period = model_field("period", BigInt)
    msg_size = model_field("msg_size", BigInt)
    max_msgs = model_field("max_msgs", BigInt)
    max_quota = model_field("max_quota", BigInt)
    max_rcpts = model_field("max_rcpts", BigInt)


def throttle_field(kind: ThrottleKind, account: Callable[[Any], str]) -> Any:
    """The throttle of ``kind`` of the parent's ``account(model)``, or null."""

    async def resolve(root: Any, info: GatewayInfo) -> Throttle | None:
        found = await info.context.loaders.throttles.load((account(root.model), kind))
        return Throttle(model=found) if found else None

    return strawberry.field(resolver=resolve)


PageLoad = Callable[[GatewayInfo, Any, model.PageQuery], Awaitable[model.Page[Any]]]


def paged_field(
    node: str, key: str, load: PageLoad, description: str | None = None, *, by_domain: bool = False
) -> Any:
    """A connection of ``node`` objects, cursors made from ``key``: ``load(info, scope, query)`` gives the page.

    The scope is the parent's model, or with ``by_domain`` the domain a ``domain`` argument names.
    """

    async def resolve(
        root: Any,
        info: GatewayInfo,
        *,
        domain: str = "",
        first: int = 20,
        after: str | None = None,
        search: str | None = None,
        status: StatusFilter = None,
        active: ActiveFilter = None,
    ) -> object:
        ctx = info.context.resolver
        scope = await domains.get_domain(ctx=ctx, name=domain) if by_domain else getattr(root, "model", None)
        page = await load(info, scope, page_query(first, after, search, account_active(status, active)))
        return connection(page, globals()[node], key)

    arguments = {"require": ("domain",)} if by_domain else {"drop": ("domain",)}
    return resolver_field(resolve, f"Connection[{node}]", globals(), description=description, **arguments)


def domain_users(info: GatewayInfo, domain: model.Domain, query: model.PageQuery) -> Awaitable[model.Page[model.User]]:
    """A page of the users of ``domain``, through the loader."""
    return info.context.loaders.users.load((domain.name, query))


def domain_aliases(
    info: GatewayInfo, domain: model.Domain, query: model.PageQuery
) -> Awaitable[model.Page[model.Alias]]:
    return info.context.loaders.aliases.load((domain.name, query))


@strawberry.type
class Domain:
    model: strawberry.Private[model.Domain]

    name = model_field("name", str)
    description = model_field("description", str)
    status = model_field("active", AccountStatus, convert=AccountStatus.of)
    active = model_field("active", bool, deprecation_reason=ACTIVE_DEPRECATED)
    transport = model_field("transport", str)
    backup_mx = model_field("backupmx", bool)
    quota = model_field("quota", BigInt, description="Domain quota in MB; 0 is unlimited.")
    default_user_quota = model_field("default_user_quota", BigInt, description="Quota of new users in MB.")
    max_user_quota = model_field(
        "max_user_quota", BigInt, description="Largest quota of one user in MB; 0 is no limit."
    )
    max_users = model_field("max_users", int, description=UNLIMITED)
    max_aliases = model_field("max_aliases", int, description=UNLIMITED)
    max_lists = model_field("max_lists", int, description=UNLIMITED)
    min_password_length = model_field("min_password_length", int, description=SERVER_WIDE)
    max_password_length = model_field("max_password_length", int, description=SERVER_WIDE)
    default_language = model_field("default_language", str)
    created = model_field("created", datetime | None)

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

    users = paged_field("User", "email", domain_users)
    aliases = paged_field("Alias", "address", domain_aliases)
    inbound_throttle = throttle_field(ThrottleKind.INBOUND, lambda domain: f"@{domain.name}")
    outbound_throttle = throttle_field(ThrottleKind.OUTBOUND, lambda domain: f"@{domain.name}")

    @strawberry.field
    async def greylisting(self, info: GatewayInfo) -> Greylisting:
        return await greylisting_of(info, f"@{self.model.name}")

    @strawberry.field(description="Accounts with admin rights on this domain (standalone admins and mail users).")
    async def admins(self, info: GatewayInfo) -> list[AdminAccount]:
        return [AdminAccount(model=admin) for admin in await info.context.loaders.admins.load(self.model.name)]

    @strawberry.field(description="The domain's own Amavisd spam policy (null values: inherited).")
    async def spam_policy(self, info: GatewayInfo) -> SpamPolicy:
        return await account_spam_policy(info, f"@{self.model.name}")

    @strawberry.field(description="The domain's white/blacklists.")
    async def wblists(self, info: GatewayInfo) -> Wblists:
        return await account_wblists(info, f"@{self.model.name}")

    @strawberry.field(description="Alias domains, catch-all, backup MX, relay, BCC, services and switches.")
    async def routing(self, info: GatewayInfo) -> DomainRouting:
        return DomainRouting(domain=self.model, model=await info.context.loaders.routing.load(self.model.name))


async def _domain_of(root: Any, info: GatewayInfo) -> Domain | None:
    found = await info.context.loaders.domain.load(root.model.domain)
    return Domain(model=found) if found else None


@strawberry.type
class User:
    model: strawberry.Private[model.User]

    email = model_field("email", str)
    name = model_field("name", str)
    language = model_field("language", str)
    quota = model_field("quota", BigInt, description="Mailbox quota in MB; 0 is unlimited.")
    transport = model_field("transport", str)
    status = model_field("active", AccountStatus, convert=AccountStatus.of)
    active = model_field("active", bool, deprecation_reason=ACTIVE_DEPRECATED)
    is_admin = model_field("is_admin", bool)
    is_global_admin = model_field("is_global_admin", bool)
    employee_id = model_field("employee_id", str)
    created = model_field("created", datetime | None)
    password_last_change = model_field("password_last_change", datetime | None)
    forwardings = model_field(
        "forwardings",
        list[str],
        convert=list,
        description="Forwarding targets; the user's own address means a copy is kept.",
    )

    @strawberry.field
    async def used_quota(self, info: GatewayInfo) -> UsedQuota:
        used = await info.context.loaders.used_quota.load(self.model.email)
        return UsedQuota(bytes=BigInt(used.bytes), messages=BigInt(used.messages))

    @strawberry.field(description="Addresses of the aliases this user is a member of.")
    async def aliases(self, info: GatewayInfo) -> list[str]:
        return list(await info.context.loaders.memberships.load(self.model.email))

    domain = strawberry.field(resolver=_domain_of)

    @strawberry.field(description="The user's own throttles: inbound, then outbound.")
    async def throttles(self, info: GatewayInfo) -> list[Throttle]:
        keys = [(self.model.email, kind) for kind in ThrottleKind]
        found = await info.context.loaders.throttles.load_many(keys)
        return [Throttle(model=throttle) for throttle in found if throttle is not None]

    inbound_throttle = throttle_field(ThrottleKind.INBOUND, lambda user: user.email)
    outbound_throttle = throttle_field(ThrottleKind.OUTBOUND, lambda user: user.email)

    @strawberry.field
    async def greylisting(self, info: GatewayInfo) -> Greylisting:
        return await greylisting_of(info, self.model.email)

    @strawberry.field(description="The user's own Amavisd spam policy (null values: inherited).")
    async def spam_policy(self, info: GatewayInfo) -> SpamPolicy:
        return await account_spam_policy(info, self.model.email)

    @strawberry.field(description="The user's white/blacklists.")
    async def wblists(self, info: GatewayInfo) -> Wblists:
        return await account_wblists(info, self.model.email)

    @strawberry.field(description="Forwardings, per-user aliases, BCC, services and profile fields.")
    async def routing(self, info: GatewayInfo) -> UserRouting:
        return UserRouting(model=await info.context.loaders.user_routing.load(self.model.email))


@strawberry.type
class Alias:
    model: strawberry.Private[model.Alias]

    email = model_field("address", str)
    name = model_field("name", str)
    access_policy = model_field(
        "access_policy",
        AccessPolicy | None,
        convert=stored_access_policy,
        description="Who may send to this address; null when storage holds a policy outside the set, "
        "written by another tool (REST shows the stored text).",
    )
    status = model_field("active", AccountStatus, convert=AccountStatus.of)
    active = model_field("active", bool, deprecation_reason=ACTIVE_DEPRECATED)
    members = model_field("members", list[str], convert=list)
    created = model_field("created", datetime | None)
    domain = strawberry.field(resolver=_domain_of)


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

    model: strawberry.Private[model.Stats]

    domains = model_field("domains", int)
    active_domains = model_field("active_domains", int)
    users = model_field("users", int)
    active_users = model_field("active_users", int)
    aliases = model_field("aliases", int)
    allocated_quota = model_field("allocated_quota", BigInt)
    used_bytes = model_field("used_bytes", BigInt)
    used_messages = model_field("used_messages", BigInt)


@strawberry.type(description="An admin account: a standalone admin or a mail user holding admin rights.")
class AdminAccount:
    model: strawberry.Private[model.Admin]

    email = model_field("email", str)

    name = model_field("name", str)

    language = model_field("language", str)

    @strawberry.field
    def status(self) -> AccountStatus:
        return AccountStatus.of(self.model.active)

    is_global = model_field("is_global", bool)

    @strawberry.field(description="A standalone admin (true) or a mail user holding admin rights (false).")
    def standalone(self) -> bool:
        return self.model.standalone

    @strawberry.field(description="The domains it manages (a global admin manages every domain besides).")
    def domains(self) -> list[str]:
        return list(self.model.domains)

    @strawberry.field(description="Most domains it may create and manage; 0: it may not create domains.")
    def max_domains(self) -> int:
        return self.model.limits.max_domains

    @strawberry.field(description="Most MB its domains' mailboxes may hold together (0 = no limit).")
    def max_quota(self) -> BigInt:
        return BigInt(self.model.limits.max_quota)

    @strawberry.field(description="Most mail users in its domains together (0 = no limit, -1 = none).")
    def max_users(self) -> int:
        return self.model.limits.max_users

    @strawberry.field(description="Most aliases in its domains together (0 = no limit, -1 = none).")
    def max_aliases(self) -> int:
        return self.model.limits.max_aliases

    @strawberry.field(description="Most mailing lists in its domains together (0 = no limit, -1 = none).")
    def max_lists(self) -> int:
        return self.model.limits.max_lists

    disable_viewing_mail_log = model_field("disable_viewing_mail_log", bool)

    disable_managing_quarantined_mails = model_field("disable_managing_quarantined_mails", bool)

    created = model_field("created", datetime | None)
