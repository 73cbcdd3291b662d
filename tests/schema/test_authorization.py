"""Who may change whom through GraphQL: every mutation a domain admin calls beyond its rights, on every storage.

The arrangement and the people are those of tests/rest/test_authorization.py:
BOSS (made and assigned through the API) administers a.com; GLOBAL_MAILBOX (a global admin) and B_ADMIN (admin of
b.com) are mailboxes of a.com whose rights exceed BOSS's.
"""

from __future__ import annotations

from gateway.passwords import verify_password
from gateway.schema.app import build_schema
from gateway.settings import Settings
from tests.rest.conftest import STRONG, Api
from tests.rest.test_authorization import (
    B_ADMIN,
    BOSS,
    BOSS_PASSWORD,
    EXCEEDING,
    GLOBAL_MAILBOX,
    KIM,
    LDIF_BEYOND,
    LEFTOVER,
    PEER,
    PLAIN,
    PWNED,
    arrange,
    login,
    stored,
)
from tests.schema.conftest import codes, data, gql

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username isGlobal } }"


def _account_mutations(email: str) -> list[tuple[str, str]]:
    """Every change of one mailbox: profile, status, password, deletion, per-account throttles."""
    return [
        ("updateUser", f'updateUser(email: "{email}", input: {{active: false}}) {{ email }}'),
        ("updateUser", f'updateUser(email: "{email}", input: {{status: DISABLED}}) {{ email }}'),
        ("updateUser", f'updateUser(email: "{email}", input: {{name: "x", quota: 10}}) {{ email }}'),
        ("updateUser", f'updateUser(email: "{email}", input: {{password: "{PWNED}"}}) {{ email }}'),
        ("setUserPassword", f'setUserPassword(email: "{email}", password: "{PWNED}")'),
        ("deleteUser", f'deleteUser(email: "{email}")'),
        ("deleteUser", f'deleteUser(email: "{email}", keepMailboxDays: 3)'),
        ("setThrottle", f'setThrottle(account: "{email}", kind: OUTBOUND, input: {{period: 60}}) {{ period }}'),
        ("setThrottle", f'setThrottle(account: "{email}", kind: INBOUND, input: {{period: 1}}) {{ period }}'),
        ("deleteThrottle", f'deleteThrottle(account: "{email}", kind: INBOUND)'),
        *_greylisting_mutations(email),
        *_policy_mutations(email),
        ("renameUser", f'renameUser(email: "{email}", newEmail: "renamed@{email.rsplit("@", 1)[1]}") {{ email }}'),
        *(
            ("updateUser", f'updateUser(email: "{email}", input: {{}}, routing: {{{routing}}}) {{ email }}')
            for routing in ('forwardings: ["x@evil.test"]', 'senderBcc: "x@evil.test"', 'removeServices: ["imap"]')
        ),
    ]


def _greylisting_mutations(account: str) -> list[tuple[str, str]]:
    """Every greylisting change of one account (``global``, a domain or an address)."""
    return [
        ("setGreylisting", f'setGreylisting(account: "{account}", enabled: false) {{ enabled }}'),
        ("clearGreylisting", f'clearGreylisting(account: "{account}") {{ enabled }}'),
        (
            "updateGreylistingWhitelist",
            f'updateGreylistingWhitelist(account: "{account}", add: ["192.0.2.1"]) {{ whitelist }}',
        ),
    ]


def _policy_mutations(account: str) -> list[tuple[str, str]]:
    """Every change of an account's spam policy and white/blacklists."""
    lists = 'direction: INBOUND, colour: BLACKLIST'
    return [
        ("setSpamPolicy", f'setSpamPolicy(account: "{account}", input: {{bypassSpamChecks: true}}) {{ account }}'),
        ("deleteSpamPolicy", f'deleteSpamPolicy(account: "{account}")'),
        ("addWblistEntries", f'addWblistEntries(account: "{account}", {lists}, addresses: ["x@evil.test"])'),
        ("removeWblistEntries", f'removeWblistEntries(account: "{account}", {lists}, addresses: ["spam@x.org"])'),
        ("clearWblist", f'clearWblist(account: "{account}", {lists})'),
    ]


