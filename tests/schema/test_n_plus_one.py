"""The dashboard query costs the same number of SQL statements for 5×5 and 50×50 domains × users, and on LDAP
the same number of directory searches for 5×5 and 20×20."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.ldap.connection import Directory
from gateway.backends.ldap.dn import CONTAINERS
from gateway.backends.ldap.entry import Entry
from gateway.backends.sql import tables as t
from tests.rest.conftest import Api
from tests.schema.conftest import data
from tests.storage import LdapStorage, SqlStorage

DASHBOARD = """{ domains(first: 50) { totalCount nodes { name userCount greylisting { enabled whitelist }
    routing { aliasDomains catchall outboundRelay }
    users(first: 50) { totalCount nodes { email aliases forwardings usedQuota { bytes messages } } } } } }"""
# the mail policy of the same accounts: a query of its own, the dashboard's cost being near the limit
POLICIES = """{ domains(first: 50) { nodes { spamPolicy { quarantineSpam } wblists { inboundWhitelist }
    users(first: 50) { nodes { spamPolicy { bypassSpamChecks } wblists { inboundBlacklist } } } } } }"""
MEMBERS = 3


def domain_name(i: int) -> str:
    return f"d{i:03d}.test"


def email(i: int, j: int) -> str:
    return f"u{j:03d}@{domain_name(i)}"


async def seed(engine: AsyncEngine, domains: range, users: range, *, new_domains: bool) -> None:
    """Bulk-insert ``users`` of each of ``domains``: mailbox, own forwarding and used_quota rows.

    New domains also get their domain row and an alias whose members are their first ``MEMBERS`` users.
    """
    mailboxes: list[dict[str, Any]] = []
    forwardings: list[dict[str, Any]] = []
    quotas: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    for i in domains:
        name = domain_name(i)
        if new_domains:
            aliases.append({"address": f"team@{name}", "name": "Team", "accesspolicy": "public", "domain": name})
            forwardings += [
                {
                    "address": f"team@{name}",
                    "forwarding": email(i, j),
                    "domain": name,
                    "dest_domain": name,
                    "is_list": 1,
                    "is_forwarding": 0,
                }
                for j in range(MEMBERS)
            ]
        for j in users:
            address = email(i, j)
            mailboxes.append(
                {
                    "username": address,
                    "password": "{PLAIN}x",
                    "name": f"User {j}",
                    "language": "en_US",
                    "storagebasedirectory": "/var/vmail",
                    "storagenode": "vmail1",
                    "maildir": f"{name}/u{j:03d}/",
                    "quota": 100,
                    "domain": name,
                    "transport": "",
                }
            )
            forwardings.append(
                {
                    "address": address,
                    "forwarding": address,
                    "domain": name,
                    "dest_domain": name,
                    "is_list": 0,
                    "is_forwarding": 1,
                }
            )
            quotas.append({"username": address, "bytes": 1000 * (j + 1), "messages": j + 1, "domain": name})
    async with engine.begin() as conn:
        if new_domains:
            await conn.execute(insert(t.domain), [{"domain": domain_name(i), "description": ""} for i in domains])
            await conn.execute(insert(t.alias), aliases)
        for table, rows in ((t.mailbox, mailboxes), (t.forwardings, forwardings), (t.used_quota, quotas)):
            if rows:
                await conn.execute(insert(table), rows)


@contextmanager
def counted(api: Api) -> Iterator[list[str]]:
    """Statements the gateway's own vmail, iredapd and amavisd engines send inside the block."""
    transport = api.client._transport
    assert isinstance(transport, httpx.ASGITransport)
    backends = transport.app.state.backends  # type: ignore[attr-defined]
    engines = [backends.engines[name].sync_engine for name in ("vmail", "iredapd", "amavisd")]
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def merge_policies(result: dict[str, Any], policies: dict[str, Any]) -> None:
    """Put the answers of POLICIES beside the dashboard's domains and users."""
    for domain, policy in zip(result["domains"]["nodes"], policies["domains"]["nodes"], strict=True):
        domain.update(spamPolicy=policy["spamPolicy"], wblists=policy["wblists"])
        for user, user_policy in zip(domain["users"]["nodes"], policy["users"]["nodes"], strict=True):
            user.update(user_policy)


async def _dashboard(api: Api) -> tuple[dict[str, Any], list[str]]:
    with counted(api) as statements:
        result = await data(api, DASHBOARD)
        policies = await data(api, POLICIES)
    merge_policies(result, policies)
    return result, list(statements)


def _check(result: dict[str, Any], n: int) -> None:
    connection = result["domains"]
    assert connection["totalCount"] == n
    assert [d["name"] for d in connection["nodes"]] == [domain_name(i) for i in range(n)]
    for i, domain in enumerate(connection["nodes"]):
        assert domain["userCount"] == n and domain["users"]["totalCount"] == n
        assert domain["greylisting"] == {"enabled": None, "whitelist": []}
        assert domain["routing"] == {"aliasDomains": [], "catchall": [], "outboundRelay": ""}
        users = domain["users"]["nodes"]
        assert [u["email"] for u in users] == [email(i, j) for j in range(n)]
        for j, user in enumerate(users):
            assert user["forwardings"] == [email(i, j)]
            assert user["aliases"] == ([f"team@{domain_name(i)}"] if j < MEMBERS else [])
            assert user["usedQuota"] == {"bytes": 1000 * (j + 1), "messages": j + 1}
            assert user["spamPolicy"]["bypassSpamChecks"] is (True if (i, j) == (0, 0) else None)
            assert user["wblists"]["inboundBlacklist"] == (["spam@x.test"] if (i, j) == (0, 0) else [])
        assert domain["spamPolicy"]["quarantineSpam"] is (False if i == 0 else None)
        assert domain["wblists"]["inboundWhitelist"] == (["@friends.test"] if i == 0 else [])


