"""Renaming a mail user or alias within its domain; every stored copy of the address follows.

The account store rewrites the account and what names it (storage reference
2.6) while iRedAPD's and Amavisd's rows of the address follow in
transactions held open around that write: all change, or none does. A
renamed user's sessions end.
"""

from __future__ import annotations

from gateway import addresses
from gateway.errors import ErrorCode, InvalidInput
from gateway.model import Alias, User
from gateway.resolvers.access import managed_address, require_account
from gateway.resolvers.aliases import get_alias
from gateway.resolvers.context import Context
from gateway.resolvers.users import get_user


def _new_address(old: str, new: str) -> str:
    """The validated new address, in the old one's domain (else ``CANNOT_CHANGE_DOMAIN``)."""
    new = addresses.mailbox_address(new)
    if addresses.domain_of(new) != addresses.domain_of(old):
        raise InvalidInput(ErrorCode.CANNOT_CHANGE_DOMAIN, "the new address must be in the same domain")
    return new


async def rename_user(*, ctx: Context, email: str, new_email: str) -> User:
    """Give a mail user a new address in its domain; its mailbox, forwardings, aliases and rights follow."""
    email = addresses.member_address(email)
    await require_account(ctx, email)
    new_email = _new_address(email, new_email)
    await require_account(ctx, new_email)  # rights left behind for that address would pass to the mailbox
    async with ctx.throttles.renaming(email, new_email), ctx.spam_policies.renaming(email, new_email):
        await ctx.renames.rename_user(email, new_email)
    await ctx.sessions.delete_for([email])
    return await get_user(ctx=ctx, email=new_email)


async def rename_alias(*, ctx: Context, address: str, new_address: str) -> Alias:
    """Give a mail alias a new address in its domain; its members stay, memberships naming it follow."""
    address = managed_address(ctx, address)
    new_address = _new_address(address, new_address)
    async with ctx.throttles.renaming(address, new_address), ctx.spam_policies.renaming(address, new_address):
        await ctx.renames.rename_alias(address, new_address)
    return await get_alias(ctx=ctx, address=new_address)
