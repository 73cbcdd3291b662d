"""The resolver context a command-line transfer acts in: the configured backends and an admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway import addresses
from gateway.backends.factory import open_backends
from gateway.errors import ErrorCode, Forbidden
from gateway.model import Actor
from gateway.resolvers.context import Context
from gateway.settings import Settings

# who a transfer acts as when no admin is named: a global admin that is no account
COMMAND_LINE = Actor(username="iredmail-gateway", is_global=True)


@asynccontextmanager
async def acting(settings: Settings, admin: str | None = None) -> AsyncIterator[Context]:
    """A context over the configured storage as ``admin`` (an active admin's rights), else as a global admin."""
    backends = open_backends(settings)
    try:
        ctx = Context.over(backends, settings)
        actor = COMMAND_LINE
        if admin is not None:
            found = await ctx.admins.load_actor(addresses.member_address(admin))
            if found is None:
                raise Forbidden(ErrorCode.PERMISSION_DENIED, f"{admin} is not an active admin")
            actor = found
        await backends.sessions.prepare()  # a changed password or status ends the account's sessions
        yield ctx.acting_as(actor)
    finally:
        await backends.aclose()
