"""The gateway's white/blacklists as the real iRedAPD enforces them (plugin ``amavisd_wblist``; MariaDB, PostgreSQL).

Everything is written through ``/api/wblist`` and ``/api/greylisting``; the
answers are iRedAPD's over Postfix's policy protocol at the RCPT stage.

iRedAPD's plugin reads the account of the recipient (inbound) or of the SASL
sender (outbound) in Amavisd's ``users`` with every address form it may take
(``john@example.com``, ``@example.com``, ``@.``), highest ``priority`` first,
and for each account the listed entries, most specific first (``mailaddr.priority``;
for inbound also the client's IP, and after all others the CIDR networks holding it). The first
listed pair decides, a whitelist before a blacklist of the same pair. So an
account outranks a less specific one whatever the entry's form.

Its outbound lists hold recipients; the client's address only ever matches
inbound entries, so the IP and CIDR forms are proved inbound.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from tests.databases import DatabasePair, PreparedPool
from tests.iredapd import Iredapd
from tests.rest.conftest import Api
from tests.rest.policy_daemon import JOHN, fresh_gateway, ok, shared_iredapd, with_john

KINDS = ["mariadb", "postgresql"]
PLUGINS = ("greylisting", "amavisd_wblist")
# iRedAPD runs greylisting (priority 80) before amavisd_wblist (40); a site where Amavisd's
# whitelists spare senders greylisting raises amavisd_wblist above it, as PLUGIN_PRIORITIES allows
PRIORITIES = {"amavisd_wblist": 85}
ACTION = {"whitelist": "OK", "blacklist": "REJECT Blacklisted"}
PASS = "DUNNO"
GREYLISTED = "451 4.7.1"
TARGETS = {"user": JOHN, "domain": "example.com", "global": "global"}
EACH_SCOPE_AND_COLOUR = pytest.mark.parametrize(
    ("scope", "colour"), [(scope, colour) for scope in TARGETS for colour in ACTION]
)


@pytest.fixture(scope="module", params=KINDS)
def daemon(
    request: pytest.FixtureRequest, prepared_pool: PreparedPool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DatabasePair, Iredapd]]:
    """One iRedAPD per storage for the whole module; each test empties its databases."""
    directory = tmp_path_factory.mktemp(f"iredapd-wblist-{request.param}")
    with shared_iredapd(
        request.param, prepared_pool, directory, PLUGINS, extra_settings={"PLUGIN_PRIORITIES": PRIORITIES}
    ) as found:
        yield found


@pytest.fixture
async def stack(daemon: tuple[DatabasePair, Iredapd]) -> AsyncIterator[tuple[Api, Iredapd]]:
    """The gateway with example.com and john, and the module's iRedAPD on the same databases."""
    databases, server = daemon
    async with fresh_gateway(databases) as api:
        await with_john(api)
        yield api, server


async def listed(api: Api, direction: str, colour: str, target: str, *entries: str) -> None:
    await ok(api, "POST", f"/api/wblist/{direction}/{colour}/{target}", addresses=",".join(entries))


@dataclass(frozen=True)
class Inbound:
    """An entry of an inbound list, a request it matches and one it does not."""

    entry: str
    sender: str
    client: str
    other_sender: str
    other_client: str


INBOUND_FORMS = {
    "address": Inbound("spammer@remote.example", "spammer@remote.example", "192.0.2.50",
                       "other@remote.example", "192.0.2.50"),
    "domain": Inbound("@remote.example", "anyone@remote.example", "192.0.2.51",
                      "anyone@elsewhere.example", "192.0.2.51"),
    "ip": Inbound("192.0.2.66", "anyone@elsewhere.example", "192.0.2.66",
                  "anyone@elsewhere.example", "192.0.2.67"),
    "cidr": Inbound("198.51.100.0/24", "anyone@elsewhere.example", "198.51.100.77",
                    "anyone@elsewhere.example", "203.0.113.5"),
}  # fmt: skip


@EACH_SCOPE_AND_COLOUR
@pytest.mark.parametrize("case", list(INBOUND_FORMS.values()), ids=list(INBOUND_FORMS))
async def test_inbound_list_decides_for_a_matching_sender(
    stack: tuple[Api, Iredapd], case: Inbound, scope: str, colour: str
) -> None:
    api, server = stack
    assert server.rcpt(case.sender, JOHN, case.client) == PASS  # nothing listed yet

    await listed(api, "inbound", colour, TARGETS[scope], case.entry)
    assert server.rcpt(case.sender, JOHN, case.client) == ACTION[colour]
    assert server.rcpt(case.other_sender, JOHN, case.other_client) == PASS

    await ok(api, "PUT", f"/api/wblist/inbound/{colour}/{TARGETS[scope]}", addresses=case.entry)
    assert server.rcpt(case.sender, JOHN, case.client) == PASS  # taken off the list


OUTBOUND_FORMS = {"address": "partner@remote.example", "domain": "@remote.example"}
OUTBOUND_CLIENT = "192.0.2.40"


def send_out(server: Iredapd, recipient: str) -> str:
    """John, logged in over SASL, sending to ``recipient``."""
    return server.rcpt(JOHN, recipient, OUTBOUND_CLIENT, sasl_username=JOHN)


# outbound, iRedAPD answers a whitelisted pair with DUNNO (not OK): a catch-all blacklist
# of the server makes the whitelist's effect visible
OUTBOUND_BACKGROUND = {"blacklist": (), "whitelist": ("@.",)}
OUTBOUND_UNLISTED = {"blacklist": PASS, "whitelist": ACTION["blacklist"]}
OUTBOUND_LISTED = {"blacklist": ACTION["blacklist"], "whitelist": PASS}


