"""Benchmark the GraphQL dashboard query: latency, SQL statements per query and peak memory.

Seeds D domains × U users into throw-away databases (SQLite files in a temporary
directory by default, or the empty databases named by --vmail-dsn/--iredapd-dsn),
logs in as a global admin and runs the dashboard query K times through the ASGI
app in-process (GraphiQL off). The raw baseline reads the same data with plain
SQL on one kept connection and serializes the same JSON, K times in the same
run; the ratio is the query's median over the baseline's. Prints figures;
checks nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.app import create_app
from gateway.backends.sql import tables as t
from gateway.backends.sql.store import SqlDatabases
from gateway.bootstrap import initialise
from gateway.settings import Settings

ADMIN = "postmaster@bench.test"
PASSWORD = "Bench-Passw0rd!"
MEMBERS = 3
BATCH = 5000


def dashboard_query(first_domains: int, first_users: int) -> str:
    return (
        f"{{ domains(first: {first_domains}) {{ nodes {{ name userCount users(first: {first_users}) "
        "{ nodes { email aliases forwardings usedQuota { bytes messages } } } } } }"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/bench_dashboard.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-d", "--domains", type=int, default=50, help="domains to seed (default 50)")
    parser.add_argument("-u", "--users", type=int, default=50, help="users per domain (default 50)")
    parser.add_argument("-k", "--runs", type=int, default=20, help="timed runs of the query (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before timing (default 2)")
    parser.add_argument(
        "--first", type=int, default=50, help="page size of domains and of each domain's users (1-100, default 50)"
    )
    parser.add_argument("--vmail-dsn", help="an empty vmail database instead of SQLite (needs --iredapd-dsn)")
    parser.add_argument("--iredapd-dsn", help="an empty iredapd database instead of SQLite (needs --vmail-dsn)")
    parser.add_argument("--amavisd-dsn", help="an empty amavisd database (default: Amavisd's tables beside vmail's)")
    args = parser.parse_args(argv)
    if (args.vmail_dsn is None) != (args.iredapd_dsn is None):
        parser.error("--vmail-dsn and --iredapd-dsn go together")
    if min(args.domains, args.users, args.runs) < 1 or args.warmup < 0 or not 1 <= args.first <= 100:
        parser.error("domains, users and runs must be positive; first between 1 and 100")
    return args


def _domain(i: int) -> str:
    return f"d{i:05d}.bench.test"


def _rows(domains: int, users: int) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        "domain": [],
        "alias": [],
        "mailbox": [],
        "forwardings": [],
        "used_quota": [],
    }
    for i in range(domains):
        name = _domain(i)
        rows["domain"].append({"domain": name, "description": f"Domain {i}"})
        rows["alias"].append({"address": f"team@{name}", "name": "Team", "accesspolicy": "public", "domain": name})
        for j in range(users):
            email = f"u{j:05d}@{name}"
            rows["mailbox"].append(
                {
                    "username": email,
                    "password": "{PLAIN}x",
                    "name": f"User {j}",
                    "language": "en_US",
                    "storagebasedirectory": "/var/vmail",
                    "storagenode": "vmail1",
                    "maildir": f"{name}/u{j:05d}/",
                    "quota": 1024,
                    "domain": name,
                    "transport": "",
                }
            )
            rows["forwardings"].append(
                {
                    "address": email,
                    "forwarding": email,
                    "domain": name,
                    "dest_domain": name,
                    "is_list": 0,
                    "is_forwarding": 1,
                }
            )
            if j < MEMBERS:
                rows["forwardings"].append(
                    {
                        "address": f"team@{name}",
                        "forwarding": email,
                        "domain": name,
                        "dest_domain": name,
                        "is_list": 1,
                        "is_forwarding": 0,
                    }
                )
            rows["used_quota"].append({"username": email, "bytes": 4096 * (j + 1), "messages": j + 1, "domain": name})
    return rows


async def seed(engine: AsyncEngine, domains: int, users: int) -> None:
    """Bulk-insert the domain, alias, mailbox, forwardings and used_quota rows."""
    async with engine.begin() as conn:
        for name, rows in _rows(domains, users).items():
            for start in range(0, len(rows), BATCH):
                await conn.execute(insert(t.vmail_metadata.tables[name]), rows[start : start + BATCH])


@contextmanager
def counting(*engines: AsyncEngine) -> Iterator[list[str]]:
    """Statements sent on ``engines`` inside the block."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", record)


RAW_DOMAINS = text("SELECT domain FROM domain ORDER BY domain LIMIT :first")
RAW_COUNTS = text(
    "SELECT domain, COUNT(*) FROM mailbox WHERE domain IN :domains GROUP BY domain"
).bindparams(bindparam("domains", expanding=True))
RAW_USERS = text(
    "SELECT domain, username FROM mailbox WHERE domain IN :domains ORDER BY domain, username"
).bindparams(bindparam("domains", expanding=True))
RAW_FORWARDINGS = text(
    "SELECT address, forwarding, is_forwarding, is_list FROM forwardings WHERE domain IN :domains"
    " AND (is_forwarding = 1 OR is_list = 1) ORDER BY address, forwarding"
).bindparams(bindparam("domains", expanding=True))
RAW_USED = text("SELECT username, bytes, messages FROM used_quota WHERE domain IN :domains").bindparams(
    bindparam("domains", expanding=True)
)


