"""Who may query and change what: global admins, a domain admin of a.com, and nobody logged in."""

from __future__ import annotations

import pytest

from gateway.schema.app import build_schema
from gateway.settings import Settings
from tests.rest.conftest import ADMIN, ADMIN_PASSWORD, STRONG, Api
from tests.schema.conftest import codes, data, gql
from tests.storage import deleted_mailboxes, set_used_quota

BOSS = "boss@other.org"
BOSS_PASSWORD = "Dom-Adm1n!pass"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
STATS = "{ stats { domains activeDomains users activeUsers aliases allocatedQuota usedBytes usedMessages } }"

QUERIES = {
    "me": "{ me { username } }",
    "domain": '{ domain(name: "b.com") { name } }',
    "domains": "{ domains { totalCount } }",
    "user": '{ user(email: "kim@b.com") { email } }',
    "users": '{ users(domain: "b.com") { totalCount } }',
    "alias": '{ alias(email: "crew@b.com") { email } }',
    "aliases": '{ aliases(domain: "b.com") { totalCount } }',
    "mailingList": '{ mailingList(email: "list@b.com") { email } }',
    "throttle": '{ throttle(account: "b.com", kind: INBOUND) { period } }',
    "globalThrottles": "{ globalThrottles { period } }",
    "stats": "{ stats { domains } }",
    "greylisting": '{ greylisting(account: "b.com") { enabled whitelist } }',
    "greylistingSpfDomains": "{ greylistingSpfDomains }",
    "admin": '{ admin(email: "other@admins.test") { email } }',
    "admins": "{ admins { totalCount nodes { email } } }",
    "spamPolicy": '{ spamPolicy(account: "b.com") { account effective { spamScore } } }',
    "wblists": '{ wblists(account: "kim@b.com") { inboundBlacklist } }',
    "auditLog": '{ auditLog(domain: "b.com") { totalCount } }',
    "ldif": '{ ldif(kind: USER, name: "kim@b.com") }',
}
MUTATIONS = {
    "createDomain": 'mutation { createDomain(name: "new.com") { name } }',
    "updateDomain": 'mutation { updateDomain(name: "b.com", input: {description: "x"}) { name } }',
    "deleteDomain": 'mutation { deleteDomain(name: "b.com") }',
    "createUser": f'mutation {{ createUser(email: "new@b.com", input: {{password: "{STRONG}"}}) {{ email }} }}',
    "updateUser": 'mutation { updateUser(email: "kim@b.com", input: {name: "x"}) { email } }',
    "setUserPassword": f'mutation {{ setUserPassword(email: "kim@b.com", password: "{STRONG}") }}',
    "deleteUser": 'mutation { deleteUser(email: "kim@b.com") }',
    "updateDomainUsers": 'mutation { updateDomainUsers(domain: "b.com", input: {active: false}) }',
    "setDomainUsersPassword": f'mutation {{ setDomainUsersPassword(domain: "b.com", password: "{STRONG}") }}',
    "createAlias": 'mutation { createAlias(email: "new@b.com", input: {members: ["kim@b.com"]}) { email } }',
    "updateAlias": 'mutation { updateAlias(email: "crew@b.com", input: {addMembers: ["ann@a.com"]}) { email } }',
    "deleteAlias": 'mutation { deleteAlias(email: "crew@b.com") }',
    "createMailingList": 'mutation { createMailingList(email: "list@b.com") { email } }',
    "updateMailingList": 'mutation { updateMailingList(email: "list@b.com", input: {name: "x"}) { email } }',
    "deleteMailingList": 'mutation { deleteMailingList(email: "list@b.com") }',
    "setThrottle": 'mutation { setThrottle(account: "b.com", kind: INBOUND, input: {period: 1}) { period } }',
    "deleteThrottle": 'mutation { deleteThrottle(account: "b.com", kind: INBOUND) }',
    "setGreylisting": 'mutation { setGreylisting(account: "b.com", enabled: false) { enabled } }',
    "clearGreylisting": 'mutation { clearGreylisting(account: "b.com") { enabled } }',
    "updateGreylistingWhitelist": 'mutation { updateGreylistingWhitelist(account: "b.com", add: ["192.0.2.1"])'
    " { whitelist } }",
    "updateGreylistingSpfDomains": 'mutation { updateGreylistingSpfDomains(add: ["big.example"]) }',
    "createAdmin": f'mutation {{ createAdmin(email: "new@admins.test", input: {{password: "{STRONG}"}}) {{ email }} }}',
    "updateAdmin": 'mutation { updateAdmin(email: "other@admins.test", input: {maxUsers: 0}) { email } }',
    "deleteAdmin": 'mutation { deleteAdmin(email: "other@admins.test") }',
    "setDomainAdmins": 'mutation { setDomainAdmins(domain: "b.com", add: ["john@a.com"]) }',
    "setSpamPolicy": 'mutation { setSpamPolicy(account: "b.com", input: {quarantineSpam: false}) { account } }',
    "deleteSpamPolicy": 'mutation { deleteSpamPolicy(account: "kim@b.com") }',
    "addWblistEntries": 'mutation { addWblistEntries(account: "b.com", direction: INBOUND, colour: WHITELIST,'
    ' addresses: ["@evil.test"]) }',
    "removeWblistEntries": 'mutation { removeWblistEntries(account: "kim@b.com", direction: OUTBOUND,'
    ' colour: BLACKLIST, addresses: ["spam@x.org"]) }',
    "clearWblist": 'mutation { clearWblist(account: "b.com", direction: INBOUND, colour: BLACKLIST) }',
    "renameUser": 'mutation { renameUser(email: "kim@b.com", newEmail: "kimberly@b.com") { email } }',
    "renameAlias": 'mutation { renameAlias(address: "crew@b.com", newAddress: "band@b.com") { email } }',
}


