"""The LDAP mailing list port: mailList entries; members carry memberOfGroup, outsiders are mailExternalUser."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gateway.backends.base import AccountStores, MaillistStore
from gateway.backends.ldap.connection import Directory
from gateway.errors import Conflict, ErrorCode, GatewayError, NotFound
from gateway.model import DomainChanges, UserChanges
from tests.ldap.backend_support import (
    accounts_fixture,  # noqa: F401
    directory_fixture,  # noqa: F401
    make_domain,
    make_user,
    new_alias,
    no_check,
    read,
    snapshot,
    stack_fixture,  # noqa: F401
    subtree,
    tree_of,
)
from tests.ldap_mailstack import LdapMailStack
from tests.ldap_server import LdapServer

# a member address that needs escaping in a DN: leading '#', '+' and '='
ODD = "#ops+team=x/y@other.org"


def lists(accounts: AccountStores) -> MaillistStore:
    assert accounts.maillists is not None
    return accounts.maillists


async def test_create_writes_the_list_and_memberships(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@other.com")
    await accounts.aliases.create_alias(new_alias("sales@example.com"), no_check)
    members = ("john@example.com", "jane@other.com", "sales@example.com", "friend@else.org", ODD)
    await lists(accounts).create_maillist(
        new_alias("team@example.com", members, name="Team", policy="membersonly"), no_check
    )

    assert read(ldap_tree, tree.list_dn("team@example.com")) == {
        "objectclass": ["mailList"],
        "mail": ["team@example.com"],
        "cn": ["Team"],
        "accountstatus": ["active"],
        "enabledservice": ["deliver", "mail"],
        "accesspolicy": ["membersonly"],
    }
    for dn in (tree.user_dn("john@example.com"), tree.user_dn("jane@other.com"), tree.alias_dn("sales@example.com")):
        assert read(ldap_tree, dn)["memberofgroup"] == ["team@example.com"], dn  # type: ignore[index]
    assert read(ldap_tree, tree.external_dn("team@example.com", "friend@else.org")) == {
        "objectclass": ["mailExternalUser"],
        "mail": ["friend@else.org"],
        "memberofgroup": ["team@example.com"],
        "accountstatus": ["active"],
        "enabledservice": ["deliver", "mail"],
    }
    odd = read(ldap_tree, tree.external_dn("team@example.com", ODD))
    assert odd is not None and odd["mail"] == [ODD]
    assert len(subtree(ldap_tree, tree.container_dn("example.com", "Externals"))) == 3

    found = await lists(accounts).get_maillist("team@example.com")
    assert found is not None
    assert (found.name, found.access_policy, found.active) == ("Team", "membersonly", True)
    assert found.members == tuple(sorted(members))
    assert await lists(accounts).get_maillist("sales@example.com") is None


async def test_create_conflicts_limits_and_undo(
    accounts: AccountStores, ldap_tree: LdapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_domain(accounts, "example.com", max_lists=1)
    await make_user(accounts, "john@example.com")
    await lists(accounts).create_maillist(new_alias("team@example.com"), no_check)
    with pytest.raises(Conflict):
        await lists(accounts).create_maillist(new_alias("john@example.com"), no_check)
    with pytest.raises(NotFound) as missing:
        await lists(accounts).create_maillist(new_alias("team@other.com"), no_check)
    assert missing.value.code == "NO_SUCH_DOMAIN"

    def limit(domain: Any, usage: Any) -> None:
        if 0 < domain.max_lists <= usage.lists:
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    before = snapshot(ldap_tree)
    with pytest.raises(Conflict):
        await lists(accounts).create_maillist(new_alias("more@example.com"), limit)
    assert snapshot(ldap_tree) == before

    # the third member fails: the list, the first membership and the external entry go again
    original, calls = Directory.add, []

    def failing(self: Directory, dn: str, attributes: Any) -> None:
        calls.append(dn)
        if len(calls) == 3:
            raise GatewayError(detail="injected")
        original(self, dn, attributes)

    monkeypatch.setattr(Directory, "add", failing)
    with pytest.raises(GatewayError):
        await lists(accounts).create_maillist(
            new_alias("big@example.com", ("john@example.com", "a@else.org", "b@else.org")), no_check
        )
    monkeypatch.setattr(Directory, "add", original)
    assert snapshot(ldap_tree) == before


async def test_update_members(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@example.com")
    store = lists(accounts)
    await store.create_maillist(new_alias("team@example.com", ("john@example.com", "friend@else.org", ODD)), no_check)
    await store.create_maillist(new_alias("news@example.com", ("friend@else.org",)), no_check)

    await store.update_maillist(
        "team@example.com",
        lambda current: replace(current, name="The Team", active=False, members=("jane@example.com", "new@else.org")),
    )
    found = await store.get_maillist("team@example.com")
    assert found is not None
    assert (found.name, found.active, found.members) == ("The Team", False, ("jane@example.com", "new@else.org"))
    assert "memberofgroup" not in read(ldap_tree, tree.user_dn("john@example.com"))  # type: ignore[operator]
    assert read(ldap_tree, tree.user_dn("jane@example.com"))["memberofgroup"] == ["team@example.com"]  # type: ignore[index]
    # an outsider still in another list keeps its entry; one in no list loses it
    assert read(ldap_tree, tree.external_dn("team@example.com", "friend@else.org"))["memberofgroup"] == [  # type: ignore[index]
        "news@example.com"
    ]
    assert read(ldap_tree, tree.external_dn("team@example.com", ODD)) is None

    # an outsider joining a second list shares the entry
    await store.update_maillist(
        "news@example.com", lambda current: replace(current, members=(*current.members, "new@else.org"))
    )
    assert read(ldap_tree, tree.external_dn("news@example.com", "new@else.org"))["memberofgroup"] == [  # type: ignore[index]
        "news@example.com", "team@example.com",
    ]  # fmt: skip
    with pytest.raises(NotFound):
        await store.update_maillist("none@example.com", lambda current: current)


async def test_delete_list(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    store = lists(accounts)
    await store.create_maillist(new_alias("team@example.com", ("john@example.com", "friend@else.org")), no_check)
    await store.create_maillist(new_alias("news@example.com", ("john@example.com",)), no_check)
    await store.delete_maillist("team@example.com")
    assert read(ldap_tree, tree.list_dn("team@example.com")) is None
    assert read(ldap_tree, tree.user_dn("john@example.com"))["memberofgroup"] == ["news@example.com"]  # type: ignore[index]
    assert read(ldap_tree, tree.external_dn("team@example.com", "friend@else.org")) is None
    assert await store.get_maillist("team@example.com") is None
    with pytest.raises(NotFound) as caught:
        await store.delete_maillist("team@example.com")
    assert caught.value.code == "NO_SUCH_ACCOUNT"


async def test_lists_are_counted(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await lists(accounts).create_maillist(new_alias("team@example.com", ("x@else.org",)), no_check)
    await lists(accounts).create_maillist(new_alias("news@example.com"), no_check)
    usage = (await accounts.domains.domain_usage(["example.com"]))["example.com"]
    assert (usage.lists, usage.users, usage.aliases) == (2, 0, 0)
    await accounts.domains.update_domain("example.com", DomainChanges(active=False), no_check)
    tree = tree_of(ldap_tree)
    assert read(ldap_tree, tree.list_dn("news@example.com"))["domainstatus"] == ["disabled"]  # type: ignore[index]
    assert read(ldap_tree, tree.external_dn("team@example.com", "x@else.org"))["domainstatus"] == [  # type: ignore[index]
        "disabled"
    ]


@pytest.mark.mailstack
async def test_list_resolves_to_its_members(
    accounts: AccountStores, ldap_tree: LdapServer, stack: LdapMailStack
) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    await make_user(accounts, "jane@example.com")
    store = lists(accounts)
    await store.create_maillist(
        new_alias("team@example.com", ("john@example.com", "jane@example.com", "friend@else.org")), no_check
    )
    assert stack.alias_targets("team@example.com") == {"john@example.com", "jane@example.com", "friend@else.org"}
    await store.update_maillist("team@example.com", lambda current: replace(current, members=("jane@example.com",)))
    assert stack.alias_targets("team@example.com") == {"jane@example.com"}
    await accounts.users.update_user("jane@example.com", "example.com", UserChanges(active=False), no_check)
    assert stack.alias_targets("team@example.com") == set()
