"""Benchmark the REST API as users run it, against the same rows written with the driver.

For each storage (MariaDB, PostgreSQL, OpenLDAP: the test suite's servers, in
throw-away databases and a private slapd) the script starts
``iredmail-gateway serve`` in its own process(es), logs in over HTTP and runs
N operations of each kind at each concurrency: create-user, read-user,
update-user (name and quota), alias create with 3 members, throttle set,
login, delete-user. The raw baseline does the same to other rows on kept
connections (one per client): the statements the iRedMail data-model
reference lists for the operation (asyncmy/asyncpg), or the same ldap3
add/search/modify/delete. Then one bulk ``PUT /api/users/<domain>`` over
--bulk-users users against one raw UPDATE of the same rows (on LDAP, one
modify per entry). Prints ops/s, median and p95 per operation and the ratio
gateway/raw of the throughputs (1.0 = as fast as the driver), and the SQL
statements and transactions one request of each kind sends (counted
in-process).

``--profile`` runs creates and reads in-process under cProfile and prints the
top functions; ``--memory N`` instead measures the RSS of one worker over N
mixed requests (and ``--memory-seconds`` more).

Needs the local MariaDB/PostgreSQL servers (tests/databases.py) and slapd.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import math
import os
import pstats
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from gateway.passwords import hash_password, verify_password  # noqa: E402
from tests.databases import PreparedPool, server_problem  # noqa: E402
from tests.ldap_server import LdapServer, slapd_problem  # noqa: E402
from tests.processes import kill_group  # noqa: E402

ADMIN = "postmaster@admins.bench"
PASSWORD = "Bench-Adm1n-Pass!"
USER_PASSWORD = "Str0ng-Passw0rd!"
DOMAIN = "bench.test"
BULK_DOMAIN = "bulk.test"
OPERATIONS = ("create-user", "read-user", "update-user", "alias-create", "throttle-set", "login", "delete-user")
STORAGES = ("mariadb", "postgresql", "ldap")
FLOOR = "http-floor"  # GET /healthz: no storage, no session; set against the raw read
START_TIMEOUT = 60.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/bench_rest.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=500, help="operations of each kind (default 500)")
    parser.add_argument("--concurrency", default="1,4", help="clients at once, comma-separated (default 1,4)")
    parser.add_argument("--storages", default=",".join(STORAGES), help="comma-separated (default all three)")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers (default 1)")
    parser.add_argument("--bulk-users", type=int, default=10000, help="users of the bulk update, 0 skips (10000)")
    parser.add_argument("--no-counts", action="store_true", help="skip the in-process statement counts")
    parser.add_argument("--profile", action="store_true", help="cProfile in-process creates and reads instead")
    parser.add_argument("--memory", type=int, default=0, help="RSS of one worker over this many mixed requests")
    parser.add_argument("--memory-seconds", type=float, default=0, help="with --memory: keep going this long")
    args = parser.parse_args(argv)
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.storages = [s.strip() for s in args.storages.split(",") if s.strip()]
    unknown = set(args.storages) - set(STORAGES)
    if unknown or args.ops < 4 or min(args.concurrency) < 1:
        parser.error(f"storages among {STORAGES}, --ops at least 4, concurrency positive")
    return args


# Timing


@dataclass
class Figures:
    """One phase: per-operation latencies (ms) and the wall time of the whole phase (s)."""

    latencies: list[float]
    wall: float
    cpu: float = math.nan  # CPU ms per operation of the service's processes (independent of load elsewhere)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


async def timed(count: int, concurrency: int, make: Callable[[int, int], Awaitable[None]]) -> Figures:
    """Run ``make(i, client)`` for i in range(count) from ``concurrency`` clients; latency of each."""
    latencies: list[float] = []
    items = iter(range(count))

    async def client(number: int) -> None:
        for i in items:
            started = time.perf_counter()
            await make(i, number)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return Figures(latencies, time.perf_counter() - started)


# The service


@dataclass
class Setup:
    """A storage ready for the service: its environment and what the raw baseline connects to."""

    kind: str
    env: dict[str, str]
    vmail: str  # DSN of vmail (SQL) or of the iredadmin stand-in (LDAP)
    iredapd: str
    ldap: LdapServer | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_env(setup_env: dict[str, str], port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update(setup_env)
    env["GATEWAY_PORT"] = str(port)
    env["GATEWAY_GRAPHIQL"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@contextlib.contextmanager
def serving(setup: Setup, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``iredmail-gateway serve`` on a free port; its base URL and process."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--workers", str(workers)],
        env=gateway_env(setup.env, port), cwd=tempfile.gettempdir(), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"the service did not start:\n{log.read().decode(errors='replace')}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        yield base, process
    except BaseException:
        log.seek(0)
        print(f"the service's log ends:\n{log.read()[-6000:].decode(errors='replace')}", file=sys.stderr)
        raise
    finally:
        kill_group(process)  # the supervisor and its workers
        log.close()


class UnlimitedLdapServer(LdapServer):
    """The test suite's slapd with ``sizelimit unlimited``, as iRedMail configures it (default: 500 entries)."""

    def config_ldif(self, workdir: Path) -> str:
        return super().config_ldif(workdir) + "olcSizeLimit: unlimited\n"  # the last entry is the mdb database


