"""A user's own forwarding: where its mail goes, and whether its mailbox keeps a copy."""

from __future__ import annotations

from collections.abc import Iterable

from gateway import addresses
from gateway.errors import ErrorCode, InvalidInput
from gateway.model import User
from gateway.resolvers.access import require_account
from gateway.resolvers.context import Context
from gateway.resolvers.users import get_user

MAX_TARGETS = 1000


def forwarding_targets(email: str, targets: Iterable[str]) -> tuple[str, ...]:
    """Validated, lower-cased, de-duplicated and sorted targets; none means mail stays in the mailbox (``email``)."""
    unique = sorted({addresses.member_address(target) for target in targets if target.strip()})
    if len(unique) > MAX_TARGETS:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"at most {MAX_TARGETS} forwarding addresses")
    return tuple(unique) or (email,)


async def set_forwardings(*, ctx: Context, email: str, targets: Iterable[str]) -> User:
    """Replace a user's forwarding targets; its own address among them keeps a copy in the mailbox."""
    email = addresses.member_address(email)
    await require_account(ctx, email)
    await ctx.forwardings.set_forwardings(email, forwarding_targets(email, targets))
    return await get_user(ctx=ctx, email=email)
