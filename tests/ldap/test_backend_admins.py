"""The LDAP account ports: who may administer (standalone mailAdmin entries and mail users) and their rights."""

from __future__ import annotations

import ldap3  # type: ignore[import-untyped]

from gateway.backends.base import AccountStores
from gateway.model import Actor, UserChanges
from gateway.passwords import hash_password, verify_password
from tests.ldap.backend_support import (
    PASSWORD,
    accounts_fixture,  # noqa: F401
    add_entry,
    directory_fixture,  # noqa: F401
    make_domain,
    make_user,
    modify,
    no_check,
    tree_of,
)
from tests.ldap_server import LdapServer

ADMIN_HASH = hash_password("Admin-pass-1", "SSHA512")


def add_admin(server: LdapServer, email: str, **extra: object) -> None:
    attributes: dict[str, object] = {
        "objectClass": ["mailAdmin"],
        "mail": email,
        "userPassword": ADMIN_HASH,
        "accountStatus": "active",
        "cn": "Admin",
        "preferredLanguage": "en_US",
    }
    attributes.update(extra)
    add_entry(server, tree_of(server).admin_dn(email), attributes)


def name_admin(server: LdapServer, domain: str, *emails: str) -> None:
    modify(server, tree_of(server).domain_dn(domain), {"domainAdmin": [(ldap3.MODIFY_ADD, list(emails))]})


async def test_standalone_admins(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    add_admin(ldap_tree, "global@admin.net", domainGlobalAdmin="yes")
    add_admin(ldap_tree, "local@admin.net")
    add_admin(ldap_tree, "nothing@admin.net")
    add_admin(ldap_tree, "off@admin.net", domainGlobalAdmin="yes", accountStatus="disabled")
    name_admin(ldap_tree, "example.com", "local@admin.net", "off@admin.net")
    name_admin(ldap_tree, "other.com", "local@admin.net")

    assert await accounts.admins.load_actor("global@admin.net") == Actor("global@admin.net", True, frozenset())
    assert await accounts.admins.load_actor("local@admin.net") == Actor(
        "local@admin.net", False, frozenset({"example.com", "other.com"})
    )
    assert await accounts.admins.load_actor("nothing@admin.net") is None
    assert await accounts.admins.load_actor("off@admin.net") is None
    assert await accounts.admins.load_actor("unknown@admin.net") is None

    stored = await accounts.admins.admin_credentials("global@admin.net")
    assert stored == ADMIN_HASH and verify_password(stored, "Admin-pass-1")
    assert await accounts.admins.admin_credentials("local@admin.net") == ADMIN_HASH
    for nobody in ("nothing@admin.net", "off@admin.net", "unknown@admin.net"):
        assert await accounts.admins.admin_credentials(nobody) is None


async def test_mail_users_as_admins(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    tree = tree_of(ldap_tree)
    await make_domain(accounts, "example.com")
    await make_domain(accounts, "other.com")
    for email in ("postmaster@example.com", "john@example.com", "jane@example.com", "plain@example.com"):
        await make_user(accounts, email)
    modify(
        ldap_tree,
        tree.user_dn("postmaster@example.com"),
        {"domainGlobalAdmin": [(ldap3.MODIFY_ADD, ["yes"])], "enabledService": [(ldap3.MODIFY_ADD, ["domainadmin"])]},
    )
    name_admin(ldap_tree, "other.com", "john@example.com", "jane@example.com")

    assert await accounts.admins.load_actor("postmaster@example.com") == Actor(
        "postmaster@example.com", True, frozenset()
    )
    assert await accounts.admins.load_actor("john@example.com") == Actor(
        "john@example.com", False, frozenset({"other.com"})
    )
    assert await accounts.admins.load_actor("plain@example.com") is None
    stored = await accounts.admins.admin_credentials("john@example.com")
    assert stored is not None and verify_password(stored, PASSWORD)
    assert await accounts.admins.admin_credentials("plain@example.com") is None

    await accounts.users.update_user("jane@example.com", "example.com", UserChanges(active=False), no_check)
    assert await accounts.admins.load_actor("jane@example.com") is None
    assert await accounts.admins.admin_credentials("jane@example.com") is None

    postmaster = await accounts.users.get_user("postmaster@example.com")
    assert postmaster is not None and postmaster.is_admin and postmaster.is_global_admin
    john = await accounts.users.get_user("john@example.com")
    assert john is not None and john.is_admin and not john.is_global_admin

    assert await accounts.listing.domain_admins(["example.com", "other.com", "none.com"]) == {
        "other.com": ("jane@example.com", "john@example.com"),
    }
    assert await accounts.listing.domain_admins([]) == {}


async def test_standalone_admin_wins_over_a_mail_user(accounts: AccountStores, ldap_tree: LdapServer) -> None:
    await make_domain(accounts, "example.com")
    await make_user(accounts, "boss@example.com")
    add_admin(ldap_tree, "boss@example.com", domainGlobalAdmin="yes")
    assert await accounts.admins.admin_credentials("boss@example.com") == ADMIN_HASH
    actor = await accounts.admins.load_actor("boss@example.com")
    assert actor is not None and actor.is_global
