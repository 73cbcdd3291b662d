"""The LDAP account ports: mail domains, their settings, status cascade, deletion, pages and totals."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.backends.base import AccountStores
from gateway.backends.ldap import DirectoryStore
from gateway.backends.ldap.connection import Directory
from gateway.backends.sql.iredadmin import IredadminDatabase
from gateway.errors import Conflict, ErrorCode, GatewayError, InvalidInput, NotFound
from gateway.model import DomainChanges, PageQuery, UsedQuota, UserChanges
from tests.ldap.backend_support import (
    UnreachableIredadmin,
    accounts_fixture,  # noqa: F401
    add_entry,
    add_values,
    directory_fixture,  # noqa: F401
    iredadmin_fixture,  # noqa: F401
    make_domain,
    make_user,
    new_alias,
    new_user,
    no_check,
    read,
    recorded,
    snapshot,
    subtree,
    tree_of,
)
from tests.ldap_server import LdapServer
from tests.storage import run


async def test_create_writes_the_domain_and_its_containers(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await accounts.domains.create_domain(
        "example.com",
        DomainChanges(description="Example Inc.", default_user_quota=1024, max_users=10, min_password_length=8),
    )
    tree = tree_of(ldap_tree)
    entry = read(ldap_tree, tree.domain_dn("example.com"))
    assert entry is not None
    assert entry["objectclass"] == ["mailDomain"]
    assert entry["domainname"] == ["example.com"]
    assert entry["mtatransport"] == ["dovecot"]
    assert entry["enabledservice"] == ["mail"]
    assert entry["cn"] == ["Example Inc."]
    assert entry["accountstatus"] == ["active"]
    assert entry["accountsetting"] == ["defaultQuota:1024", "minPasswordLength:8", "numberOfUsers:10"]
    assert subtree(ldap_tree, tree.domain_dn("example.com")) == {
        tree.domain_dn("example.com").lower(),
        *(tree.container_dn("example.com", ou).lower() for ou in ("Users", "Groups", "Aliases", "Externals")),
    }

    domain = await accounts.domains.get_domain("example.com")
    assert domain is not None
    assert (domain.name, domain.description, domain.active, domain.transport, domain.backupmx) == (
        "example.com", "Example Inc.", True, "dovecot", False,
    )  # fmt: skip
    assert (domain.default_user_quota, domain.max_users, domain.min_password_length, domain.quota) == (1024, 10, 8, 0)
    assert domain.created is not None and domain.modified is not None
    assert await accounts.domains.get_domain("other.com") is None


async def test_create_minimal_domain(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await accounts.domains.create_domain("example.com", DomainChanges(transport="lmtp:unix:private/dovecot-lmtp"))
    entry = read(ldap_tree, tree_of(ldap_tree).domain_dn("example.com"))
    assert entry is not None
    assert "cn" not in entry and "accountsetting" not in entry
    assert entry["mtatransport"] == ["lmtp:unix:private/dovecot-lmtp"]
    domain = await accounts.domains.get_domain("example.com")
    assert domain is not None and domain.description == "" and domain.max_users == 0


async def test_create_conflicts(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    with pytest.raises(Conflict) as caught:
        await make_domain(accounts, "example.com")
    assert caught.value.code == "ALREADY_EXISTS"
    add_values(ldap_tree, tree_of(ldap_tree).domain_dn("example.com"), "domainAliasName", ["alias.com"])
    with pytest.raises(Conflict):
        await make_domain(accounts, "alias.com")
    assert read(ldap_tree, tree_of(ldap_tree).domain_dn("alias.com")) is None


async def test_domain_quota_is_kept_in_megabytes(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await accounts.domains.create_domain("example.com", DomainChanges(quota=100))
    dn = tree_of(ldap_tree).domain_dn("example.com")
    assert read(ldap_tree, dn)["domainmaxquotasize"] == ["100"]  # type: ignore[index]
    await accounts.domains.update_domain("example.com", DomainChanges(quota=5), no_check)
    assert (await accounts.domains.get_domain("example.com")).quota == 5  # type: ignore[union-attr]
    await accounts.domains.update_domain("example.com", DomainChanges(quota=0), no_check)
    assert "domainmaxquotasize" not in read(ldap_tree, dn)  # type: ignore[operator]


async def test_create_undone_when_a_container_fails(
    accounts: AccountStores, ldap_tree: LdapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Directory.add

    def failing_add(self: Directory, dn: str, attributes: Any) -> None:
        if dn.lower().startswith("ou=aliases"):
            raise GatewayError(detail="injected")
        original(self, dn, attributes)

    before = snapshot(ldap_tree)
    monkeypatch.setattr(Directory, "add", failing_add)
    with pytest.raises(GatewayError):
        await make_domain(accounts, "example.com")
    assert snapshot(ldap_tree) == before


async def test_update_merges_account_settings(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com", default_user_quota=1024, max_aliases=5)
    dn = tree_of(ldap_tree).domain_dn("example.com")
    add_values(ldap_tree, dn, "accountSetting", ["disabledMailService:pop3", "timezone:Europe/Berlin"])
    seen: list[Any] = []
    await accounts.domains.update_domain(
        "example.com",
        DomainChanges(
            description="Example", transport="relay:[192.0.2.1]:25", max_aliases=0, max_lists=-1,
            max_user_quota=2048, max_password_length=64, default_language="de_DE",
        ),
        lambda domain, usage: seen.append((domain, usage)),
    )  # fmt: skip
    entry = read(ldap_tree, dn)
    assert entry is not None
    assert entry["cn"] == ["Example"]
    assert entry["mtatransport"] == ["relay:[192.0.2.1]:25"]
    assert entry["accountsetting"] == sorted(
        [
            "defaultQuota:1024", "disabledMailService:pop3", "timezone:Europe/Berlin", "numberOfLists:-1",
            "maxUserQuota:2048", "maxPasswordLength:64", "defaultLanguage:de_DE",
        ]
    )  # fmt: skip
    ((before, usage),) = seen
    assert before.max_aliases == 5 and usage.users == 0
    domain = await accounts.domains.get_domain("example.com")
    assert domain is not None
    assert (domain.max_aliases, domain.max_lists, domain.max_user_quota, domain.default_language) == (
        0,
        -1,
        2048,
        "de_DE",
    )

    await accounts.domains.update_domain("example.com", DomainChanges(description=""), no_check)
    entry = read(ldap_tree, dn)
    assert entry is not None and "cn" not in entry


async def test_update_checks_with_fresh_usage(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com", quota=100)
    await make_user(accounts, "jane@example.com", quota=200)
    await accounts.aliases.create_alias(new_alias("sales@example.com", ("john@example.com",)), no_check)

    def refuse(domain: Any, usage: Any) -> None:
        assert (usage.users, usage.aliases, usage.allocated_quota, usage.lists) == (2, 1, 300, 0)
        raise InvalidInput(ErrorCode.INVALID_PASSWORD_LENGTH_RANGE)

    before = snapshot(ldap_tree)
    with pytest.raises(InvalidInput):
        await accounts.domains.update_domain("example.com", DomainChanges(description="x", active=False), refuse)
    assert snapshot(ldap_tree) == before
    with pytest.raises(NotFound) as caught:
        await accounts.domains.update_domain("other.com", DomainChanges(description="x"), no_check)
    assert caught.value.code == "NO_SUCH_DOMAIN"


async def test_disabling_marks_every_account_beneath(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@other.com")
    await accounts.aliases.create_alias(new_alias("sales@example.com", ("john@example.com",)), no_check)
    assert accounts.maillists is not None
    await accounts.maillists.create_maillist(new_alias("team@example.com", ("friend@else.org",)), no_check)
    accounts_dns = [
        tree.user_dn("john@example.com"),
        tree.alias_dn("sales@example.com"),
        tree.list_dn("team@example.com"),
        tree.external_dn("team@example.com", "friend@else.org"),
    ]

    await accounts.domains.update_domain("example.com", DomainChanges(active=False), no_check)
    assert read(ldap_tree, tree.domain_dn("example.com"))["accountstatus"] == ["disabled"]  # type: ignore[index]
    for dn in accounts_dns:
        assert read(ldap_tree, dn)["domainstatus"] == ["disabled"], dn  # type: ignore[index]
    assert "domainstatus" not in read(ldap_tree, tree.user_dn("jane@other.com"))  # type: ignore[operator]
    assert "domainstatus" not in read(ldap_tree, tree.container_dn("example.com", "Users"))  # type: ignore[operator]
    domain = await accounts.domains.get_domain("example.com")
    assert domain is not None and not domain.active

    # users created while the domain is disabled are marked too
    await make_user(accounts, "late@example.com")
    assert read(ldap_tree, tree.user_dn("late@example.com"))["domainstatus"] == ["disabled"]  # type: ignore[index]

    await accounts.domains.update_domain("example.com", DomainChanges(active=True), no_check)
    for dn in [*accounts_dns, tree.user_dn("late@example.com")]:
        assert "domainstatus" not in read(ldap_tree, dn), dn  # type: ignore[operator]
    assert read(ldap_tree, tree.domain_dn("example.com"))["accountstatus"] == ["active"]  # type: ignore[index]


async def test_disabling_is_undone_when_an_entry_fails(
    accounts: AccountStores, ldap_tree: LdapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_domain(accounts, "example.com")
    for name in ("a", "b", "c", "d"):
        await make_user(accounts, f"{name}@example.com")
    before = snapshot(ldap_tree)
    original, calls = Directory.modify, []

    def failing_modify(self: Directory, dn: str, changes: Any) -> None:
        calls.append(dn)
        if len(calls) == 4:
            raise GatewayError(detail="injected")
        original(self, dn, changes)

    monkeypatch.setattr(Directory, "modify", failing_modify)
    with pytest.raises(GatewayError):
        await accounts.domains.update_domain("example.com", DomainChanges(active=False, description="Off"), no_check)
    monkeypatch.setattr(Directory, "modify", original)
    assert snapshot(ldap_tree) == before


async def test_delete_removes_the_subtree_and_references(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer, iredadmin: IredadminDatabase
) -> None:
    tree = tree_of(ldap_tree)
    directory.iredadmin = iredadmin
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@example.com")
    await make_user(accounts, "eve@other.com")
    add_entry(
        ldap_tree,
        f"mail=@example.com,{tree.container_dn('example.com', 'Users')}",
        {"objectClass": ["inetOrgPerson", "mailUser"], "mail": "@example.com", "cn": "catch-all", "sn": "catch-all",
         "uid": "catch-all", "accountStatus": "active", "mailForwardingAddress": ["john@example.com"]},
    )  # fmt: skip
    assert accounts.maillists is not None
    await accounts.maillists.create_maillist(new_alias("team@example.com", ("eve@other.com",)), no_check)
    add_values(ldap_tree, tree.domain_dn("other.com"), "domainAdmin", ["john@example.com", "eve@other.com"])

    await accounts.domains.delete_domain("example.com", admin="admin@example.net", delete_date=None)
    assert subtree(ldap_tree, tree.domain_dn("example.com")) == set()
    other = read(ldap_tree, tree.domain_dn("other.com"))
    assert other is not None and other["domainadmin"] == ["eve@other.com"]
    assert "memberofgroup" not in read(ldap_tree, tree.user_dn("eve@other.com"))  # type: ignore[operator]
    deleted = await recorded(iredadmin)
    assert sorted((m.username, m.domain, m.admin, m.delete_date) for m in deleted) == [
        ("jane@example.com", "example.com", "admin@example.net", None),
        ("john@example.com", "example.com", "admin@example.net", None),
    ]
    assert all(m.maildir.startswith("/var/vmail/vmail1/example.com/") for m in deleted)
    assert await accounts.domains.get_domain("example.com") is None
    with pytest.raises(NotFound) as caught:
        await accounts.domains.delete_domain("example.com", admin="admin@example.net", delete_date=None)
    assert caught.value.code == "NO_SUCH_DOMAIN"


async def test_delete_is_undone_when_recording_fails(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer, iredadmin: IredadminDatabase
) -> None:
    await make_domain(accounts, "example.com", default_user_quota=100)
    await make_domain(accounts, "other.com")
    await make_user(accounts, "john@example.com", name="John")
    await accounts.aliases.create_alias(new_alias("sales@example.com", ("john@example.com",)), no_check)
    add_values(ldap_tree, tree_of(ldap_tree).domain_dn("other.com"), "domainAdmin", ["john@example.com"])
    before = snapshot(ldap_tree)

    directory.iredadmin = UnreachableIredadmin(iredadmin.engine)
    with pytest.raises(GatewayError):
        await accounts.domains.delete_domain("example.com", admin="admin@example.net", delete_date=None)
    assert snapshot(ldap_tree) == before


async def test_lists_usage_and_pages(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    for name, description in (("b.com", "Bravo"), ("a.com", "Alpha"), ("c.org", "Charlie b.com fan"), ("d.net", "")):
        await make_domain(accounts, name, description=description)
    await accounts.domains.update_domain("d.net", DomainChanges(active=False), no_check)
    await make_user(accounts, "x@a.com", quota=10)
    await make_user(accounts, "y@a.com", quota=0)
    await accounts.aliases.create_alias(new_alias("z@a.com"), no_check)
    assert accounts.maillists is not None
    await accounts.maillists.create_maillist(new_alias("l@a.com"), no_check)

    assert [d.name for d in await accounts.domains.list_domains()] == ["a.com", "b.com", "c.org", "d.net"]
    assert [d.name for d in await accounts.domains.list_domains(active=False)] == ["d.net"]
    assert [d.name for d in await accounts.domains.list_domains(names=["c.org", "a.com", "zz.com"], active=True)] == [
        "a.com", "c.org",
    ]  # fmt: skip
    assert await accounts.domains.list_domains(names=[]) == []

    usage = await accounts.domains.domain_usage(["a.com", "b.com"])
    assert (usage["a.com"].users, usage["a.com"].aliases, usage["a.com"].lists) == (2, 1, 1)
    assert (usage["a.com"].allocated_quota, usage["a.com"].used_bytes) == (10, 0)
    assert usage["b.com"].users == 0
    assert await accounts.domains.domain_usage([]) == {}

    page = await accounts.listing.page_domains(None, PageQuery(first=2))
    assert [d.name for d in page.items] == ["a.com", "b.com"] and page.total == 4 and page.has_next
    page = await accounts.listing.page_domains(None, PageQuery(first=2, after="b.com"))
    assert [d.name for d in page.items] == ["c.org", "d.net"] and page.total == 4 and not page.has_next
    page = await accounts.listing.page_domains(None, PageQuery(first=10, search="B.COM"))
    assert [d.name for d in page.items] == ["b.com", "c.org"] and page.total == 2
    page = await accounts.listing.page_domains(["a.com", "d.net"], PageQuery(first=10, active=True))
    assert [d.name for d in page.items] == ["a.com"] and page.total == 1

    stats = await accounts.listing.stats(None)
    assert (stats.domains, stats.active_domains, stats.users, stats.active_users, stats.aliases) == (4, 3, 2, 2, 1)
    assert (stats.allocated_quota, stats.used_bytes, stats.used_messages) == (10, 0, 0)
    scoped = await accounts.listing.stats(["b.com", "d.net"])
    assert (scoped.domains, scoped.active_domains, scoped.users, scoped.aliases) == (2, 1, 0, 0)


async def test_escaping_in_values_and_search(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    nasty = 'Smith, Jones + "Partners" \\ <Ltd>; #1'
    await make_domain(accounts, "example.com", description=nasty)
    await make_domain(accounts, "star.com", description="*()\\ literally")
    domain = await accounts.domains.get_domain("example.com")
    assert domain is not None and domain.description == nasty
    for text, expected in (("*", ["star.com"]), ("(", ["star.com"]), (")\\", ["star.com"]), ("*)(cn=*", [])):
        page = await accounts.listing.page_domains(None, PageQuery(first=10, search=text))
        assert [d.name for d in page.items] == expected, text
    page = await accounts.listing.page_domains(None, PageQuery(first=10, search='"partners" \\ <ltd>;'))
    assert [d.name for d in page.items] == ["example.com"]
    page = await accounts.listing.page_domains(None, PageQuery(first=10, search="ünïcode"))
    assert page.total == 0


async def test_domain_created_by_the_panel_reads_back(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    """An entry as the panel writes it (counters, cn = name, installer settings) maps onto Domain."""
    tree = tree_of(ldap_tree)
    add_entry(
        ldap_tree,
        tree.domain_dn("panel.com"),
        {"objectClass": ["mailDomain"], "domainName": "panel.com", "mtaTransport": "dovecot",
         "enabledService": ["mail"], "cn": "panel.com", "accountStatus": "active",
         "accountSetting": ["minPasswordLength:8", "defaultQuota:1024"], "domainCurrentUserNumber": 0,
         "domainBackupMX": "yes"},
    )  # fmt: skip
    domain = await accounts.domains.get_domain("panel.com")
    assert domain is not None
    assert (domain.name, domain.description, domain.active, domain.transport, domain.backupmx) == (
        "panel.com", "panel.com", True, "dovecot", True,
    )  # fmt: skip
    assert (domain.min_password_length, domain.default_user_quota, domain.max_users) == (8, 1024, 0)


async def test_used_quota_is_summed_per_domain(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer, iredadmin: IredadminDatabase
) -> None:
    """Domain usage and totals add up what Dovecot counted in iRedAdmin's database."""
    for name in ("a.com", "b.com", "c.com"):
        await make_domain(accounts, name)
    for email in ("x@a.com", "y@a.com", "z@a.com", "w@b.com"):
        await make_user(accounts, email)
    for email, used, messages in (("x@a.com", 100, 1), ("y@a.com", 20, 2), ("w@b.com", 3, 4)):
        await run(
            iredadmin.engine,
            "INSERT INTO used_quota (username, bytes, messages, domain) VALUES (:u, :b, :m, :d)",
            u=email, b=used, m=messages, d=email.split("@")[1],
        )  # fmt: skip
    assert (await accounts.domains.domain_usage(["a.com"]))[
        "a.com"
    ].used_bytes == 0  # no iRedAdmin database: nothing counted
    directory.iredadmin = iredadmin
    usage = await accounts.domains.domain_usage(["a.com", "b.com", "c.com"])
    assert [(usage[name].used_bytes, usage[name].used_messages) for name in ("a.com", "b.com", "c.com")] == [
        (120, 3),
        (3, 4),
        (0, 0),
    ]
    assert usage["a.com"].users == 3
    total = await accounts.listing.stats(None)
    assert (total.used_bytes, total.used_messages) == (123, 7)
    scoped = await accounts.listing.stats(["b.com", "c.com"])
    assert (scoped.used_bytes, scoped.used_messages) == (3, 4)
    assert await accounts.listing.used_quota(["x@a.com", "z@a.com"]) == {
        "x@a.com": UsedQuota(100, 1),
        "z@a.com": UsedQuota(),
    }


