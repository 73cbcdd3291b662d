"""The front door at ``/``: what this service is and where to go, as a page or as JSON."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from gateway import __version__
from gateway.backends.sql.engine import parse_dsn
from gateway.settings import Settings

STORAGE_NAMES = {"sqlite": "SQLite", "mysql": "MariaDB/MySQL", "postgresql": "PostgreSQL", "ldap": "OpenLDAP"}
# nothing but the page's own inline style may load
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def storage(settings: Settings) -> str:
    """``ldap``, or the database of ``vmail``: ``sqlite``, ``mysql`` or ``postgresql``."""
    if settings.backend == "ldap":
        return "ldap"
    return parse_dsn(settings.vmail_url(), "GATEWAY_VMAIL_DSN").get_backend_name()


LINKS = {
    "graphql": "/graphql",
    "api_docs": "/api/docs",
    "healthz": "/healthz",
    "readyz": "/readyz",
    "metrics": "/metrics",
}


def wants_json(accept: str) -> bool:
    """Whether the ``Accept`` header ranks JSON above HTML: by quality, then by how exactly each is named
    (``application/json, */*`` asks for JSON; ``*/*`` alone or a tie gets the page)."""
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (item.strip() for item in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media.lower()] = max(quality, weights.get(media.lower(), 0.0))

    def weight(*media: str) -> tuple[float, int]:
        """The quality of the most exact range naming the type, and how exact it is."""
        return next(
            ((weights[m], len(media) - rank) for rank, m in enumerate(media) if m in weights), (0.0, 0)
        )

    return weight("application/json", "application/*", "*/*") > weight("text/html", "text/*", "*/*")


def page(settings: Settings) -> str:
    name = STORAGE_NAMES.get(storage(settings), storage(settings))
    where = " (embedded, under the data directory)" if settings.backend == "sql" and settings.embedded else ""
    graphql = "GraphiQL, the GraphQL explorer" if settings.graphiql else "GraphQL endpoint (POST)"
    items = [
        ("/graphql", graphql),
        ("/api/docs", "REST API documentation (iRedAdmin-Pro compatible, under /api)"),
        ("/healthz", "liveness"),
        ("/readyz", "readiness: every database and directory answers"),
        ("/metrics", "Prometheus metrics"),
    ]
    rows = "\n".join(
        f'      <li><a href="{html.escape(href)}">{html.escape(href)}</a> {html.escape(text)}</li>'
        for href, text in items
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>iredmail-gateway {html.escape(__version__)}</title>
    <style>
      body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem;
             color: #1d2733; line-height: 1.5; }}
      h1 {{ font-size: 1.6rem; margin-bottom: 0.2rem; }}
      .facts {{ color: #4a5868; margin-top: 0; }}
      ul {{ padding-left: 1.2rem; }}
      a {{ color: #0b5cad; font-family: ui-monospace, monospace; }}
    </style>
  </head>
  <body>
    <h1>iredmail-gateway</h1>
    <p class="facts">version <strong id="version">{html.escape(__version__)}</strong>
      · storage <strong id="storage">{html.escape(name + where)}</strong></p>
    <p>The iRedAdmin-Pro RESTful API and a GraphQL schema over this iRedMail server's own storage.</p>
    <ul id="links">
{rows}
    </ul>
  </body>
</html>
"""


async def front_door(request: Request) -> Response:
    """``/``: the page for browsers, JSON for clients that ask for it."""
    settings: Settings = request.app.state.settings
    response: Response
    if wants_json(request.headers.get("accept", "")):
        response = JSONResponse(
            {
                "service": "iredmail-gateway",
                "version": __version__,
                "storage": storage(settings),
                "links": LINKS,
            }
        )
    else:
        response = HTMLResponse(page(settings))
        response.headers["Content-Security-Policy"] = POLICY
    response.headers["Vary"] = "Accept"
    return response