async def ok(api: Api, method: str, path: str, **params: str) -> None:
    response = await api.call(method, path, **params)
    assert response.status_code in (200, 201), (path, response.text)


async def arrange_two_domains(admin_api: Api) -> Api:
    """a.com (john, ann, alias team) and b.com (kim, alias crew with john as a member), throttles on all
    levels, used quota, the admin other@admins.test of no domain, and BOSS, an admin of a.com only (both
    made through the API); ADMIN is logged in."""
    for name in ("a.com", "b.com"):
        await ok(admin_api, "POST", f"/api/domain/{name}", defaultQuota="100")
    for email in ("john@a.com", "ann@a.com", "kim@b.com"):
        await ok(admin_api, "POST", f"/api/user/{email}", password=STRONG)
    await ok(admin_api, "POST", "/api/alias/team@a.com", members="john@a.com,ann@a.com")
    await ok(admin_api, "POST", "/api/alias/crew@b.com", members="kim@b.com,john@a.com")
    for target in ("global", "a.com", "b.com", "john@a.com", "kim@b.com"):
        await ok(admin_api, "POST", f"/api/throttle/{target}/inbound", period="60", max_msgs="5")
        await ok(admin_api, "POST", f"/api/greylisting/{target}", status="enable")
        await ok(admin_api, "POST", f"/api/greylisting/{target}/whitelists", senders=f"@friend.{target.split('@')[-1]}")
    for target in ("b.com", "kim@b.com"):
        await ok(admin_api, "PUT", f"/api/spampolicy/{'user' if '@' in target else 'domain'}/{target}", spam_score="5")
        for direction in ("inbound", "outbound"):
            await ok(admin_api, "POST", f"/api/wblist/{direction}/blacklist/{target}", addresses="spam@x.org")
    for email, used in (("john@a.com", 1000), ("kim@b.com", 70000)):
        await set_used_quota(admin_api.storage, email, used, 1)
    await ok(admin_api, "POST", "/api/admin/other@admins.test", password=STRONG, maxUsers="5")
    await ok(admin_api, "POST", f"/api/admin/{BOSS}", password=BOSS_PASSWORD)
    await ok(admin_api, "PUT", "/api/domain/admins/a.com", addAdmin=BOSS)
    return admin_api


