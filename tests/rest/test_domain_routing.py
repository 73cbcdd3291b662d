"""``PUT /api/domain/<d>``: alias domains, catch-all, backup MX, outbound relay, BCC, services and switches."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rest.conftest import STRONG, Api
from tests.storage import LdapStorage

DOMAIN_ADMIN = "boss@example.com"
PATH = "/api/domain/example.com"


async def put(api: Api, path: str = PATH, **data: str) -> dict[str, Any]:
    response = await api.call("PUT", path, **data)
    assert response.status_code == 200, response.text
    return await routing(api, path)


async def routing(api: Api, path: str = PATH) -> dict[str, Any]:
    response = await api.call("GET", path)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def refused(api: Api, status: int, code: str, path: str = PATH, method: str = "PUT", **data: str) -> None:
    """The request fails with ``code`` and changes nothing anywhere."""
    before = await api.snapshot()
    response = await api.call(method, path, **data)
    assert (response.status_code, response.json()) == (status, {"success": False, "msg": code}), response.text
    assert await api.snapshot() == before


def directory(api: Api) -> LdapStorage:
    assert isinstance(api.storage, LdapStorage)
    return api.storage


def entry_of(ldap: LdapStorage, dn: str) -> dict[str, list[str]]:
    found = ldap.entry(dn)
    assert found is not None, dn
    return found


async def login_domain_admin(api: Api) -> None:
    await api.storage.add_admin(DOMAIN_ADMIN, STRONG)
    await api.storage.grant_domain(DOMAIN_ADMIN, "example.com")
    assert (await api.login(DOMAIN_ADMIN, STRONG)).status_code == 200


# alias domains


async def test_alias_domains_are_added_replaced_and_removed(domain_api: Api) -> None:
    assert (await routing(domain_api))["aliasDomains"] == []
    data = await put(domain_api, addAliasDomain="Example.NET,example.info")
    assert data["aliasDomains"] == ["example.info", "example.net"]
    assert (await put(domain_api, removeAliasDomain="example.info"))["aliasDomains"] == ["example.net"]
    assert (await put(domain_api, aliasDomains="example.biz,example.net"))["aliasDomains"] == [
        "example.biz", "example.net",
    ]
    assert (await put(domain_api, aliasDomains=""))["aliasDomains"] == []


@pytest.mark.parametrize(
    ("value", "status", "code"),
    [
        ("other.org", 409, "ALIAS_DOMAIN_EXISTS"),
        ("bad_domain", 400, "INVALID_ALIAS_DOMAIN"),
        ("example.com", 400, "INVALID_ALIAS_DOMAIN"),
    ],
)
async def test_an_alias_domain_must_be_new_and_well_formed(
    domain_api: Api, value: str, status: int, code: str
) -> None:
    await refused(domain_api, status, code, addAliasDomain=value, cn="Renamed")


async def test_an_alias_domain_of_another_domain_is_refused_and_not_hosted_twice(domain_api: Api) -> None:
    await put(domain_api, "/api/domain/other.org", addAliasDomain="other.net")
    await refused(domain_api, 409, "ALIAS_DOMAIN_EXISTS", addAliasDomain="example.net,other.net", cn="Renamed")
    await refused(domain_api, 409, "ALREADY_EXISTS", "/api/domain/other.net", method="POST")
    await refused(domain_api, 400, "INVALID_PARAMETER", aliasDomains="a.net", addAliasDomain="b.net")


async def test_a_deleted_domain_frees_its_alias_domains(domain_api: Api) -> None:
    await put(domain_api, "/api/domain/other.org", addAliasDomain="other.net", catchall="bob@example.com",
              senderBcc="bob@example.com", outboundRelay="[192.0.2.1]:25")  # fmt: skip
    assert (await domain_api.call("DELETE", "/api/domain/other.org")).status_code == 200
    assert (await domain_api.call("POST", "/api/domain/other.net")).status_code == 201
    assert (await put(domain_api, addAliasDomain="other.org"))["aliasDomains"] == ["other.org"]


async def test_sql_deleting_a_domain_removes_its_routing_rows(sql_domain_api: Api) -> None:
    api = sql_domain_api
    await put(api, "/api/domain/other.org", addAliasDomain="other.net", catchall="bob@example.com",
              senderBcc="bob@example.com", recipientBcc="bob@example.com", outboundRelay="[192.0.2.1]:25")  # fmt: skip
    assert (await api.call("DELETE", "/api/domain/other.org")).status_code == 200
    for table in ("alias_domain", "sender_bcc_domain", "recipient_bcc_domain", "sender_relayhost"):
        assert await api.rows(f"SELECT * FROM {table}") == [], table
    assert await api.rows("SELECT * FROM forwardings WHERE domain='other.org'") == []


async def test_sql_stores_alias_domains_as_iredmail_does(sql_domain_api: Api) -> None:
    await put(sql_domain_api, addAliasDomain="example.net")
    [row] = await sql_domain_api.rows("SELECT alias_domain, target_domain, active FROM alias_domain")
    assert row == {"alias_domain": "example.net", "target_domain": "example.com", "active": 1}


async def test_ldap_alias_domains_give_every_account_its_shadow_address(ldap_domain_api: Api) -> None:
    api = ldap_domain_api
    assert (await api.call("POST", "/api/alias/sales@example.com", members="bob@example.com")).status_code == 201
    await put(api, addAliasDomain="example.net", catchall="carol@other.org")
    ldap = directory(api)
    tree = ldap.tree
    domain = entry_of(ldap, tree.domain_dn("example.com"))
    assert domain["domainaliasname"] == ["example.net"]
    assert "domainalias" in domain["enabledservice"] and "mail" in domain["enabledservice"]
    bob = entry_of(ldap, tree.user_dn("bob@example.com"))
    assert bob["shadowaddress"] == ["bob@example.net"]
    sales = entry_of(ldap, tree.alias_dn("sales@example.com"))
    assert sales["shadowaddress"] == ["sales@example.net"]
    catchall = entry_of(ldap, f"mail=@example.com,{tree.container_dn('example.com', 'Users')}")
    assert catchall["shadowaddress"] == ["@example.net"]
    await put(api, removeAliasDomain="example.net")
    bob = entry_of(ldap, tree.user_dn("bob@example.com"))
    assert "shadowaddress" not in bob
    domain = entry_of(ldap, tree.domain_dn("example.com"))
    assert "domainalias" not in domain["enabledservice"] and "domainaliasname" not in domain


# catch-all


async def test_catchall_is_set_as_a_list_and_removed(domain_api: Api) -> None:
    assert (await routing(domain_api))["catchall"] == []
    data = await put(domain_api, catchall="Bob@example.com, someone@elsewhere.test,carol@other.org")
    assert data["catchall"] == ["bob@example.com", "carol@other.org", "someone@elsewhere.test"]
    assert (await put(domain_api, catchall=""))["catchall"] == []


@pytest.mark.parametrize(
    ("targets", "code"),
    [
        ("nobody@example.com", "CATCHALL_LOOP"),
        ("bob@example.com,nobody@other.org", "UNKNOWN_CATCHALL_TARGET"),
        ("not an address", "INVALID_MAIL"),
    ],
)
async def test_catchall_targets_on_this_server_must_exist(domain_api: Api, targets: str, code: str) -> None:
    await refused(domain_api, 400, code, catchall=targets, cn="Renamed")


async def test_a_catchall_back_into_the_domain_by_its_alias_domain_is_a_loop(domain_api: Api) -> None:
    await refused(domain_api, 400, "CATCHALL_LOOP", addAliasDomain="example.net", catchall="nobody@example.net")
    await put(domain_api, addAliasDomain="example.net")
    await refused(domain_api, 400, "CATCHALL_LOOP", catchall="nobody@example.net")
    assert (await put(domain_api, catchall="bob@example.net"))["catchall"] == ["bob@example.net"]


async def test_sql_stores_the_catchall_as_forwardings_of_the_domain(sql_domain_api: Api) -> None:
    await put(sql_domain_api, catchall="bob@example.com,carol@other.org")
    rows = await sql_domain_api.rows(
        "SELECT address, forwarding, domain, dest_domain, is_forwarding, is_alias, is_list, active FROM forwardings"
        " WHERE address='example.com' ORDER BY forwarding"
    )
    assert rows == [
        {"address": "example.com", "forwarding": "bob@example.com", "domain": "example.com",
         "dest_domain": "example.com", "is_forwarding": 0, "is_alias": 0, "is_list": 0, "active": 1},
        {"address": "example.com", "forwarding": "carol@other.org", "domain": "example.com",
         "dest_domain": "other.org", "is_forwarding": 0, "is_alias": 0, "is_list": 0, "active": 1},
    ]  # fmt: skip


async def test_ldap_catchall_is_not_a_user(ldap_domain_api: Api) -> None:
    await put(ldap_domain_api, catchall="carol@other.org")
    users = (await ldap_domain_api.call("GET", "/api/users/example.com", email_only="yes")).json()["data"]
    assert users == ["bob@example.com"]
    assert (await routing(ldap_domain_api))["users"] == 1


# backup MX


async def test_backup_mx_relays_to_the_primary_and_back(domain_api: Api) -> None:
    data = await put(domain_api, is_backupmx="yes", primarymx="192.0.2.10")
    assert (data["backupmx"], data["transport"], data["primarymx"]) == (True, "relay:[192.0.2.10]", "[192.0.2.10]")
    data = await put(domain_api, primarymx="[mx.example.com]:2525")
    assert data["transport"] == "relay:[mx.example.com]:2525"
    data = await put(domain_api, is_backupmx="yes")
    assert (data["transport"], data["primarymx"]) == ("relay:example.com", "")
    data = await put(domain_api, is_backupmx="no")
    assert (data["backupmx"], data["transport"], data["primarymx"]) == (False, "dovecot", "")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"is_backupmx": "yes", "transport": "dovecot"}, "BACKUPMX_CONFLICT"),
        ({"primarymx": "192.0.2.10"}, "BACKUPMX_CONFLICT"),
        ({"is_backupmx": "no", "primarymx": "192.0.2.10"}, "BACKUPMX_CONFLICT"),
        ({"is_backupmx": "yes", "primarymx": "bad host!"}, "INVALID_TRANSPORT"),
        ({"is_backupmx": "maybe"}, "INVALID_PARAMETER"),
    ],
)
async def test_backup_mx_refusals(domain_api: Api, params: dict[str, str], code: str) -> None:
    await refused(domain_api, 400, code, cn="Renamed", **params)


async def test_a_backup_mx_domain_is_created_in_one_request(admin_api: Api) -> None:
    response = await admin_api.call("POST", "/api/domain/backup.test", is_backupmx="yes", primarymx="192.0.2.7")
    assert response.status_code == 201, response.text
    data = await routing(admin_api, "/api/domain/backup.test")
    assert (data["backupmx"], data["transport"]) == (True, "relay:[192.0.2.7]")
    await refused(admin_api, 400, "BACKUPMX_CONFLICT", "/api/domain/other.test", "POST", primarymx="192.0.2.7")


# outbound relay


async def test_outbound_relay_is_stored_without_the_transport_name(domain_api: Api) -> None:
    assert (await put(domain_api, outboundRelay="smtp:[192.0.2.1]:25"))["outboundRelay"] == "[192.0.2.1]:25"
    assert (await put(domain_api, outboundRelay="relay.example.net:587"))["outboundRelay"] == "relay.example.net:587"
    assert (await put(domain_api, outboundRelay=""))["outboundRelay"] == ""


@pytest.mark.parametrize("value", ["lmtp:[192.0.2.1]", "[192.0.2.1]:port", "relay host", "a;b"])
async def test_a_malformed_outbound_relay_is_refused(domain_api: Api, value: str) -> None:
    await refused(domain_api, 400, "INVALID_RELAYHOST", outboundRelay=value, cn="Renamed")


async def test_sql_stores_the_relay_for_the_domain_account(sql_domain_api: Api) -> None:
    await put(sql_domain_api, outboundRelay="[192.0.2.1]:25")
    rows = await sql_domain_api.rows("SELECT account, relayhost FROM sender_relayhost")
    assert rows == [{"account": "@example.com", "relayhost": "[192.0.2.1]:25"}]


# BCC


async def test_domain_bcc_is_set_and_removed(domain_api: Api) -> None:
    data = await put(domain_api, senderBcc="Archive@other.org", recipientBcc="bob@example.com")
    assert (data["senderBcc"], data["recipientBcc"]) == ("archive@other.org", "bob@example.com")
    data = await put(domain_api, senderBcc="")
    assert (data["senderBcc"], data["recipientBcc"]) == ("", "bob@example.com")
    await refused(domain_api, 400, "INVALID_MAIL", recipientBcc="nobody", cn="Renamed")


# services and switches


async def test_services_are_replaced_added_and_removed(domain_api: Api) -> None:
    assert (await put(domain_api, services="self-service"))["services"] == ["self-service"]
    assert (await put(domain_api, addService="sogo"))["services"] == ["self-service", "sogo"]
    assert (await put(domain_api, removeService="self-service"))["services"] == ["sogo"]
    assert (await put(domain_api, services=""))["services"] == []


@pytest.mark.parametrize(("params", "code"), [
    ({"addService": "mail"}, "INVALID_DOMAIN_SERVICE"),
    ({"addService": "Bad Service"}, "INVALID_DOMAIN_SERVICE"),
    ({"services": "sogo", "addService": "self-service"}, "INVALID_PARAMETER"),
    ({"disableDomainProfile": "nonsense"}, "INVALID_PROFILE_NAME"),
    ({"disableUserPreference": "bcc"}, "INVALID_PROFILE_NAME"),
])  # fmt: skip
async def test_bad_services_and_switches_are_refused(domain_api: Api, params: dict[str, str], code: str) -> None:
    await refused(domain_api, 400, code, cn="Renamed", **params)


async def test_profile_switches_are_kept_beside_the_limits(domain_api: Api) -> None:
    data = await put(domain_api, disableDomainProfile="catchall,bcc", disableUserProfile="forwarding",
                     disableUserPreference="wblist,quarantine", numberOfUsers="5")  # fmt: skip
    assert data["disabledDomainProfiles"] == ["bcc", "catchall"]
    assert data["disabledUserProfiles"] == ["forwarding"]
    assert data["disabledUserPreferences"] == ["quarantine", "wblist"]
    data = await put(domain_api, enableDomainProfile="bcc", maxUserQuota="100")
    assert data["disabledDomainProfiles"] == ["catchall"]
    assert (data["numberOfUsers"], data["maxUserQuota"]) == (5, 100)
    assert data["disabledUserPreferences"] == ["quarantine", "wblist"]


async def test_sql_keeps_services_and_switches_in_the_settings_column(sql_domain_api: Api) -> None:
    await put(sql_domain_api, services="self-service", disableDomainProfile="relay,bcc")
    [row] = await sql_domain_api.rows("SELECT settings FROM domain WHERE domain='example.com'")
    assert row["settings"] == "disabled_domain_profiles:bcc,relay;enabled_services:self-service;"


# who may


async def test_a_domain_admin_sets_catchall_and_bcc_but_not_routing(domain_api: Api) -> None:
    await login_domain_admin(domain_api)
    assert (await put(domain_api, catchall="bob@example.com", senderBcc="bob@example.com"))["catchall"] == [
        "bob@example.com"
    ]
    for params in (
        {"addAliasDomain": "example.net"}, {"is_backupmx": "yes"}, {"primarymx": "192.0.2.1"},
        {"outboundRelay": "[192.0.2.1]"}, {"addService": "sogo"}, {"disableDomainProfile": "bcc"},
    ):  # fmt: skip
        await refused(domain_api, 403, "PERMISSION_DENIED", **params)
    await refused(domain_api, 403, "PERMISSION_DENIED", "/api/domain/other.org", catchall="bob@example.com")


async def test_a_domain_admin_may_not_change_what_is_switched_off(domain_api: Api) -> None:
    await put(domain_api, disableDomainProfile="catchall,bcc")
    await login_domain_admin(domain_api)
    await refused(domain_api, 403, "PERMISSION_DENIED", catchall="bob@example.com")
    await refused(domain_api, 403, "PERMISSION_DENIED", recipientBcc="bob@example.com")
    assert (await put(domain_api, cn="Still mine"))["name"] == "Still mine"


# one write


async def test_every_change_of_one_request_is_written_together(domain_api: Api) -> None:
    data = await put(
        domain_api, cn="All at once", addAliasDomain="example.net", catchall="bob@example.com",
        outboundRelay="[192.0.2.1]:25", senderBcc="carol@other.org", recipientBcc="carol@other.org",
        addService="self-service", disableUserProfile="relay",
    )  # fmt: skip
    assert data["name"] == "All at once" and data["aliasDomains"] == ["example.net"]
    assert data["catchall"] == ["bob@example.com"] and data["outboundRelay"] == "[192.0.2.1]:25"
    assert data["services"] == ["self-service"] and data["disabledUserProfiles"] == ["relay"]
    listed = (await domain_api.call("GET", "/api/domains")).json()["data"]
    assert {d["domain"]: d["aliasDomains"] for d in listed} == {"example.com": ["example.net"], "other.org": []}


async def test_a_conflict_found_while_writing_undoes_the_whole_request(domain_api: Api) -> None:
    await put(domain_api, "/api/domain/other.org", addAliasDomain="other.net")
    await refused(
        domain_api, 409, "ALIAS_DOMAIN_EXISTS", cn="Renamed", numberOfUsers="9", catchall="bob@example.com",
        senderBcc="bob@example.com", addAliasDomain="example.net,other.net",
    )  # fmt: skip


# domain quota on every storage


async def test_a_domain_quota_is_stored_and_enforced(admin_api: Api) -> None:
    response = await admin_api.call("POST", "/api/domain/example.com", quota="100", defaultQuota="60")
    assert response.status_code == 201, response.text
    assert (await routing(admin_api))["quota"] == 100
    assert (await admin_api.call("POST", "/api/user/a@example.com", password=STRONG)).status_code == 201
    response = await admin_api.call("POST", "/api/user/b@example.com", password=STRONG)
    assert response.json() == {"success": False, "msg": "EXCEEDED_DOMAIN_QUOTA_SIZE"}
    assert (await put(admin_api, quota="200"))["quota"] == 200
    assert (await admin_api.call("POST", "/api/user/b@example.com", password=STRONG)).status_code == 201
    assert (await put(admin_api, quota="0"))["quota"] == 0


async def test_ldap_keeps_the_domain_quota_in_megabytes(ldap_admin_api: Api) -> None:
    assert (await ldap_admin_api.call("POST", "/api/domain/example.com", quota="4096")).status_code == 201
    ldap = directory(ldap_admin_api)
    entry = ldap.entry(ldap.tree.domain_dn("example.com"))
    assert entry is not None
    assert entry["domainmaxquotasize"] == ["4096"]
