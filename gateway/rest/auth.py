"""``/api/login`` and ``/api/logout``."""

from __future__ import annotations

from gateway.model import Actor
from gateway.resolvers import auth
from gateway.resolvers.context import Context
from gateway.rest.declare import TEXT, ApiRoute, Param, Session, Values


async def _login(ctx: Context, values: Values) -> Actor:
    return await auth.login(ctx=ctx, username=values["username"] or "", password=values["password"] or "")


async def _nothing(ctx: Context, values: Values) -> None:
    return None


ROUTES = (
    ApiRoute(
        "POST", "/login", "Start a session for an admin", _login,
        params=(
            Param("username", TEXT, "The admin's full e-mail address", required=True, example="postmaster@example.com"),
            Param("password", TEXT, "The admin's password", required=True, example="Adm1n-Secret!"),
        ),
        session=Session.OPENS,
        audit="login",
    ),
    ApiRoute("POST", "/logout", "End the session", _nothing, session=Session.ENDS, audit=None),
)
