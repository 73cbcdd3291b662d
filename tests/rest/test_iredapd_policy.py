"""What the gateway writes, as the real iRedAPD enforces it over Postfix's policy protocol (MariaDB, PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.iredapd import Iredapd
from tests.rest.conftest import STRONG, Api
from tests.rest.policy_daemon import gateway_with_iredapd

KINDS = ["mariadb", "postgresql"]
GREYLISTED = "451 4.7.1"
PASS = "DUNNO"
JOHN = "john@example.com"
CLIENT = "192.0.2.10"  # not 127.0.0.1 or MYNETWORKS, which iRedAPD never greylists


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (method, path, response.text)


async def with_john(api: Api) -> None:
    await ok(api, "POST", "/api/domain/example.com")
    await ok(api, "POST", f"/api/user/{JOHN}", password=STRONG)


@pytest.fixture(params=KINDS)
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Api, Iredapd]]:
    """The gateway with example.com and john, and iRedAPD on the same databases."""
    async with gateway_with_iredapd(request, request.param, tmp_path) as (api, server):
        await with_john(api)
        yield api, server


def action(server: Iredapd, sender: str, client: str = CLIENT) -> str:
    return server.rcpt(sender, JOHN, client)


async def test_domain_greylisting_defers_a_new_triplet_until_disabled(stack: tuple[Api, Iredapd]) -> None:
    api, server = stack
    assert action(server, "first@remote.example") == PASS  # greylisting is off until some level enables it

    await ok(api, "POST", "/api/greylisting/example.com", status="enable")
    assert action(server, "alice@remote.example").startswith(GREYLISTED)
    assert action(server, "alice@remote.example").startswith(GREYLISTED)  # retried too soon

    await ok(api, "POST", "/api/greylisting/example.com", status="disable")
    assert action(server, "bob@remote.example", "192.0.2.11") == PASS

    await ok(api, "DELETE", "/api/greylisting/example.com")
    await ok(api, "POST", "/api/greylisting/global", status="enable")
    assert action(server, "carol@remote.example", "192.0.2.12").startswith(GREYLISTED)  # inherited from global
    await ok(api, "POST", f"/api/greylisting/{JOHN}", status="disable")
    assert action(server, "dave@remote.example", "192.0.2.13") == PASS  # the user's own row wins


async def test_whitelisted_senders_are_not_greylisted(stack: tuple[Api, Iredapd]) -> None:
    api, server = stack
    await ok(api, "POST", "/api/greylisting/example.com", status="enable")
    await ok(api, "POST", "/api/greylisting/example.com/whitelists", addSenders="@partner.example,198.51.100.0/24")
    await ok(api, "POST", f"/api/greylisting/{JOHN}/whitelists", addSenders="friend@remote.example")

    assert action(server, "anyone@partner.example", "192.0.2.20") == PASS
    assert action(server, "anyone@remote.example", "198.51.100.77") == PASS
    assert action(server, "friend@remote.example", "192.0.2.21") == PASS
    assert action(server, "stranger@remote.example", "192.0.2.22").startswith(GREYLISTED)

    await ok(api, "POST", "/api/greylisting/example.com/whitelists", removeSenders="@partner.example")
    assert action(server, "other@partner.example", "192.0.2.23").startswith(GREYLISTED)


async def test_throttle_max_msgs_rejects_once_exceeded(stack: tuple[Api, Iredapd]) -> None:
    api, server = stack
    await ok(api, "POST", f"/api/throttle/{JOHN}/outbound", period="3600", max_msgs="2")

    def send() -> str:
        return server.end_of_message(JOHN, "someone@remote.example", "192.0.2.30", sasl_username=JOHN, size="100")

    assert [send(), send()] == [PASS, PASS]
    assert send() == "REJECT Throttling quota exceeded"

    await ok(api, "DELETE", f"/api/throttle/{JOHN}/outbound")
    assert send() == PASS


async def test_throttle_msg_size_rejects_a_larger_message(stack: tuple[Api, Iredapd]) -> None:
    api, server = stack
    await ok(api, "POST", "/api/throttle/example.com/inbound", period="60", msg_size="1000")
    sender = "far@remote.example"
    assert server.end_of_message(sender, JOHN, "192.0.2.31", size="999") == PASS
    assert server.end_of_message(sender, JOHN, "192.0.2.31", size="1001") == "REJECT Message size is too large"
