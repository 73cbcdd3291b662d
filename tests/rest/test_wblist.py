"""/api/wblist: white/blacklists in the amavisd database, and what Amavisd's own lookup makes of them."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.mailpolicy import parse_entries
from tests.amavisd_lookup import effective_policy, wblist_verdict
from tests.rest.conftest import Api

BOB = "bob@example.com"
LISTS = [(direction, colour) for direction in ("inbound", "outbound") for colour in ("whitelist", "blacklist")]
TARGETS = ["global", "example.com", BOB]


async def ok(api: Api, method: str, path: str, **params: str) -> Any:
    response = await api.call(method, path, **params)
    assert response.status_code == 200, (method, path, response.text)
    return response.json().get("data")


async def listed(api: Api, direction: str, colour: str, target: str) -> list[str]:
    found: list[str] = await ok(api, "GET", f"/api/wblist/{direction}/{colour}/{target}")
    return found


def text(value: Any) -> str:
    return bytes(value).decode()


async def stored(api: Api) -> set[tuple[str, str, str, str]]:
    """(table, account, entry, wb) of every list row."""
    rows: set[tuple[str, str, str, str]] = set()
    for table, own, other in (("wblist", "rid", "sid"), ("outbound_wblist", "sid", "rid")):
        for row in await api.rows(
            f"SELECT users.email AS account, mailaddr.email AS entry, {table}.wb FROM {table}"
            f" JOIN users ON users.id = {table}.{own} JOIN mailaddr ON mailaddr.id = {table}.{other}",
            "amavisd",
        ):
            rows.add((table, text(row["account"]), text(row["entry"]), row["wb"]))
    return rows


@pytest.mark.parametrize(("direction", "colour"), LISTS)
async def test_add_list_remove_and_clear_on_every_scope(domain_api: Api, direction: str, colour: str) -> None:
    api = domain_api
    for target in TARGETS:
        path = f"/api/wblist/{direction}/{colour}/{target}"
        await ok(api, "POST", path, addresses="Friend@Sender.org, 192.0.2.7,192.0.2.0/24 ,@sender.net,@.sender.com")
        await ok(api, "POST", path, addresses="@.,2001:DB8::/32,friend@sender.org")
        assert await listed(api, direction, colour, target) == [
            "192.0.2.0/24", "192.0.2.7", "2001:db8::/32", "@.", "@.sender.com", "@sender.net", "friend@sender.org",
        ]  # fmt: skip
        await ok(api, "PUT", path, addresses="@.,192.0.2.7,nobody@else.org")
        assert len(await listed(api, direction, colour, target)) == 5
    other = "blacklist" if colour == "whitelist" else "whitelist"
    assert await listed(api, direction, other, BOB) == []

    accounts = await api.rows("SELECT email, priority, policy_id FROM users", "amavisd")
    assert sorted((text(row["email"]), row["priority"], row["policy_id"]) for row in accounts) == [
        ("@.", 0, 0), ("@example.com", 5, 0), (BOB, 10, 0),
    ]  # fmt: skip
    priorities = {text(row["email"]): row["priority"] for row in await api.rows("SELECT * FROM mailaddr", "amavisd")}
    assert priorities == {
        "friend@sender.org": 10, "192.0.2.7": 9, "192.0.2.0/24": 7, "2001:db8::/32": 7,
        "@sender.net": 5, "@.sender.com": 3, "@.": 0,
    }  # fmt: skip
    table = "wblist" if direction == "inbound" else "outbound_wblist"
    assert {(row[0], row[3]) for row in await stored(api)} == {(table, "W" if colour == "whitelist" else "B")}

    for target in TARGETS:
        await ok(api, "DELETE", f"/api/wblist/{direction}/{colour}/{target}")
        assert await listed(api, direction, colour, target) == []
    assert await stored(api) == set()
    assert len(await api.rows("SELECT id FROM mailaddr", "amavisd")) == 7  # left to iRedAdmin's cleanup


async def test_an_entry_is_on_one_list_only(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/wblist/inbound/whitelist/{BOB}", addresses="a@x.org,b@x.org")
    await ok(api, "POST", f"/api/wblist/inbound/blacklist/{BOB}", addresses="b@x.org,c@x.org")
    assert await listed(api, "inbound", "whitelist", BOB) == ["a@x.org"]
    assert await listed(api, "inbound", "blacklist", BOB) == ["b@x.org", "c@x.org"]
    await ok(api, "POST", f"/api/wblist/outbound/whitelist/{BOB}", addresses="b@x.org")
    assert await listed(api, "inbound", "blacklist", BOB) == ["b@x.org", "c@x.org"]  # directions are apart
    assert await listed(api, "outbound", "whitelist", BOB) == ["b@x.org"]


BAD = [
    ("POST", "/api/wblist/inbound/whitelist/global", {"addresses": "a@x.org,not an address,@,user@"}, 400,
     "INVALID_WBLIST_ENTRY"),
    ("POST", "/api/wblist/inbound/blacklist/example.com", {"addresses": "300.1.1.1"}, 400, "INVALID_WBLIST_ENTRY"),
    ("POST", "/api/wblist/outbound/whitelist/global", {"addresses": "10.0.0.0/33"}, 400, "INVALID_WBLIST_ENTRY"),
    ("POST", "/api/wblist/outbound/blacklist/global", {"addresses": "a@b@c.org"}, 400, "INVALID_WBLIST_ENTRY"),
    ("PUT", "/api/wblist/inbound/whitelist/global", {"addresses": "@.x..org"}, 400, "INVALID_WBLIST_ENTRY"),
    ("POST", "/api/wblist/inbound/whitelist/global", {}, 400, "INVALID_PARAMETER"),
    ("POST", "/api/wblist/inbound/whitelist/global", {"addresses": " , "}, 400, "INVALID_PARAMETER"),
    ("POST", "/api/wblist/inbound/whitelist/global", {"addresses": "a@x.org", "colour": "W"}, 400, "INVALID_PARAMETER"),
    ("POST", "/api/wblist/inbound/whitelist/nowhere.com", {"addresses": "a@x.org"}, 404, "NO_SUCH_DOMAIN"),
    ("POST", "/api/wblist/inbound/whitelist/nobody@example.com", {"addresses": "a@x.org"}, 404, "NO_SUCH_ACCOUNT"),
    ("GET", "/api/wblist/inbound/whitelist/bad domain", {}, 400, "INVALID_DOMAIN_NAME"),
    ("GET", "/api/wblist/sideways/whitelist/global", {}, 404, "NOT_FOUND"),
    ("GET", "/api/wblist/inbound/greylist/global", {}, 404, "NOT_FOUND"),
    ("DELETE", "/api/wblist/inbound/whitelist/nowhere.com", {}, 404, "NO_SUCH_DOMAIN"),
]  # fmt: skip


async def test_bad_input_is_refused_and_nothing_written(domain_api: Api) -> None:
    api = domain_api
    await ok(api, "POST", f"/api/wblist/inbound/whitelist/{BOB}", addresses="a@x.org")
    before = await api.snapshot()
    for method, path, params, status, code in BAD:
        response = await api.call(method, path, **params)
        assert (response.status_code, response.json()["msg"]) == (status, code), (method, path, params)
    assert await api.snapshot() == before
    response = await api.call("POST", "/api/wblist/inbound/whitelist/global", addresses="a@x.org,no way,@")
    assert response.json()["invalid"] == ["no way", "@"]


def test_entry_forms() -> None:
    valid, invalid = parse_entries(
        ["192.0.2.1", "192.0.2.0/24", "2001:db8::1", "2001:DB8::/32", "u@example.com", "@example.com",
         "@.example.com", "@.com", "@.", "u@", "@", "example.com", "u@@x.org", "1.2.3.4/40", "u@x", "@.x.",
         "<u@example.com>", "u v@example.com"]
    )  # fmt: skip
    assert valid == {
        "192.0.2.1": 9, "192.0.2.0/24": 7, "2001:db8::1": 9, "2001:db8::/32": 7, "u@example.com": 10,
        "@example.com": 5, "@.example.com": 3, "@.com": 2, "@.": 0,
    }  # fmt: skip
    assert invalid == ["u@", "@", "example.com", "u@@x.org", "1.2.3.4/40", "u@x", "@.x.", "<u@example.com>",
                       "u v@example.com"]  # fmt: skip


async def test_deleting_accounts_removes_their_lists(domain_api: Api) -> None:
    api = domain_api
    for target in TARGETS:
        await ok(api, "POST", f"/api/wblist/inbound/blacklist/{target}", addresses="spam@x.org")
        await ok(api, "POST", f"/api/wblist/outbound/whitelist/{target}", addresses="@y.org")
    await ok(api, "POST", "/api/wblist/inbound/whitelist/other.org", addresses="@z.org")
    await ok(api, "DELETE", f"/api/user/{BOB}")
    assert {row[1] for row in await stored(api)} == {"@.", "@example.com", "@other.org"}
    await ok(api, "DELETE", "/api/domain/example.com")
    assert {row[1] for row in await stored(api)} == {"@.", "@other.org"}
    assert {text(row["email"]) for row in await api.rows("SELECT email FROM users", "amavisd")} == {"@.", "@other.org"}


# --- what Amavisd itself reads -----------------------------------------------------------------


async def test_amavisd_finds_the_entries_by_precedence(sql_domain_api: Api) -> None:
    api = sql_domain_api
    await ok(api, "PUT", "/api/spampolicy/domain/example.com", quarantine_spam="no")
    await ok(api, "POST", "/api/wblist/inbound/whitelist/global", addresses="@.")
    await ok(api, "POST", "/api/wblist/inbound/blacklist/example.com", addresses="@spam.net,@.bulk.org")
    await ok(api, "POST", f"/api/wblist/inbound/whitelist/{BOB}", addresses="friend@spam.net")
    engine = api.storage.amavisd

    assert await wblist_verdict(engine, BOB, "friend@spam.net") == "W"  # the user's own list first
    assert await wblist_verdict(engine, BOB, "other@spam.net") == "B"  # then the domain's
    assert await wblist_verdict(engine, BOB, "news@mail.bulk.org") == "B"  # @.domain covers subdomains
    assert await wblist_verdict(engine, BOB, "someone@else.org") == "W"  # then the global one
    assert await wblist_verdict(engine, "carol@other.org", "other@spam.net") == "W"

    # the users row made for bob's list carries no policy: the domain's still applies to him
    policy = await effective_policy(engine, BOB)
    assert (policy["spam_lover"], policy["spam_quarantine_to"]) == ("Y", "")

    await ok(api, "POST", f"/api/wblist/inbound/blacklist/{BOB}", addresses="friend@spam.net")
    assert await wblist_verdict(engine, BOB, "friend@spam.net") == "B"
    await ok(api, "DELETE", f"/api/wblist/inbound/blacklist/{BOB}")
    assert await wblist_verdict(engine, BOB, "friend@spam.net") == "B"  # the domain's @spam.net again
