"""Admin rules: who may manage admins, how limits read and count, password checks and their rate."""

from __future__ import annotations

import pytest

from gateway.backends.admin_settings import limits_of, with_limits
from gateway.errors import ErrorCode, GatewayError
from gateway.model import AdminLimits
from gateway.resolvers import admins, aliases, users
from gateway.resolvers.admins import AdminInput
from gateway.resolvers.aliases import AliasInput
from gateway.resolvers.attempts import AttemptLimiter
from gateway.resolvers.context import Context
from gateway.resolvers.users import UserInput
from tests.resolvers.conftest import ADMIN, STRONG, Gateway

BOSS = "boss@admins.test"


def test_limits_read_as_iredadmin_writes_them() -> None:
    settings = {"create_max_users": "10", "create_max_domains": "3", "create_max_quota": "x", "other": "kept"}
    assert limits_of(settings) == AdminLimits(max_users=10)  # max_domains needs create_new_domains:yes
    assert limits_of({**settings, "create_new_domains": "yes"}) == AdminLimits(max_domains=3, max_users=10)
    written = with_limits(settings, AdminLimits(max_domains=2, max_aliases=-1), is_global=False)
    assert written == {
        "other": "kept", "create_max_domains": "2", "create_max_aliases": "-1", "create_new_domains": "yes",
    }
    assert with_limits(written, None, is_global=False) == written
    assert with_limits(written, None, is_global=True) == {"other": "kept"}


def test_attempts_are_counted_per_target_within_the_window() -> None:
    now = [0.0]
    limiter = AttemptLimiter(limit=2, window=10.0, clock=lambda: now[0])
    limiter.attempt("a")
    limiter.attempt("a")
    with pytest.raises(GatewayError) as caught:
        limiter.attempt("a")
    assert caught.value.code == ErrorCode.TOO_MANY_ATTEMPTS
    limiter.attempt("b")
    now[0] = 10.5
    limiter.attempt("a")


async def test_quota_limits_convert_units_and_global_admins_keep_none(seeded: Context) -> None:
    made = await admins.create_admin(
        ctx=seeded, email=BOSS, data=AdminInput(password=STRONG, max_quota=2, quota_unit="tb", max_lists=7)
    )
    assert made.limits == AdminLimits(max_quota=2 * 1048576, max_lists=7)
    made = await admins.update_admin(ctx=seeded, email=BOSS, data=AdminInput(max_users=4))
    assert made.limits == AdminLimits(max_quota=2 * 1048576, max_lists=7, max_users=4)
    made = await admins.update_admin(ctx=seeded, email=BOSS, data=AdminInput(is_global=True, max_users=9))
    assert (made.is_global, made.limits) == (True, AdminLimits())


async def test_only_global_admins_manage_admins(gateway: Gateway, seeded: Context) -> None:
    await admins.create_admin(ctx=seeded, email=BOSS, data=AdminInput(password=STRONG))
    await admins.set_domain_admins(ctx=seeded, domain="example.com", add=[BOSS], remove=[])
    boss = await gateway.login(BOSS, STRONG)
    calls = [
        admins.get_admin(ctx=boss, email=ADMIN),
        admins.list_admins(ctx=boss),
        admins.create_admin(ctx=boss, email="x@admins.test", data=AdminInput(password=STRONG)),
        admins.update_admin(ctx=boss, email=BOSS, data=AdminInput(max_users=0)),
        admins.delete_admin(ctx=boss, email=ADMIN),
        admins.set_domain_admins(ctx=boss, domain="example.com", add=["bob@example.com"], remove=[]),
        admins.verify_password(ctx=boss, kind="user", email="bob@example.com", password=STRONG),
        users.update_user(ctx=boss, email="bob@example.com", data=UserInput(is_global_admin=True)),
    ]
    for call in calls:
        async with gateway.refused("PERMISSION_DENIED"):
            await call


async def test_set_domain_admins_answers_who_manages_the_domain(seeded: Context) -> None:
    await admins.create_admin(ctx=seeded, email=BOSS, data=AdminInput(password=STRONG))
    now = await admins.set_domain_admins(
        ctx=seeded, domain="Example.COM", add=[BOSS, "Carol@Other.org"], remove=[]
    )
    assert now == [BOSS, "carol@other.org"]
    now = await admins.set_domain_admins(
        ctx=seeded, domain="example.com", add=["bob@example.com"], remove=[], remove_all=True
    )
    assert now == ["bob@example.com"]


async def test_minus_one_allows_none_and_limits_count_every_managed_domain(gateway: Gateway, seeded: Context) -> None:
    await admins.create_admin(ctx=seeded, email=BOSS, data=AdminInput(password=STRONG, max_aliases=-1, max_users=3))
    for domain in ("example.com", "other.org"):
        await admins.set_domain_admins(ctx=seeded, domain=domain, add=[BOSS], remove=[])
    boss = await gateway.login(BOSS, STRONG)
    async with gateway.refused("EXCEEDED_ADMIN_LIMIT"):
        await aliases.create_alias(ctx=boss, address="team@example.com", data=AliasInput())
    await users.create_user(ctx=boss, email="dan@other.org", data=UserInput(password=STRONG))
    async with gateway.refused("EXCEEDED_ADMIN_LIMIT"):  # bob, carol and dan fill the three places
        await users.create_user(ctx=boss, email="eve@example.com", data=UserInput(password=STRONG))
    await users.create_user(ctx=seeded, email="eve@example.com", data=UserInput(password=STRONG))  # global: no limit


async def test_unknown_accounts_verify_like_wrong_passwords(gateway: Gateway, seeded: Context) -> None:
    for kind, email in (("admin", "nobody@admins.test"), ("user", "nobody@example.com"), ("admin", "bob@example.com")):
        async with gateway.refused("INVALID_CREDENTIALS"):
            await admins.verify_password(ctx=seeded, kind=kind, email=email, password=STRONG)  # type: ignore[arg-type]
    await admins.verify_password(ctx=seeded, kind="user", email="bob@example.com", password=STRONG)