async def test_panel_counters_follow_the_accounts(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    domain_dn = tree_of(ldap_tree).domain_dn("example.com")

    def counters() -> tuple[list[str], ...]:
        entry = read(ldap_tree, domain_dn)
        assert entry is not None
        names = ("domaincurrentusernumber", "domaincurrentaliasnumber", "domaincurrentlistnumber")
        return (*(entry.get(name, []) for name in names), entry.get("domaincurrentquotasize", []))

    assert counters() == ([], [], [], [])
    await make_user(accounts, "john@example.com", quota=100)
    await make_user(accounts, "jane@example.com", quota=50)
    await accounts.aliases.create_alias(new_alias("team@example.com", ("john@example.com",)), no_check)
    assert accounts.maillists is not None
    await accounts.maillists.create_maillist(new_alias("list@example.com", ("jane@example.com",)), no_check)
    assert counters() == (["2"], ["1"], ["1"], [str(150 * 1048576)])

    await accounts.users.update_user("jane@example.com", "example.com", UserChanges(quota=200), no_check)
    assert counters() == (["2"], ["1"], ["1"], [str(300 * 1048576)])
    await accounts.users.update_domain_users("example.com", UserChanges(quota=10))
    assert counters() == (["2"], ["1"], ["1"], [str(20 * 1048576)])

    await accounts.users.delete_user("john@example.com", admin="postmaster@example.com", delete_date=None)
    await accounts.aliases.delete_alias("team@example.com")
    await accounts.maillists.delete_maillist("list@example.com")
    assert counters() == (["1"], ["0"], ["0"], [str(10 * 1048576)])


async def test_a_create_refused_after_its_write_leaves_the_counters(
    accounts: AccountStores, ldap_tree: LdapServer
) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com", quota=100)
    before = snapshot(ldap_tree)
    calls: list[object] = []

    def refuse_the_second_look(*args: object) -> None:
        calls.append(args)
        if len(calls) == 2:  # the check after the entry was added
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    with pytest.raises(Conflict):
        await accounts.users.create_user(new_user("jane@example.com"), refuse_the_second_look)
    assert len(calls) == 2
    assert snapshot(ldap_tree) == before
