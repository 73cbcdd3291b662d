"""Benchmark ``iredmail-gateway import``: N users into fresh MariaDB databases, then the same file again.

Creates two throw-away databases (vmail, iredapd) on the MariaDB server of
--server (default: the test suite's, root on 127.0.0.1:3306), gives them
iRedMail's schema, writes a JSON file of D domains holding N users in all
(plain passwords, hashed by the gateway, unless --hashed), and times the
command as an operator runs it, in a process of its own: the first import,
then a second, which finds every account unchanged. Drops the databases.
Prints figures; checks nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.backends.sql.store import SqlDatabases
from gateway.bootstrap import initialise
from gateway.passwords import hash_password
from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-Passw0rd!"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/bench_import.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--users", type=int, default=10_000, help="users in all (default 10000)")
    parser.add_argument("-d", "--domains", type=int, default=10, help="domains they are spread over (default 10)")
    parser.add_argument("--jobs", type=int, default=4, help="the import's --jobs (default 4)")
    parser.add_argument("--hashed", action="store_true", help="give password_hash (as an export does), not passwords")
    parser.add_argument("--server", default="mysql://root@127.0.0.1:3306", help="MariaDB server, no database")
    return parser.parse_args()


def document(users: int, domains: int, hashed: bool) -> dict[str, object]:
    names = [f"bench{index}.test" for index in range(domains)]
    secret = {"password_hash": hash_password(PASSWORD)} if hashed else {"password": PASSWORD}
    return {
        "domains": [{"domain": name} for name in names],
        "users": [
            {"email": f"user{index}@{names[index % domains]}", "name": f"User {index}", **secret}
            for index in range(users)
        ],
    }


async def databases(server: str, names: list[str], create: bool) -> None:
    engine = create_async_engine(server.replace("mysql://", "mysql+asyncmy://", 1) + "/")
    try:
        async with engine.begin() as conn:
            for name in names:
                await conn.execute(text(f"CREATE DATABASE `{name}`" if create else f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        await engine.dispose()


async def prepare(settings: Settings) -> None:
    store = SqlDatabases.open(settings)
    try:
        report = await initialise(settings, store, admin_email="postmaster@bench.test", password=PASSWORD)
        assert report.ok
    finally:
        await store.dispose()


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"import failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    args = parse_args()
    suffix = f"{os.getpid()}"
    names = [f"bench_vmail_{suffix}", f"bench_iredapd_{suffix}"]
    asyncio.run(databases(args.server, names, create=True))
    try:
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")},
            "GATEWAY_VMAIL_DSN": f"{args.server}/{names[0]}",
            "GATEWAY_IREDAPD_DSN": f"{args.server}/{names[1]}",
            "GATEWAY_IREDADMIN_DSN": f"{args.server}/{names[0]}",
        }
        settings = Settings(
            _env_file=None, vmail_dsn=env["GATEWAY_VMAIL_DSN"], iredapd_dsn=env["GATEWAY_IREDAPD_DSN"],
            iredadmin_dsn=env["GATEWAY_IREDADMIN_DSN"],
        )  # fmt: skip
        asyncio.run(prepare(settings))
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "accounts.json"
            path.write_text(json.dumps(document(args.users, args.domains, args.hashed)))
            command = [sys.executable, "-m", "gateway", "import", "--jobs", str(args.jobs), str(path)]
            first, summary = timed(command, env)
            print(summary, end="")
            second, summary = timed(command, env)
            print(summary, end="")
        kind = "password hashes" if args.hashed else "plain passwords"
        print(f"{args.users} users in {args.domains} domains ({kind}), MariaDB, --jobs {args.jobs}:")
        print(f"  first import {first:.1f} s ({args.users / first:.0f} users/s), re-import (unchanged) {second:.1f} s")
    finally:
        asyncio.run(databases(args.server, names, create=False))


if __name__ == "__main__":
    main()
