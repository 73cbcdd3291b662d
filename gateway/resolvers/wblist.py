"""White- and blacklists of senders (inbound) and recipients (outbound) for the server, a domain or a user."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from gateway import mailpolicy
from gateway.errors import ErrorCode, InvalidEntries, InvalidInput
from gateway.mailpolicy import Colour, Direction, WbLists
from gateway.resolvers.access import require_target
from gateway.resolvers.context import Context
from gateway.resolvers.policy_targets import PolicyTarget, target_of

DIRECTIONS = tuple(Direction)
COLOURS = tuple(Colour)


def entries(addresses: Sequence[str] | None) -> dict[str, int]:
    """Valid entries with their priorities; ``INVALID_WBLIST_ENTRY`` naming the others."""
    if not addresses:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "addresses is required")
    valid, invalid = mailpolicy.parse_entries(addresses)
    if invalid:
        raise InvalidEntries(ErrorCode.INVALID_WBLIST_ENTRY, invalid)
    return valid


async def _target(ctx: Context, target: str, *, changing: bool = False) -> PolicyTarget:
    return await require_target(ctx, target_of(target), changing=changing)


async def get_wblist(*, ctx: Context, direction: Direction, colour: Colour, target: str) -> tuple[str, ...]:
    """The entries of one list of ``target`` (``global``, a domain or an address), sorted."""
    parsed = await _target(ctx, target)
    found = await ctx.wblists.lists([parsed.account])
    return found.get(parsed.account, WbLists()).of(direction, colour)


async def add_to_wblist(
    *, ctx: Context, direction: Direction, colour: Colour, target: str, addresses: Sequence[str] | None
) -> None:
    """List ``addresses`` in ``colour``; an address in the other colour moves."""
    valid = entries(addresses)
    parsed = await _target(ctx, target, changing=True)
    await ctx.wblists.add_entries(parsed.account, parsed.priority, direction, colour, valid)


async def remove_from_wblist(
    *, ctx: Context, direction: Direction, colour: Colour, target: str, addresses: Sequence[str] | None
) -> int:
    """Take ``addresses`` off the list; returns how many were on it."""
    valid = entries(addresses)
    parsed = await _target(ctx, target, changing=True)
    return await ctx.wblists.remove_entries(parsed.account, direction, colour, list(valid))


async def clear_wblist(*, ctx: Context, direction: Direction, colour: Colour, target: str) -> int:
    """Empty the list; returns how many entries it held."""
    parsed = await _target(ctx, target, changing=True)
    return await ctx.wblists.remove_entries(parsed.account, direction, colour, None)


async def wblists_of(*, ctx: Context, accounts: Collection[str]) -> dict[str, WbLists]:
    """Lists of ``accounts`` the caller already resolved and may see, in one request."""
    return await ctx.wblists.lists(accounts)
