"""GraphQL faces of iRedAPD greylisting: the ``Greylisting`` type, its loader and its root fields."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.resolvers import greylisting
from gateway.resolvers.greylisting import GreylistingView
from gateway.schema.context import GatewayContext

GatewayInfo = Info[GatewayContext, None]


@strawberry.type(description="iRedAPD greylisting of one account (`@.`, `@domain` or an address).")
class Greylisting:
    view: strawberry.Private[GreylistingView]

    @strawberry.field
    def account(self) -> str:
        return self.view.state.account

    @strawberry.field(description="The account's own status: true greylists, false does not, null inherits.")
    def enabled(self) -> bool | None:
        return self.view.state.active

    @strawberry.field(description="Senders never greylisted for the account: IPs, networks, addresses, domains.")
    def whitelist(self) -> list[str]:
        return list(self.view.whitelist)


async def greylisting_of(info: GatewayInfo, account: str) -> Greylisting:
    return Greylisting(view=await info.context.loaders.greylisting.load(account))


async def read(info: GatewayInfo, account: str) -> Greylisting:
    """``account`` as the API names it (``global``, a domain, an address), checked and read."""
    state = await greylisting.get_greylisting(ctx=info.context.resolver, target=account)
    return await greylisting_of(info, state.account)


@strawberry.type
class GreylistingQuery:
    @strawberry.field(description="The greylisting of `global`, a domain or an address.")
    async def greylisting(self, info: GatewayInfo, account: str) -> Greylisting:
        return await read(info, account)

    @strawberry.field(description="The domains whose SPF/MX hosts iRedAPD's hourly job whitelists (global admins).")
    async def greylisting_spf_domains(self, info: GatewayInfo) -> list[str]:
        whitelists = await greylisting.get_whitelists(ctx=info.context.resolver, target="global")
        return list(whitelists.spf_domains)


@strawberry.type
class GreylistingMutation:
    @strawberry.mutation(description="Greylist (true) or not (false) mail to `global`, a domain or an address.")
    async def set_greylisting(self, info: GatewayInfo, account: str, enabled: bool) -> Greylisting:
        status = "enable" if enabled else "disable"
        await greylisting.set_greylisting(ctx=info.context.resolver, target=account, status=status)
        return await read(info, account)

    @strawberry.mutation(description="Remove the account's own greylisting status: it inherits again.")
    async def clear_greylisting(self, info: GatewayInfo, account: str) -> Greylisting:
        await greylisting.delete_greylisting(ctx=info.context.resolver, target=account)
        return await read(info, account)

    @strawberry.mutation(description="Replace (`senders`), add to and remove from the account's greylisting whitelist.")
    async def update_greylisting_whitelist(
        self,
        info: GatewayInfo,
        account: str,
        senders: list[str] | None = None,
        add: list[str] | None = None,
        remove: list[str] | None = None,
    ) -> Greylisting:
        await greylisting.update_whitelists(
            ctx=info.context.resolver, target=account, senders=senders, add=add, remove=remove
        )
        return await read(info, account)

    @strawberry.mutation(description="Change the domains whose SPF/MX hosts iRedAPD's hourly job whitelists.")
    async def update_greylisting_spf_domains(
        self,
        info: GatewayInfo,
        domains: list[str] | None = None,
        add: list[str] | None = None,
        remove: list[str] | None = None,
    ) -> list[str]:
        return await greylisting.update_spf_domains(ctx=info.context.resolver, domains=domains, add=add, remove=remove)
