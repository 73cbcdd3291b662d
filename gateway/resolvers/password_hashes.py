"""The stored password hashes of a domain's users, which only an export carries out of the gateway."""

from __future__ import annotations

from gateway import addresses
from gateway.errors import ErrorCode, NotFound
from gateway.resolvers.access import exceeding_users, require_domain
from gateway.resolvers.context import Context


async def domain_password_hashes(*, ctx: Context, domain: str) -> dict[str, str]:
    """Each user's stored hash, but those of users whose rights exceed the actor's."""
    domain = addresses.domain_name(domain)
    actor = require_domain(ctx, domain)
    if await ctx.domains.get_domain(domain) is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    hidden = await exceeding_users(ctx, actor, domain)
    return {
        email: stored for email, stored in (await ctx.hashes.password_hashes(domain)).items() if email not in hidden
    }
