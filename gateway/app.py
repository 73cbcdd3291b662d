"""The ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router

from gateway.apidocs import api_docs_routes
from gateway.backends.factory import Backends, open_backends
from gateway.backends.sql.engine import parse_dsn
from gateway.deadline import Deadline, wind_down
from gateway.errors import BackendUnavailable, ConfigurationError, ErrorCode
from gateway.front import front_door
from gateway.graphiql import graphiql_routes
from gateway.metrics import Metrics, metrics_endpoint
from gateway.observe import Observe
from gateway.resolvers.context import Context
from gateway.rest import envelope
from gateway.rest.clients import networks
from gateway.rest.endpoint import internal_error
from gateway.rest.routes import api_routes
from gateway.schema.app import graphql_app
from gateway.settings import Settings

log = logging.getLogger("gateway")

HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}


def check_settings(settings: Settings, *, serving: bool = True) -> None:
    """Fail fast, naming the setting, on what would only fail at the first request."""
    if settings.backend == "ldap":
        for name, value in (
            ("GATEWAY_IREDAPD_DSN", settings.iredapd_dsn),
            ("GATEWAY_LDAP_BIND_DN", settings.ldap_bind_dn),
            ("GATEWAY_LDAP_BASE_DN", settings.ldap_base_dn),
        ):
            if not value:
                raise ConfigurationError(detail=f"{name} is required with GATEWAY_BACKEND=ldap")
    elif (settings.vmail_dsn is None) != (settings.iredapd_dsn is None):
        missing = "GATEWAY_IREDAPD_DSN" if settings.iredapd_dsn is None else "GATEWAY_VMAIL_DSN"
        raise ConfigurationError(detail=f"{missing} is required when the other database is configured")
    else:
        parse_dsn(settings.vmail_url(), "GATEWAY_VMAIL_DSN")
    parse_dsn(settings.iredapd_url(), "GATEWAY_IREDAPD_DSN")
    iredadmin = settings.iredadmin_url()
    if iredadmin is not None:
        parse_dsn(iredadmin, "GATEWAY_IREDADMIN_DSN")
    if serving:
        if iredadmin is None:
            accounts = "GATEWAY_BACKEND=ldap" if settings.backend == "ldap" else "GATEWAY_VMAIL_DSN"
            raise ConfigurationError(
                detail=f"GATEWAY_IREDADMIN_DSN is required with {accounts}: sessions live in the iredadmin database"
            )
        networks(settings.restful_api_clients, "RESTFUL_API_CLIENTS")
        networks(settings.trusted_proxies, "GATEWAY_TRUSTED_PROXIES")
        networks(settings.metrics_clients, "GATEWAY_METRICS_CLIENTS")


async def healthz(request: Request) -> JSONResponse:
    """Liveness: answers without touching any backend."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: every backend answers, or 503 naming those that do not."""
    backends: Backends = request.app.state.backends
    failed = await backends.unreachable()
    if failed:
        return JSONResponse({"status": "unavailable", "failed": failed}, status_code=503)
    return JSONResponse({"status": "ready"})


async def http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods: the API envelope under /api, plain JSON elsewhere."""
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_PARAMETER)
    if request.url.path.startswith("/api"):
        response = envelope.failure(envelope.style_of(request), code, exc.status_code)
    else:
        response = JSONResponse({"error": code}, status_code=exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the gateway; backends are opened by the lifespan and closed after it."""
    settings = settings or Settings()
    check_settings(settings)
    cut_off: set[asyncio.Task[None]] = set()
    metrics = Metrics()
    trusted_proxies = networks(settings.trusted_proxies, "GATEWAY_TRUSTED_PROXIES")
    if settings.session_secret is not None:
        log.warning("GATEWAY_SESSION_SECRET is no longer used: sessions live in the iredadmin database")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backends = open_backends(settings)
        app.state.backends = backends
        metrics.watch(backends)
        app.state.context = Context.over(backends, settings)
        try:
            await backends.sessions.prepare()
        except BackendUnavailable as exc:
            log.warning("sessions table not checked at start-up, will be on first use: %s", exc.detail)
        try:
            yield
        finally:
            await wind_down(cut_off, settings.request_timeout)
            await backends.aclose()

    app = Starlette(
        routes=[
            Route("/", front_door),
            Route("/metrics", metrics_endpoint),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *api_docs_routes(settings),  # /api/openapi.json and /api/docs, before the /api mount
            # the API answers its envelope, never a redirect: /api/domains/ is NOT_FOUND
            Mount("/api", app=Router(api_routes(), redirect_slashes=False)),
            Route("/graphql", graphql_app(settings)),
            *(graphiql_routes(settings) if settings.graphiql else []),
        ],
        middleware=[
            Middleware(Observe, metrics=metrics, proxies=trusted_proxies),
            Middleware(Deadline, seconds=settings.request_timeout, style=settings.api_envelope, unfinished=cut_off),
        ],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # "/api" itself is NOT_FOUND rather than a redirect to "/api/"
    app.state.settings = settings
    app.state.api_clients = networks(settings.restful_api_clients, "RESTFUL_API_CLIENTS")
    app.state.trusted_proxies = trusted_proxies
    app.state.metrics = metrics
    app.state.metrics_clients = networks(settings.metrics_clients, "GATEWAY_METRICS_CLIENTS")
    return app
