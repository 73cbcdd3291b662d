"""Who may do what: domain admins within their domains, and never over an account with more rights."""

from __future__ import annotations

import pytest

from gateway.model import Actor
from gateway.passwords import verify_password
from gateway.resolvers import access, users
from gateway.resolvers.context import Context
from gateway.resolvers.users import UserInput
from tests.resolvers.conftest import STRONG, Gateway

NEW = "N3w-Passw0rd!"


@pytest.mark.parametrize(
    ("rights", "actor", "exceeds"),
    [
        (Actor("a@x.org", True), Actor("b@x.org", False, frozenset({"x.org"})), True),
        (Actor("a@x.org", False, frozenset({"x.org", "y.org"})), Actor("b@x.org", False, frozenset({"x.org"})), True),
        (Actor("a@x.org", False, frozenset({"x.org"})), Actor("b@x.org", False, frozenset({"x.org", "y.org"})), False),
        (Actor("a@x.org", True), Actor("b@x.org", True), False),
    ],
    ids=["global-over-domain", "wider-domains", "narrower-domains", "global-by-global"],
)
def test_exceeds(rights: Actor, actor: Actor, exceeds: bool) -> None:
    assert access.exceeds(rights, actor) is exceeds


@pytest.fixture
async def domain_admin(gateway: Gateway, seeded: Context) -> Context:
    """A standalone admin of example.com only."""
    return await gateway.domain_admin("dadmin@admins.test", "example.com")


async def test_domain_admin_manages_users_of_its_domain(gateway: Gateway, domain_admin: Context) -> None:
    await users.create_user(ctx=domain_admin, email="new@example.com", data=UserInput(password=STRONG))
    user = await users.update_user(ctx=domain_admin, email="bob@example.com", data=UserInput(name="Bob"))
    assert user.name == "Bob"
    await users.delete_user(ctx=domain_admin, email="new@example.com")
    assert [user.email for user in await gateway.storage.users("example.com")] == ["bob@example.com"]


async def test_domain_admin_stays_out_of_other_domains(gateway: Gateway, domain_admin: Context) -> None:
    async with gateway.refused("PERMISSION_DENIED"):
        await users.create_user(ctx=domain_admin, email="new@other.org", data=UserInput(password=STRONG))
    async with gateway.refused("PERMISSION_DENIED"):
        await users.get_user(ctx=domain_admin, email="carol@other.org")
    async with gateway.refused("PERMISSION_DENIED"):
        await users.update_user(ctx=domain_admin, email="carol@other.org", data=UserInput(password=NEW))
    async with gateway.refused("PERMISSION_DENIED"):
        await users.delete_user(ctx=domain_admin, email="carol@other.org")
    async with gateway.refused("PERMISSION_DENIED"):
        await users.list_users(ctx=domain_admin, domain="other.org")
    async with gateway.refused("PERMISSION_DENIED"):
        await users.update_domain_users(ctx=domain_admin, domain="other.org", data=UserInput(active=False))


@pytest.mark.parametrize("grant", ["global", "other-domain"])
async def test_account_with_wider_rights_is_out_of_reach(
    gateway: Gateway, domain_admin: Context, seeded: Context, grant: str
) -> None:
    """bob, a user of example.com, also administers everything or other.org: the admin of example.com
    may not take those rights by changing him, whether or not bob is active."""
    if grant == "global":
        await gateway.storage.make_global_admin("bob@example.com")
    else:
        await gateway.storage.make_domain_admin("bob@example.com", "other.org")
    for data in (UserInput(password=NEW), UserInput(name="Bob"), UserInput(active=False)):
        async with gateway.refused("PERMISSION_DENIED"):
            await users.update_user(ctx=domain_admin, email="bob@example.com", data=data)
    async with gateway.refused("PERMISSION_DENIED"):
        await users.delete_user(ctx=domain_admin, email="bob@example.com")
    await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(active=False))
    async with gateway.refused("PERMISSION_DENIED"):
        await users.update_user(ctx=domain_admin, email="bob@example.com", data=UserInput(password=NEW))
    await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(password=NEW))  # a global admin may


async def test_account_with_the_same_rights_is_in_reach(gateway: Gateway, domain_admin: Context) -> None:
    await gateway.storage.make_domain_admin("bob@example.com", "example.com")
    await users.update_user(ctx=domain_admin, email="bob@example.com", data=UserInput(password=NEW))
    stored = await gateway.storage.user("bob@example.com")
    assert stored is not None and verify_password(stored.password, NEW)


async def test_rights_left_at_an_address_do_not_pass_to_a_new_mailbox(gateway: Gateway, domain_admin: Context) -> None:
    """A global admin's rights kept for ghost@example.com must not go to whoever creates that mailbox."""
    await gateway.storage.grant_domain("ghost@example.com", "ALL")
    async with gateway.refused("PERMISSION_DENIED"):
        await users.create_user(ctx=domain_admin, email="ghost@example.com", data=UserInput(password=STRONG))


async def test_an_admin_cannot_delete_itself(gateway: Gateway, seeded: Context) -> None:
    await gateway.storage.make_domain_admin("bob@example.com", "example.com")
    bob = await gateway.login("bob@example.com", STRONG)
    async with gateway.refused("PERMISSION_DENIED"):
        await users.delete_user(ctx=bob, email="bob@example.com")


async def test_bulk_changes_skip_accounts_with_wider_rights(
    gateway: Gateway, domain_admin: Context, seeded: Context
) -> None:
    await users.create_user(ctx=seeded, email="second@example.com", data=UserInput(password=STRONG))
    await gateway.storage.make_domain_admin("bob@example.com", "other.org")
    count = await users.update_domain_users(ctx=domain_admin, domain="example.com", data=UserInput(active=False))
    assert count == 1
    await users.set_domain_password(ctx=domain_admin, domain="example.com", password=NEW)
    stored = {user.email: user for user in await gateway.storage.users("example.com")}
    assert (stored["bob@example.com"].active, stored["second@example.com"].active) == (True, False)
    assert verify_password(stored["bob@example.com"].password, STRONG)
    assert verify_password(stored["second@example.com"].password, NEW)


async def test_a_global_admin_changes_everyone_in_bulk(gateway: Gateway, seeded: Context) -> None:
    await gateway.storage.make_domain_admin("bob@example.com", "other.org")
    assert await users.update_domain_users(ctx=seeded, domain="example.com", data=UserInput(active=False)) == 1
    assert [user.active for user in await gateway.storage.users("example.com")] == [False]


async def test_nobody_logged_in(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("LOGIN_REQUIRED"):
        await users.get_user(ctx=gateway.anonymous(), email="bob@example.com")
    async with gateway.refused("LOGIN_REQUIRED"):
        await users.create_user(ctx=gateway.anonymous(), email="new@example.com", data=UserInput(password=STRONG))
