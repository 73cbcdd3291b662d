"""How failures reach GraphQL clients.

A ``GatewayError`` keeps its message and carries the same UPPER_SNAKE code as
REST in ``extensions.code``. Any other exception is masked: the client gets a
generic message and a request id, the log gets the detail. Validation errors
(syntax, unknown fields, depth and size limits) pass unchanged.
"""

from __future__ import annotations

import logging
import uuid

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from gateway.errors import ErrorCode, GatewayError
from gateway.logs import current_request_id

log = logging.getLogger("gateway.graphql")


def _with_extensions(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class GatewayErrors(MaskErrors):
    """Codes for expected failures, masking with a request id for the rest."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._process(error) for error in errors]

    def _process(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error
        if isinstance(original, GatewayError):
            if original.detail:
                log.info("graphql %s -> %s (%s)", error.path, original.code, original.detail)
            return _with_extensions(error, original.code, {"code": original.code})
        request_id = current_request_id() or uuid.uuid4().hex[:12]
        log.error("graphql request %s failed at %s", request_id, error.path, exc_info=original)
        return _with_extensions(
            error, "Internal server error", {"code": ErrorCode.INTERNAL_ERROR, "requestId": request_id}
        )