async def raw_dashboard(conn: AsyncConnection, first_domains: int, first_users: int) -> bytes:
    """The dashboard's data with plain SQL (5 statements), serialized as the GraphQL answer is."""
    domains = [row[0] for row in await conn.execute(RAW_DOMAINS, {"first": first_domains})]
    counts = {row[0]: row[1] for row in await conn.execute(RAW_COUNTS, {"domains": domains})}
    users: dict[str, list[str]] = {name: [] for name in domains}
    for domain, username in await conn.execute(RAW_USERS, {"domains": domains}):
        if len(users[domain]) < first_users:
            users[domain].append(username)
    forwardings: dict[str, list[str]] = {}
    aliases: dict[str, list[str]] = {}
    for address, target, is_forwarding, is_list in await conn.execute(RAW_FORWARDINGS, {"domains": domains}):
        if is_forwarding:
            forwardings.setdefault(address, []).append(target)
        if is_list:
            aliases.setdefault(target, []).append(address)
    used = {row[0]: (row[1], row[2]) for row in await conn.execute(RAW_USED, {"domains": domains})}
    nodes = [
        {
            "name": domain,
            "userCount": counts.get(domain, 0),
            "users": {
                "nodes": [
                    {
                        "email": email,
                        "aliases": aliases.get(email, []),
                        "forwardings": forwardings.get(email, []),
                        "usedQuota": {"bytes": used.get(email, (0, 0))[0], "messages": used.get(email, (0, 0))[1]},
                    }
                    for email in users[domain]
                ]
            },
        }
        for domain in domains
    ]
    return json.dumps({"data": {"domains": {"nodes": nodes}}}, separators=(",", ":")).encode()


async def raw_timings(engine: AsyncEngine, args: argparse.Namespace) -> tuple[list[float], int]:
    """Milliseconds of each timed raw run, and the size of its JSON."""
    timings: list[float] = []
    async with engine.connect() as conn:
        for run in range(args.warmup + args.runs):
            started = time.perf_counter()
            body = await raw_dashboard(conn, args.first, args.first)
            await conn.rollback()
            if run >= args.warmup:
                timings.append((time.perf_counter() - started) * 1000)
    return timings, len(body)


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


async def bench(args: argparse.Namespace, vmail_dsn: str, iredapd_dsn: str) -> None:
    settings = Settings(
        _env_file=None,
        vmail_dsn=vmail_dsn,
        iredapd_dsn=iredapd_dsn,
        amavisd_dsn=args.amavisd_dsn or vmail_dsn.replace("vmail.sqlite3", "amavisd.sqlite3"),
        iredadmin_dsn=vmail_dsn,  # the sessions table beside vmail's
        graphiql=False,
    )
    store = SqlDatabases.open(settings)
    try:
        report = await initialise(settings, store, admin_email=ADMIN, password=PASSWORD)
        if not (report.ok and report.admin_created):
            raise SystemExit(f"the databases must be empty: {report}")
        started = time.perf_counter()
        await seed(store.vmail, args.domains, args.users)
        seeding = time.perf_counter() - started
        kind = store.vmail.dialect.name
    finally:
        await store.dispose()

    query = dashboard_query(args.first, args.first)
    app = create_app(settings)
    timings: list[float] = []
    counts: list[int] = []
    async with app.router.lifespan_context(app):
        engines = app.state.backends.engines
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
            login = await client.post("/api/login", data={"username": ADMIN, "password": PASSWORD})
            login.raise_for_status()
            for run in range(args.warmup + args.runs):
                with counting(engines["vmail"], engines["iredapd"]) as statements:
                    started = time.perf_counter()
                    response = await client.post("/graphql", json={"query": query})
                    elapsed = time.perf_counter() - started
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    raise SystemExit(f"query failed: {response.status_code} {response.text[:500]}")
                if run >= args.warmup:
                    timings.append(elapsed * 1000)
                    counts.append(len(statements))
        raw, raw_size = await raw_timings(engines["vmail"], args)
    nodes = body["data"]["domains"]["nodes"]
    users = sum(len(domain["users"]["nodes"]) for domain in nodes)

    print(f"database            {kind}")
    print(f"seeded              {args.domains} domains x {args.users} users in {seeding:.2f} s")
    print(f"query returns       {len(nodes)} domains, {users} users, {len(response.content) / 1024:.0f} KiB")
    print(f"runs                {args.runs} (after {args.warmup} warm-up)")
    print(f"latency median      {statistics.median(timings):.1f} ms")
    print(f"latency p95         {_p95(timings):.1f} ms")
    print(f"latency min/max     {min(timings):.1f} / {max(timings):.1f} ms")
    print(f"raw SQL + JSON      median {statistics.median(raw):.1f} ms, p95 {_p95(raw):.1f} ms "
          f"(5 statements, {raw_size / 1024:.0f} KiB)")
    print(f"ratio query/raw     {statistics.median(timings) / statistics.median(raw):.1f}x (medians)")
    statements_per_query = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
    print(f"statements/query    {statements_per_query}")
    print(f"peak RSS            {_peak_rss_mib():.1f} MiB (whole process, seeding included)")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.vmail_dsn:
        asyncio.run(bench(args, args.vmail_dsn, args.iredapd_dsn))
        return
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as directory:
        path = Path(directory)
        vmail, iredapd = (f"sqlite+aiosqlite:///{path / name}.sqlite3" for name in ("vmail", "iredapd"))
        asyncio.run(bench(args, vmail, iredapd))


if __name__ == "__main__":
    main()