async def login_boss(api: Api) -> Api:
    assert await data(api, LOGIN, u=BOSS, p=BOSS_PASSWORD) == {"login": {"username": BOSS}}
    return api


@pytest.fixture
async def two_domains(admin_api: Api) -> Api:
    """``arrange_two_domains`` on every backend."""
    return await arrange_two_domains(admin_api)


@pytest.fixture
async def boss(two_domains: Api) -> Api:
    """The same gateway with BOSS logged in through GraphQL."""
    return await login_boss(two_domains)


@pytest.fixture
async def sql_two_domains(sql_admin_api: Api) -> Api:
    """``arrange_two_domains`` on the SQL backends, which have no mailing lists."""
    return await arrange_two_domains(sql_admin_api)


@pytest.fixture
async def ldap_two_domains(ldap_admin_api: Api) -> Api:
    """``arrange_two_domains`` on OpenLDAP, with the mailing list list@b.com (members kim and john)."""
    api = await arrange_two_domains(ldap_admin_api)
    response = await api.call("POST", "/api/maillist/list@b.com", members="kim@b.com,john@a.com")
    assert response.status_code == 201, response.text
    return api


def test_every_root_field_is_covered() -> None:
    schema = build_schema(Settings(_env_file=None))._schema
    assert schema.query_type is not None and schema.mutation_type is not None
    assert set(schema.query_type.fields) == set(QUERIES)
    assert set(schema.mutation_type.fields) == set(MUTATIONS) | {"login", "logout"}


async def test_global_admin_sees_and_manages_every_domain(two_domains: Api) -> None:
    result = await data(two_domains, "{ me { isGlobal domains } domains { totalCount nodes { name } } " + STATS[1:])
    assert result["me"] == {"isGlobal": True, "domains": []}
    assert result["domains"] == {"totalCount": 2, "nodes": [{"name": "a.com"}, {"name": "b.com"}]}
    assert result["stats"] == {"domains": 2, "activeDomains": 2, "users": 3, "activeUsers": 3, "aliases": 2,
                               "allocatedQuota": 300, "usedBytes": 71000, "usedMessages": 2}
    for field, query in QUERIES.items():
        if field not in ("mailingList", "ldif"):  # capabilities of the storage: see the two tests below
            body = await gql(two_domains, query)
            assert "errors" not in body, (field, body)
    result = await data(two_domains, '{ user(email: "john@a.com") { aliases } }')
    assert result["user"]["aliases"] == ["crew@b.com", "team@a.com"]
    result = await data(two_domains, MUTATIONS["updateDomain"])
    assert result == {"updateDomain": {"name": "b.com"}}
    stored = await two_domains.storage.domain("b.com")
    assert stored is not None and stored.description == "x"


async def test_global_admin_is_told_mailing_lists_are_not_supported_on_sql(sql_two_domains: Api) -> None:
    assert codes(await gql(sql_two_domains, QUERIES["mailingList"])) == ["NOT_SUPPORTED"]
    assert codes(await gql(sql_two_domains, QUERIES["ldif"])) == ["NOT_SUPPORTED"]


async def test_mailing_lists_of_another_domain_stay_hidden_on_ldap(ldap_two_domains: Api) -> None:
    assert await data(ldap_two_domains, QUERIES["mailingList"]) == {"mailingList": {"email": "list@b.com"}}
    assert "dn: mail=kim@b.com," in (await data(ldap_two_domains, QUERIES["ldif"]))["ldif"]
    await login_boss(ldap_two_domains)
    body = await gql(ldap_two_domains, QUERIES["mailingList"])
    assert codes(body) == ["PERMISSION_DENIED"] and body["data"] is None
    result = await data(ldap_two_domains, '{ user(email: "john@a.com") { aliases } }')
    assert result["user"]["aliases"] == ["team@a.com"]
    before = await ldap_two_domains.snapshot()
    for field in ("createMailingList", "updateMailingList", "deleteMailingList"):
        body = await gql(ldap_two_domains, MUTATIONS[field])
        assert codes(body) == ["PERMISSION_DENIED"], (field, body)
    assert await ldap_two_domains.snapshot() == before


