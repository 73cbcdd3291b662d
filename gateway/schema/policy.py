"""Amavisd spam policies and white/blacklists in GraphQL: types, inputs and the root fields over the resolvers."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway import mailpolicy
from gateway.mailpolicy import PolicyFlags, WblistColour, WblistDirection
from gateway.resolvers import spampolicy, wblist
from gateway.resolvers.policy_targets import scope_of
from gateway.resolvers.spampolicy import SpamPolicyInput as SpamPolicyData
from gateway.schema.context import GatewayContext

Info_ = Info[GatewayContext, None]


@strawberry.type(description="Amavisd spam policy values; null is not set (inherited, or amavisd.conf's).")
class SpamPolicy(PolicyFlags):
    spam_score: float | None
    banned_rulenames: list[str] | None

    @classmethod
    def of(cls, value: mailpolicy.SpamPolicy) -> SpamPolicy:
        data = value.as_dict()
        names = data["banned_rulenames"]
        data["banned_rulenames"] = None if names is None else list(names)
        return cls(**data)


@strawberry.type(description="One account's stored spam policy and the values in effect after user > domain > global.")
class SpamPolicyView:
    account: str
    policy: SpamPolicy
    effective: SpamPolicy

    @classmethod
    def of(cls, value: spampolicy.SpamPolicyView) -> SpamPolicyView:
        return cls(
            account=value.account, policy=SpamPolicy.of(value.stored), effective=SpamPolicy.of(value.effective)
        )


@strawberry.type(description="An account's white- and blacklists, inbound (senders) and outbound (recipients).")
class Wblists:
    inbound_whitelist: list[str]
    inbound_blacklist: list[str]
    outbound_whitelist: list[str]
    outbound_blacklist: list[str]

    @classmethod
    def of(cls, value: mailpolicy.WbLists) -> Wblists:
        return cls(**{key: list(entries) for key, entries in vars(value).items()})


@strawberry.input(description="Spam policy values to set; null or absent leaves a value as it is.")
class SpamPolicyInput(PolicyFlags):
    spam_score: float | None = None
    banned_rulenames: list[str] | None = None

    def to_data(self) -> SpamPolicyData:
        values = dict(vars(self))
        names = values.pop("banned_rulenames")
        return SpamPolicyData(**values, banned_rulenames=None if names is None else ",".join(names))


async def account_spam_policy(info: Info_, account: str) -> SpamPolicy:
    """The stored policy of ``@domain`` or an address, batched per request."""
    found = await info.context.loaders.spam_policies.load(account)
    return SpamPolicy.of(found)


async def account_wblists(info: Info_, account: str) -> Wblists:
    return Wblists.of(await info.context.loaders.wblists.load(account))


# --- root fields ---------------------------------------------------------------------------


async def spam_policy(info: Info_, account: str) -> SpamPolicyView:
    """The spam policy of `global`, a domain or an address: stored and in effect."""
    scope, name = scope_of(account)
    return SpamPolicyView.of(await spampolicy.get_spam_policy(ctx=info.context.resolver, scope=scope, name=name))


async def wblists(info: Info_, account: str) -> Wblists:
    """The white/blacklists of `global`, a domain or an address."""
    ctx = info.context.resolver
    lists = {
        f"{direction}_{colour}": list(
            await wblist.get_wblist(ctx=ctx, direction=direction, colour=colour, target=account)
        )
        for direction in wblist.DIRECTIONS
        for colour in wblist.COLOURS
    }
    return Wblists(**lists)


async def set_spam_policy(info: Info_, account: str, input: SpamPolicyInput) -> SpamPolicyView:
    """Set values of the spam policy of `global`, a domain or an address."""
    scope, name = scope_of(account)
    view = await spampolicy.set_spam_policy(ctx=info.context.resolver, scope=scope, name=name, data=input.to_data())
    return SpamPolicyView.of(view)


async def delete_spam_policy(info: Info_, account: str) -> bool:
    """Remove the account's spam policy: it inherits again."""
    scope, name = scope_of(account)
    await spampolicy.delete_spam_policy(ctx=info.context.resolver, scope=scope, name=name)
    return True


async def add_wblist_entries(
    info: Info_, account: str, direction: WblistDirection, colour: WblistColour, addresses: list[str]
) -> list[str]:
    """List addresses (moving them off the other colour); returns the list."""
    ctx = info.context.resolver
    await wblist.add_to_wblist(
        ctx=ctx, direction=direction, colour=colour, target=account, addresses=addresses
    )
    return list(await wblist.get_wblist(ctx=ctx, direction=direction, colour=colour, target=account))


async def remove_wblist_entries(
    info: Info_, account: str, direction: WblistDirection, colour: WblistColour, addresses: list[str]
) -> int:
    """Take addresses off a list; returns how many were on it."""
    return await wblist.remove_from_wblist(
        ctx=info.context.resolver, direction=direction, colour=colour, target=account,
        addresses=addresses,
    )  # fmt: skip


async def clear_wblist(info: Info_, account: str, direction: WblistDirection, colour: WblistColour) -> int:
    """Empty a list; returns how many entries it held."""
    return await wblist.clear_wblist(
        ctx=info.context.resolver, direction=direction, colour=colour, target=account
    )
