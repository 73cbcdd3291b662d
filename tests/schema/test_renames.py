"""``renameUser`` and ``renameAlias``: the same renames as ``change_email``, on every storage."""

from __future__ import annotations

from tests.rest.conftest import Api
from tests.rest.test_renames import BOB, CAROL, JOHN, JOHNNY, arrange
from tests.schema.conftest import codes, data, gql
from tests.storage import fetch

RENAME_USER = "mutation($e: String!, $n: String!) { renameUser(email: $e, newEmail: $n) { email forwardings aliases } }"
RENAME_ALIAS = "mutation($a: String!, $n: String!) { renameAlias(address: $a, newAddress: $n) { email members } }"


async def test_rename_user_answers_the_user_under_its_new_address(domain_api: Api) -> None:
    api = await arrange(domain_api)
    result = await data(api, RENAME_USER, e=JOHN, n=JOHNNY)
    assert result == {"renameUser": {"email": JOHNNY, "forwardings": [CAROL, JOHNNY], "aliases": ["team@example.com"]}}
    query = "query($e: String!) { user(email: $e) { email throttles { account kind } } }"
    assert (await data(api, query, e=JOHNNY))["user"]["throttles"] == [{"account": JOHNNY, "kind": "OUTBOUND"}]
    assert codes(await gql(api, query, e=JOHN)) == ["NO_SUCH_ACCOUNT"]
    rows = await fetch(api.storage.ancillary, "SELECT msg FROM log WHERE username = :u ORDER BY id", u=JOHN)
    assert [row["msg"] for row in rows][-1] == f"[API] Update user: {JOHN}, {JOHNNY}."


async def test_rename_alias_keeps_its_members(domain_api: Api) -> None:
    api = domain_api
    create = 'mutation { createAlias(email: "team@example.com", input: {members: ["bob@example.com"]}) { email } }'
    await data(api, create)
    result = await data(api, RENAME_ALIAS, a="team@example.com", n="staff@example.com")
    assert result == {"renameAlias": {"email": "staff@example.com", "members": [BOB]}}
    assert (await data(api, '{ user(email: "bob@example.com") { aliases } }'))["user"]["aliases"] == [
        "staff@example.com"
    ]


async def test_refused_renames_write_nothing(domain_api: Api) -> None:
    api = await arrange(domain_api)
    before = await api.snapshot()
    for query, variables, code in [
        (RENAME_USER, {"e": JOHN, "n": "johnny@other.org"}, "CANNOT_CHANGE_DOMAIN"),
        (RENAME_USER, {"e": JOHN, "n": BOB}, "ALREADY_EXISTS"),
        (RENAME_USER, {"e": JOHN, "n": "not an address"}, "INVALID_MAIL"),
        (RENAME_USER, {"e": "ghost@example.com", "n": JOHNNY}, "NO_SUCH_ACCOUNT"),
        (RENAME_ALIAS, {"a": "team@example.com", "n": JOHN}, "ALREADY_EXISTS"),
        (RENAME_ALIAS, {"a": "ghost@example.com", "n": "x@example.com"}, "NO_SUCH_ACCOUNT"),
    ]:
        body = await gql(api, query, **variables)
        assert (codes(body), body["data"]) == ([code], None), variables
    assert await api.snapshot() == before
