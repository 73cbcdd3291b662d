"""The dashboard query costs the same number of SQL statements for 5×5 and 50×50 domains × users."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql import tables as t
from tests.rest.conftest import Api
from tests.schema.conftest import data

DASHBOARD = """{ domains(first: 50) { totalCount nodes { name userCount
    users(first: 50) { totalCount nodes { email aliases forwardings usedQuota { bytes messages } } } } } }"""
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
    """Statements the gateway's own vmail and iredapd engines send inside the block."""
    transport = api.client._transport
    assert isinstance(transport, httpx.ASGITransport)
    backends = transport.app.state.backends  # type: ignore[attr-defined]
    engines = [backends.engines["vmail"].sync_engine, backends.engines["iredapd"].sync_engine]
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


async def _dashboard(api: Api) -> tuple[dict[str, Any], list[str]]:
    with counted(api) as statements:
        result = await data(api, DASHBOARD)
    return result, list(statements)


def _check(result: dict[str, Any], n: int) -> None:
    connection = result["domains"]
    assert connection["totalCount"] == n
    assert [d["name"] for d in connection["nodes"]] == [domain_name(i) for i in range(n)]
    for i, domain in enumerate(connection["nodes"]):
        assert domain["userCount"] == n and domain["users"]["totalCount"] == n
        users = domain["users"]["nodes"]
        assert [u["email"] for u in users] == [email(i, j) for j in range(n)]
        for j, user in enumerate(users):
            assert user["forwardings"] == [email(i, j)]
            assert user["aliases"] == ([f"team@{domain_name(i)}"] if j < MEMBERS else [])
            assert user["usedQuota"] == {"bytes": 1000 * (j + 1), "messages": j + 1}


async def test_dashboard_statements_do_not_grow_with_the_data(admin_api: Api) -> None:
    await seed(admin_api.vmail, range(5), range(5), new_domains=True)
    await _dashboard(admin_api)  # connections opened, caches filled
    small, small_statements = await _dashboard(admin_api)
    _check(small, 5)

    await seed(admin_api.vmail, range(5), range(5, 50), new_domains=False)
    await seed(admin_api.vmail, range(5, 50), range(50), new_domains=True)
    large, large_statements = await _dashboard(admin_api)
    _check(large, 50)
    assert sum(len(d["users"]["nodes"]) for d in large["domains"]["nodes"]) == 50 * 50

    assert len(large_statements) == len(small_statements), "\n\n".join(large_statements)
