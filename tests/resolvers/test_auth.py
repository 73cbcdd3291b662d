"""Login: the rights an admin holds, and one answer, INVALID_CREDENTIALS, for every failure."""

from __future__ import annotations

import pytest

from gateway.resolvers import auth
from gateway.resolvers.context import Context
from tests.resolvers.conftest import ADMIN, ADMIN_PASSWORD, STRONG, Gateway


async def test_login_gives_a_global_admin_every_domain(gateway: Gateway) -> None:
    actor = await auth.login(ctx=gateway.anonymous(), username=f" {ADMIN.upper()} ", password=ADMIN_PASSWORD)
    assert (actor.username, actor.is_global) == (ADMIN, True)


async def test_login_gives_a_domain_admin_its_domains(gateway: Gateway, seeded: Context) -> None:
    await gateway.storage.add_admin("dadmin@admins.test", STRONG)
    await gateway.storage.grant_domain("dadmin@admins.test", "example.com")
    actor = await auth.login(ctx=gateway.anonymous(), username="dadmin@admins.test", password=STRONG)
    assert (actor.is_global, actor.domains) == (False, frozenset({"example.com"}))


async def test_a_mail_user_that_is_domain_admin_logs_in(gateway: Gateway, seeded: Context) -> None:
    await gateway.storage.make_domain_admin("bob@example.com", "example.com")
    actor = await auth.login(ctx=gateway.anonymous(), username="bob@example.com", password=STRONG)
    assert actor.domains == frozenset({"example.com"})


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param(ADMIN, "Wr0ng-Passw0rd!", id="wrong-password"),
        pytest.param("nobody@admins.test", ADMIN_PASSWORD, id="unknown-account"),
        pytest.param("not-an-address", ADMIN_PASSWORD, id="malformed-username"),
        pytest.param("", ADMIN_PASSWORD, id="empty-username"),
        pytest.param(ADMIN, "", id="empty-password"),
        pytest.param(ADMIN, "x" * 1025, id="overlong-password"),
    ],
)
async def test_failed_logins_are_invalid_credentials(gateway: Gateway, username: str, password: str) -> None:
    async with gateway.refused("INVALID_CREDENTIALS"):
        await auth.login(ctx=gateway.anonymous(), username=username, password=password)


async def test_inactive_admin_cannot_log_in(gateway: Gateway, seeded: Context) -> None:
    await gateway.storage.add_admin("off@admins.test", STRONG, active=False)
    await gateway.storage.grant_domain("off@admins.test", "example.com")
    async with gateway.refused("INVALID_CREDENTIALS"):
        await auth.login(ctx=gateway.anonymous(), username="off@admins.test", password=STRONG)


async def test_admin_without_any_domain_cannot_log_in(gateway: Gateway) -> None:
    await gateway.storage.add_admin("idle@admins.test", STRONG)
    async with gateway.refused("INVALID_CREDENTIALS"):
        await auth.login(ctx=gateway.anonymous(), username="idle@admins.test", password=STRONG)


async def test_mail_user_that_is_no_admin_cannot_log_in(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("INVALID_CREDENTIALS"):
        await auth.login(ctx=gateway.anonymous(), username="bob@example.com", password=STRONG)


async def test_disabled_admin_loses_its_rights(gateway: Gateway, seeded: Context) -> None:
    await gateway.storage.add_admin("dadmin@admins.test", STRONG)
    await gateway.storage.grant_domain("dadmin@admins.test", "example.com")
    assert await auth.current_actor(ctx=gateway.anonymous(), username="dadmin@admins.test") is not None
    await gateway.storage.disable_admin("dadmin@admins.test")
    assert await auth.current_actor(ctx=gateway.anonymous(), username="dadmin@admins.test") is None
