"""Mailing lists, where the backend has them (LDAP); ``NOT_SUPPORTED`` elsewhere."""

from __future__ import annotations

from gateway import addresses
from gateway.backends.base import MaillistStore
from gateway.errors import ErrorCode, InvalidInput, NotFound, NotSupported
from gateway.model import AccessPolicy, Alias
from gateway.resolvers import validation
from gateway.resolvers.access import managed_address
from gateway.resolvers.admin_limits import admin_bound
from gateway.resolvers.aliases import AliasInput, alias_limit, member_list, merged_members
from gateway.resolvers.context import Context


def _store(ctx: Context, address: str) -> tuple[str, MaillistStore]:
    """The validated address and the backend's list store, after the actor's rights are checked."""
    address = managed_address(ctx, address)
    store = ctx.maillists
    if store is None:
        raise NotSupported(ErrorCode.NOT_SUPPORTED, "mailing lists need the LDAP backend; use mail aliases on SQL")
    return address, store


async def get_maillist(*, ctx: Context, address: str) -> Alias:
    address, store = _store(ctx, address)
    found = await store.get_maillist(address)
    if found is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    return found


async def create_maillist(*, ctx: Context, address: str, data: AliasInput) -> Alias:
    address, store = _store(ctx, address)
    address = addresses.mailbox_address(address)
    if data.add_members or data.remove_members or data.active is False:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER)
    maillist = Alias(
        address=address,
        domain=addresses.domain_of(address),
        name=validation.display_name(data.name or ""),
        access_policy=validation.access_policy(data.access_policy or AccessPolicy.PUBLIC.value),
        active=True,
        members=member_list(data.members or ()),
        created=None,
    )
    await store.create_maillist(maillist, alias_limit("max_lists", "lists"), await admin_bound(ctx, "lists"))
    return await get_maillist(ctx=ctx, address=address)


async def update_maillist(*, ctx: Context, address: str, data: AliasInput) -> Alias:
    address, store = _store(ctx, address)
    await store.update_maillist(address, merged_members(data))
    return await get_maillist(ctx=ctx, address=address)


async def delete_maillist(*, ctx: Context, address: str) -> None:
    address, store = _store(ctx, address)
    await store.delete_maillist(address)

