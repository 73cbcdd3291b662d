"""Every request ends within its deadline when storage stops answering, and the gateway recovers after.

The gateway reaches MariaDB, PostgreSQL or slapd through a ``TcpProxy``
that the test switches silent (connections open, no bytes) or closed.
Each case bounds time by one layer alone: the database or directory
timeouts with a long request deadline, or the request deadline with long
storage timeouts. Bounds are loose (deadline × 2 + 5 s) because the
machines are noisy; the LDAP queue case is tighter, as that is its point.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import require_server
from tests.databases import PreparedPool, prepared_pair
from tests.ldap_server import LdapServer
from tests.rest.conftest import STRONG, Api, logged_in, open_api, open_ldap_api, with_two_domains
from tests.tcp_proxy import TcpProxy

# the layer under test: long enough for a password hash and a few statements on a loaded 2-core machine
SHORT = 3.0
LONG = 60.0  # the layer not under test
LAYERS = {
    "storage timeouts": {"database_timeout": SHORT, "ldap_timeout": SHORT, "request_timeout": LONG},
    "request deadline": {"database_timeout": LONG, "ldap_timeout": LONG, "request_timeout": SHORT},
}
BOUND = SHORT * 2 + 5
DOMAINS_QUERY = "{ domains(first: 5) { totalCount nodes { name userCount } } }"


@dataclass
class Answer:
    response: httpx.Response
    seconds: float


async def timed(call: Awaitable[httpx.Response]) -> Answer:
    started = time.monotonic()
    response = await call
    return Answer(response, time.monotonic() - started)


def assert_unavailable(answer: Answer, bound: float = BOUND) -> None:
    """503 ``BACKEND_UNAVAILABLE`` (envelope or GraphQL error) within ``bound`` seconds."""
    response = answer.response
    assert answer.seconds < bound, f"{response.request.method} {response.request.url.path} took {answer.seconds:.1f} s"
    body = response.json()
    if response.request.url.path == "/graphql":
        assert response.status_code in (200, 503), response.text
        assert [error["extensions"]["code"] for error in body["errors"]] == ["BACKEND_UNAVAILABLE"], response.text
    else:
        assert response.status_code == 503, response.text
        assert body == {"success": False, "msg": "BACKEND_UNAVAILABLE"}


def graphql(api: Api, query: str) -> Awaitable[httpx.Response]:
    return api.client.post("/graphql", json={"query": query})


def account_traffic(api: Api, readers: int) -> list[Awaitable[httpx.Response]]:
    """Reads and writes of domains and users, ``readers`` reads of one user among them."""
    return [
        *(api.call("GET", "/api/user/bob@example.com") for _ in range(readers)),
        api.call("GET", "/api/domains"),
        api.call("POST", "/api/user/new@example.com", password=STRONG),
        api.call("PUT", "/api/user/bob@example.com", name="Robert"),
        api.call("DELETE", "/api/user/carol@other.org"),
        api.call("POST", "/api/domain/third.net"),
        graphql(api, DOMAINS_QUERY),
    ]


async def all_unavailable(calls: list[Awaitable[httpx.Response]], bound: float = BOUND) -> None:
    for answer in await asyncio.gather(*(timed(call) for call in calls)):
        assert_unavailable(answer, bound)


async def recovers(api: Api) -> None:
    """The next requests succeed: no connection left poisoned in a pool."""
    response = await api.call("GET", "/api/user/bob@example.com")
    assert response.status_code == 200, response.text
    response = await api.call("POST", "/api/user/later@example.com", password=STRONG)
    assert response.status_code == 201, response.text
    response = await api.call("GET", "/api/user/later@example.com")
    assert response.json()["data"]["mail"] == "later@example.com"


@pytest.fixture(params=["mariadb", "postgresql"])
def server_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    require_server(kind)
    return kind


@asynccontextmanager
async def proxied_sql(
    kind: str, database: str, tmp_path: Path, pool: PreparedPool, **overrides: Any
) -> AsyncIterator[tuple[Api, TcpProxy]]:
    """A gateway with ADMIN logged in, example.com/bob and other.org/carol, reaching ``database`` via a proxy."""
    with prepared_pair(kind, tmp_path, pool) as databases:
        dsn: str = getattr(databases, database)
        port = make_url(dsn).port
        assert port is not None
        with TcpProxy(port) as proxy:
            async for api in open_api(databases, **{f"{database}_dsn": proxy.url(dsn)}, **overrides):
                try:
                    yield await with_two_domains(await logged_in(api)), proxy
                finally:
                    proxy.forward()


@pytest.mark.parametrize("layer", LAYERS)
async def test_silent_vmail_answers_503_in_time_writes_nothing_and_recovers(
    server_kind: str, layer: str, tmp_path: Path, prepared_pool: PreparedPool
) -> None:
    async with proxied_sql(server_kind, "vmail", tmp_path, prepared_pool, **LAYERS[layer]) as (api, proxy):
        before = await api.snapshot()
        proxy.silent()
        # more readers than the pool holds connections (5 + 10 overflow): the pool wait is bounded too
        await all_unavailable(account_traffic(api, readers=16))
        assert await api.snapshot() == before
        proxy.forward()
        await recovers(api)


async def test_silent_iredapd_answers_503_in_time_writes_nothing_and_recovers(
    server_kind: str, tmp_path: Path, prepared_pool: PreparedPool
) -> None:
    overrides = LAYERS["storage timeouts"]
    async with proxied_sql(server_kind, "iredapd", tmp_path, prepared_pool, **overrides) as (api, proxy):
        response = await api.call("POST", "/api/throttle/bob@example.com/outbound", period=60, max_msgs=10)
        assert response.status_code in (200, 201), response.text
        before = await api.snapshot()
        proxy.silent()
        await all_unavailable(
            [
                api.call("GET", "/api/throttle/bob@example.com/outbound"),
                api.call("POST", "/api/throttle/bob@example.com/outbound", period=60, max_msgs=99),
                api.call("POST", "/api/throttle/global/inbound", period=3600, max_msgs=500),
                api.call("DELETE", "/api/throttle/bob@example.com/outbound"),
                graphql(api, '{ throttle(account: "bob@example.com", kind: OUTBOUND) { maxMsgs } }'),
            ]
        )
        assert await api.snapshot() == before
        proxy.forward()
        response = await api.call("POST", "/api/throttle/global/inbound", period=3600, max_msgs=500)
        assert response.status_code in (200, 201), response.text
        response = await api.call("GET", "/api/throttle/global/inbound")
        assert response.json()["data"]["max_msgs"] == 500


@asynccontextmanager
async def proxied_ldap(
    request: pytest.FixtureRequest, tmp_path: Path, **overrides: Any
) -> AsyncIterator[tuple[Api, TcpProxy]]:
    """``proxied_sql`` on OpenLDAP: the gateway reaches slapd through a proxy."""
    server: LdapServer = request.getfixturevalue("ldap_tree")
    pool: PreparedPool = request.getfixturevalue("prepared_pool")
    assert server.port is not None
    with prepared_pair("sqlite", tmp_path, pool) as databases, TcpProxy(server.port) as proxy:
        uri = f"ldap://127.0.0.1:{proxy.port}"
        async for api in open_ldap_api(server, databases, ldap_uri=uri, **overrides):
            try:
                yield await with_two_domains(await logged_in(api)), proxy
            finally:
                proxy.forward()


@pytest.mark.parametrize("layer", LAYERS)
async def test_silent_directory_answers_503_in_time_writes_nothing_and_recovers(
    request: pytest.FixtureRequest, layer: str, tmp_path: Path
) -> None:
    async with proxied_ldap(request, tmp_path, **LAYERS[layer]) as (api, proxy):
        before = await api.snapshot()
        proxy.silent()
        await all_unavailable(account_traffic(api, readers=4))
        assert await api.snapshot() == before
        proxy.forward()
        await recovers(api)


async def test_requests_queued_for_a_silent_directory_end_together(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Twenty requests on a pool of four do not time out four at a time (1, 2 … 5 timeouts): all end in about one."""
    async with proxied_ldap(request, tmp_path, **LAYERS["storage timeouts"]) as (api, proxy):
        proxy.silent()
        await all_unavailable([api.call("GET", "/api/user/bob@example.com") for _ in range(20)], bound=SHORT * 2.5 + 1)
        proxy.forward()
        await recovers(api)


