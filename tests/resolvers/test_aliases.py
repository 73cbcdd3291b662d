"""Aliases: members, access policies, the domain's numberOfAliases, who may change them."""

from __future__ import annotations

from gateway.model import DomainChanges
from gateway.resolvers import aliases, domains
from gateway.resolvers.aliases import MAX_MEMBERS, AliasInput
from gateway.resolvers.context import Context
from tests.resolvers.conftest import Gateway

INFO = "info@example.com"


async def test_create_alias_normalises_members(gateway: Gateway, seeded: Context) -> None:
    alias = await aliases.create_alias(
        ctx=seeded, address="Info@Example.com",
        data=AliasInput(name="Info", access_policy="allowedonly",
                        members=("Bob@Example.com", "bob@example.com", " ", "x+tag@other.org")),
    )
    assert (alias.address, alias.access_policy) == (INFO, "moderatorsonly")
    stored = await gateway.storage.alias(INFO)
    assert stored is not None
    assert (stored.name, stored.active, stored.members) == ("Info", True, ("bob@example.com", "x+tag@other.org"))


async def test_create_refuses_what_only_an_update_means(gateway: Gateway, seeded: Context) -> None:
    given = (AliasInput(add_members=("a@b.org",)), AliasInput(remove_members=("a@b.org",)), AliasInput(active=False))
    for data in given:
        async with gateway.refused("INVALID_PARAMETER"):
            await aliases.create_alias(ctx=seeded, address=INFO, data=data)


async def test_bad_alias_values_write_nothing(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("INVALID_ACCESS_POLICY"):
        await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput(access_policy="friends"))
    async with gateway.refused("INVALID_NAME"):
        await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput(name="x" * 256))
    async with gateway.refused("INVALID_MAIL"):
        await aliases.create_alias(ctx=seeded, address="in+fo@example.com", data=AliasInput())
    async with gateway.refused("TOO_MANY_MEMBERS"):
        members = tuple(f"m{index}@other.org" for index in range(MAX_MEMBERS + 1))
        await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput(members=members))


async def test_an_address_in_use_is_not_an_alias(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("ALREADY_EXISTS"):
        await aliases.create_alias(ctx=seeded, address="bob@example.com", data=AliasInput())
    await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput())
    async with gateway.refused("ALREADY_EXISTS"):
        await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput())


async def test_number_of_aliases_limit(gateway: Gateway, seeded: Context) -> None:
    await domains.update_domain(ctx=seeded, name="example.com", changes=DomainChanges(max_aliases=1))
    await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput())
    async with gateway.refused("EXCEEDED_DOMAIN_ACCOUNT_LIMIT"):
        await aliases.create_alias(ctx=seeded, address="sales@example.com", data=AliasInput())
    await domains.update_domain(ctx=seeded, name="other.org", changes=DomainChanges(max_aliases=-1))
    async with gateway.refused("EXCEEDED_DOMAIN_ACCOUNT_LIMIT"):
        await aliases.create_alias(ctx=seeded, address="info@other.org", data=AliasInput())


async def test_update_adds_and_removes_members(gateway: Gateway, seeded: Context) -> None:
    await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput(members=("a@other.org", "b@other.org")))
    alias = await aliases.update_alias(
        ctx=seeded, address=INFO, data=AliasInput(add_members=("C@other.org",), remove_members=("a@other.org",))
    )
    assert alias.members == ("b@other.org", "c@other.org")
    alias = await aliases.update_alias(ctx=seeded, address=INFO, data=AliasInput(members=("d@other.org",)))
    stored = await gateway.storage.alias(INFO)
    assert stored is not None and stored.members == alias.members == ("d@other.org",)


async def test_update_refuses_replacing_and_adding_at_once(gateway: Gateway, seeded: Context) -> None:
    await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput(members=("a@other.org",)))
    async with gateway.refused("INVALID_PARAMETER"):
        await aliases.update_alias(
            ctx=seeded, address=INFO, data=AliasInput(members=("b@other.org",), add_members=("c@other.org",))
        )


async def test_update_past_the_member_limit(gateway: Gateway, seeded: Context) -> None:
    first = tuple(f"m{index}@other.org" for index in range(MAX_MEMBERS))
    await aliases.create_alias(ctx=seeded, address=INFO, data=AliasInput(members=first))
    async with gateway.refused("TOO_MANY_MEMBERS"):
        await aliases.update_alias(ctx=seeded, address=INFO, data=AliasInput(add_members=("one@more.org",)))


async def test_unknown_alias(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("NO_SUCH_ACCOUNT"):
        await aliases.get_alias(ctx=seeded, address=INFO)
    async with gateway.refused("NO_SUCH_ACCOUNT"):
        await aliases.update_alias(ctx=seeded, address=INFO, data=AliasInput(name="x"))
    async with gateway.refused("NO_SUCH_ACCOUNT"):
        await aliases.delete_alias(ctx=seeded, address=INFO)
    async with gateway.refused("NO_SUCH_DOMAIN"):
        await aliases.list_aliases(ctx=seeded, domain="nowhere.net")


async def test_domain_admin_manages_only_its_domains_aliases(gateway: Gateway, seeded: Context) -> None:
    await aliases.create_alias(ctx=seeded, address="info@other.org", data=AliasInput())
    ctx = await gateway.domain_admin("dadmin@admins.test", "example.com")
    await aliases.create_alias(ctx=ctx, address=INFO, data=AliasInput(members=("carol@other.org",)))
    await aliases.delete_alias(ctx=ctx, address=INFO)
    async with gateway.refused("PERMISSION_DENIED"):
        await aliases.create_alias(ctx=ctx, address="sales@other.org", data=AliasInput())
    async with gateway.refused("PERMISSION_DENIED"):
        await aliases.update_alias(ctx=ctx, address="info@other.org", data=AliasInput(active=False))
    async with gateway.refused("PERMISSION_DENIED"):
        await aliases.delete_alias(ctx=ctx, address="info@other.org")
    async with gateway.refused("PERMISSION_DENIED"):
        await aliases.list_aliases(ctx=ctx, domain="other.org")