@contextlib.contextmanager
def prepared(kind: str, pool: PreparedPool) -> Iterator[Setup]:
    """Databases (and slapd) with iRedMail's schema and the global admin ADMIN."""
    sql_kind = "mariadb" if kind == "ldap" else kind
    pair = pool.take(sql_kind)
    env = {"GATEWAY_IREDAPD_DSN": pair.iredapd, "GATEWAY_IREDADMIN_DSN": pair.vmail}
    env["GATEWAY_AMAVISD_DSN"] = pair.amavisd
    if kind != "ldap":
        env["GATEWAY_VMAIL_DSN"] = pair.vmail
        result = subprocess.run(
            [sys.executable, "-m", "gateway", "init", "--admin", ADMIN, "--password", PASSWORD],
            env=gateway_env(env, free_port()), cwd=tempfile.gettempdir(), capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"init failed: {result.stdout}{result.stderr}")
        yield Setup(kind, env, pair.vmail, pair.iredapd)
        return
    from gateway.backends.sql.engine import make_engine
    from tests.storage import LdapStorage

    with UnlimitedLdapServer() as server:
        env.update(
            GATEWAY_BACKEND="ldap",
            GATEWAY_LDAP_URI=server.uri,
            GATEWAY_LDAP_BIND_DN=server.admin_dn,
            GATEWAY_LDAP_BIND_PASSWORD=server.admin_password,
            GATEWAY_LDAP_BASE_DN=server.suffix,
        )

        async def add_admin() -> None:
            storage = LdapStorage(
                server, make_engine(pair.vmail, "iredadmin"), make_engine(pair.iredapd, "iredapd"),
                make_engine(pair.amavisd, "amavisd"),
            )
            try:
                await storage.add_admin(ADMIN, PASSWORD, global_admin=True)
            finally:
                await storage.iredadmin.dispose()
                await storage.iredapd.dispose()
                await storage.amavisd.dispose()

        asyncio.run(add_admin())
        yield Setup(kind, env, pair.vmail, pair.iredapd, server)


# The gateway's side


def users_of(prefix: str, count: int) -> list[str]:
    return [f"{prefix}u{i:06d}@{DOMAIN}" for i in range(count)]


def members_of(users: list[str], i: int) -> str:
    return ",".join(users[(i + k) % len(users)] for k in range(3))


