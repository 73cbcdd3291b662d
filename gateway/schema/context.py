"""The per-request GraphQL context: the resolver Context, loaders and the HTTP request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from gateway.resolvers.context import Context
from gateway.schema.loaders import Loaders


@dataclass
class GatewayContext:
    """What every GraphQL field receives as ``info.context``."""

    request: Request | WebSocket
    response: Response | None
    resolver: Context
    loaders: Loaders
