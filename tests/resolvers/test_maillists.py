"""Mailing lists: NOT_SUPPORTED on SQL, after the address and the actor's rights are checked."""

from __future__ import annotations

from datetime import datetime

import pytest

from gateway.errors import Conflict
from gateway.model import Domain, DomainUsage
from gateway.resolvers import maillists
from gateway.resolvers.aliases import AliasInput, alias_limit
from gateway.resolvers.context import Context
from tests.resolvers.conftest import Gateway

LIST = "team@example.com"


async def test_every_list_resolver_is_not_supported_on_sql(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("NOT_SUPPORTED"):
        await maillists.create_maillist(ctx=seeded, address=LIST, data=AliasInput(members=("bob@example.com",)))
    async with gateway.refused("NOT_SUPPORTED"):
        await maillists.get_maillist(ctx=seeded, address=LIST)
    async with gateway.refused("NOT_SUPPORTED"):
        await maillists.update_maillist(ctx=seeded, address=LIST, data=AliasInput(name="Team"))
    async with gateway.refused("NOT_SUPPORTED"):
        await maillists.delete_maillist(ctx=seeded, address=LIST)


async def test_address_and_rights_come_first(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("INVALID_MAIL"):
        await maillists.get_maillist(ctx=seeded, address="not an address")
    ctx = await gateway.domain_admin("dadmin@admins.test", "other.org")
    async with gateway.refused("PERMISSION_DENIED"):
        await maillists.create_maillist(ctx=ctx, address=LIST, data=AliasInput())
    async with gateway.refused("LOGIN_REQUIRED"):
        await maillists.get_maillist(ctx=gateway.anonymous(), address=LIST)


def domain(max_lists: int) -> Domain:
    return Domain(
        name="example.com", description="", active=True, transport="dovecot", backupmx=False, quota=0, max_users=0,
        max_aliases=0, max_lists=max_lists, default_user_quota=0, max_user_quota=0, min_password_length=0,
        max_password_length=0, default_language="", created=datetime(2024, 1, 1), modified=None,
    )


@pytest.mark.parametrize(
    ("max_lists", "lists", "refused"),
    [(0, 1000, False), (2, 1, False), (2, 2, True), (-1, 0, True)],
    ids=["unlimited", "below", "at-limit", "none-allowed"],
)
def test_number_of_lists_limit(max_lists: int, lists: int, refused: bool) -> None:
    """The check the LDAP list store runs under lock before it adds a list."""
    usage = DomainUsage(users=0, aliases=0, allocated_quota=0, used_bytes=0, used_messages=0, lists=lists)
    check = alias_limit("max_lists", "lists")
    if not refused:
        check(domain(max_lists), usage)
        return
    with pytest.raises(Conflict) as caught:
        check(domain(max_lists), usage)
    assert caught.value.code == "EXCEEDED_DOMAIN_ACCOUNT_LIMIT"
