"""``/metrics``: request, GraphQL and storage metrics in Prometheus format, and who may read them."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.settings import Settings
from tests.rest.conftest import ADMIN, Api, backend_api

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape, by name and labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_counters_appear_after_traffic(api: Api) -> None:
    before = await scrape(api.client)
    assert value(before, "gateway_http_requests_total", route="/api/user/{mail}", method="GET", status="404") is None

    assert (await api.login()).status_code == 200
    for _ in range(2):
        assert (await api.client.get("/api/user/nobody@example.com")).status_code == 404
    assert (await api.client.get("/no/such/path")).status_code == 404
    query = {"query": "query WhoAmI { me { username } }", "operationName": "WhoAmI"}
    answer = await api.client.post("/graphql", json=query)
    assert answer.json() == {"data": {"me": {"username": ADMIN}}}
    refused = await api.client.post("/graphql", json={"query": "mutation Broken { nope }"})
    assert refused.json()["errors"]

    after = await scrape(api.client)
    requests = "gateway_http_requests_total"
    assert value(after, requests, route="/api/user/{mail}", method="GET", status="404") == 2
    assert value(after, requests, route="/api/login", method="POST", status="200") == 1
    assert value(after, requests, route="<unmatched>", method="GET", status="404") == 1
    assert value(after, requests, route="/graphql", method="POST", status="200") == 2
    assert not any("nobody@example.com" in str(labels) for _, labels in after), "addresses are not labels"
    latency = "gateway_http_request_duration_seconds"
    assert value(after, f"{latency}_count", route="/api/user/{mail}", method="GET") == 2
    assert value(after, f"{latency}_bucket", route="/api/user/{mail}", method="GET", le="+Inf") == 2
    operations = "gateway_graphql_operations_total"
    assert value(after, operations, operation="WhoAmI", type="query", outcome="ok") == 1
    assert value(after, operations, operation="Broken", type="mutation", outcome="error") == 1

    databases = ["iredapd", "iredadmin"] + (["ldap"] if api.kind == "ldap" else ["vmail"])
    for pool in databases:
        assert value(after, "gateway_pool_size", pool=pool) is not None, pool
        assert value(after, "gateway_pool_in_use", pool=pool) == 0, pool  # nothing is running during the scrape
        assert value(after, "gateway_backend_errors_total", backend=pool) == 0, pool
    assert (value(after, "gateway_pool_idle", pool="iredadmin") or 0) >= 1  # the sessions were read through it


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


async def _serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


async def test_backend_errors_by_backend(tmp_path: Path) -> None:
    """A database that does not answer counts against its own name only."""
    settings = Settings(
        _env_file=None,
        vmail_dsn=f"sqlite:///{tmp_path / 'vmail.sqlite3'}",
        iredapd_dsn=f"mysql://root@127.0.0.1:{_closed_port()}/iredapd",
        amavisd_dsn=f"sqlite:///{tmp_path / 'amavisd.sqlite3'}",
        iredadmin_dsn=f"sqlite:///{tmp_path / 'iredadmin.sqlite3'}",
    )
    async for client in _serve(settings):
        assert (await client.get("/readyz")).json() == {"status": "unavailable", "failed": ["iredapd"]}
        found = await scrape(client)
        assert (value(found, "gateway_backend_errors_total", backend="iredapd") or 0) >= 1
        assert value(found, "gateway_backend_errors_total", backend="vmail") == 0
        assert value(found, "gateway_http_requests_total", route="/readyz", method="GET", status="503") == 1


async def test_directory_errors_and_pool(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        backend="ldap",
        ldap_uri=f"ldap://127.0.0.1:{_closed_port()}",
        ldap_bind_dn="cn=vmailadmin,dc=example,dc=com",
        ldap_bind_password="not-used",
        ldap_base_dn="dc=example,dc=com",
        ldap_timeout=2,
        iredapd_dsn=f"sqlite:///{tmp_path / 'iredapd.sqlite3'}",
        amavisd_dsn=f"sqlite:///{tmp_path / 'amavisd.sqlite3'}",
        iredadmin_dsn=f"sqlite:///{tmp_path / 'iredadmin.sqlite3'}",
    )
    async for client in _serve(settings):
        assert (await client.get("/readyz")).json() == {"status": "unavailable", "failed": ["ldap"]}
        found = await scrape(client)
        assert value(found, "gateway_backend_errors_total", backend="ldap") == 1
        assert value(found, "gateway_pool_size", pool="ldap") == 4
        assert value(found, "gateway_pool_in_use", pool="ldap") == 0


@pytest.mark.parametrize(
    ("setting", "peer", "forwarded", "status"),
    [
        ("10.0.0.0/8", "127.0.0.1", None, 403),
        ("10.0.0.0/8", "10.1.2.3", None, 200),
        ("127.0.0.1", "127.0.0.1", None, 200),
        # behind a trusted proxy the forwarded client decides, not the proxy
        ("10.0.0.0/8", "192.0.2.1", "10.9.9.9", 200),
        ("10.0.0.0/8", "192.0.2.1", "127.0.0.1", 403),
        ("", "198.51.100.7", None, 200),
    ],
)
async def test_metrics_clients(
    request: pytest.FixtureRequest, tmp_path: Path, setting: str, peer: str, forwarded: str | None, status: int
) -> None:
    """``GATEWAY_METRICS_CLIENTS`` restricts ``/metrics`` (nothing else); empty leaves it open."""
    async with backend_api(request, "sqlite", tmp_path, metrics_clients=setting, trusted_proxies="192.0.2.1") as api:
        app: Any = api.client._transport.app  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            response = await client.get("/metrics", headers=headers)
            assert response.status_code == status, response.text
            if status == 403:
                assert response.json() == {"error": "NOT_AUTHORIZED"}
            else:
                assert "gateway_http_requests_total" in response.text
            assert (await client.get("/healthz", headers=headers)).status_code == 200


def test_a_bad_metrics_network_stops_the_start() -> None:
    from gateway.app import check_settings
    from gateway.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="GATEWAY_METRICS_CLIENTS"):
        check_settings(Settings(_env_file=None, metrics_clients="not-a-network"))


async def test_a_restarted_app_reports_its_new_stores(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_dir=tmp_path))
    for _ in range(2):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
                found = await scrape(client)
                assert value(found, "gateway_pool_size", pool="vmail") == 5
