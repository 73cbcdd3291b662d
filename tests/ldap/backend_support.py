"""Fixtures and helpers shared by the LDAP backend tests (imported by the test_backend_* modules)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import ldap3  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text

from gateway.backends.base import AccountStores, DeletedMailbox
from gateway.backends.ldap import DirectoryStore, LdapPool, ldap_account_stores
from gateway.backends.ldap.dn import Tree
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.iredadmin import IredadminDatabase
from gateway.backends.sql.schema import prepare_schema
from gateway.errors import GatewayError
from gateway.maildir import maildir_path
from gateway.model import Alias, Domain, DomainChanges, DomainUsage, NewUser, User
from gateway.passwords import hash_password
from tests.ldap_mailstack import LdapMailStack, require_tools
from tests.ldap_server import LdapServer
from tests.storage import as_date

STORAGE_BASE, STORAGE_NODE = "/var/vmail", "vmail1"
PASSWORD = "Secret-pass-1"


@pytest.fixture(name="directory")
async def directory_fixture(ldap_tree: LdapServer) -> AsyncIterator[DirectoryStore]:
    """The directory bound as cn=vmailadmin on the session's slapd, with an empty tree (no iRedAdmin database)."""
    pool = LdapPool(ldap_tree.uri, ldap_tree.admin_dn, ldap_tree.admin_password, timeout=5)
    try:
        yield DirectoryStore(pool, ldap_tree.suffix)
    finally:
        await pool.aclose()


@pytest.fixture(name="accounts")
def accounts_fixture(directory: DirectoryStore) -> AccountStores:
    """The LDAP account ports over ``directory``."""
    return ldap_account_stores(directory)


def account_stores(pool: LdapPool, suffix: str) -> AccountStores:
    """The LDAP account ports over the tree below ``suffix`` that ``pool`` reaches."""
    return ldap_account_stores(DirectoryStore(pool, suffix))


@pytest.fixture(name="iredadmin")
async def iredadmin_fixture(tmp_path: Path) -> AsyncIterator[IredadminDatabase]:
    """iRedAdmin's database on SQLite (its deleted_mailboxes and used_quota tables have vmail's columns)."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'iredadmin.sqlite3'}", "iredadmin")
    assert (await prepare_schema(engine, "vmail")).created
    try:
        yield IredadminDatabase(engine)
    finally:
        await engine.dispose()


async def recorded(iredadmin: IredadminDatabase) -> list[DeletedMailbox]:
    """The deleted mailboxes ``iredadmin`` holds, oldest first."""
    async with iredadmin.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT username, domain, maildir, admin, delete_date FROM deleted_mailboxes ORDER BY id")
        )
        return [DeletedMailbox(row[0], row[1], row[2], row[3], as_date(row[4])) for row in rows]


class UnreachableIredadmin(IredadminDatabase):
    """iRedAdmin's database failing every write."""

    async def record(self, mailboxes: Sequence[DeletedMailbox]) -> None:
        raise GatewayError(detail="iredadmin database down")


@pytest.fixture(name="stack", scope="module")
def stack_fixture(ldap_server: LdapServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdapMailStack]:
    """Postfix lookup tables and a Dovecot auth service reading the session's slapd as cn=vmail."""
    require_tools()
    with LdapMailStack.for_server(ldap_server, tmp_path_factory.mktemp("ldapstack")) as mail:
        yield mail


def tree_of(server: LdapServer) -> Tree:
    return Tree(server.suffix)


def read(server: LdapServer, dn: str) -> dict[str, list[str]] | None:
    """The entry at ``dn`` as the root DN sees it: lower-cased names -> values; None when absent."""
    return server.entry(dn)


def subtree(server: LdapServer, base: str) -> set[str]:
    """The lower-cased DNs at and below ``base``."""
    return set(server.entries(base))


def snapshot(server: LdapServer) -> dict[str, dict[str, list[str]]]:
    """Every entry below o=domains and o=domainAdmins with its user attributes, for before/after comparisons."""
    return {**server.entries(server.domains_dn), **server.entries(server.admins_dn)}


def modify(server: LdapServer, dn: str, changes: dict[str, list[tuple[str, list[Any]]]]) -> None:
    server.modify(dn, changes)


def add_values(server: LdapServer, dn: str, attribute: str, values: list[str]) -> None:
    modify(server, dn, {attribute: [(ldap3.MODIFY_ADD, values)]})


def add_entry(server: LdapServer, dn: str, attributes: dict[str, Any]) -> None:
    conn = server.connection()
    try:
        classes = attributes.pop("objectClass")
        assert conn.add(dn, classes, attributes), conn.result
    finally:
        conn.unbind()


def no_check(*_: object) -> None:
    """A check that lets everything through."""


def new_user(email: str, *, name: str = "", quota: int = 1024, password: str = PASSWORD, **extra: Any) -> NewUser:
    values: dict[str, Any] = {
        "email": email,
        "domain": email.rsplit("@", 1)[1],
        "name": name,
        "password_hash": hash_password(password, "SSHA512"),
        "language": "en_US",
        "quota": quota,
        "transport": "",
        "storage_base_directory": STORAGE_BASE,
        "storage_node": STORAGE_NODE,
        "maildir": maildir_path(email, datetime(2025, 3, 1, 8, 15, 42)),
    }
    values.update(extra)
    return NewUser(**values)


def new_alias(address: str, members: tuple[str, ...] = (), *, name: str = "", policy: str = "public") -> Alias:
    return Alias(
        address=address,
        domain=address.rsplit("@", 1)[1],
        name=name,
        access_policy=policy,
        active=True,
        members=members,
        created=None,
    )


async def make_domain(accounts: AccountStores, name: str = "example.com", **changes: Any) -> None:
    await accounts.domains.create_domain(name, DomainChanges(**changes))


async def make_user(accounts: AccountStores, email: str, **extra: Any) -> None:
    await accounts.users.create_user(new_user(email, **extra), no_check)


def recording() -> tuple[list[tuple[Domain, DomainUsage, User | None]], Callable[..., None]]:
    """A check that records what it was called with."""
    calls: list[tuple[Domain, DomainUsage, User | None]] = []

    def check(domain: Domain, usage: DomainUsage, current: User | None = None) -> None:
        calls.append((domain, usage, current))

    return calls, check
