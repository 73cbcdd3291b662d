"""Benchmark the dearest GraphQL query the cost limit lets through, and what it does to other requests.

Seeds D domains × U users into throw-away SQLite files (or the empty databases
named by --vmail-dsn/--iredapd-dsn), logs in as a global admin and, through the
ASGI app in-process (one event loop, as one uvicorn worker has):

- runs the heaviest allowed query K times: every user field per user, each
  user's domain, as many domains per page as GATEWAY_GRAPHQL_MAX_COST allows;
- polls /healthz every few milliseconds while it runs, printing how long
  /healthz waited (the time the event loop was busy elsewhere);
- reads the same rows with plain SQL as a baseline;
- times the refusal of the 15-alias reproduction that the limit exists for.

Prints figures; checks nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from graphql import parse
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard import ADMIN, PASSWORD, seed  # noqa: E402

from gateway.app import create_app  # noqa: E402
from gateway.backends.sql.store import SqlDatabases  # noqa: E402
from gateway.bootstrap import initialise  # noqa: E402
from gateway.schema.app import build_schema  # noqa: E402
from gateway.schema.cost import CostModel  # noqa: E402
from gateway.settings import Settings  # noqa: E402

USER_FIELDS = "email name quota active forwardings aliases usedQuota { bytes messages } domain { name }"
POLL_SECONDS = 0.005


def heaviest_query(domains: int, users: int) -> str:
    users_page = f"users(first: {users}) {{ nodes {{ {USER_FIELDS} }} }}"
    return f"{{ domains(first: {domains}) {{ nodes {{ name {users_page} }} }} }}"


def reproduction() -> str:
    nested = (
        "domains(first: 100) { nodes { users(first: 100) { nodes { "
        "domain { users(first: 100) { nodes { email } } } } } } }"
    )
    return "{ " + " ".join(f"a{i}: {nested}" for i in range(15)) + " }"


def allowed_shape(model: CostModel, max_cost: int) -> tuple[str, int]:
    """The heaviest_query with 100 users per domain and the most domains per page within ``max_cost``."""
    best = (heaviest_query(1, 1), 0)
    for domains in range(1, 101):
        query = heaviest_query(domains, 100)
        cost = model.price(parse(query), None, {}).fields
        if cost > max_cost:
            break
        best = (query, cost)
    return best


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/bench_graphql_cost.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-d", "--domains", type=int, default=100, help="domains to seed (default 100)")
    parser.add_argument("-u", "--users", type=int, default=100, help="users per domain (default 100)")
    parser.add_argument("-k", "--runs", type=int, default=5, help="timed runs of the query (default 5)")
    parser.add_argument("--max-cost", type=int, help="GATEWAY_GRAPHQL_MAX_COST to run with (default: the setting's)")
    parser.add_argument("--vmail-dsn", help="an empty vmail database instead of SQLite (needs --iredapd-dsn)")
    parser.add_argument("--iredapd-dsn", help="an empty iredapd database instead of SQLite (needs --vmail-dsn)")
    parser.add_argument("--amavisd-dsn", help="an empty amavisd database (default: Amavisd's tables beside vmail's)")
    args = parser.parse_args(argv)
    if (args.vmail_dsn is None) != (args.iredapd_dsn is None):
        parser.error("--vmail-dsn and --iredapd-dsn go together")
    if min(args.domains, args.users, args.runs) < 1:
        parser.error("domains, users and runs must be positive")
    return args


async def poll_health(client: httpx.AsyncClient, stop: asyncio.Event, waits: list[float]) -> None:
    """GET /healthz until ``stop``; record each answer's latency in ms."""
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/healthz")
        waits.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        await asyncio.sleep(POLL_SECONDS)


async def timed_query(client: httpx.AsyncClient, query: str) -> tuple[float, list[float], httpx.Response]:
    """The query's latency in ms and the /healthz latencies measured while it ran."""
    stop = asyncio.Event()
    waits: list[float] = []
    poller = asyncio.create_task(poll_health(client, stop, waits))
    await asyncio.sleep(POLL_SECONDS)
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": query})
    elapsed = (time.perf_counter() - started) * 1000
    stop.set()
    await poller
    return elapsed, waits, response