OTHER_DOMAIN = [
    ("updateDomain", 'updateDomain(name: "b.com", input: {description: "x"}) { name }'),
    ("createUser", f'createUser(email: "new@b.com", input: {{password: "{STRONG}"}}) {{ email }}'),
    *_account_mutations(KIM),
    ("updateDomainUsers", 'updateDomainUsers(domain: "b.com", input: {active: false})'),
    ("updateDomainUsers", 'updateDomainUsers(domain: "b.com", input: {status: DISABLED})'),
    ("updateDomainUsers", 'updateDomainUsers(domain: "b.com", input: {language: "de_DE"})'),
    ("setDomainUsersPassword", f'setDomainUsersPassword(domain: "b.com", password: "{PWNED}")'),
    ("createAlias", f'createAlias(email: "new@b.com", input: {{members: ["{KIM}"]}}) {{ email }}'),
    ("updateAlias", f'updateAlias(email: "crew@b.com", input: {{addMembers: ["{PLAIN}"]}}) {{ email }}'),
    ("deleteAlias", 'deleteAlias(email: "crew@b.com")'),
    ("createMailingList", f'createMailingList(email: "new@b.com", input: {{members: ["{KIM}"]}}) {{ email }}'),
    ("updateMailingList", f'updateMailingList(email: "list@b.com", input: {{addMembers: ["{PLAIN}"]}}) {{ email }}'),
    ("deleteMailingList", 'deleteMailingList(email: "list@b.com")'),
    ("setThrottle", 'setThrottle(account: "b.com", kind: INBOUND, input: {period: 1}) { period }'),
    ("deleteThrottle", 'deleteThrottle(account: "b.com", kind: INBOUND)'),
    *_greylisting_mutations("b.com"),
    *_policy_mutations("b.com"),
    ("renameAlias", 'renameAlias(address: "crew@b.com", newAddress: "band@b.com") { email }'),
]
EXCEEDING_ACCOUNTS = [
    *(mutation for email in EXCEEDING for mutation in _account_mutations(email)),
    ("createUser", f'createUser(email: "{LEFTOVER}", input: {{password: "{STRONG}"}}) {{ email }}'),
    ("renameUser", f'renameUser(email: "{PLAIN}", newEmail: "{LEFTOVER}") {{ email }}'),
]
GLOBAL_OBJECTS = [
    ("createDomain", 'createDomain(name: "new.com") { name }'),
    ("updateDomain", 'updateDomain(name: "a.com", input: {maxUsers: 100}) { name }'),
    ("updateDomain", 'updateDomain(name: "a.com", input: {active: false}) { name }'),
    ("updateDomain", 'updateDomain(name: "a.com", input: {status: DISABLED}) { name }'),
    ("updateDomain", 'updateDomain(name: "a.com", input: {transport: "relay:[192.0.2.1]:25"}) { name }'),
    ("deleteDomain", 'deleteDomain(name: "a.com")'),
    ("deleteDomain", 'deleteDomain(name: "b.com", keepMailboxDays: 3)'),
    ("setThrottle", 'setThrottle(account: "global", kind: INBOUND, input: {period: 1}) { period }'),
    ("deleteThrottle", 'deleteThrottle(account: "global", kind: INBOUND)'),
    *_greylisting_mutations("global"),
    ("updateGreylistingSpfDomains", 'updateGreylistingSpfDomains(add: ["big.example"])'),
    *_policy_mutations("global"),
    ("updateUser", f'updateUser(email: "{PLAIN}", input: {{}}, routing: {{maildir: "/srv/b.com/kim/"}}) {{ email }}'),
]
ADMIN_OBJECTS = [
    ("createAdmin", f'createAdmin(email: "new@admins.test", input: {{password: "{STRONG}"}}) {{ email }}'),
    ("updateAdmin", 'updateAdmin(email: "other@admins.test", input: {maxUsers: 0}) { email }'),
    ("updateAdmin", f'updateAdmin(email: "{BOSS}", input: {{isGlobal: true}}) {{ email }}'),
    ("deleteAdmin", 'deleteAdmin(email: "other@admins.test")'),
    ("setDomainAdmins", f'setDomainAdmins(domain: "a.com", add: ["{PLAIN}"])'),
    ("setDomainAdmins", 'setDomainAdmins(domain: "b.com", removeAll: true)'),
    ("updateUser", f'updateUser(email: "{PLAIN}", input: {{isGlobalAdmin: true}}) {{ email }}'),
]
REFUSED = OTHER_DOMAIN + EXCEEDING_ACCOUNTS + GLOBAL_OBJECTS + ADMIN_OBJECTS
NOT_REFUSED = {"login": "anyone may try to log in", "logout": "anyone may end its session"}