@EACH_SCOPE_AND_COLOUR
@pytest.mark.parametrize("form", list(OUTBOUND_FORMS))
async def test_outbound_list_decides_for_a_matching_recipient(
    stack: tuple[Api, Iredapd], form: str, scope: str, colour: str
) -> None:
    api, server = stack
    for entry in OUTBOUND_BACKGROUND[colour]:
        await listed(api, "outbound", "blacklist", "global", entry)
    assert send_out(server, "partner@remote.example") == OUTBOUND_UNLISTED[colour]

    await listed(api, "outbound", colour, TARGETS[scope], OUTBOUND_FORMS[form])
    assert send_out(server, "partner@remote.example").startswith(OUTBOUND_LISTED[colour])
    assert send_out(server, "partner@elsewhere.example") == OUTBOUND_UNLISTED[colour]


@dataclass(frozen=True)
class Precedence:
    """Entries (target, colour, entry) on the inbound lists and who wins for a sender from a client."""

    lists: tuple[tuple[str, str, str], ...]
    sender: str
    client: str
    expected: str


PRECEDENCE = {
    "user whitelist beats domain blacklist": Precedence(
        ((JOHN, "whitelist", "friend@remote.example"), ("example.com", "blacklist", "friend@remote.example")),
        "friend@remote.example",
        "192.0.2.80",
        ACTION["whitelist"],
    ),
    "user blacklist beats domain whitelist": Precedence(
        ((JOHN, "blacklist", "foe@remote.example"), ("example.com", "whitelist", "foe@remote.example")),
        "foe@remote.example",
        "192.0.2.81",
        ACTION["blacklist"],
    ),
    "domain whitelist beats global blacklist": Precedence(
        (("example.com", "whitelist", "@remote.example"), ("global", "blacklist", "@remote.example")),
        "anyone@remote.example",
        "192.0.2.82",
        ACTION["whitelist"],
    ),
    "domain blacklist beats global whitelist": Precedence(
        (("example.com", "blacklist", "198.51.100.0/24"), ("global", "whitelist", "198.51.100.0/24")),
        "anyone@remote.example",
        "198.51.100.9",
        ACTION["blacklist"],
    ),
    "a user's @domain whitelist beats a global address blacklist": Precedence(
        ((JOHN, "whitelist", "@remote.example"), ("global", "blacklist", "friend@remote.example")),
        "friend@remote.example",
        "192.0.2.83",
        ACTION["whitelist"],
    ),
    "within one account an address beats its domain": Precedence(
        ((JOHN, "blacklist", "@remote.example"), (JOHN, "whitelist", "friend@remote.example")),
        "friend@remote.example",
        "192.0.2.84",
        ACTION["whitelist"],
    ),
    "within one account the domain still rejects the others": Precedence(
        ((JOHN, "blacklist", "@remote.example"), (JOHN, "whitelist", "friend@remote.example")),
        "stranger@remote.example",
        "192.0.2.84",
        ACTION["blacklist"],
    ),
    "within one account a domain beats a CIDR network, which iRedAPD checks last": Precedence(
        ((JOHN, "blacklist", "@remote.example"), (JOHN, "whitelist", "198.51.100.0/24")),
        "anyone@remote.example",
        "198.51.100.5",
        ACTION["blacklist"],
    ),
    "within one account an IP beats a domain": Precedence(
        ((JOHN, "blacklist", "@remote.example"), (JOHN, "whitelist", "192.0.2.85")),
        "anyone@remote.example",
        "192.0.2.85",
        ACTION["whitelist"],
    ),
}


@pytest.mark.parametrize("case", list(PRECEDENCE.values()), ids=list(PRECEDENCE))
async def test_inbound_precedence(stack: tuple[Api, Iredapd], case: Precedence) -> None:
    api, server = stack
    for target, colour, entry in case.lists:
        await listed(api, "inbound", colour, target, entry)
    assert server.rcpt(case.sender, JOHN, case.client) == case.expected


async def test_outbound_user_whitelist_beats_domain_blacklist(stack: tuple[Api, Iredapd]) -> None:
    api, server = stack
    await listed(api, "outbound", "blacklist", "example.com", "@remote.example")
    await listed(api, "outbound", "whitelist", JOHN, "partner@remote.example")
    assert send_out(server, "partner@remote.example").startswith(PASS)
    assert send_out(server, "someone@remote.example") == ACTION["blacklist"]


async def test_whitelisted_sender_is_not_greylisted(stack: tuple[Api, Iredapd]) -> None:
    api, server = stack
    await ok(api, "POST", "/api/greylisting/example.com", status="enable")
    await listed(api, "inbound", "whitelist", JOHN, "@partner.example")
    await listed(api, "inbound", "whitelist", "example.com", "198.51.100.0/24")
    await listed(api, "inbound", "blacklist", "global", "@spam.example")

    assert server.rcpt("anyone@partner.example", JOHN, "192.0.2.90") == ACTION["whitelist"]
    assert server.rcpt("anyone@remote.example", JOHN, "198.51.100.90") == ACTION["whitelist"]
    assert server.rcpt("anyone@spam.example", JOHN, "192.0.2.91") == ACTION["blacklist"]
    assert server.rcpt("stranger@remote.example", JOHN, "192.0.2.92").startswith(GREYLISTED)

    await ok(api, "PUT", f"/api/wblist/inbound/whitelist/{JOHN}", addresses="@partner.example")
    assert server.rcpt("other@partner.example", JOHN, "192.0.2.93").startswith(GREYLISTED)
