"""Domains: who may create, change and delete them, coherent settings, deletion dates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.model import DomainChanges
from gateway.resolvers import domains
from gateway.resolvers.context import Context
from tests.resolvers.conftest import ADMIN, Gateway, GatewayFactory
from tests.storage import deleted_mailboxes, today


async def test_create_domain_stores_the_given_settings(gateway: Gateway, admin: Context) -> None:
    changes = DomainChanges(
        description="Example Inc.", max_users=10, max_aliases=5, default_user_quota=100, max_user_quota=200,
        min_password_length=10, max_password_length=20, default_language="de",
    )
    domain = await domains.create_domain(ctx=admin, name="Example.COM", changes=changes)
    assert (domain.name, domain.active, domain.transport) == ("example.com", True, "dovecot")
    stored = await gateway.storage.domain("example.com")
    assert stored is not None
    assert (stored.description, stored.max_users, stored.max_aliases) == ("Example Inc.", 10, 5)
    assert (stored.default_user_quota, stored.max_user_quota) == (100, 200)
    assert (stored.min_password_length, stored.max_password_length, stored.default_language) == (10, 20, "de")


async def test_an_existing_domain_is_not_created_twice(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("ALREADY_EXISTS"):
        await domains.create_domain(ctx=seeded, name="EXAMPLE.com", changes=DomainChanges(description="again"))


async def test_a_new_domain_is_active(gateway: Gateway, admin: Context) -> None:
    async with gateway.refused("INVALID_PARAMETER"):
        await domains.create_domain(ctx=admin, name="example.com", changes=DomainChanges(active=False))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (DomainChanges(min_password_length=20, max_password_length=10), "INVALID_PASSWORD_LENGTH_RANGE"),
        (DomainChanges(default_user_quota=300, max_user_quota=200), "INVALID_DEFAULT_QUOTA"),
    ],
    ids=["password-lengths", "default-quota"],
)
async def test_contradicting_settings_are_refused(gateway: Gateway, seeded: Context, changes: DomainChanges,
                                                  code: str) -> None:
    async with gateway.refused(code):
        await domains.create_domain(ctx=seeded, name="new.net", changes=changes)
    async with gateway.refused(code):
        await domains.update_domain(ctx=seeded, name="example.com", changes=changes)


async def test_an_update_is_checked_against_the_stored_settings(gateway: Gateway, seeded: Context) -> None:
    await domains.update_domain(ctx=seeded, name="example.com", changes=DomainChanges(max_user_quota=200))
    async with gateway.refused("INVALID_DEFAULT_QUOTA"):
        await domains.update_domain(ctx=seeded, name="example.com", changes=DomainChanges(default_user_quota=201))
    await domains.update_domain(ctx=seeded, name="example.com", changes=DomainChanges(min_password_length=12))
    async with gateway.refused("INVALID_PASSWORD_LENGTH_RANGE"):
        await domains.update_domain(ctx=seeded, name="example.com", changes=DomainChanges(max_password_length=11))


async def test_domain_admin_changes_profile_but_not_limits(gateway: Gateway, seeded: Context) -> None:
    ctx = await gateway.domain_admin("dadmin@admins.test", "example.com")
    domain = await domains.update_domain(
        ctx=ctx, name="example.com", changes=DomainChanges(description="Ours", default_language="fr")
    )
    assert (domain.description, domain.default_language) == ("Ours", "fr")
    for changes in (
        DomainChanges(quota=10), DomainChanges(max_users=1), DomainChanges(max_aliases=1), DomainChanges(max_lists=1),
        DomainChanges(max_user_quota=1), DomainChanges(active=False), DomainChanges(transport="relay:[192.0.2.1]"),
    ):
        async with gateway.refused("PERMISSION_DENIED"):
            await domains.update_domain(ctx=ctx, name="example.com", changes=changes)


async def test_domain_admin_neither_creates_nor_deletes_domains(gateway: Gateway, seeded: Context) -> None:
    ctx = await gateway.domain_admin("dadmin@admins.test", "example.com")
    async with gateway.refused("PERMISSION_DENIED"):
        await domains.create_domain(ctx=ctx, name="new.net", changes=DomainChanges())
    async with gateway.refused("PERMISSION_DENIED"):
        await domains.delete_domain(ctx=ctx, name="example.com")


async def test_domain_admin_sees_only_its_domains(gateway: Gateway, seeded: Context) -> None:
    ctx = await gateway.domain_admin("dadmin@admins.test", "example.com")
    assert [domain.name for domain in await domains.list_domains(ctx=ctx)] == ["example.com"]
    assert [domain.name for domain in await domains.list_domains(ctx=seeded)] == ["example.com", "other.org"]
    async with gateway.refused("PERMISSION_DENIED"):
        await domains.get_domain(ctx=ctx, name="other.org")
    async with gateway.refused("PERMISSION_DENIED"):
        await domains.update_domain(ctx=ctx, name="other.org", changes=DomainChanges(description="theirs"))
    async with gateway.refused("PERMISSION_DENIED"):
        await domains.domain_usage(ctx=ctx, names=["example.com", "other.org"])


async def test_nobody_logged_in_may_do_nothing(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("LOGIN_REQUIRED"):
        await domains.list_domains(ctx=gateway.anonymous())
    async with gateway.refused("LOGIN_REQUIRED"):
        await domains.create_domain(ctx=gateway.anonymous(), name="new.net", changes=DomainChanges())


async def test_unknown_domain(gateway: Gateway, admin: Context) -> None:
    async with gateway.refused("NO_SUCH_DOMAIN"):
        await domains.get_domain(ctx=admin, name="nowhere.net")
    async with gateway.refused("NO_SUCH_DOMAIN"):
        await domains.update_domain(ctx=admin, name="nowhere.net", changes=DomainChanges(description="x"))


@pytest.mark.parametrize("days", [-1, domains.MAX_KEEP_DAYS + 1])
async def test_keep_mailbox_days_out_of_bounds(gateway: Gateway, seeded: Context, days: int) -> None:
    async with gateway.refused("INVALID_PARAMETER"):
        await domains.delete_domain(ctx=seeded, name="example.com", keep_mailbox_days=days)


@pytest.mark.parametrize(("days", "kept"), [(0, None), (30, 30), (domains.MAX_KEEP_DAYS, domains.MAX_KEEP_DAYS)])
async def test_delete_domain_keeps_mailboxes_for_the_days_given(
    gateway: Gateway, seeded: Context, days: int, kept: int | None
) -> None:
    await domains.delete_domain(ctx=seeded, name="example.com", keep_mailbox_days=days)
    assert await gateway.storage.domains() == ["other.org"]
    assert await gateway.storage.users("example.com") == []
    [mailbox] = await deleted_mailboxes(gateway.storage)
    assert (mailbox.username, mailbox.admin) == ("bob@example.com", ADMIN)
    assert mailbox.delete_date == (None if kept is None else today() + timedelta(days=kept))


async def test_delete_domain_follows_the_mailbox_keep_days_setting(open_gateway: GatewayFactory) -> None:
    async with open_gateway("seeded", mailbox_keep_days=7) as gateway:
        ctx = await gateway.admin()
        await domains.delete_domain(ctx=ctx, name="example.com")
        [mailbox] = await deleted_mailboxes(gateway.storage)
        assert mailbox.delete_date == today() + timedelta(days=7)
