"""The ``/api`` paths of iRedAdmin-Pro, made from the declarations of each concept."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from gateway.rest import (
    admins,
    aliases,
    auth,
    domains,
    greylisting,
    ldif,
    log,
    maillists,
    renames,
    spampolicy,
    throttles,
    users,
    wblist,
)
from gateway.rest.declare import ApiRoute
from gateway.rest.endpoint import endpoint

ROUTES: tuple[ApiRoute, ...] = (
    *auth.ROUTES, *domains.ROUTES, *users.ROUTES, *aliases.ROUTES, *maillists.ROUTES, *throttles.ROUTES,
    *greylisting.ROUTES,
    *admins.ROUTES,
    *spampolicy.ROUTES, *wblist.ROUTES,
    *log.ROUTES,
    *ldif.ROUTES,
    *renames.ROUTES,
)


def api_routes() -> list[Route]:
    """Every route, relative to ``/api``."""
    return [Route(route.starlette_path, endpoint(route), methods=[route.method]) for route in ROUTES]


def describe() -> list[dict[str, Any]]:
    """Every route with its parameters, types, aliases, descriptions, session use and status."""
    return [route.describe() for route in ROUTES]