async def sql_baseline(settings: Settings, domains: int, users: int) -> float:
    """Milliseconds to read the same users, their forwardings and used quota with three plain statements."""
    store = SqlDatabases.open(settings)
    try:
        started = time.perf_counter()
        async with store.vmail.connect() as conn:
            names = (await conn.execute(text("SELECT domain FROM domain ORDER BY domain LIMIT :n"), {"n": domains}))
            chosen = [row[0] for row in names]
            params = {f"d{i}": name for i, name in enumerate(chosen)}
            within = ", ".join(f":d{i}" for i in range(len(chosen)))
            await conn.execute(
                text(f"SELECT username, name, quota, active, domain FROM mailbox WHERE domain IN ({within})"), params
            )
            await conn.execute(text(f"SELECT address, forwarding FROM forwardings WHERE domain IN ({within})"), params)
            used = f"SELECT username, bytes, messages FROM used_quota WHERE domain IN ({within})"
            await conn.execute(text(used), params)
        return (time.perf_counter() - started) * 1000
    finally:
        await store.dispose()


async def bench(args: argparse.Namespace, vmail_dsn: str, iredapd_dsn: str) -> None:
    overrides = {"graphql_max_cost": args.max_cost} if args.max_cost else {}
    settings = Settings(
        _env_file=None,
        vmail_dsn=vmail_dsn,
        iredapd_dsn=iredapd_dsn,
        amavisd_dsn=args.amavisd_dsn or vmail_dsn.replace("vmail.sqlite3", "amavisd.sqlite3"),
        session_secret=secrets.token_urlsafe(32),
        graphiql=False,
        **overrides,
    )
    store = SqlDatabases.open(settings)
    try:
        report = await initialise(settings, store, admin_email=ADMIN, password=PASSWORD)
        if not (report.ok and report.admin_created):
            raise SystemExit(f"the databases must be empty: {report}")
        await seed(store.vmail, args.domains, args.users)
        kind = store.vmail.dialect.name
    finally:
        await store.dispose()

    model = CostModel(build_schema(settings)._schema)
    query, cost = allowed_shape(model, settings.graphql_max_cost)
    app = create_app(settings)
    timings: list[float] = []
    waits: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test", timeout=120) as client:
            (await client.post("/api/login", data={"username": ADMIN, "password": PASSWORD})).raise_for_status()
            await client.post("/graphql", json={"query": query})  # warm-up
            for _ in range(args.runs):
                elapsed, run_waits, response = await timed_query(client, query)
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    raise SystemExit(f"query failed: {response.status_code} {response.text[:500]}")
                timings.append(elapsed)
                waits += run_waits
            refused_ms, _, refused = await timed_query(client, reproduction())
    nodes = body["data"]["domains"]["nodes"]
    users = sum(len(domain["users"]["nodes"]) for domain in nodes)
    baseline = await sql_baseline(settings, len(nodes), args.users)
    refused_code = refused.json()["errors"][0]["extensions"]["code"]
    reproduction_cost = model.price(parse(reproduction()), None, {}).fields

    print(f"database              {kind}, {args.domains} domains x {args.users} users")
    print(f"cost limit            {settings.graphql_max_cost}")
    size = len(response.content) / 1024
    print(f"heaviest allowed      cost {cost}: {len(nodes)} domains, {users} users, {size:.0f} KiB")
    print(f"  latency median/max  {statistics.median(timings):.0f} / {max(timings):.0f} ms over {args.runs} runs")
    polls = f"({len(waits)} polls)"
    print(f"  /healthz meanwhile  median {statistics.median(waits):.1f} ms, max {max(waits):.0f} ms {polls}")
    print(f"plain SQL baseline    {baseline:.0f} ms for the same users, forwardings and used quota")
    answer = f"{refused.status_code} {refused_code} in {refused_ms:.1f} ms"
    print(f"reproduction          cost {reproduction_cost}: {answer}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.vmail_dsn:
        asyncio.run(bench(args, args.vmail_dsn, args.iredapd_dsn))
        return
    with tempfile.TemporaryDirectory(prefix="bench-graphql-cost-") as directory:
        path = Path(directory)
        vmail, iredapd = (f"sqlite+aiosqlite:///{path / name}.sqlite3" for name in ("vmail", "iredapd"))
        asyncio.run(bench(args, vmail, iredapd))


if __name__ == "__main__":
    main()
