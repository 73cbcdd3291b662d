"""``User.routing`` and the ``routing`` argument of updateUser, on every storage."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rest.conftest import Api
from tests.schema.conftest import codes, data, gql

BOB = "bob@example.com"
ROUTING = """routing { forwardings aliasAddresses senderBcc recipientBcc services mailboxFormat mailboxFolder
    maildir firstName lastName }"""
UPDATE = f"""mutation($e: String!, $i: UserInput!, $r: UserRoutingInput) {{
    updateUser(email: $e, input: $i, routing: $r) {{ email name {ROUTING} }} }}"""


async def update(api: Api, routing: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(api, UPDATE, e=BOB, i=changes, r=routing))["updateUser"]
    return result


async def test_routing_is_read_and_changed_with_the_user(domain_api: Api) -> None:
    found = (await data(domain_api, f'{{ user(email: "{BOB}") {{ {ROUTING} }} }}'))["user"]["routing"]
    assert (found["forwardings"], found["aliasAddresses"], found["senderBcc"]) == ([BOB], [], "")
    assert {"smtp", "imap", "deliver"} <= set(found["services"]) and found["mailboxFormat"] == "maildir"
    assert found["maildir"].endswith("/") and "example.com/b/o/b/bob-" in found["maildir"]
    result = await update(
        domain_api,
        {"forwardings": [BOB, "Carol@other.org"], "addAliasAddresses": ["rob@example.com"],
         "senderBcc": "carol@other.org", "removeServices": ["pop3"], "firstName": "Robert", "lastName": "Smith",
         "maildir": "/var/vmail/vmail1/example.com/bob/"},
        name="Bobby",
    )  # fmt: skip
    routing = result["routing"]
    assert result["name"] == "Bobby"
    assert (routing["forwardings"], routing["aliasAddresses"]) == ([BOB, "carol@other.org"], ["rob@example.com"])
    assert (routing["senderBcc"], routing["firstName"], routing["lastName"]) == ("carol@other.org", "Robert", "Smith")
    assert "pop3" not in routing["services"] and routing["maildir"] == "/var/vmail/vmail1/example.com/bob/"
    rest = (await domain_api.call("GET", f"/api/user/{BOB}")).json()["data"]
    assert (rest["aliases"], rest["senderBcc"], rest["gn"]) == (["rob@example.com"], "carol@other.org", "Robert")
    result = await update(domain_api, {"removeForwardings": ["carol@other.org"], "aliasAddresses": [], "senderBcc": ""})
    assert (result["routing"]["forwardings"], result["routing"]["aliasAddresses"]) == ([BOB], [])


async def test_users_of_a_domain_carry_their_routing(domain_api: Api) -> None:
    await update(domain_api, {"addAliasAddresses": ["rob@example.com"]})
    query = """{ domain(name: "example.com") {
        users(first: 10) { edges { node { email routing { aliasAddresses } } } } } }"""
    edges = (await data(domain_api, query))["domain"]["users"]["edges"]
    assert [edge["node"] for edge in edges] == [{"email": BOB, "routing": {"aliasAddresses": ["rob@example.com"]}}]


@pytest.mark.parametrize(
    ("routing", "code"),
    [
        ({"addForwardings": ["nobody@example.com"]}, "UNKNOWN_FORWARDING_TARGET"),
        ({"addAliasAddresses": ["rob@other.org"]}, "ALIAS_OUTSIDE_USER_DOMAIN"),
        ({"addAliasAddresses": ["bob@example.com"]}, "ALREADY_EXISTS"),
        ({"addServices": ["domainadmin"]}, "INVALID_SERVICE"),
        ({"mailboxFormat": "zip"}, "INVALID_MAILBOX_FORMAT"),
        ({"maildir": "nowhere"}, "INVALID_MAILDIR"),
        ({"recipientBcc": "bad"}, "INVALID_MAIL"),
    ],
)
async def test_bad_routing_is_refused_with_nothing_written(domain_api: Api, routing: dict[str, Any], code: str) -> None:
    before = await domain_api.snapshot()
    body = await gql(domain_api, UPDATE, e=BOB, i={"name": "Renamed"}, r=routing)
    assert codes(body) == [code]
    assert await domain_api.snapshot() == before
