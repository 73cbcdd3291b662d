"""The strawberry schema and its ASGI endpoint at ``/graphql``."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator

import strawberry
from cross_web import HTTPException
from graphql.error import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
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

from gateway.errors import ErrorCode
from gateway.graphiql import ASSETS_URL, graphiql_page
from gateway.request_context import request_context
from gateway.schema.audit import AuditMutations
from gateway.schema.body import MALFORMED, TOO_LARGE, BodyRefused, decode_operation, read_body, refusal, replaying
from gateway.schema.context import GatewayContext
from gateway.schema.cost import CostLimiter
from gateway.schema.errors import GatewayErrors
from gateway.schema.loaders import Loaders
from gateway.schema.metrics import OperationMetrics
from gateway.schema.mutation import Mutation
from gateway.schema.query import Query
from gateway.schema.types import SCALARS
from gateway.settings import Settings

log = logging.getLogger("gateway.graphql")

ENDPOINT = "/graphql"
# The codes of the refusals strawberry's view makes before execution, by HTTP status.
_REQUEST_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED, 413: TOO_LARGE}
_SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*\Z", re.DOTALL)
# what graphql-core quotes of the document's values: a printed value ("…") and a string token (String '…')
_VALUES = (re.compile(r'"(?:[^"\\]|\\.)*"'), re.compile(r"(?<=String )'[^']*'"))


def without_values(message: str) -> str:
    """A refusal's message for the log, without the values it quotes: they may be passwords."""
    for pattern in _VALUES:
        message = pattern.sub("'***'", message)
    return message


class GatewaySchema(strawberry.Schema):
    """strawberry's schema without its own error log: ``GatewayErrors`` logs resolver failures (expected ones
    at info, the rest with a request id); syntax and validation errors are the client's."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if error.original_error is None:
                log.info("graphql request refused: %s", without_values(error.message))


class HideSuggestions(SchemaExtension):
    """Drops graphql-core's "Did you mean …?" hints, which name fields and types, when introspection is off."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_without_suggestion(error) for error in result.errors]


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the protections the settings ask for."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        lambda: CostLimiter(max_cost=settings.graphql_max_cost),
        GatewayErrors,
        OperationMetrics,
        AuditMutations,
    ]
    if not settings.introspection_enabled:
        extensions += [DisableIntrospection, HideSuggestions]
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
    )


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    """strawberry's ASGI view with the gateway's context, a GraphiQL that needs no internet, and a body read
    under a cap and decoded strictly: every refusal before execution is a JSON error with a code."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response: Response
        try:
            body = await read_body(scope, receive)
            response = await self.run(Request(scope, replaying(body, receive)))
        except BodyRefused as refused:
            response = refused.response()
        except HTTPException as error:
            response = refusal(error.status_code, _REQUEST_CODES.get(error.status_code, MALFORMED), error.reason)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        return decode_operation(data)

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
