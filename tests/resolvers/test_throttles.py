"""Throttles: targets, kinds, periods and limits as iRedAPD stores them, and who may set them."""

from __future__ import annotations

import pytest

from gateway.model import Throttle
from gateway.resolvers import throttles
from gateway.resolvers.context import Context
from gateway.resolvers.throttles import MAX_LIMIT, MAX_PERIOD, ThrottleInput
from tests.resolvers.conftest import Gateway
from tests.storage import fetch


async def stored_throttles(gateway: Gateway) -> list[tuple[str, str, int, int, int]]:
    rows = await fetch(gateway.storage.iredapd, "SELECT * FROM throttle ORDER BY account, kind")
    return [(row["account"], row["kind"], row["priority"], row["period"], row["max_msgs"]) for row in rows]


@pytest.mark.parametrize(
    ("target", "account", "priority"),
    [("global", "@.", 0), ("Example.com", "@example.com", 60), ("Bob@Example.com", "bob@example.com", 100)],
)
async def test_targets_as_iredapd_names_them(
    gateway: Gateway, seeded: Context, target: str, account: str, priority: int
) -> None:
    throttle = await throttles.set_throttle(
        ctx=seeded, target=target, kind="Outbound", data=ThrottleInput(period=3600, max_msgs=100)
    )
    assert throttle == Throttle(account=account, kind="outbound", priority=priority, period=3600, max_msgs=100)
    assert await stored_throttles(gateway) == [(account, "outbound", priority, 3600, 100)]
    assert await throttles.get_throttle(ctx=seeded, target=target, kind="outbound") == throttle


async def test_setting_again_replaces(gateway: Gateway, seeded: Context) -> None:
    await throttles.set_throttle(ctx=seeded, target="example.com", kind="inbound", data=ThrottleInput(period=60))
    await throttles.set_throttle(
        ctx=seeded, target="example.com", kind="inbound", data=ThrottleInput(period=120, max_msgs=5)
    )
    assert await stored_throttles(gateway) == [("@example.com", "inbound", 60, 120, 5)]


@pytest.mark.parametrize(
    ("target", "kind", "data", "code"),
    [
        ("example.com", "sideways", ThrottleInput(period=60), "INVALID_THROTTLE_KIND"),
        ("example.com", "inbound", ThrottleInput(period=0), "INVALID_PERIOD"),
        ("example.com", "inbound", ThrottleInput(period=MAX_PERIOD + 1), "INVALID_PERIOD"),
        ("example.com", "inbound", ThrottleInput(period=60, max_msgs=-2), "INVALID_PARAMETER"),
        ("example.com", "inbound", ThrottleInput(period=60, msg_size=MAX_LIMIT + 1), "INVALID_PARAMETER"),
        ("not a domain", "inbound", ThrottleInput(period=60), "INVALID_DOMAIN_NAME"),
        ("bob@@example.com", "inbound", ThrottleInput(period=60), "INVALID_MAIL"),
        ("nowhere.net", "inbound", ThrottleInput(period=60), "NO_SUCH_DOMAIN"),
        ("nobody@example.com", "inbound", ThrottleInput(period=60), "NO_SUCH_ACCOUNT"),
    ],
    ids=["kind", "period-0", "period-max", "limit-low", "limit-high", "domain", "address", "no-domain", "no-user"],
)
async def test_bad_throttles_write_nothing(
    gateway: Gateway, seeded: Context, target: str, kind: str, data: ThrottleInput, code: str
) -> None:
    async with gateway.refused(code):
        await throttles.set_throttle(ctx=seeded, target=target, kind=kind, data=data)


async def test_widest_limits_are_kept(gateway: Gateway, seeded: Context) -> None:
    data = ThrottleInput(period=MAX_PERIOD, msg_size=MAX_LIMIT, max_msgs=0, max_quota=-1, max_rcpts=1)
    await throttles.set_throttle(ctx=seeded, target="bob@example.com", kind="inbound", data=data)
    [row] = await fetch(gateway.storage.iredapd, "SELECT * FROM throttle")
    assert (row["period"], row["msg_size"], row["max_msgs"], row["max_quota"], row["max_rcpts"]) == (
        MAX_PERIOD, MAX_LIMIT, 0, -1, 1,
    )


async def test_delete_throttle(gateway: Gateway, seeded: Context) -> None:
    await throttles.set_throttle(ctx=seeded, target="example.com", kind="inbound", data=ThrottleInput(period=60))
    await throttles.delete_throttle(ctx=seeded, target="example.com", kind="inbound")
    assert await stored_throttles(gateway) == []
    async with gateway.refused("NO_SUCH_THROTTLE"):
        await throttles.delete_throttle(ctx=seeded, target="example.com", kind="inbound")
    assert await throttles.get_throttle(ctx=seeded, target="example.com", kind="inbound") is None


async def test_domain_admin_throttles_only_its_domain(gateway: Gateway, seeded: Context) -> None:
    ctx = await gateway.domain_admin("dadmin@admins.test", "example.com")
    await throttles.set_throttle(ctx=ctx, target="example.com", kind="inbound", data=ThrottleInput(period=60))
    await throttles.set_throttle(ctx=ctx, target="bob@example.com", kind="inbound", data=ThrottleInput(period=60))
    for target in ("global", "other.org", "carol@other.org"):
        async with gateway.refused("PERMISSION_DENIED"):
            await throttles.set_throttle(ctx=ctx, target=target, kind="inbound", data=ThrottleInput(period=60))
        async with gateway.refused("PERMISSION_DENIED"):
            await throttles.get_throttle(ctx=ctx, target=target, kind="inbound")


async def test_domain_admin_reads_but_does_not_change_a_wider_account(gateway: Gateway, seeded: Context) -> None:
    await throttles.set_throttle(ctx=seeded, target="bob@example.com", kind="inbound", data=ThrottleInput(period=60))
    await gateway.storage.make_domain_admin("bob@example.com", "other.org")
    ctx = await gateway.domain_admin("dadmin@admins.test", "example.com")
    assert await throttles.get_throttle(ctx=ctx, target="bob@example.com", kind="inbound") is not None
    async with gateway.refused("PERMISSION_DENIED"):
        await throttles.set_throttle(ctx=ctx, target="bob@example.com", kind="inbound", data=ThrottleInput(period=1))
    async with gateway.refused("PERMISSION_DENIED"):
        await throttles.delete_throttle(ctx=ctx, target="bob@example.com", kind="inbound")
