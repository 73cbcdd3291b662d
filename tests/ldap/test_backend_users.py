"""The LDAP account ports: mail users, as entries and as the mail stack sees them."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

import ldap3  # type: ignore[import-untyped]
import pytest

from gateway.backends.base import AccountStores, DeletedMailbox
from gateway.backends.ldap import DirectoryStore
from gateway.backends.ldap.mapping import USER_SERVICES
from gateway.backends.sql.iredadmin import IredadminDatabase
from gateway.errors import Conflict, ErrorCode, GatewayError, NotFound
from gateway.model import DomainChanges, PageQuery, UserChanges
from gateway.passwords import hash_password
from tests.ldap.backend_support import (
    PASSWORD,
    UnreachableIredadmin,
    accounts_fixture,  # noqa: F401
    add_entry,
    add_values,
    directory_fixture,  # noqa: F401
    iredadmin_fixture,  # noqa: F401
    make_domain,
    make_user,
    modify,
    new_alias,
    new_user,
    no_check,
    read,
    recorded,
    recording,
    snapshot,
    stack_fixture,  # noqa: F401
    tree_of,
)
from tests.ldap_mailstack import LdapMailStack
from tests.ldap_server import LdapServer

HOME = "/var/vmail/vmail1/example.com/j/o/h/john-2025.03.01.08.15.42/"


async def test_create_writes_the_panels_entry(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    user = new_user("john@example.com", name="John Doe", quota=1024, employee_id="E-7", transport="smtp:[relay]")
    await accounts.users.create_user(user, no_check)
    entry = read(ldap_tree, tree_of(ldap_tree).user_dn("john@example.com"))
    assert entry == {
        "objectclass": sorted(["inetOrgPerson", "mailUser", "shadowAccount", "amavisAccount"]),
        "mail": ["john@example.com"],
        "uid": ["john"],
        "sn": ["john"],
        "cn": ["John Doe"],
        "userpassword": [user.password_hash],
        "homedirectory": [HOME],
        "mailboxformat": ["maildir"],
        "mailboxfolder": ["Maildir"],
        "mailquota": [str(1024 * 1048576)],
        "accountstatus": ["active"],
        "preferredlanguage": ["en_US"],
        "shadowlastchange": [str(int(time.time() // 86400))],
        "amavislocal": ["TRUE"],
        "enabledservice": sorted(USER_SERVICES),
        "employeenumber": ["E-7"],
        "mtatransport": ["smtp:[relay]"],
    }


async def test_create_defaults(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await accounts.domains.update_domain("example.com", DomainChanges(active=False), no_check)
    await accounts.users.create_user(new_user("ab@example.com", quota=0, disabled_services=("pop3", "imap")), no_check)
    entry = read(ldap_tree, tree_of(ldap_tree).user_dn("ab@example.com"))
    assert entry is not None
    assert entry["cn"] == ["ab"]
    assert "mailquota" not in entry and "employeenumber" not in entry and "mtatransport" not in entry
    assert entry["domainstatus"] == ["disabled"]
    assert "pop3" not in entry["enabledservice"] and "imap" not in entry["enabledservice"]
    assert "imapsecured" in entry["enabledservice"]
    assert entry["homedirectory"] == ["/var/vmail/vmail1/example.com/a/b/_/ab-2025.03.01.08.15.42/"]


async def test_get_user_maps_the_entry(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com", name="John", quota=512, employee_id="7")
    user = await accounts.users.get_user("john@example.com")
    assert user is not None
    assert (user.email, user.domain, user.name, user.language, user.quota, user.transport) == (
        "john@example.com", "example.com", "John", "en_US", 512, "",
    )  # fmt: skip
    assert (user.active, user.is_admin, user.is_global_admin, user.employee_id, user.maildir) == (
        True, False, False, "7", HOME,
    )  # fmt: skip
    assert user.forwardings == ("john@example.com",)
    assert user.created is not None and user.password_last_change is not None
    assert user.password_last_change.date() == date.fromtimestamp(time.time() // 86400 * 86400)
    assert await accounts.users.get_user("nobody@example.com") is None
    assert await accounts.users.get_user("john@other.com") is None

    dn = tree_of(ldap_tree).user_dn("john@example.com")
    add_values(ldap_tree, dn, "mailForwardingAddress", ["boss@else.org", "john@example.com"])
    add_values(ldap_tree, tree_of(ldap_tree).domain_dn("example.com"), "domainAdmin", ["john@example.com"])
    user = await accounts.users.get_user("john@example.com")
    assert user is not None and user.forwardings == ("boss@else.org", "john@example.com") and user.is_admin
    add_values(ldap_tree, dn, "domainGlobalAdmin", ["yes"])
    user = await accounts.users.get_user("john@example.com")
    assert user is not None and user.is_global_admin


async def test_create_refuses_taken_addresses_and_unknown_domains(
    accounts: AccountStores, ldap_tree: LdapServer
) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    await accounts.aliases.create_alias(new_alias("sales@example.com"), no_check)
    add_values(ldap_tree, tree_of(ldap_tree).user_dn("john@example.com"), "shadowAddress", ["j@example.com"])
    add_entry(
        ldap_tree,
        tree_of(ldap_tree).admin_dn("admin@example.com"),
        {"objectClass": ["mailAdmin"], "mail": "admin@example.com", "accountStatus": "active"},
    )
    for taken in ("john@example.com", "sales@example.com", "j@example.com", "admin@example.com"):
        with pytest.raises(Conflict) as caught:
            await make_user(accounts, taken)
        assert caught.value.code == "ALREADY_EXISTS"
    with pytest.raises(NotFound) as missing:
        await make_user(accounts, "john@other.com")
    assert missing.value.code == "NO_SUCH_DOMAIN"


async def test_create_checks_limits_before_and_after_writing(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com", max_users=3)
    await make_user(accounts, "a@example.com", quota=100)
    calls, check = recording()
    await accounts.users.create_user(new_user("b@example.com", quota=50), check)
    assert [(usage.users, usage.allocated_quota, current) for _, usage, current in calls] == [
        (1, 100, None), (1, 100, None),
    ]  # fmt: skip
    assert calls[0][0].max_users == 3

    def full(domain: Any, usage: Any, current: Any) -> None:
        raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    before = snapshot(ldap_tree)
    with pytest.raises(Conflict):
        await accounts.users.create_user(new_user("c@example.com"), full)
    assert snapshot(ldap_tree) == before

    # a concurrent writer got in between the first check and the write: the second check undoes it
    seen = 0

    def second_fails(domain: Any, usage: Any, current: Any) -> None:
        nonlocal seen
        seen += 1
        if seen == 2:
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    with pytest.raises(Conflict) as caught:
        await accounts.users.create_user(new_user("c@example.com"), second_fails)
    assert caught.value.code == "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"
    assert snapshot(ldap_tree) == before


async def test_update_user(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com", name="John", employee_id="1")
    dn = tree_of(ldap_tree).user_dn("john@example.com")
    modify(ldap_tree, dn, {"shadowLastChange": [(ldap3.MODIFY_REPLACE, ["100"])]})
    calls, check = recording()
    new_hash = hash_password("Other-pass-2", "SSHA512")
    await accounts.users.update_user(
        "john@example.com",
        "example.com",
        UserChanges(name="Johnny", language="de_DE", quota=0, transport="relay:x", active=False, employee_id="",
                    password_hash=new_hash),
        check,
    )  # fmt: skip
    entry = read(ldap_tree, dn)
    assert entry is not None
    assert (entry["cn"], entry["preferredlanguage"], entry["mtatransport"], entry["accountstatus"]) == (
        ["Johnny"], ["de_DE"], ["relay:x"], ["disabled"],
    )  # fmt: skip
    assert "mailquota" not in entry and "employeenumber" not in entry
    assert entry["userpassword"] == [new_hash]
    assert entry["shadowlastchange"] == [str(int(time.time() // 86400))]
    ((_, _, current),) = calls
    assert current is not None and current.name == "John" and current.quota == 1024

    await accounts.users.update_user(
        "john@example.com", "example.com", UserChanges(name="", quota=5, transport=""), check
    )
    entry = read(ldap_tree, dn)
    assert entry is not None and entry["cn"] == ["john"] and entry["mailquota"] == [str(5 * 1048576)]
    assert "mtatransport" not in entry

    with pytest.raises(NotFound) as caught:
        await accounts.users.update_user("nobody@example.com", "example.com", UserChanges(name="x"), no_check)
    assert caught.value.code == "NO_SUCH_ACCOUNT"
    with pytest.raises(NotFound) as caught:
        await accounts.users.update_user("john@example.com", "other.com", UserChanges(name="x"), no_check)
    assert caught.value.code == "NO_SUCH_DOMAIN"


async def test_bulk_updates_and_passwords(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    for email in ("a@example.com", "b@example.com", "c@other.com"):
        await make_user(accounts, email)
    assert await accounts.users.update_domain_users("example.com", UserChanges(active=False, language="fr_FR")) == 2
    for email in ("a@example.com", "b@example.com"):
        entry = read(ldap_tree, tree.user_dn(email))
        assert entry is not None and entry["accountstatus"] == ["disabled"] and entry["preferredlanguage"] == ["fr_FR"]
    assert read(ldap_tree, tree.user_dn("c@other.com"))["accountstatus"] == ["active"]  # type: ignore[index]
    assert await accounts.users.update_domain_users("example.com", UserChanges()) == 0
    with pytest.raises(NotFound):
        await accounts.users.update_domain_users("none.com", UserChanges(active=True))

    hashes = {"a@example.com": "{PLAIN}one", "b@example.com": "{PLAIN}two", "gone@example.com": "{PLAIN}x"}
    await accounts.users.set_passwords("example.com", hashes)
    assert read(ldap_tree, tree.user_dn("a@example.com"))["userpassword"] == ["{PLAIN}one"]  # type: ignore[index]
    assert read(ldap_tree, tree.user_dn("b@example.com"))["userpassword"] == ["{PLAIN}two"]  # type: ignore[index]
    with pytest.raises(NotFound):
        await accounts.users.set_passwords("none.com", {})
    assert await accounts.users.user_emails("example.com") == ["a@example.com", "b@example.com"]
    assert await accounts.users.user_emails("none.com") == []


async def test_bulk_update_is_undone_on_failure(
    accounts: AccountStores, ldap_tree: LdapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.backends.ldap.connection import Directory

    await make_domain(accounts, "example.com")
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        await make_user(accounts, email)
    before = snapshot(ldap_tree)
    original, calls = Directory.modify, []

    def failing(self: Directory, dn: str, changes: Any) -> None:
        calls.append(dn)
        if len(calls) == 3:
            raise GatewayError(detail="injected")
        original(self, dn, changes)

    monkeypatch.setattr(Directory, "modify", failing)
    with pytest.raises(GatewayError):
        await accounts.users.set_passwords(
            "example.com", {e: "{PLAIN}new" for e in ("a@example.com", "b@example.com", "c@example.com")}
        )
    monkeypatch.setattr(Directory, "modify", original)
    assert snapshot(ldap_tree) == before


async def test_delete_user(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer, iredadmin: IredadminDatabase
) -> None:
    tree = tree_of(ldap_tree)
    directory.iredadmin = iredadmin
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@other.com")
    await accounts.aliases.create_alias(
        new_alias("sales@example.com", ("john@example.com", "jane@other.com")), no_check
    )
    assert accounts.maillists is not None
    await accounts.maillists.create_maillist(new_alias("team@example.com", ("john@example.com",)), no_check)
    for domain in ("example.com", "other.com"):
        add_values(ldap_tree, tree.domain_dn(domain), "domainAdmin", ["JOHN@example.com", "jane@other.com"])
    add_values(ldap_tree, tree.user_dn("jane@other.com"), "mailForwardingAddress", ["john@example.com"])

    await accounts.users.delete_user("john@example.com", admin="jane@other.com", delete_date=date(2030, 1, 1))
    assert read(ldap_tree, tree.user_dn("john@example.com")) is None
    for domain in ("example.com", "other.com"):
        assert read(ldap_tree, tree.domain_dn(domain))["domainadmin"] == ["jane@other.com"]  # type: ignore[index]
    assert read(ldap_tree, tree.alias_dn("sales@example.com"))["mailforwardingaddress"] == ["jane@other.com"]  # type: ignore[index]
    assert "mailforwardingaddress" not in read(ldap_tree, tree.user_dn("jane@other.com"))  # type: ignore[operator]
    assert await recorded(iredadmin) == [
        DeletedMailbox("john@example.com", "example.com", HOME, "jane@other.com", date(2030, 1, 1))
    ]
    list_ = await accounts.maillists.get_maillist("team@example.com")
    assert list_ is not None and list_.members == ()
    with pytest.raises(NotFound) as caught:
        await accounts.users.delete_user("john@example.com", admin="x@y.com", delete_date=None)
    assert caught.value.code == "NO_SUCH_ACCOUNT"


async def test_delete_is_undone_when_recording_fails(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer, iredadmin: IredadminDatabase
) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    await accounts.aliases.create_alias(new_alias("sales@example.com", ("john@example.com",)), no_check)
    add_values(ldap_tree, tree.domain_dn("example.com"), "domainAdmin", ["john@example.com"])
    before = snapshot(ldap_tree)

    directory.iredadmin = UnreachableIredadmin(iredadmin.engine)
    with pytest.raises(GatewayError):
        await accounts.users.delete_user("john@example.com", admin="x@y.com", delete_date=None)
    assert snapshot(ldap_tree) == before


async def test_a_recreated_user_avoids_maildirs_awaiting_removal(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer, iredadmin: IredadminDatabase
) -> None:
    directory.iredadmin = iredadmin
    await make_domain(accounts, "example.com")
    for _ in range(3):
        await make_user(accounts, "john@example.com")  # the same maildir path each time
        await accounts.users.delete_user("john@example.com", admin="x@y.com", delete_date=None)
    await make_user(accounts, "jane@example.com")
    assert [mailbox.maildir for mailbox in await recorded(iredadmin)] == [HOME, HOME[:-1] + "-2/", HOME[:-1] + "-3/"]
    jane = read(ldap_tree, tree_of(ldap_tree).user_dn("jane@example.com"))
    assert jane is not None and jane["homedirectory"] == [HOME.replace("j/o/h/john", "j/a/n/jane")]


async def test_concurrent_creates_in_one_domain_take_turns(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")

    def at_most_three(domain: Any, usage: Any, current: Any) -> None:
        if usage.users >= 3:
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    results = await asyncio.gather(
        *(accounts.users.create_user(new_user(f"u{i}@example.com"), at_most_three) for i in range(10)),
        return_exceptions=True,
    )
    assert sum(result is None for result in results) == 3, results
    assert all(isinstance(result, Conflict) for result in results if result is not None), results
    assert len(await accounts.users.list_users("example.com")) == 3


async def test_lists_pages_and_batches(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    for email, name in (("carol@example.com", "Carol"), ("alice@example.com", "Alice Smith"),
                        ("bob@example.com", "Bob"), ("dave@other.com", "Dave Smith")):  # fmt: skip
        await make_user(accounts, email, name=name)
    await accounts.users.update_user("bob@example.com", "example.com", UserChanges(active=False), no_check)
    add_entry(
        ldap_tree,
        f"mail=@example.com,{tree_of(ldap_tree).container_dn('example.com', 'Users')}",
        {"objectClass": ["inetOrgPerson", "mailUser"], "mail": "@example.com", "cn": "catch-all", "sn": "c",
         "uid": "catch-all", "accountStatus": "active"},
    )  # fmt: skip

    assert [u.email for u in await accounts.users.list_users("example.com")] == [
        "alice@example.com", "bob@example.com", "carol@example.com",
    ]  # fmt: skip
    assert [u.email for u in await accounts.users.list_users("example.com", active=False)] == ["bob@example.com"]
    assert await accounts.users.list_users("none.com") == []

    pages = await accounts.listing.page_users(["example.com", "other.com", "none.com"], PageQuery(first=2))
    assert [u.email for u in pages["example.com"].items] == ["alice@example.com", "bob@example.com"]
    assert (pages["example.com"].total, pages["example.com"].has_next) == (3, True)
    assert [u.email for u in pages["other.com"].items] == ["dave@other.com"]
    assert (pages["none.com"].total, pages["none.com"].items) == (0, ())
    pages = await accounts.listing.page_users(["example.com"], PageQuery(first=2, after="bob@example.com"))
    assert [u.email for u in pages["example.com"].items] == ["carol@example.com"] and not pages["example.com"].has_next
    pages = await accounts.listing.page_users(
        ["example.com", "other.com"], PageQuery(first=5, search="smith", active=True)
    )
    assert [u.email for u in pages["example.com"].items] == ["alice@example.com"]
    assert [u.email for u in pages["other.com"].items] == ["dave@other.com"]
    pages = await accounts.listing.page_users(["example.com"], PageQuery(first=5, search="*"))
    assert pages["example.com"].total == 0
    assert await accounts.listing.page_users([], PageQuery(first=5)) == {}

    found = await accounts.listing.users_by_email(["alice@example.com", "dave@other.com", "nobody@example.com"])
    assert sorted(found) == ["alice@example.com", "dave@other.com"] and found["dave@other.com"].name == "Dave Smith"
    assert await accounts.listing.users_by_email([]) == {}
    used = await accounts.listing.used_quota(["alice@example.com"])
    assert (used["alice@example.com"].bytes, used["alice@example.com"].messages) == (0, 0)


# The mail stack


@pytest.mark.mailstack
async def test_created_user_works_in_the_mail_stack(
    accounts: AccountStores, ldap_tree: LdapServer, stack: LdapMailStack
) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com", name="John", quota=2048)
    assert stack.authenticate("john@example.com", PASSWORD)
    assert stack.authenticate("john@example.com", PASSWORD, "pop3", secured=True)
    assert not stack.authenticate("john@example.com", "wrong")
    assert stack.postmap("virtual_mailbox_domains", "example.com") == "example.com"
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") == HOME
    assert stack.postmap("sender_login_maps", "john@example.com") == "john@example.com"
    assert stack.alias_targets("john@example.com") == {"john@example.com"}
    assert stack.transport("john@example.com") == "dovecot"
    fields = stack.userdb("john@example.com")
    assert fields is not None
    assert fields["home"] == HOME and fields["quota_rule"] == f"*:bytes={2048 * 1048576}"

    await accounts.users.update_user(
        "john@example.com",
        "example.com",
        UserChanges(password_hash=hash_password("Changed-pass-3", "SSHA512")),
        no_check,
    )
    assert not stack.authenticate("john@example.com", PASSWORD)
    assert stack.authenticate("john@example.com", "Changed-pass-3")


@pytest.mark.mailstack
async def test_disabled_users_and_domains_stop_working(
    accounts: AccountStores, ldap_tree: LdapServer, stack: LdapMailStack
) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@example.com")
    await accounts.users.update_user("john@example.com", "example.com", UserChanges(active=False), no_check)
    assert not stack.authenticate("john@example.com", PASSWORD)
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") is None
    assert stack.authenticate("jane@example.com", PASSWORD)

    await accounts.domains.update_domain("example.com", DomainChanges(active=False), no_check)
    assert not stack.authenticate("jane@example.com", PASSWORD)
    assert stack.postmap("virtual_mailbox_maps", "jane@example.com") is None
    assert stack.postmap("virtual_mailbox_domains", "example.com") is None

    await accounts.domains.update_domain("example.com", DomainChanges(active=True), no_check)
    assert stack.authenticate("jane@example.com", PASSWORD)
    assert not stack.authenticate("john@example.com", PASSWORD)
    await accounts.users.delete_user("jane@example.com", admin="x@y.com", delete_date=None)
    assert not stack.authenticate("jane@example.com", PASSWORD)
    assert stack.postmap("virtual_mailbox_maps", "jane@example.com") is None
