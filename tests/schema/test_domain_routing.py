"""``Domain.routing`` and the ``routing`` argument of createDomain/updateDomain, on every storage."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rest.conftest import Api
from tests.schema.conftest import codes, data, gql

ROUTING = """routing { aliasDomains catchall backupMx primaryMx outboundRelay senderBcc recipientBcc services
    disabledDomainProfiles disabledUserProfiles disabledUserPreferences }"""
UPDATE = f"""mutation($n: String!, $i: DomainInput!, $r: DomainRoutingInput) {{
    updateDomain(name: $n, input: $i, routing: $r) {{ name description transport {ROUTING} }} }}"""
CREATE = f"""mutation($n: String!, $r: DomainRoutingInput) {{
    createDomain(name: $n, routing: $r) {{ name transport {ROUTING} }} }}"""
EMPTY = {
    "aliasDomains": [], "catchall": [], "backupMx": False, "primaryMx": "", "outboundRelay": "", "senderBcc": "",
    "recipientBcc": "", "services": [], "disabledDomainProfiles": [], "disabledUserProfiles": [],
    "disabledUserPreferences": [],
}  # fmt: skip


async def update(api: Api, routing: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(api, UPDATE, n="example.com", i=changes, r=routing))["updateDomain"]
    return result


async def test_routing_is_read_and_changed_with_the_domain(domain_api: Api) -> None:
    assert (await data(domain_api, f'{{ domain(name: "example.com") {{ {ROUTING} }} }}'))["domain"] == {
        "routing": EMPTY
    }
    result = await update(
        domain_api,
        {"addAliasDomains": ["Example.NET"], "catchall": ["bob@example.com"], "outboundRelay": "smtp:[192.0.2.1]:25",
         "senderBcc": "carol@other.org", "recipientBcc": "bob@example.com", "services": ["self-service"],
         "disableDomainProfiles": ["relay"], "disableUserProfiles": ["bcc"], "disableUserPreferences": ["wblist"]},
        description="Both",
    )  # fmt: skip
    assert result["description"] == "Both"
    assert result["routing"] == EMPTY | {
        "aliasDomains": ["example.net"], "catchall": ["bob@example.com"], "outboundRelay": "[192.0.2.1]:25",
        "senderBcc": "carol@other.org", "recipientBcc": "bob@example.com", "services": ["self-service"],
        "disabledDomainProfiles": ["relay"], "disabledUserProfiles": ["bcc"], "disabledUserPreferences": ["wblist"],
    }  # fmt: skip
    rest = (await domain_api.call("GET", "/api/domain/example.com")).json()["data"]
    assert (rest["aliasDomains"], rest["catchall"], rest["outboundRelay"]) == (
        ["example.net"], ["bob@example.com"], "[192.0.2.1]:25",
    )
    result = await update(
        domain_api,
        {"removeAliasDomains": ["example.net"], "catchall": [], "outboundRelay": "", "removeServices": ["self-service"],
         "enableDomainProfiles": ["relay"], "senderBcc": ""},
    )  # fmt: skip
    assert result["routing"] == EMPTY | {"recipientBcc": "bob@example.com", "disabledUserProfiles": ["bcc"],
                                         "disabledUserPreferences": ["wblist"]}  # fmt: skip


async def test_backup_mx_through_graphql(domain_api: Api) -> None:
    result = await update(domain_api, {"backupMx": True, "primaryMx": "192.0.2.10"})
    assert result["transport"] == "relay:[192.0.2.10]"
    assert (result["routing"]["backupMx"], result["routing"]["primaryMx"]) == (True, "[192.0.2.10]")
    result = await update(domain_api, {"backupMx": False})
    assert (result["transport"], result["routing"]["backupMx"]) == ("dovecot", False)


async def test_a_domain_is_created_with_its_routing(admin_api: Api) -> None:
    result = (await data(admin_api, CREATE, n="new.test", r={"backupMx": True, "senderBcc": "a@elsewhere.test"}))
    assert result["createDomain"]["transport"] == "relay:new.test"
    assert result["createDomain"]["routing"]["senderBcc"] == "a@elsewhere.test"


@pytest.mark.parametrize(
    ("routing", "code"),
    [
        ({"addAliasDomains": ["other.org"]}, "ALIAS_DOMAIN_EXISTS"),
        ({"addAliasDomains": ["not a domain"]}, "INVALID_ALIAS_DOMAIN"),
        ({"catchall": ["nobody@example.com"]}, "CATCHALL_LOOP"),
        ({"catchall": ["nobody@other.org"]}, "UNKNOWN_CATCHALL_TARGET"),
        ({"outboundRelay": "lmtp:x"}, "INVALID_RELAYHOST"),
        ({"primaryMx": "192.0.2.1"}, "BACKUPMX_CONFLICT"),
        ({"addServices": ["mail"]}, "INVALID_DOMAIN_SERVICE"),
        ({"disableUserProfiles": ["nonsense"]}, "INVALID_PROFILE_NAME"),
        ({"senderBcc": "bad"}, "INVALID_MAIL"),
    ],
)
async def test_bad_routing_is_refused_with_nothing_written(domain_api: Api, routing: dict[str, Any], code: str) -> None:
    before = await domain_api.snapshot()
    body = await gql(domain_api, UPDATE, n="example.com", i={"description": "Renamed"}, r=routing)
    assert codes(body) == [code]
    assert await domain_api.snapshot() == before