async def test_domain_admin_sees_only_its_domain(boss: Api) -> None:
    result = await data(boss, "{ me { username isGlobal domains } domains { totalCount nodes { name } } " + STATS[1:])
    assert result["me"] == {"username": BOSS, "isGlobal": False, "domains": ["a.com"]}
    assert result["domains"] == {"totalCount": 1, "nodes": [{"name": "a.com"}]}
    assert result["stats"] == {"domains": 1, "activeDomains": 1, "users": 2, "activeUsers": 2, "aliases": 1,
                               "allocatedQuota": 200, "usedBytes": 1000, "usedMessages": 1}
    for search in ("b", "B.COM"):
        found = await data(boss, "query($s: String) { domains(search: $s) { totalCount nodes { name } } }", s=search)
        assert found == {"domains": {"totalCount": 0, "nodes": []}}
    assert (await data(boss, "{ domains(active: true) { totalCount } }"))["domains"]["totalCount"] == 1


async def test_nested_fields_never_reach_another_domain(boss: Api) -> None:
    query = """{ domains { nodes { name admins { email standalone domains } inboundThrottle { account }
        greylisting { account enabled whitelist }
        users { totalCount nodes { email aliases forwardings domain { name userCount } throttles { account }
            greylisting { account enabled whitelist }
            inboundThrottle { account } usedQuota { bytes } } }
        aliases { totalCount nodes { email members domain { name aliasCount } } } } }
      user(email: "john@a.com") { aliases domain { name users { nodes { email } } } }
      alias(email: "team@a.com") { members domain { name } } }"""
    response = await boss.client.post("/graphql", json={"query": query})
    body = response.json()
    assert "errors" not in body, body
    [domain] = body["data"]["domains"]["nodes"]
    assert domain["name"] == "a.com"
    assert domain["admins"] == [{"email": BOSS, "standalone": True, "domains": ["a.com"]}]
    assert domain["greylisting"] == {"account": "@a.com", "enabled": True, "whitelist": ["@friend.a.com"]}
    assert [user["greylisting"]["enabled"] for user in domain["users"]["nodes"]] == [None, True]
    assert [user["email"] for user in domain["users"]["nodes"]] == ["ann@a.com", "john@a.com"]
    john = domain["users"]["nodes"][1]
    assert john["aliases"] == ["team@a.com"] and john["usedQuota"] == {"bytes": 1000}
    assert body["data"]["user"]["aliases"] == ["team@a.com"]
    assert [user["email"] for user in body["data"]["user"]["domain"]["users"]["nodes"]] == ["ann@a.com", "john@a.com"]
    assert "b.com" not in response.text and "kim" not in response.text and "crew" not in response.text


async def test_domain_admin_is_denied_queries_of_another_domain(boss: Api) -> None:
    for query in [
        *(QUERIES[field] for field in (
            "domain", "user", "users", "alias", "aliases", "mailingList", "throttle", "auditLog", "ldif",
        )),
        '{ throttle(account: "kim@b.com", kind: INBOUND) { period } }',
        '{ throttle(account: "global", kind: INBOUND) { period } }',
        '{ spamPolicy(account: "global") { account } }',
        '{ wblists(account: "global") { inboundWhitelist } }',
        '{ spamPolicy(account: "kim@b.com") { account } }',
        '{ throttle(account: "nowhere.com", kind: INBOUND) { period } }',
        '{ user(email: "ghost@nowhere.com") { email } }',
        QUERIES["globalThrottles"],
        '{ domain(name: "a.com") { name } other: domain(name: "b.com") { name } }',
        QUERIES["greylisting"],
        QUERIES["greylistingSpfDomains"],
        '{ greylisting(account: "global") { enabled } }',
        '{ greylisting(account: "kim@b.com") { whitelist } }',
        '{ user(email: "john@a.com") { domain { name } } domain(name: "b.com") { greylisting { enabled } } }',
    ]:
        body = await gql(boss, query)
        assert codes(body) == ["PERMISSION_DENIED"], (query, body)
        assert "kim" not in str(body["data"])


