"""The resolver context of one HTTP request: backends from the app, actor from the session.

The session cookie carries only the opaque id of a server-side session
(``ctx.sessions``); logging in and out goes through ``start_session`` and
``end_session``, shared by REST and GraphQL.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import HTTPConnection
from starlette.responses import Response

from gateway.model import Actor
from gateway.resolvers.auth import current_actor
from gateway.resolvers.context import Context
from gateway.rest.clients import client_address

SESSION_COOKIE = "iredmail_gateway_session"
_STATE_KEY = "gateway_session_id"  # the id a login or logout earlier in this request left behind
ADMIN_KEY = "gateway_admin"  # the admin acting in this request, for its log line
_UNSET = object()


def session_id(connection: HTTPConnection) -> str | None:
    """The request's session id: set by a login or logout earlier in this request, else the cookie's."""
    current = getattr(connection.state, _STATE_KEY, _UNSET)
    if current is not _UNSET:
        return current if isinstance(current, str) else None
    return connection.cookies.get(SESSION_COOKIE) or None


def _remember(connection: HTTPConnection, value: str | None) -> None:
    setattr(connection.state, _STATE_KEY, value)


async def request_context(connection: HTTPConnection) -> Context:
    """A Context whose actor is the session's admin, re-read so revoked rights take effect at once."""
    base: Context = connection.app.state.context
    base = base.from_client(_client(connection))
    current = session_id(connection)
    if current is None:
        return base
    username = await base.sessions.lookup(current)
    if username is None:
        return base
    actor = await current_actor(ctx=base, username=username)
    if actor is None:  # no longer an active admin: re-enabling the account does not revive this session
        await base.sessions.delete(current)
    else:
        setattr(connection.state, ADMIN_KEY, actor.username)
    return base.acting_as(actor)


def _client(connection: HTTPConnection) -> str:
    """The client's address (behind trusted proxies, the nearest untrusted hop); "" when unknown."""
    peer = connection.client.host if connection.client else None
    forwarded = connection.headers.get("x-forwarded-for")
    return client_address(peer, forwarded, connection.app.state.trusted_proxies) or ""


async def start_session(connection: HTTPConnection, response: Response, ctx: Context, actor: Actor) -> None:
    """A new session for ``actor`` (always a new id; the request's old session ends) and its cookie."""
    lifetime = timedelta(seconds=ctx.settings.session_max_age)
    new = await ctx.sessions.create(actor.username, lifetime, replacing=session_id(connection))
    _remember(connection, new)
    setattr(connection.state, ADMIN_KEY, actor.username)
    response.set_cookie(
        SESSION_COOKIE,
        new,
        max_age=ctx.settings.session_max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=ctx.settings.session_cookie_secure,
    )


async def end_session(connection: HTTPConnection, response: Response, ctx: Context) -> None:
    """End the request's session, if any, and clear its cookie."""
    old = session_id(connection)
    if old is not None:
        await ctx.sessions.delete(old)
    _remember(connection, None)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=ctx.settings.session_cookie_secure
    )
