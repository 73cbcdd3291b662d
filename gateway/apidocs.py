"""``/api/openapi.json`` and the API docs page ``/api/docs`` (Swagger UI from local files).

Swagger UI's JavaScript and CSS come from the ``swagger-ui-dist`` npm package,
fetched by ``iredmail-gateway assets`` as GraphiQL's are, and are served under
``/api-docs-assets``: the page needs no external URL.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from gateway.errors import Forbidden
from gateway.graphiql import FETCH_COMMAND, PAGE_HEAD, Asset, AssetFiles, missing_assets
from gateway.rest import envelope
from gateway.rest.endpoint import check_client
from gateway.rest.openapi import JSON, SERVER, Document, document
from gateway.rest.routes import ROUTES
from gateway.settings import Settings

logger = logging.getLogger(__name__)

DOCUMENT_URL = f"{SERVER}/openapi.json"
PAGE_URL = f"{SERVER}/docs"
ASSETS_URL = "/api-docs-assets"
_SWAGGER = ("swagger-ui-dist", "5.35.0")
DOCS_ASSETS: list[Asset] = [
    Asset("swagger-ui-bundle.js", *_SWAGGER, "package/swagger-ui-bundle.js"),
    Asset("swagger-ui.css", *_SWAGGER, "package/swagger-ui.css"),
]
_REFUSED = {"403": {"$ref": "#/components/responses/403"}}
DOC_PATHS: dict[str, Any] = {
    DOCUMENT_URL.removeprefix(SERVER): {"get": {
        "operationId": "get_openapi_json",
        "summary": "This OpenAPI document",
        "tags": ["documentation"],
        "security": [],
        "responses": {
            "200": {"description": "The document", "content": {JSON: {"schema": {"type": "object"}}}},
            **_REFUSED,
        },
    }},
    PAGE_URL.removeprefix(SERVER): {"get": {
        "operationId": "get_docs",
        "summary": "The API docs page (Swagger UI) for this document",
        "tags": ["documentation"],
        "security": [],
        "responses": {
            "200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}},
            **_REFUSED,
        },
    }},
}


def docs_assets_dir(settings: Settings) -> Path:
    """Where Swagger UI's files live: ``GATEWAY_API_DOCS_ASSETS_DIR``, else ``<data_dir>/api-docs``."""
    if settings.api_docs_assets_dir is not None:
        return settings.api_docs_assets_dir
    return settings.data_dir / "api-docs"


def api_document(settings: Settings) -> Document:
    """The OpenAPI document of every ``/api`` route, in the envelope ``settings`` answer with."""
    return document(ROUTES, settings.api_envelope, DOC_PATHS)


_PAGE = PAGE_HEAD + """<title>API docs · iredmail-gateway</title>
<link rel="stylesheet" href="{css}">
<style>
body {{ margin: 0; }}
#swagger-ui > p {{ font-family: sans-serif; padding: 1em 2em; }}
</style>
<script src="{bundle}"></script>
</head>
<body>
<div id="swagger-ui" data-document="{document}" data-fetch-command="{command}">
<noscript><p>The API docs page needs JavaScript; the document itself is at {document}.</p></noscript>
</div>
<script>
(function () {{
  var root = document.getElementById("swagger-ui");
  if (typeof window.SwaggerUIBundle === "undefined") {{
    var message = document.createElement("p");
    message.textContent = "The API docs page's files are not installed on this server. "
      + "Fetch them with `" + root.dataset.fetchCommand + "` and reload this page. "
      + "The OpenAPI document is at " + root.dataset.document + ".";
    root.replaceChildren(message);
    return;
  }}
  window.ui = SwaggerUIBundle({{
    url: root.dataset.document,
    domNode: root,
    validatorUrl: null,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  }});
}})();
</script>
</body>
</html>
"""


def docs_page(document_url: str, assets_url: str) -> str:
    """The Swagger UI page showing ``document_url``, loading its files from ``assets_url``."""
    base = assets_url.rstrip("/")
    return _PAGE.format(
        css=html.escape(f"{base}/swagger-ui.css", quote=True),
        bundle=html.escape(f"{base}/swagger-ui-bundle.js", quote=True),
        document=html.escape(document_url, quote=True),
        command=html.escape(FETCH_COMMAND, quote=True),
    )


def _refused(request: Request) -> Response | None:
    """The API's refusal when the API is off or the client is not allowed, else None."""
    try:
        check_client(request)
    except Forbidden as exc:
        return envelope.failure(envelope.style_of(request), exc.code, exc.http_status)
    return None


def api_docs_routes(settings: Settings) -> list[BaseRoute]:
    """The document, the page and Swagger UI's files; a warning is logged when the files are missing."""
    directory = docs_assets_dir(settings)
    missing = missing_assets(directory, DOCS_ASSETS)
    if missing:
        logger.warning("API docs files missing in %s (%s): run `%s`", directory, ", ".join(missing), FETCH_COMMAND)
    content = api_document(settings)
    page = docs_page(DOCUMENT_URL, ASSETS_URL)

    async def openapi_json(request: Request) -> Response:
        return _refused(request) or JSONResponse(content)

    async def docs(request: Request) -> Response:
        return _refused(request) or HTMLResponse(page)

    return [
        Route(DOCUMENT_URL, openapi_json, methods=["GET"]),
        Route(PAGE_URL, docs, methods=["GET"]),
        Mount(ASSETS_URL, app=AssetFiles(directory=directory, check_dir=False), name="api-docs-assets"),
    ]
