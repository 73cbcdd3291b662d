"""The strawberry schema and its ASGI endpoint at ``/graphql``."""

from __future__ import annotations

import logging
from collections.abc import Callable

import strawberry
from graphql.error import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.graphiql import ASSETS_URL, graphiql_page
from gateway.request_context import request_context
from gateway.schema.context import GatewayContext
from gateway.schema.errors import GatewayErrors
from gateway.schema.loaders import Loaders
from gateway.schema.mutation import Mutation
from gateway.schema.query import Query
from gateway.schema.types import SCALARS
from gateway.settings import Settings

log = logging.getLogger("gateway.graphql")

ENDPOINT = "/graphql"


class GatewaySchema(strawberry.Schema):
    """strawberry's schema without its own error log: ``GatewayErrors`` logs resolver failures (expected ones
    at info, the rest with a request id); syntax and validation errors are the client's."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if error.original_error is None:
                log.info("graphql request refused: %s", error.message)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the protections the settings ask for."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        GatewayErrors,
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    """strawberry's ASGI view with the gateway's context and a GraphiQL that needs no internet."""

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> GatewayContext:
        resolver = await request_context(request)
        return GatewayContext(
            request=request,
            response=response if isinstance(response, Response) else None,
            resolver=resolver,
            loaders=Loaders.build(resolver),
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_page(ENDPOINT, ASSETS_URL))


def graphql_app(settings: Settings) -> GatewayGraphQL:
    """The ``/graphql`` endpoint; GraphiQL is served to browsers when enabled."""
    return GatewayGraphQL(
        build_schema(settings),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
    )