async def test_closed_directory_answers_503_at_once(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    async with proxied_ldap(request, tmp_path, **LAYERS["storage timeouts"]) as (api, proxy):
        proxy.close()
        await all_unavailable([api.call("GET", "/api/user/bob@example.com") for _ in range(10)], bound=SHORT + 1)
        proxy.forward()
        await recovers(api)


async def test_health_answers_while_storage_hangs(
    server_kind: str, tmp_path: Path, prepared_pool: PreparedPool
) -> None:
    overrides = LAYERS["request deadline"]
    async with proxied_sql(server_kind, "vmail", tmp_path, prepared_pool, **overrides) as (api, proxy):
        proxy.silent()
        hanging = asyncio.ensure_future(api.call("GET", "/api/domains"))
        started = time.monotonic()
        response = await api.client.get("/healthz")
        assert response.status_code == 200 and not hanging.done()
        assert_unavailable(Answer(await hanging, time.monotonic() - started))


async def test_tcp_proxy_modes() -> None:
    """The proxy itself: relays, holds connections open when silent, cuts them when closed."""
    require_server("postgresql")
    with TcpProxy(5432) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")  # PostgreSQL's SSLRequest: the server answers one byte
        assert await asyncio.wait_for(reader.read(1), 5) in (b"N", b"S")
        proxy.silent()
        writer.write(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.5)
        assert proxy.connections == 1
        proxy.close()
        assert await asyncio.wait_for(reader.read(1), 5) == b""
        writer.close()