async def checked(response: Awaitable[httpx.Response]) -> httpx.Response:
    answer = await response
    if answer.status_code >= 300 or not answer.json().get("success", answer.json().get("_success")):
        raise SystemExit(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return answer


async def login(client: httpx.AsyncClient) -> None:
    await checked(client.post("/api/login", data={"username": ADMIN, "password": PASSWORD}))


@contextlib.asynccontextmanager
async def clients(base: str, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` logged-in clients (one keep-alive connection each)."""
    async with contextlib.AsyncExitStack() as stack:
        made = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
            for _ in range(count)
        ]
        for client in made:
            await login(client)
        yield made


def service_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and the workers it started."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    ticks = 0
    for each in pids:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def gateway_phases(
    base: str, pid: int, ops: int, concurrency: int, prefix: str
) -> dict[str, Figures]:
    users = users_of(prefix, ops)
    results: dict[str, Figures] = {}
    async with clients(base, concurrency) as pool, clients(base, concurrency) as login_pool:
        steps: dict[str, Callable[[int, int], Awaitable[Any]]] = {
            "create-user": lambda i, c: checked(
                pool[c].post(f"/api/user/{users[i]}", data={"name": f"User {i}", "password": USER_PASSWORD,
                                                            "quota": "1024"})
            ),
            "read-user": lambda i, c: checked(pool[c].get(f"/api/user/{users[i]}")),
            "update-user": lambda i, c: checked(
                pool[c].put(f"/api/user/{users[i]}", data={"name": f"Renamed {i}", "quota": "2048"})
            ),
            "alias-create": lambda i, c: checked(
                pool[c].post(f"/api/alias/{prefix}a{i:06d}@{DOMAIN}",
                             data={"name": f"Alias {i}", "members": members_of(users, i)})
            ),
            "throttle-set": lambda i, c: checked(
                pool[c].post(f"/api/throttle/{users[i]}/outbound", data={"period": "60", "max_msgs": "10"})
            ),
            "login": lambda i, c: login(login_pool[c]),
            "delete-user": lambda i, c: checked(pool[c].delete(f"/api/user/{users[i]}")),
        }
        steps[FLOOR] = lambda i, c: alive(pool[c])
        for name in (*OPERATIONS, FLOOR):
            before = service_cpu(pid)
            results[name] = await timed(ops, concurrency, steps[name])
            results[name].cpu = (service_cpu(pid) - before) * 1000 / ops
    return results


async def alive(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz")
    if answer.status_code != 200:
        raise SystemExit(f"GET /healthz: {answer.status_code} {answer.text[:300]}")


# The raw side: SQL


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class RawSql:
    """One kept connection with asyncmy or asyncpg; statements written with ``%s``."""

    def __init__(self, dsn: str) -> None:
        self.url = make_url(dsn)
        self.postgres = self.url.get_backend_name() == "postgresql"
        self.conn: Any = None

    async def open(self) -> RawSql:
        u = self.url
        if self.postgres:
            import asyncpg

            self.conn = await asyncpg.connect(
                host=u.host, port=u.port, user=u.username, password=u.password, database=u.database
            )
        else:
            import asyncmy

            self.conn = await asyncmy.connect(
                host=u.host, port=u.port or 3306, user=u.username, password=u.password or "", database=u.database,
                autocommit=True, charset="utf8mb4",
            )
        return self

    async def close(self) -> None:
        if self.postgres:
            await self.conn.close()
        else:
            self.conn.close()

    def _pg(self, sql: str) -> str:
        counter = itertools.count(1)
        return re.sub(r"%s", lambda _: f"${next(counter)}", sql)

    async def transaction(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        if self.postgres:
            async with self.conn.transaction():
                for sql, params in statements:
                    await self.conn.execute(self._pg(sql), *params)
            return
        await self.conn.begin()
        try:
            async with self.conn.cursor() as cursor:
                for sql, params in statements:
                    await cursor.execute(sql, params)
            await self.conn.commit()
        except BaseException:
            await self.conn.rollback()
            raise

    async def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            async with self.conn.transaction():
                await self.conn.executemany(self._pg(sql), rows)
            return
        await self.conn.begin()
        async with self.conn.cursor() as cursor:
            await cursor.executemany(sql, rows)
        await self.conn.commit()

    async def fetch(self, sql: str, *params: Any) -> list[Any]:
        if self.postgres:
            return list(await self.conn.fetch(self._pg(sql), *params))
        async with self.conn.cursor() as cursor:
            await cursor.execute(sql, params)
            return list(await cursor.fetchall())


MAILBOX_INSERT = (
    "INSERT INTO mailbox (username, password, name, language, storagebasedirectory, storagenode, maildir, quota,"
    " domain, transport, passwordlastchange, created, active) VALUES (%s, %s, %s, 'en_US', '/var/vmail', 'vmail1',"
    " %s, %s, %s, '', %s, %s, 1)"
)
SELF_FORWARDING = (
    "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_forwarding, active)"
    " VALUES (%s, %s, %s, %s, 1, 1)"
)


def mailbox_row(email: str, quota: int = 1024) -> tuple[Any, ...]:
    local, domain = email.split("@")
    maildir = f"{domain}/{local[0]}/{local[1]}/{local[2]}/{local}-{now():%Y.%m.%d.%H.%M.%S}/"
    stamp = now()
    return (email, hash_password(USER_PASSWORD, "SSHA512"), "User", maildir, quota, domain, stamp, stamp)


class SqlRaw:
    """The raw baseline on SQL: the reference's statements, one kept connection per client."""

    def __init__(self, vmail: list[RawSql], iredapd: list[RawSql]) -> None:
        self.vmail, self.iredapd = vmail, iredapd

    async def create(self, c: int, email: str) -> None:
        domain = email.split("@")[1]
        await self.vmail[c].transaction(
            (MAILBOX_INSERT, mailbox_row(email)), (SELF_FORWARDING, (email, email, domain, domain))
        )

    async def read(self, c: int, email: str) -> None:
        rows = await self.vmail[c].fetch("SELECT * FROM mailbox WHERE username = %s", email)
        assert rows

    async def update(self, c: int, email: str, i: int) -> None:
        await self.vmail[c].transaction(
            ("UPDATE mailbox SET name = %s, quota = %s, modified = %s WHERE username = %s",
             (f"Renamed {i}", 2048, now(), email)),
        )

    async def alias(self, c: int, address: str, members: list[str]) -> None:
        domain = address.split("@")[1]
        await self.vmail[c].transaction(
            ("INSERT INTO alias (address, name, accesspolicy, domain, created, active) VALUES (%s, %s, 'public', %s,"
             " %s, 1)", (address, "Alias", domain, now())),
            *(("INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_list, active)"
               " VALUES (%s, %s, %s, %s, 1, 1)", (address, member, domain, domain)) for member in members),
        )

    async def throttle(self, c: int, account: str) -> None:
        await self.iredapd[c].transaction(
            ("INSERT INTO throttle (account, kind, priority, period, msg_size, max_msgs, max_quota, max_rcpts)"
             " VALUES (%s, 'outbound', 100, 60, -1, 10, -1, -1)", (account,)),
        )

    async def login(self, c: int) -> None:
        [row] = await self.vmail[c].fetch("SELECT password FROM admin WHERE username = %s AND active = 1", ADMIN)
        assert verify_password(row[0], PASSWORD)
        stamp = now()
        await self.vmail[c].transaction(
            ("INSERT INTO gateway_sessions (token_hash, username, created, expires) VALUES (%s, %s, %s, %s)",
             (secrets.token_hex(32), ADMIN, stamp, stamp + timedelta(hours=1))),
        )

    async def delete(self, c: int, email: str) -> None:
        one = (email,)
        await self.vmail[c].transaction(
            ("INSERT INTO deleted_mailboxes (username, maildir, domain, admin, delete_date) SELECT username,"
             f" CONCAT(storagebasedirectory, '/', storagenode, '/', maildir), domain, '{ADMIN}', NULL FROM mailbox"
             " WHERE username = %s", one),
            *((f"DELETE FROM {table} WHERE username = %s", one)
              for table in ("mailbox", "domain_admins", "recipient_bcc_user", "sender_bcc_user", "used_quota")),
            *((f"DELETE FROM {table} WHERE bcc_address = %s", one)
              for table in ("recipient_bcc_user", "sender_bcc_user", "recipient_bcc_domain", "sender_bcc_domain")),
            ("DELETE FROM forwardings WHERE address = %s OR forwarding = %s", (email, email)),
            ("DELETE FROM moderators WHERE moderator = %s", one),
        )

    async def seed(self, emails: list[str]) -> None:
        domain = emails[0].split("@")[1]
        await self.vmail[0].many(MAILBOX_INSERT, [mailbox_row(e) for e in emails])
        await self.vmail[0].many(SELF_FORWARDING, [(e, e, domain, domain) for e in emails])

    async def bulk(self, domain: str, language: str) -> None:
        await self.vmail[0].transaction(
            ("UPDATE mailbox SET language = %s, modified = %s WHERE domain = %s", (language, now(), domain)),
        )


# The raw side: LDAP


USER_CLASSES = ["inetOrgPerson", "mailUser", "shadowAccount", "amavisAccount"]


class LdapRaw:
    """The same ldap3 add/search/modify/delete, one kept connection per client (in threads)."""

    def __init__(self, server: LdapServer, count: int, iredadmin: list[RawSql], iredapd: list[RawSql]) -> None:
        self.conns = [server.connection() for _ in range(count)]
        self.binders = [server.connection() for _ in range(count)]
        self.sql, self.iredapd = iredadmin, iredapd  # sessions and deleted_mailboxes; throttles
        self.suffix = server.suffix

    def close(self) -> None:
        for conn in self.conns + self.binders:
            conn.unbind()

    def dn(self, email: str, unit: str = "Users") -> str:
        return f"mail={email},ou={unit},domainName={email.split('@')[1]},o=domains,{self.suffix}"

    def attributes(self, email: str) -> dict[str, Any]:
        local = email.split("@")[0]
        return {
            "mail": email, "uid": local, "sn": local, "cn": "User",
            "userPassword": hash_password(USER_PASSWORD, "SSHA512"),
            "homeDirectory": f"/var/vmail/vmail1/{email.split('@')[1]}/{local}/",
            "mailboxFormat": "maildir", "mailboxFolder": "Maildir", "mailQuota": str(1024 * 1048576),
            "accountStatus": "active", "preferredLanguage": "en_US", "shadowLastChange": "20000",
            "amavisLocal": "TRUE", "enabledService": ["mail", "smtp", "imap", "pop3", "deliver", "lda", "lmtp"],
        }

    async def call(self, fn: Callable[..., bool], *args: Any, **kwargs: Any) -> None:
        ok = await asyncio.to_thread(fn, *args, **kwargs)
        if not ok:
            raise SystemExit(f"ldap3 {fn.__name__} failed: {fn.__self__.result}")  # type: ignore[attr-defined]

    async def create(self, c: int, email: str) -> None:
        await self.call(self.conns[c].add, self.dn(email), USER_CLASSES, self.attributes(email))

    async def read(self, c: int, email: str) -> None:
        import ldap3

        await self.call(self.conns[c].search, self.dn(email), "(objectClass=mailUser)",
                        search_scope=ldap3.BASE, attributes=["*"])

    async def update(self, c: int, email: str, i: int) -> None:
        import ldap3

        await self.call(self.conns[c].modify, self.dn(email), {
            "cn": [(ldap3.MODIFY_REPLACE, [f"Renamed {i}"])],
            "mailQuota": [(ldap3.MODIFY_REPLACE, [str(2048 * 1048576)])],
        })

    async def alias(self, c: int, address: str, members: list[str]) -> None:
        await self.call(self.conns[c].add, self.dn(address, "Aliases"), ["mailAlias"], {
            "mail": address, "cn": "Alias", "accountStatus": "active", "enabledService": ["mail", "deliver"],
            "mailForwardingAddress": members,
        })

    async def throttle(self, c: int, account: str) -> None:
        await SqlRaw([], self.iredapd).throttle(c, account)

    async def login(self, c: int) -> None:
        import ldap3

        conn = self.conns[c]
        base = f"o=domainAdmins,{self.suffix}"
        await self.call(conn.search, base, f"(&(mail={ADMIN})(accountStatus=active))",
                        search_scope=ldap3.LEVEL, attributes=["mail"])
        dn = conn.response[0]["dn"]
        await self.call(self.binders[c].rebind, user=dn, password=PASSWORD)
        stamp = now()
        await self.sql[c].transaction(
            ("INSERT INTO gateway_sessions (token_hash, username, created, expires) VALUES (%s, %s, %s, %s)",
             (secrets.token_hex(32), ADMIN, stamp, stamp + timedelta(hours=1))),
        )

    async def delete(self, c: int, email: str) -> None:
        import ldap3

        conn = self.conns[c]
        await asyncio.to_thread(conn.search, f"o=domains,{self.suffix}", f"(mailForwardingAddress={email})",
                                search_scope=ldap3.SUBTREE, attributes=[ldap3.NO_ATTRIBUTES])
        await self.call(conn.delete, self.dn(email))
        await self.sql[c].transaction(
            ("INSERT INTO deleted_mailboxes (username, maildir, domain, admin) VALUES (%s, %s, %s, %s)",
             (email, f"/var/vmail/vmail1/{email}", email.split("@")[1], ADMIN)),
            ("DELETE FROM used_quota WHERE username = %s", (email,)),
        )

    async def seed(self, emails: list[str]) -> None:
        for email in emails:
            await self.create(0, email)

    async def bulk(self, domain: str, language: str) -> None:
        import ldap3

        conn = self.conns[0]
        entries = conn.extend.standard.paged_search(
            f"ou=Users,domainName={domain},o=domains,{self.suffix}", "(objectClass=mailUser)",
            search_scope=ldap3.LEVEL, attributes=[ldap3.NO_ATTRIBUTES], paged_size=1000, generator=False,
        )
        for entry in entries:
            if entry.get("type") == "searchResEntry":
                conn.modify(entry["dn"], {"preferredLanguage": [(ldap3.MODIFY_REPLACE, [language])]})


async def raw_phases(raw: SqlRaw | LdapRaw, ops: int, concurrency: int, prefix: str) -> dict[str, Figures]:
    users = users_of(prefix, ops)
    steps: dict[str, Callable[[int, int], Awaitable[None]]] = {
        "create-user": lambda i, c: raw.create(c, users[i]),
        "read-user": lambda i, c: raw.read(c, users[i]),
        "update-user": lambda i, c: raw.update(c, users[i], i),
        "alias-create": lambda i, c: raw.alias(c, f"{prefix}a{i:06d}@{DOMAIN}", members_of(users, i).split(",")),
        "throttle-set": lambda i, c: raw.throttle(c, users[i]),
        "login": lambda i, c: raw.login(c),
        "delete-user": lambda i, c: raw.delete(c, users[i]),
    }
    return {name: await timed(ops, concurrency, steps[name]) for name in OPERATIONS}


@contextlib.asynccontextmanager
async def raw_side(setup: Setup, count: int) -> AsyncIterator[SqlRaw | LdapRaw]:
    """Kept connections, one per client: vmail (iredadmin's stand-in on LDAP), iredapd and slapd."""
    vmail = [await RawSql(setup.vmail).open() for _ in range(count)]
    iredapd = [await RawSql(setup.iredapd).open() for _ in range(count)]
    ldap = None if setup.ldap is None else LdapRaw(setup.ldap, count, vmail, iredapd)
    try:
        yield SqlRaw(vmail, iredapd) if ldap is None else ldap
    finally:
        if ldap is not None:
            ldap.close()
        for conn in vmail + iredapd:
            await conn.close()


# Statement counts, in-process


@dataclass
class Counts:
    statements: dict[str, int] = field(default_factory=dict)
    transactions: dict[str, int] = field(default_factory=dict)
    checkouts: dict[str, int] = field(default_factory=dict)  # pool checkouts


async def count_statements(setup: Setup) -> Counts:
    """One request of each kind through the app in-process; SQL statements and transactions it sent."""
    from gateway.app import create_app
    from gateway.settings import Settings

    settings = Settings(
        _env_file=None, graphiql=False, **{k.removeprefix("GATEWAY_").lower(): v for k, v in setup.env.items()}
    )
    app = create_app(settings)
    counts = Counts()
    async with app.router.lifespan_context(app):
        engines = list(app.state.backends.engines.values())
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
            await login(client)
            user, alias = f"count{secrets.token_hex(3)}@{DOMAIN}", f"countalias{secrets.token_hex(3)}@{DOMAIN}"
            members = ",".join([user, "x1@example.org", "x2@example.org"])
            requests: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                ("create-user", lambda: checked(client.post(f"/api/user/{user}", data={
                    "name": "Count", "password": USER_PASSWORD, "quota": "1024"}))),
                ("read-user", lambda: checked(client.get(f"/api/user/{user}"))),
                ("update-user", lambda: checked(client.put(f"/api/user/{user}", data={"name": "N", "quota": "2048"}))),
                ("alias-create", lambda: checked(client.post(f"/api/alias/{alias}", data={
                    "name": "A", "members": members}))),
                ("throttle-set", lambda: checked(client.post(f"/api/throttle/{user}/outbound", data={
                    "period": "60", "max_msgs": "10"}))),
                ("login", lambda: login(client)),
                ("delete-user", lambda: checked(client.delete(f"/api/user/{user}"))),
            ]
            for name, request in requests:
                statements: list[str] = []
                begins: list[int] = []
                taken: list[int] = []

                def record(*args: Any, seen: list[str] = statements) -> None:
                    seen.append(args[2])

                def began(*args: Any, seen: list[int] = begins) -> None:
                    seen.append(1)

                def checkout(*args: Any, seen: list[int] = taken) -> None:
                    seen.append(1)

                for engine in engines:
                    event.listen(engine.sync_engine, "before_cursor_execute", record)
                    event.listen(engine.sync_engine, "begin", began)
                    event.listen(engine.sync_engine.pool, "checkout", checkout)
                try:
                    await request()
                finally:
                    for engine in engines:
                        event.remove(engine.sync_engine, "before_cursor_execute", record)
                        event.remove(engine.sync_engine, "begin", began)
                        event.remove(engine.sync_engine.pool, "checkout", checkout)
                counts.statements[name] = len(statements)
                counts.transactions[name] = len(begins)
                counts.checkouts[name] = len(taken)
    await asyncio.sleep(0)
    return counts


# Output


def print_table(title: str, gateway: dict[str, Figures], raw: dict[str, Figures], counts: Counts | None) -> None:
    print(f"\n{title}")
    print("(gw cpu ms: CPU time the service's processes spent per operation; gw/raw: ratio of the ops/s)")
    print(f"({FLOOR}: GET /healthz, no storage and no session, against the raw read: what any request gets at most)")
    if counts:
        print("(stmts, txns, conns: SQL statements, transactions and pool checkouts of one request, in-process;"
              " LDAP operations are not counted)")
    head = f"{'operation':<14}{'gw ops/s':>10}{'gw med ms':>11}{'gw p95 ms':>11}{'gw cpu ms':>11}"
    head += f"{'raw ops/s':>11}{'raw med ms':>12}"
    head += f"{'raw p95 ms':>12}{'gw/raw':>8}"
    if counts:
        head += f"{'stmts':>7}{'txns':>6}{'conns':>7}"
    print(head)
    for name, figures in gateway.items():
        base = raw[name if name != FLOOR else "read-user"]
        line = f"{name:<14}{figures.rate:>10.0f}{figures.median:>11.2f}{figures.p95:>11.2f}{figures.cpu:>11.2f}"
        line += f"{base.rate:>11.0f}"
        line += f"{base.median:>12.2f}{base.p95:>12.2f}{figures.rate / base.rate:>8.2f}"
        if counts and name in counts.statements:
            line += f"{counts.statements[name]:>7}{counts.transactions[name]:>6}{counts.checkouts[name]:>7}"
        print(line, flush=True)


# Modes


async def bulk_phase(base: str, raw: SqlRaw | LdapRaw, users: int) -> tuple[Figures, Figures]:
    emails = [f"b{i:06d}@{BULK_DOMAIN}" for i in range(users)]
    started = time.perf_counter()
    await raw.seed(emails)
    print(f"  seeded {users} users of {BULK_DOMAIN} in {time.perf_counter() - started:.1f} s", flush=True)
    async with clients(base, 1) as [client]:
        async def gateway_bulk(i: int, c: int) -> None:
            await checked(client.put(f"/api/users/{BULK_DOMAIN}", data={"language": ("de_DE", "fr_FR")[i % 2]}))

        gateway = await timed(3, 1, gateway_bulk)

    async def raw_bulk(i: int, c: int) -> None:
        await raw.bulk(BULK_DOMAIN, ("de_DE", "fr_FR")[i % 2])

    return gateway, await timed(3, 1, raw_bulk)


async def create_domains(base: str) -> None:
    async with clients(base, 1) as [client]:
        for domain in (DOMAIN, BULK_DOMAIN):
            await checked(client.post(f"/api/domain/{domain}", data={"name": domain}))


def bench_storage(kind: str, args: argparse.Namespace, pool: PreparedPool) -> None:
    with prepared(kind, pool) as setup, serving(setup, args.workers) as (base, process):
        asyncio.run(create_domains(base))
        counts = None if args.no_counts else asyncio.run(count_statements(setup))
        for concurrency in args.concurrency:
            async def both(concurrency: int = concurrency) -> tuple[dict[str, Figures], dict[str, Figures]]:
                gateway = await gateway_phases(base, process.pid, args.ops, concurrency, f"g{concurrency}")
                async with raw_side(setup, concurrency) as raw:
                    return gateway, await raw_phases(raw, args.ops, concurrency, f"r{concurrency}")

            gateway, raw = asyncio.run(both())
            title = f"{kind}, {args.ops} ops, concurrency {concurrency}, {args.workers} worker(s)"
            print_table(title, gateway, raw, counts if concurrency == args.concurrency[0] else None)
        if args.bulk_users:
            async def bulk() -> tuple[Figures, Figures]:
                async with raw_side(setup, 1) as raw:
                    return await bulk_phase(base, raw, args.bulk_users)

            gateway_bulk, raw_bulk = asyncio.run(bulk())
            what = "one UPDATE" if setup.ldap is None else "one modify per entry"
            print(
                f"bulk PUT /api/users/{BULK_DOMAIN} over {args.bulk_users} users: gateway median "
                f"{gateway_bulk.median:.0f} ms, raw ({what}) {raw_bulk.median:.0f} ms, "
                f"gateway/raw time {gateway_bulk.median / raw_bulk.median:.2f}", flush=True
            )


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def memory_run(base: str, pid: int, requests: int, seconds: float) -> None:
    """Mixed requests from 4 clients: create, read, update, throttle, read, delete per user."""
    print(f"{'requests':>9}{'seconds':>9}{'RSS MiB':>9}", flush=True)
    started = time.perf_counter()
    done = 0
    print(f"{done:>9}{0:>9.0f}{rss_mib(pid):>9.1f}", flush=True)
    serial = itertools.count()
    async with clients(base, 4) as pool:
        async def cycle(client: httpx.AsyncClient) -> int:
            user = f"m{next(serial):07d}@{DOMAIN}"
            await checked(client.post(f"/api/user/{user}", data={"name": "M", "password": USER_PASSWORD}))
            await checked(client.get(f"/api/user/{user}"))
            await checked(client.put(f"/api/user/{user}", data={"name": "N", "quota": "10"}))
            await checked(client.post(f"/api/throttle/{user}/outbound", data={"period": "60", "max_msgs": "5"}))
            await checked(client.get(f"/api/domain/{DOMAIN}"))
            await checked(client.delete(f"/api/user/{user}"))
            return 6

        next_report = 1000
        while done < requests or time.perf_counter() - started < seconds:
            done += sum(await asyncio.gather(*(cycle(client) for client in pool)))
            if done >= next_report:
                print(f"{done:>9}{time.perf_counter() - started:>9.0f}{rss_mib(pid):>9.1f}", flush=True)
                next_report += 1000 if done < requests else 5000


def worker_pid(process: subprocess.Popen[bytes]) -> int:
    return process.pid  # with one worker, serve runs the app in its own process


def profile_storage(kind: str, pool: PreparedPool) -> None:
    """cProfile of in-process creates and reads (the app only: no HTTP server, no client)."""
    from gateway.app import create_app
    from gateway.settings import Settings

    with prepared(kind, pool) as setup:
        settings = Settings(
            _env_file=None, graphiql=False, **{k.removeprefix("GATEWAY_").lower(): v for k, v in setup.env.items()}
        )

        async def run() -> None:
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
                async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
                    await login(client)
                    await checked(client.post(f"/api/domain/{DOMAIN}", data={"name": DOMAIN}))
                    users = users_of("p", 200)
                    for name, make in (
                        ("create-user", lambda u: client.post(f"/api/user/{u}", data={
                            "name": "P", "password": USER_PASSWORD, "quota": "1024"})),
                        ("read-user", lambda u: client.get(f"/api/user/{u}")),
                    ):
                        await checked(make(users[0]))  # warm-up
                        profiler = cProfile.Profile()
                        started = time.perf_counter()
                        profiler.enable()
                        for user in users[1:]:
                            await checked(make(user))
                        profiler.disable()
                        elapsed = (time.perf_counter() - started) / (len(users) - 1) * 1000
                        print(f"\n{kind} {name}: {elapsed:.2f} ms per request in-process (under the profiler)")
                        stats = pstats.Stats(profiler)
                        stats.sort_stats("tottime").print_stats(18)
                        stats.sort_stats("cumulative").print_stats(r"gateway/", 30)

        asyncio.run(run())


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    for kind in args.storages:
        problem = slapd_problem() if kind == "ldap" else None
        problem = problem or server_problem("mariadb" if kind == "ldap" else kind)
        if problem:
            raise SystemExit(f"{kind}: {problem}")
    print(f"bench_rest {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-rest-") as directory:
        pool = PreparedPool(Path(directory))
        try:
            for kind in args.storages:
                if args.profile:
                    profile_storage(kind, pool)
                elif args.memory:
                    with prepared(kind, pool) as setup, serving(setup, 1) as (base, process):
                        asyncio.run(create_domains(base))
                        print(f"\n{kind}: RSS of the worker over {args.memory} mixed requests")
                        asyncio.run(memory_run(base, worker_pid(process), args.memory, args.memory_seconds))
                else:
                    bench_storage(kind, args, pool)
        finally:
            pool.close()


if __name__ == "__main__":
    main()
