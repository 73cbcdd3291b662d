"""The resolver context of one HTTP request: backends from the app, actor from the session."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from gateway.resolvers.auth import current_actor
from gateway.resolvers.context import Context

SESSION_USER = "username"


async def request_context(connection: HTTPConnection) -> Context:
    """A Context whose actor is the session's admin, re-read so revoked rights take effect at once."""
    base: Context = connection.app.state.context
    username = connection.session.get(SESSION_USER)
    if not isinstance(username, str):
        return base
    actor = await current_actor(ctx=base, username=username)
    if actor is None:
        connection.session.clear()
    return base.acting_as(actor)
