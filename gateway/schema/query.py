"""The root Query type."""

from __future__ import annotations

import strawberry

from gateway.model import LdifKind, ThrottleKind
from gateway.resolvers import admins, aliases, dashboard, domains, maillists, throttles, users
from gateway.resolvers import ldif as ldif_export
from gateway.resolvers.access import require_actor
from gateway.resolvers.throttles import GLOBAL
from gateway.schema import policy
from gateway.schema.audit import AuditLogConnection, audit_log
from gateway.schema.enums import account_active
from gateway.schema.greylisting import GreylistingQuery
from gateway.schema.types import (
    Admin,
    AdminAccount,
    Alias,
    Connection,
    Domain,
    GatewayInfo,
    MailingList,
    Stats,
    StatusFilter,
    Throttle,
    User,
    connection,
    domain_aliases,
    domain_users,
    paged_field,
)


@strawberry.type
class Query(GreylistingQuery):
    @strawberry.field(description="The logged-in admin.")
    def me(self, info: GatewayInfo) -> Admin:
        return Admin(model=require_actor(info.context.resolver))

    @strawberry.field
    async def domain(self, info: GatewayInfo, name: str) -> Domain:
        return Domain(model=await domains.get_domain(ctx=info.context.resolver, name=name))

    domains = paged_field(
        "Domain",
        "name",
        lambda info, _, query: dashboard.domains_page(ctx=info.context.resolver, query=query),
        description="Domains the actor manages, ordered by name.",
    )

    @strawberry.field
    async def user(self, info: GatewayInfo, email: str) -> User:
        return User(model=await users.get_user(ctx=info.context.resolver, email=email))

    users = paged_field("User", "email", domain_users, "Users of a domain, ordered by address.", by_domain=True)

    @strawberry.field
    async def alias(self, info: GatewayInfo, email: str) -> Alias:
        return Alias(model=await aliases.get_alias(ctx=info.context.resolver, address=email))

    aliases = paged_field(
        "Alias", "address", domain_aliases, "Aliases of a domain, ordered by address.", by_domain=True
    )

    @strawberry.field
    async def mailing_list(self, info: GatewayInfo, email: str) -> MailingList:
        return MailingList(model=await maillists.get_maillist(ctx=info.context.resolver, address=email))

    @strawberry.field(description="The throttle of `global`, a domain or an address, of one kind.")
    async def throttle(self, info: GatewayInfo, account: str, kind: ThrottleKind) -> Throttle | None:
        found = await throttles.get_throttle(ctx=info.context.resolver, target=account, kind=kind)
        return Throttle(model=found) if found else None

    @strawberry.field
    async def global_throttles(self, info: GatewayInfo) -> list[Throttle]:
        result = []
        for kind in ThrottleKind:
            found = await throttles.get_throttle(ctx=info.context.resolver, target=GLOBAL, kind=kind)
            if found:
                result.append(Throttle(model=found))
        return result

    spam_policy = strawberry.field(resolver=policy.spam_policy, description=policy.spam_policy.__doc__)
    wblists = strawberry.field(resolver=policy.wblists, description=policy.wblists.__doc__)

    @strawberry.field(description="Totals for a dashboard, over the domains the actor manages.")
    async def stats(self, info: GatewayInfo) -> Stats:
        totals = await dashboard.stats(ctx=info.context.resolver)
        return Stats(model=totals)

    @strawberry.field(description="A standalone admin (global admins only).")
    async def admin(self, info: GatewayInfo, email: str) -> AdminAccount:
        return AdminAccount(model=await admins.get_admin(ctx=info.context.resolver, email=email))

    @strawberry.field(description="Every admin, standalone and mail users, ordered by address (global admins only).")
    async def admins(
        self,
        info: GatewayInfo,
        first: int = 20,
        after: str | None = None,
        search: str | None = None,
        status: StatusFilter = None,
    ) -> Connection[AdminAccount]:
        query = dashboard.page_query(first, after, search, account_active(status, None))
        page = await admins.admins_page(ctx=info.context.resolver, query=query)
        return connection(page, AdminAccount, "email")

    audit_log: AuditLogConnection = strawberry.field(
        resolver=audit_log,
        description="iRedAdmin's admin log, newest first; a domain admin sees its domains' rows.",
    )

    @strawberry.field(
        description="One directory entry as LDIF text (RFC 2849), without userPassword; OpenLDAP only "
        "(NOT_SUPPORTED elsewhere). `name` is the domain for DOMAIN and CATCHALL, else the address."
    )
    async def ldif(self, info: GatewayInfo, kind: LdifKind, name: str) -> str:
        return await ldif_export.entry_ldif(ctx=info.context.resolver, kind=kind, name=name)
