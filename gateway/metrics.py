"""Prometheus metrics: what ``/metrics`` shows, in a registry of each app's own.

Requests are counted and timed by route template (``/api/user/{mail}``,
never the address itself), so the series stay few whatever clients send.
Connection pools and backend failures are read from the stores when
scraped. GraphQL operations are counted by ``gateway.schema.metrics``.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.backends.factory import Backends
from gateway.backends.sql.engine import is_unavailable
from gateway.errors import ErrorCode
from gateway.rest.clients import Network, client_address, is_allowed

NAMESPACE = "gateway"
# GraphQL operation names come from clients: past this many distinct ones the rest count as "other"
MAX_OPERATION_NAMES = 200


class Metrics:
    """The app's registry and the metrics the request path updates."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        where: dict[str, Any] = {"namespace": NAMESPACE, "registry": self.registry}
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            **where,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to the end of its answer, by route template and method",
            ["route", "method"],
            **where,
        )
        self.graphql = Counter(
            "graphql_operations",
            "GraphQL operations run, by operation name, type and whether they answered errors",
            ["operation", "type", "outcome"],
            **where,
        )
        self._operation_names: set[str] = set()
        self._storage: StorageCollector | None = None

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def observe_operation(self, name: str | None, kind: str, failed: bool) -> None:
        label = name or "anonymous"
        if label not in self._operation_names:
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                label = "other"
            else:
                self._operation_names.add(label)
        self.graphql.labels(label, kind, "error" if failed else "ok").inc()

    def watch(self, backends: Backends) -> None:
        """Report the pools and failures of ``backends`` from now on (instead of those of an earlier start)."""
        if self._storage is not None:
            self.registry.unregister(self._storage)
        self._storage = StorageCollector(backends)
        self.registry.register(self._storage)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class StorageCollector(Collector):
    """Pool use and failures of every database and the directory, read when scraped."""

    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        self.errors: Tally[str] = Tally()
        for name, engine in backends.engines.items():
            _count_failures(engine, name, self.errors)

    def collect(self) -> Iterator[Metric]:
        size = GaugeMetricFamily(f"{NAMESPACE}_pool_size", "Connections a pool keeps open", labels=["pool"])
        in_use = GaugeMetricFamily(f"{NAMESPACE}_pool_in_use", "Connections lent out right now", labels=["pool"])
        idle = GaugeMetricFamily(f"{NAMESPACE}_pool_idle", "Open connections waiting in a pool", labels=["pool"])
        overflow = GaugeMetricFamily(
            f"{NAMESPACE}_pool_overflow", "Connections opened beyond a pool's size", labels=["pool"]
        )
        for name, engine in self.backends.engines.items():
            pool: Any = engine.pool  # every engine uses a QueuePool (see make_engine)
            size.add_metric([name], pool.size())
            in_use.add_metric([name], pool.checkedout())
            idle.add_metric([name], pool.checkedin())
            overflow.add_metric([name], max(0, pool.overflow()))
        ldap = self.backends.ldap_pool
        errors = CounterMetricFamily(
            f"{NAMESPACE}_backend_errors",
            "Times a database or directory server could not be reached or did not answer in time",
            labels=["backend"],
        )
        for name in self.backends.engines:
            errors.add_metric([name], self.errors[name])
        if ldap is not None:
            size.add_metric(["ldap"], ldap.size)
            in_use.add_metric(["ldap"], ldap.in_use)
            idle.add_metric(["ldap"], ldap.idle)
            errors.add_metric(["ldap"], ldap.failures)
        yield from (size, in_use, idle, overflow, errors)


def _count_failures(engine: AsyncEngine, name: str, errors: Tally[str]) -> None:
    """Count the times the database could not be reached or did not answer in time.

    A failing statement is not one: the gateway expects some (a missing table
    it then creates, a duplicate row it reports as a conflict).
    """

    @event.listens_for(engine.sync_engine, "handle_error")
    def _failed(context: ExceptionContext) -> None:
        exc = context.sqlalchemy_exception or context.original_exception
        if context.is_disconnect or is_unavailable(exc):
            errors[name] += 1


async def metrics_endpoint(request: Request) -> Response:
    """``/metrics``: open, or only to ``GATEWAY_METRICS_CLIENTS`` when set."""
    allowed: tuple[Network, ...] = request.app.state.metrics_clients
    if allowed:
        peer = request.client.host if request.client else None
        client = client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.trusted_proxies)
        if not is_allowed(client, allowed):
            return JSONResponse({"error": ErrorCode.NOT_AUTHORIZED}, status_code=ErrorCode.NOT_AUTHORIZED.http_status)
    metrics: Metrics = request.app.state.metrics
    return metrics.render()