def test_every_mutation_is_in_the_matrix() -> None:
    """A new mutation fails here until the matrix says how a domain admin beyond its rights is answered."""
    mutation_type = build_schema(Settings(_env_file=None))._schema.mutation_type
    assert mutation_type is not None
    assert all(selection.startswith(f"{field}(") for field, selection in REFUSED)
    assert set(mutation_type.fields) - set(NOT_REFUSED) == {field for field, _ in REFUSED}


async def test_domain_admin_is_refused_every_mutation_beyond_its_rights(admin_api: Api) -> None:
    api = await arrange(admin_api)
    await login(api, BOSS, BOSS_PASSWORD)
    before = await api.snapshot()
    for field, selection in REFUSED:
        body = await gql(api, f"mutation {{ {selection} }}")
        assert codes(body) == ["PERMISSION_DENIED"], (field, selection, body)
        assert body["data"] is None, selection
    assert await api.snapshot() == before


async def test_the_escalation_through_graphql_is_closed(admin_api: Api) -> None:
    api = await arrange(admin_api)
    await login(api, BOSS, BOSS_PASSWORD)
    body = await gql(api, f'mutation {{ setUserPassword(email: "{GLOBAL_MAILBOX}", password: "{PWNED}") }}')
    assert codes(body) == ["PERMISSION_DENIED"]
    body = await gql(api, f'mutation {{ updateUser(email: "{GLOBAL_MAILBOX}", input: {{active: false}}) {{ email }} }}')
    assert codes(body) == ["PERMISSION_DENIED"]
    assert codes(await gql(api, LOGIN, u=GLOBAL_MAILBOX, p=PWNED)) == ["INVALID_CREDENTIALS"]
    result = await data(api, LOGIN, u=GLOBAL_MAILBOX, p=STRONG)
    assert result == {"login": {"username": GLOBAL_MAILBOX, "isGlobal": True}}
    user = await stored(api, GLOBAL_MAILBOX)
    assert user.active and user.is_global_admin and verify_password(user.password, STRONG)


async def test_bulk_mutations_skip_the_accounts_beyond_the_admins_rights(admin_api: Api) -> None:
    api = await arrange(admin_api)
    await login(api, BOSS, BOSS_PASSWORD)
    result = await data(
        api,
        f"""mutation {{
        setDomainUsersPassword(domain: "a.com", password: "{PWNED}")
        updateDomainUsers(domain: "a.com", input: {{status: DISABLED, language: "de_DE"}})
    }}""",
    )
    assert result == {"setDomainUsersPassword": True, "updateDomainUsers": 3}  # PEER, PLAIN, BOSS_MAILBOX
    users = {user.email: user for user in await api.storage.users("a.com")}
    for email in (PEER, PLAIN):
        user = users[email]
        assert (user.active, user.language, verify_password(user.password, PWNED)) == (False, "de_DE", True), email
    for email in EXCEEDING:
        user = users[email]
        assert (user.active, user.language, verify_password(user.password, STRONG)) == (True, "en_US", True), email
    assert (await data(api, LOGIN, u=B_ADMIN, p=STRONG))["login"] == {"username": B_ADMIN, "isGlobal": False}


async def test_domain_admin_reads_no_ldif_beyond_its_rights(admin_api: Api) -> None:
    api = await arrange(admin_api)
    await login(api, BOSS, BOSS_PASSWORD)
    for kind, name in LDIF_BEYOND:
        body = await gql(api, f'query {{ ldif(kind: {kind.upper()}, name: "{name}") }}')
        assert codes(body) == ["PERMISSION_DENIED"], (kind, name, body)
        assert body["data"] is None, (kind, name)
