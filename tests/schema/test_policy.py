"""Spam policies and white/blacklists through GraphQL, over the same resolvers as /api."""

from __future__ import annotations

import pytest

from tests.rest.conftest import Api
from tests.schema.conftest import codes, data, gql
from tests.schema.test_permissions import arrange_two_domains, login_boss


@pytest.fixture
async def two_domains(admin_api: Api) -> Api:
    """a.com (john, ann) and b.com (kim) with throttles and policies; ADMIN logged in; on every backend."""
    return await arrange_two_domains(admin_api)


async def test_policies_and_lists_are_set_read_and_removed(two_domains: Api) -> None:
    api = two_domains
    result = await data(api, """mutation {
        global: setSpamPolicy(account: "global", input: {quarantineSpam: true, spamScore: 6.5}) { account }
        domain: setSpamPolicy(account: "a.com", input: {quarantineSpam: false, bannedRulenames: ["ALLOW_MS_WORD"]}) {
            account policy { quarantineSpam bannedRulenames } effective { spamScore } }
        user: setSpamPolicy(account: "john@a.com", input: {bypassSpamChecks: true}) {
            effective { bypassSpamChecks quarantineSpam spamScore bypassVirusChecks } }
        add: addWblistEntries(account: "john@a.com", direction: INBOUND, colour: WHITELIST,
            addresses: ["Friend@X.org", "192.0.2.0/24"])
        move: addWblistEntries(account: "john@a.com", direction: INBOUND, colour: BLACKLIST,
            addresses: ["friend@x.org"])
    }""")
    assert result == {
        "global": {"account": "@."},
        "domain": {"account": "@a.com", "policy": {"quarantineSpam": False, "bannedRulenames": ["ALLOW_MS_WORD"]},
                   "effective": {"spamScore": 6.5}},
        "user": {"effective": {"bypassSpamChecks": True, "quarantineSpam": False, "spamScore": 6.5,
                               "bypassVirusChecks": None}},
        "add": ["192.0.2.0/24", "friend@x.org"],
        "move": ["friend@x.org"],
    }
    query = """{ domain(name: "a.com") { spamPolicy { quarantineSpam } users { nodes { email
        spamPolicy { bypassSpamChecks } wblists { inboundWhitelist inboundBlacklist } } } }
        wblists(account: "john@a.com") { inboundBlacklist outboundWhitelist }
        spamPolicy(account: "global") { policy { spamScore } } }"""
    result = await data(api, query)
    assert result["domain"]["spamPolicy"] == {"quarantineSpam": False}
    john = next(user for user in result["domain"]["users"]["nodes"] if user["email"] == "john@a.com")
    assert john["spamPolicy"] == {"bypassSpamChecks": True}
    assert john["wblists"] == {"inboundWhitelist": ["192.0.2.0/24"], "inboundBlacklist": ["friend@x.org"]}
    assert result["wblists"] == {"inboundBlacklist": ["friend@x.org"], "outboundWhitelist": []}
    assert result["spamPolicy"] == {"policy": {"spamScore": 6.5}}

    result = await data(api, """mutation {
        removed: removeWblistEntries(account: "john@a.com", direction: INBOUND, colour: WHITELIST,
            addresses: ["192.0.2.0/24", "nobody@x.org"])
        cleared: clearWblist(account: "john@a.com", direction: INBOUND, colour: BLACKLIST)
        deleted: deleteSpamPolicy(account: "john@a.com")
    }""")
    assert result == {"removed": 1, "cleared": 1, "deleted": True}
    assert codes(await gql(api, 'mutation { deleteSpamPolicy(account: "john@a.com") }')) == ["NO_SUCH_SPAM_POLICY"]


async def test_bad_input_names_its_code_and_writes_nothing(two_domains: Api) -> None:
    api = two_domains
    before = await api.snapshot()
    body = await gql(api, """mutation { addWblistEntries(account: "a.com", direction: OUTBOUND, colour: BLACKLIST,
        addresses: ["ok@x.org", "not ok", "@"]) }""")
    assert codes(body) == ["INVALID_WBLIST_ENTRY"]
    assert body["errors"][0]["extensions"]["invalid"] == ["not ok", "@"]
    for mutation, code in [
        ('setSpamPolicy(account: "a.com", input: {spamScore: -2}) { account }', "INVALID_SPAM_SCORE"),
        ('setSpamPolicy(account: "a.com", input: {bannedRulenames: ["a b"]}) { account }', "INVALID_BANNED_RULENAMES"),
        ('setSpamPolicy(account: "a.com", input: {}) { account }', "INVALID_PARAMETER"),
        ('setSpamPolicy(account: "nowhere.com", input: {spamScore: 1}) { account }', "NO_SUCH_DOMAIN"),
        ('clearWblist(account: "ghost@a.com", direction: INBOUND, colour: WHITELIST)', "NO_SUCH_ACCOUNT"),
    ]:
        assert codes(await gql(api, f"mutation {{ {mutation} }}")) == [code], mutation
    assert await api.snapshot() == before


async def test_a_domain_admin_manages_its_own_domains_policy(two_domains: Api) -> None:
    boss = await login_boss(two_domains)
    mutation = 'mutation { setSpamPolicy(account: "a.com", input: {prefixSpamInSubject: false}) { account } }'
    result = await data(boss, mutation)
    assert result == {"setSpamPolicy": {"account": "@a.com"}}
    result = await data(boss, """mutation {
        addWblistEntries(account: "ann@a.com", direction: OUTBOUND, colour: WHITELIST, addresses: ["@partner.test"])
    }""")
    assert result == {"addWblistEntries": ["@partner.test"]}
