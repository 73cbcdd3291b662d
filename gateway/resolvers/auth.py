"""Admin login."""

from __future__ import annotations

from gateway import addresses
from gateway.errors import ErrorCode, InvalidInput, NotAuthenticated
from gateway.model import Actor
from gateway.passwords import verify_password
from gateway.resolvers.context import Context

# verified when the account is unknown, so that both cases cost the same time
DECOY_HASH = "{SSHA512}aW52YWxpZGludmFsaWRpbnZhbGlkaW52YWxpZGludmFsaWRpbnZhbGlkaW52YWxpZGludmFsaWRzYWx0c2FsdA=="


async def login(*, ctx: Context, username: str, password: str) -> Actor:
    """Check an admin's credentials; ``INVALID_CREDENTIALS`` for any failure."""
    try:
        email = addresses.member_address(username)
    except InvalidInput:
        raise NotAuthenticated(ErrorCode.INVALID_CREDENTIALS) from None
    if not password or len(password) > 1024:
        raise NotAuthenticated(ErrorCode.INVALID_CREDENTIALS)
    stored = await ctx.admins.admin_credentials(email)
    verified = await ctx.in_thread(verify_password, stored or DECOY_HASH, password)
    actor = await ctx.admins.load_actor(email) if verified and stored else None
    if actor is None:
        raise NotAuthenticated(ErrorCode.INVALID_CREDENTIALS)
    return actor


async def current_actor(*, ctx: Context, username: str) -> Actor | None:
    """The rights ``username`` holds now; None once it is no longer an active admin."""
    return await ctx.admins.load_actor(username)
