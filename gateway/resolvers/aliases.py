"""Mail aliases: an address that forwards to its members."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from gateway import addresses
from gateway.errors import Conflict, ErrorCode, InvalidInput
from gateway.model import AccessPolicy, Alias, Domain, DomainUsage
from gateway.resolvers import validation
from gateway.resolvers.access import managed_address, require_domain
from gateway.resolvers.admin_limits import admin_bound
from gateway.resolvers.context import Context
from gateway.resolvers.domains import get_domain
from gateway.resolvers.lookup import found

MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class AliasInput:
    """What a client gives to create or update an alias; ``None`` = not given."""

    name: str | None = None
    access_policy: str | None = None
    active: bool | None = None
    members: tuple[str, ...] | None = None
    add_members: tuple[str, ...] = ()
    remove_members: tuple[str, ...] = ()


def member_list(values: Iterable[str]) -> tuple[str, ...]:
    """Validated, lower-cased, de-duplicated member addresses."""
    unique = dict.fromkeys(addresses.member_address(value) for value in values if value.strip())
    if len(unique) > MAX_MEMBERS:
        raise InvalidInput(ErrorCode.TOO_MANY_MEMBERS)
    return tuple(unique)


def alias_limit(limit: str, count: str) -> Callable[[Domain, DomainUsage], None]:
    """The check of a domain's account limit ``limit`` (-1 none, 0 unlimited) against ``count``."""

    def check(domain: Domain, usage: DomainUsage) -> None:
        maximum = getattr(domain, limit)
        if maximum == -1 or 0 < maximum <= getattr(usage, count):
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    return check


def merged_members(data: AliasInput) -> Callable[[Alias], Alias]:
    """The update of an alias or list: validated now, applied to the stored state under lock."""
    if data.members is not None and (data.add_members or data.remove_members):
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "members conflicts with addMember and removeMember")
    name = None if data.name is None else validation.display_name(data.name)
    policy = None if data.access_policy is None else validation.access_policy(data.access_policy)
    members = None if data.members is None else member_list(data.members)
    added, removed = member_list(data.add_members), member_list(data.remove_members)

    def apply(current: Alias) -> Alias:
        result = set(current.members if members is None else members)
        result = (result | set(added)) - set(removed)
        if len(result) > MAX_MEMBERS:
            raise InvalidInput(ErrorCode.TOO_MANY_MEMBERS)
        return replace(
            current,
            name=current.name if name is None else name,
            access_policy=current.access_policy if policy is None else policy,
            active=current.active if data.active is None else data.active,
            members=tuple(sorted(result)),
        )

    return apply


async def get_alias(*, ctx: Context, address: str) -> Alias:
    """One alias of a domain the actor manages."""
    return found(await ctx.aliases.get_alias(managed_address(ctx, address)))


async def list_aliases(*, ctx: Context, domain: str, active: bool | None = None) -> list[Alias]:
    """The aliases of a domain the actor manages."""
    listed = await get_domain(ctx=ctx, name=domain)
    return await ctx.aliases.list_aliases(listed.name, active=active)


async def create_alias(*, ctx: Context, address: str, data: AliasInput) -> Alias:
    """Create an alias, within the domain's ``numberOfAliases``."""
    return await get_alias(ctx=ctx, address=await add_alias(ctx=ctx, address=address, data=data))


async def add_alias(*, ctx: Context, address: str, data: AliasInput) -> str:
    """``create_alias`` without reading the alias back: its address."""
    address = addresses.mailbox_address(address)
    domain = addresses.domain_of(address)
    require_domain(ctx, domain)
    if data.add_members or data.remove_members or data.active is False:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER)
    alias = Alias(
        address=address,
        domain=domain,
        name=validation.display_name(data.name or ""),
        access_policy=validation.access_policy(data.access_policy or AccessPolicy.PUBLIC.value),
        active=True,
        members=member_list(data.members or ()),
        created=None,
    )
    await ctx.aliases.create_alias(alias, alias_limit("max_aliases", "aliases"), await admin_bound(ctx, "aliases"))
    return address


async def update_alias(*, ctx: Context, address: str, data: AliasInput) -> Alias:
    """Update name, policy, status or members (replace, or add and remove)."""
    return await get_alias(ctx=ctx, address=await change_alias(ctx=ctx, address=address, data=data))


async def change_alias(*, ctx: Context, address: str, data: AliasInput) -> str:
    """``update_alias`` without reading the alias back: its address."""
    address = managed_address(ctx, address)
    await ctx.aliases.update_alias(address, merged_members(data))
    return address


async def delete_alias(*, ctx: Context, address: str) -> None:
    """Delete an alias and its member rows."""
    address = managed_address(ctx, address)
    await ctx.aliases.delete_alias(address)