async def test_domain_admin_is_denied_changes_beyond_its_rights(boss: Api) -> None:
    before = await boss.snapshot()
    for query in [
        *MUTATIONS.values(),
        'mutation { createDomain(name: "a2.com") { name } }',
        'mutation { deleteDomain(name: "a.com") }',
        'mutation { updateDomain(name: "a.com", input: {maxUsers: 100}) { name } }',
        'mutation { updateDomain(name: "a.com", input: {quota: 1}) { name } }',
        'mutation { updateDomain(name: "a.com", input: {active: false}) { name } }',
        'mutation { updateDomain(name: "a.com", input: {transport: "smtp"}) { name } }',
        'mutation { updateDomain(name: "a.com", input: {maxUserQuota: 5}) { name } }',
        'mutation { updateDomain(name: "b.com", input: {}, routing: {catchall: ["john@a.com"]}) { name } }',
        'mutation { updateDomain(name: "b.com", input: {}, routing: {senderBcc: "john@a.com"}) { name } }',
        *(
            f'mutation {{ updateDomain(name: "a.com", input: {{}}, routing: {{{routing}}}) {{ name }} }}'
            for routing in (
                'addAliasDomains: ["a2.com"]', "aliasDomains: []", "backupMx: true", 'primaryMx: "192.0.2.1"',
                'outboundRelay: "[192.0.2.1]:25"', 'addServices: ["self-service"]',
                'enableDomainProfiles: ["bcc"]', 'disableUserProfiles: ["relay"]',
                'disableUserPreferences: ["wblist"]',
            )
        ),
        '{ domain(name: "b.com") { routing { catchall } } }',
        'mutation { setThrottle(account: "global", kind: INBOUND, input: {period: 1}) { period } }',
        'mutation { deleteThrottle(account: "global", kind: INBOUND) }',
        'mutation { setSpamPolicy(account: "global", input: {spamScore: 1}) { account } }',
        'mutation { clearWblist(account: "global", direction: INBOUND, colour: WHITELIST) }',
        'mutation { setThrottle(account: "kim@b.com", kind: INBOUND, input: {period: 1}) { period } }',
        'mutation { setGreylisting(account: "global", enabled: false) { enabled } }',
        'mutation { clearGreylisting(account: "kim@b.com") { enabled } }',
        'mutation { updateGreylistingWhitelist(account: "global", senders: []) { whitelist } }',
        f'mutation {{ createUser(email: "new@unhosted.com", input: {{password: "{STRONG}"}}) {{ email }} }}',
        'mutation { setDomainAdmins(domain: "a.com", add: ["john@a.com"]) }',
        'mutation { setDomainAdmins(domain: "a.com", removeAll: true) }',
        f'mutation {{ updateAdmin(email: "{BOSS}", input: {{isGlobal: true}}) {{ email }} }}',
        'mutation { updateUser(email: "john@a.com", input: {isGlobalAdmin: true}) { email } }',
        f'{{ admin(email: "{BOSS}") {{ email }} }}',
    ]:
        body = await gql(boss, query)
        assert codes(body) == ["PERMISSION_DENIED"], (query, body)
    assert await boss.snapshot() == before


