"""DataLoaders, built per request, so that nested lists cost one batch per level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.mailpolicy import SpamPolicy, WbLists
from gateway.model import (
    Admin,
    Alias,
    Domain,
    DomainRouting,
    DomainUsage,
    Page,
    PageQuery,
    Throttle,
    UsedQuota,
    User,
    UserRouting,
)
from gateway.resolvers import admins, dashboard, domains, greylisting, spampolicy, user_routing, wblist
from gateway.resolvers.context import Context
from gateway.resolvers.greylisting import GreylistingView

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _paged(
    fetch: Callable[[list[str], PageQuery], Awaitable[dict[str, Page[V]]]],
) -> Callable[[Sequence[tuple[str, PageQuery]]], Awaitable[list[Page[V]]]]:
    """A batch function for keys ``(domain, query)``: one fetch per distinct query."""

    async def load(keys: Sequence[tuple[str, PageQuery]]) -> list[Page[V]]:
        by_query: dict[PageQuery, list[str]] = defaultdict(list)
        for domain, query in keys:
            by_query[query].append(domain)
        found: dict[tuple[str, PageQuery], Page[V]] = {}
        for query, names in by_query.items():
            pages = await fetch(sorted(set(names)), query)
            found.update({(name, query): page for name, page in pages.items()})
        return [found[key] for key in keys]

    return load


def _mapped(
    fetch: Callable[[list[K]], Awaitable[dict[K, V]]], default: Callable[[], V]
) -> Callable[[Sequence[K]], Awaitable[list[V]]]:
    async def load(keys: Sequence[K]) -> list[V]:
        found = await fetch(sorted(set(keys)))  # type: ignore[type-var]
        return [found.get(key, default()) for key in keys]

    return load


@dataclass
class Loaders:
    """Every loader of one request."""

    domain: DataLoader[str, Domain | None]
    usage: DataLoader[str, DomainUsage]
    users: DataLoader[tuple[str, PageQuery], Page[User]]
    aliases: DataLoader[tuple[str, PageQuery], Page[Alias]]
    used_quota: DataLoader[str, UsedQuota]
    memberships: DataLoader[str, tuple[str, ...]]
    admins: DataLoader[str, tuple[Admin, ...]]
    throttles: DataLoader[tuple[str, str], Throttle | None]
    routing: DataLoader[str, DomainRouting]
    greylisting: DataLoader[str, GreylistingView]
    spam_policies: DataLoader[str, SpamPolicy]
    wblists: DataLoader[str, WbLists]
    user_routing: DataLoader[str, UserRouting]

    @classmethod
    def build(cls, ctx: Context) -> Loaders:
        async def load_domains(names: list[str]) -> dict[str, Domain | None]:
            return {d.name: d for d in await domains.list_domains_named(ctx=ctx, names=names)}

        async def load_usage(names: list[str]) -> dict[str, DomainUsage]:
            return await domains.domain_usage(ctx=ctx, names=names)

        async def load_throttles(keys: Sequence[tuple[str, str]]) -> list[Throttle | None]:
            rows = await dashboard.throttles_of(ctx=ctx, accounts=sorted({account for account, _ in keys}))
            found = {(row.account, row.kind): row for row in rows}
            return [found.get(key) for key in keys]

        async def load_greylisting(accounts: Sequence[str]) -> list[GreylistingView]:
            found = await greylisting.greylisting_of(ctx=ctx, accounts=sorted(set(accounts)))
            return [found[account] for account in accounts]

        return cls(
            domain=DataLoader(_mapped(load_domains, lambda: None)),
            usage=DataLoader(_mapped(load_usage, lambda: DomainUsage(0, 0, 0, 0, 0))),
            users=DataLoader(_paged(lambda names, query: dashboard.users_pages(ctx=ctx, domains=names, query=query))),
            aliases=DataLoader(
                _paged(lambda names, query: dashboard.aliases_pages(ctx=ctx, domains=names, query=query))
            ),
            used_quota=DataLoader(
                _mapped(lambda emails: dashboard.used_quota(ctx=ctx, emails=emails), UsedQuota)
            ),
            memberships=DataLoader(
                _mapped(lambda emails: dashboard.alias_memberships(ctx=ctx, emails=emails), tuple)
            ),
            admins=DataLoader(_mapped(lambda names: admins.domain_admin_accounts(ctx=ctx, domains=names), tuple)),
            throttles=DataLoader(load_throttles),
            routing=DataLoader(_mapped(lambda names: domains.get_routing(ctx=ctx, names=names), DomainRouting)),
            greylisting=DataLoader(load_greylisting),
            spam_policies=DataLoader(
                _mapped(lambda accounts: spampolicy.spam_policies_of(ctx=ctx, accounts=accounts), SpamPolicy)
            ),
            wblists=DataLoader(_mapped(lambda accounts: wblist.wblists_of(ctx=ctx, accounts=accounts), WbLists)),
            user_routing=DataLoader(
                _mapped(lambda emails: user_routing.get_routing(ctx=ctx, emails=emails), UserRouting)
            ),
        )
