"""The LDAP account ports: mail aliases (mailAlias entries; members are mailForwardingAddress values)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gateway.backends.base import AccountStores
from gateway.errors import Conflict, ErrorCode, NotFound
from gateway.model import Alias, DomainChanges, PageQuery
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
    tree_of,
)
from tests.ldap_mailstack import LdapMailStack
from tests.ldap_server import LdapServer


async def test_create_writes_the_alias_entry(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    alias = new_alias("sales@example.com", ("john@example.com", "boss+sales@other.org"), name="Sales", policy="domain")
    await accounts.aliases.create_alias(alias, no_check)
    assert read(ldap_tree, tree_of(ldap_tree).alias_dn("sales@example.com")) == {
        "objectclass": ["mailAlias"],
        "mail": ["sales@example.com"],
        "cn": ["Sales"],
        "accountstatus": ["active"],
        "enabledservice": ["deliver", "mail"],
        "mailforwardingaddress": ["boss+sales@other.org", "john@example.com"],
        "accesspolicy": ["domain"],
    }
    found = await accounts.aliases.get_alias("sales@example.com")
    assert found is not None
    assert replace(found, created=None) == replace(
        alias, members=("boss+sales@other.org", "john@example.com"), created=None
    )
    assert found.created is not None
    assert await accounts.aliases.get_alias("john@example.com") is None


async def test_create_without_members_or_name(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await accounts.domains.update_domain("example.com", DomainChanges(active=False), no_check)
    await accounts.aliases.create_alias(new_alias("empty@example.com"), no_check)
    entry = read(ldap_tree, tree_of(ldap_tree).alias_dn("empty@example.com"))
    assert entry is not None
    assert "cn" not in entry and "mailforwardingaddress" not in entry
    assert entry["domainstatus"] == ["disabled"]
    found = await accounts.aliases.get_alias("empty@example.com")
    assert found is not None and (found.name, found.members, found.access_policy) == ("", (), "public")


async def test_create_conflicts_limits_and_missing_domain(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com", max_aliases=1)
    await make_user(accounts, "john@example.com")
    await accounts.aliases.create_alias(new_alias("sales@example.com"), no_check)
    for taken in ("john@example.com", "sales@example.com"):
        with pytest.raises(Conflict) as caught:
            await accounts.aliases.create_alias(new_alias(taken), no_check)
        assert caught.value.code == "ALREADY_EXISTS"
    with pytest.raises(NotFound) as missing:
        await accounts.aliases.create_alias(new_alias("x@other.com"), no_check)
    assert missing.value.code == "NO_SUCH_DOMAIN"

    seen: list[tuple[int, int]] = []

    def limit(domain: Any, usage: Any) -> None:
        seen.append((domain.max_aliases, usage.aliases))
        if domain.max_aliases == -1 or 0 < domain.max_aliases <= usage.aliases:
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    before = snapshot(ldap_tree)
    with pytest.raises(Conflict) as caught:
        await accounts.aliases.create_alias(new_alias("more@example.com"), limit)
    assert caught.value.code == "EXCEEDED_DOMAIN_ACCOUNT_LIMIT" and seen == [(1, 1)]
    assert snapshot(ldap_tree) == before

    calls = 0

    def second_fails(domain: Any, usage: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Conflict(ErrorCode.EXCEEDED_DOMAIN_ACCOUNT_LIMIT)

    with pytest.raises(Conflict):
        await accounts.aliases.create_alias(new_alias("more@example.com", ("a@b.org",)), second_fails)
    assert snapshot(ldap_tree) == before


async def test_update_alias(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await accounts.aliases.create_alias(
        new_alias("sales@example.com", ("a@example.com", "b@example.com"), name="Sales"), no_check
    )
    seen: list[Alias] = []

    def apply(current: Alias) -> Alias:
        seen.append(current)
        return replace(
            current, name="", access_policy="membersonly", active=False, members=("b@example.com", "c@x.org")
        )

    await accounts.aliases.update_alias("sales@example.com", apply)
    assert seen[0].members == ("a@example.com", "b@example.com")
    entry = read(ldap_tree, tree_of(ldap_tree).alias_dn("sales@example.com"))
    assert entry is not None
    assert "cn" not in entry
    assert (entry["accesspolicy"], entry["accountstatus"]) == (["membersonly"], ["disabled"])
    assert entry["mailforwardingaddress"] == ["b@example.com", "c@x.org"]

    await accounts.aliases.update_alias("sales@example.com", lambda current: replace(current, members=()))
    entry = read(ldap_tree, tree_of(ldap_tree).alias_dn("sales@example.com"))
    assert entry is not None and "mailforwardingaddress" not in entry
    with pytest.raises(NotFound) as caught:
        await accounts.aliases.update_alias("none@example.com", lambda current: current)
    assert caught.value.code == "NO_SUCH_ACCOUNT"


async def test_delete_alias(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await accounts.aliases.create_alias(new_alias("sales@example.com", ("a@example.com",)), no_check)
    await accounts.aliases.delete_alias("sales@example.com")
    assert read(ldap_tree, tree_of(ldap_tree).alias_dn("sales@example.com")) is None
    with pytest.raises(NotFound):
        await accounts.aliases.delete_alias("sales@example.com")


async def test_lists_pages_and_memberships(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    await accounts.aliases.create_alias(
        new_alias("sales@example.com", ("john@example.com", "jane@other.com")), no_check
    )
    await accounts.aliases.create_alias(new_alias("all@example.com", ("john@example.com",), name="Everyone"), no_check)
    await accounts.aliases.create_alias(new_alias("info@other.com", ("JANE@other.com",)), no_check)
    await accounts.aliases.update_alias("all@example.com", lambda current: replace(current, active=False))

    assert [a.address for a in await accounts.aliases.list_aliases("example.com")] == [
        "all@example.com",
        "sales@example.com",
    ]
    assert [a.address for a in await accounts.aliases.list_aliases("example.com", active=True)] == ["sales@example.com"]
    assert await accounts.aliases.list_aliases("none.com") == []

    pages = await accounts.listing.page_aliases(["example.com", "other.com"], PageQuery(first=1))
    assert [a.address for a in pages["example.com"].items] == ["all@example.com"]
    assert (pages["example.com"].total, pages["example.com"].has_next) == (2, True)
    assert [a.members for a in pages["other.com"].items] == [("jane@other.com",)]
    pages = await accounts.listing.page_aliases(["example.com"], PageQuery(first=5, after="all@example.com"))
    assert [a.address for a in pages["example.com"].items] == ["sales@example.com"]
    pages = await accounts.listing.page_aliases(["example.com"], PageQuery(first=5, search="everyone"))
    assert [a.address for a in pages["example.com"].items] == ["all@example.com"]

    memberships = await accounts.listing.alias_memberships(["john@example.com", "jane@other.com", "nobody@x.org"])
    assert memberships == {
        "jane@other.com": ("info@other.com", "sales@example.com"),
        "john@example.com": ("all@example.com", "sales@example.com"),
    }
    assert await accounts.listing.alias_memberships([]) == {}


@pytest.mark.mailstack
async def test_alias_resolves_to_its_members(
    accounts: AccountStores, ldap_tree: LdapServer, stack: LdapMailStack
) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "john@example.com")
    await accounts.aliases.create_alias(
        new_alias("sales@example.com", ("john@example.com", "boss@other.org")), no_check
    )
    assert stack.alias_targets("sales@example.com") == {"john@example.com", "boss@other.org"}
    await accounts.aliases.update_alias("sales@example.com", lambda current: replace(current, active=False))
    assert stack.alias_targets("sales@example.com") == set()
    await accounts.aliases.update_alias(
        "sales@example.com", lambda current: replace(current, active=True, members=("x@y.org",))
    )
    assert stack.alias_targets("sales@example.com") == {"x@y.org"}
    await accounts.aliases.delete_alias("sales@example.com")
    assert stack.alias_targets("sales@example.com") == set()