async def test_domain_admin_manages_its_own_domain(boss: Api) -> None:
    result = await data(boss, """mutation($p: String!) {
        updateDomain(name: "a.com", input: {description: "Mine", minPasswordLength: 12}) { description }
        createUser(email: "new@a.com", input: {password: $p, name: "New"}) { email quota }
        createAlias(email: "sales@a.com", input: {members: ["new@a.com"]}) { members }
        setThrottle(account: "new@a.com", kind: OUTBOUND, input: {period: 60, maxMsgs: 3}) { account priority }
        updateDomainUsers(domain: "a.com", input: {language: "de_DE"})
        catchall: updateDomain(name: "a.com", input: {}, routing: {catchall: ["john@a.com"], senderBcc: "ann@a.com"}) {
            routing { catchall senderBcc } }
        setGreylisting(account: "new@a.com", enabled: false) { account enabled }
        updateGreylistingWhitelist(account: "a.com", add: ["198.51.100.0/24"], remove: ["@friend.a.com"]) { whitelist }
    }""", p=STRONG)
    assert result.pop("catchall") == {"routing": {"catchall": ["john@a.com"], "senderBcc": "ann@a.com"}}
    assert result == {
        "updateDomain": {"description": "Mine"},
        "createUser": {"email": "new@a.com", "quota": 100},
        "createAlias": {"members": ["new@a.com"]},
        "setThrottle": {"account": "new@a.com", "priority": 100},
        "updateDomainUsers": 3,
        "setGreylisting": {"account": "new@a.com", "enabled": False},
        "updateGreylistingWhitelist": {"whitelist": ["198.51.100.0/24"]},
    }
    assert await data(boss, 'mutation { deleteUser(email: "new@a.com") }') == {"deleteUser": True}
    [deleted] = await deleted_mailboxes(boss.storage)
    assert (deleted.username, deleted.admin) == ("new@a.com", BOSS)
    stored = await boss.storage.domain("a.com")
    assert stored is not None and stored.description == "Mine"


async def test_revoked_rights_end_the_session(boss: Api) -> None:
    assert (await data(boss, '{ domain(name: "a.com") { name } }')) == {"domain": {"name": "a.com"}}
    await boss.storage.revoke_domain(BOSS, "a.com")
    assert codes(await gql(boss, '{ domain(name: "a.com") { name } }')) == ["LOGIN_REQUIRED"]
    assert codes(await gql(boss, LOGIN, u=BOSS, p=BOSS_PASSWORD)) == ["INVALID_CREDENTIALS"]


async def test_inactive_domain_admins_row_ends_the_session_on_sql(sql_two_domains: Api) -> None:
    boss = await login_boss(sql_two_domains)
    assert (await data(boss, '{ domain(name: "a.com") { name } }')) == {"domain": {"name": "a.com"}}
    await boss.execute("UPDATE domain_admins SET active = 0 WHERE username = :u", u=BOSS)
    assert codes(await gql(boss, '{ domain(name: "a.com") { name } }')) == ["LOGIN_REQUIRED"]
    assert codes(await gql(boss, LOGIN, u=BOSS, p=BOSS_PASSWORD)) == ["INVALID_CREDENTIALS"]


async def test_without_login_everything_but_login_is_refused(two_domains: Api) -> None:
    assert await data(two_domains, "mutation { logout }") == {"logout": True}
    before = await two_domains.snapshot()
    for name, query in {**QUERIES, **MUTATIONS}.items():
        body = await gql(two_domains, query)
        assert codes(body) == ["LOGIN_REQUIRED"], (name, body)
        assert not any((body["data"] or {}).values())
    for query in ('{ domain(name: "a.com") { name users { totalCount } } }', '{ user(email: "john@a.com") { email } }'):
        assert codes(await gql(two_domains, query)) == ["LOGIN_REQUIRED"]
    assert await data(two_domains, "mutation { logout }") == {"logout": True}
    assert await two_domains.snapshot() == before
    assert await data(two_domains, LOGIN, u=ADMIN, p=ADMIN_PASSWORD) == {"login": {"username": ADMIN}}
    assert (await data(two_domains, "{ domains { totalCount } }")) == {"domains": {"totalCount": 2}}