async def seed_policies(api: Api) -> None:
    """A spam policy and a list for the first domain and its first user, through the API."""
    first, user = domain_name(0), email(0, 0)
    for method, path, params in (
        ("PUT", f"/api/spampolicy/domain/{first}", {"quarantine_spam": "no"}),
        ("PUT", f"/api/spampolicy/user/{user}", {"bypass_spam_checks": "yes"}),
        ("POST", f"/api/wblist/inbound/whitelist/{first}", {"addresses": "@friends.test"}),
        ("POST", f"/api/wblist/inbound/blacklist/{user}", {"addresses": "spam@x.test"}),
    ):
        response = await api.call(method, path, **params)
        assert response.status_code == 200, response.text


async def test_dashboard_statements_do_not_grow_with_the_data(sql_admin_api: Api) -> None:
    assert isinstance(sql_admin_api.storage, SqlStorage)
    vmail = sql_admin_api.storage.vmail
    await seed(vmail, range(5), range(5), new_domains=True)
    await seed_policies(sql_admin_api)
    await _dashboard(sql_admin_api)  # connections opened, caches filled
    small, small_statements = await _dashboard(sql_admin_api)
    _check(small, 5)

    await seed(vmail, range(5), range(5, 50), new_domains=False)
    await seed(vmail, range(5, 50), range(50), new_domains=True)
    large, large_statements = await _dashboard(sql_admin_api)
    _check(large, 50)
    assert sum(len(d["users"]["nodes"]) for d in large["domains"]["nodes"]) == 50 * 50

    assert len(large_statements) == len(small_statements), "\n\n".join(large_statements)


# LDAP: the same dashboard over a directory costs the same number of searches.
# 20×20 rather than 50×50: the test slapd keeps OpenLDAP's default size limit of 500 entries (which also caps
# a paged search) where iRedMail sets ``sizelimit unlimited``, so it would refuse a search over 2,500 accounts.
LDAP_LARGE = 20


def seed_directory(storage: LdapStorage, domains: range, users: range, *, new_domains: bool) -> list[dict[str, Any]]:
    """What ``seed`` writes, as iRedMail's entries: a mailDomain with its containers and an alias of its first
    ``MEMBERS`` users for new domains, a mailUser per user. Returns the used_quota rows for iRedAdmin's database."""
    tree = storage.tree
    quotas: list[dict[str, Any]] = []
    conn = storage.server.connection(storage.server.root_dn, storage.server.root_password)
    try:
        for i in domains:
            name = domain_name(i)
            if new_domains:
                assert conn.add(tree.domain_dn(name), ["mailDomain"], {
                    "domainName": name, "accountStatus": "active", "mtaTransport": "dovecot", "enabledService": "mail",
                }), conn.result
                for container in CONTAINERS:
                    assert conn.add(tree.container_dn(name, container), ["organizationalUnit"], {"ou": container})
                assert conn.add(tree.alias_dn(f"team@{name}"), ["mailAlias"], {
                    "mail": f"team@{name}", "cn": "Team", "accountStatus": "active", "accessPolicy": "public",
                    "mailForwardingAddress": [email(i, j) for j in range(MEMBERS)],
                }), conn.result
            for j in users:
                address = email(i, j)
                assert conn.add(tree.user_dn(address), ["inetOrgPerson", "mailUser", "shadowAccount"], {
                    "mail": address, "uid": f"u{j:03d}", "cn": f"User {j}", "sn": f"u{j:03d}",
                    "userPassword": "{PLAIN}x", "preferredLanguage": "en_US", "accountStatus": "active",
                    "homeDirectory": f"/var/vmail/vmail1/{name}/u{j:03d}/", "mailQuota": str(100 * 1048576),
                }), conn.result
                quotas.append({"username": address, "bytes": 1000 * (j + 1), "messages": j + 1, "domain": name})
    finally:
        conn.unbind()
    return quotas


async def seed_ldap(storage: LdapStorage, domains: range, users: range, *, new_domains: bool) -> None:
    quotas = seed_directory(storage, domains, users, new_domains=new_domains)
    async with storage.iredadmin.begin() as conn:
        await conn.execute(insert(t.used_quota), quotas)


@contextmanager
def searched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The filters of the LDAP searches the gateway sends inside the block (one per search, whatever its pages)."""
    filters: list[str] = []
    search = Directory.search

    def record(self: Directory, base: str, search_filter: str, **options: Any) -> list[Entry]:
        filters.append(f"{base} {search_filter}")
        return search(self, base, search_filter, **options)

    with monkeypatch.context() as patch:
        patch.setattr(Directory, "search", record)
        yield filters


async def _ldap_dashboard(api: Api, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], list[str]]:
    with searched(monkeypatch) as filters:
        result = await data(api, DASHBOARD)
        policies = await data(api, POLICIES)
    merge_policies(result, policies)
    return result, list(filters)


async def test_dashboard_searches_do_not_grow_with_the_data(
    ldap_admin_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = ldap_admin_api.storage
    assert isinstance(storage, LdapStorage)
    await seed_ldap(storage, range(5), range(5), new_domains=True)
    await seed_policies(ldap_admin_api)
    small, small_searches = await _ldap_dashboard(ldap_admin_api, monkeypatch)
    _check(small, 5)
    assert small_searches

    await seed_ldap(storage, range(5), range(5, LDAP_LARGE), new_domains=False)
    await seed_ldap(storage, range(5, LDAP_LARGE), range(LDAP_LARGE), new_domains=True)
    large, large_searches = await _ldap_dashboard(ldap_admin_api, monkeypatch)
    _check(large, LDAP_LARGE)

    assert len(large_searches) == len(small_searches), "\n".join(large_searches)
