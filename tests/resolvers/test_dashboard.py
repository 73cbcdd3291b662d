"""Pages, batches and totals: argument checks, and only what the actor manages."""

from __future__ import annotations

import pytest

from gateway.errors import InvalidInput
from gateway.model import PageQuery
from gateway.resolvers import aliases, dashboard, throttles
from gateway.resolvers.aliases import AliasInput
from gateway.resolvers.context import Context
from gateway.resolvers.throttles import ThrottleInput
from gateway.resolvers.users import UserInput, create_user
from tests.resolvers.conftest import STRONG, Gateway
from tests.storage import set_used_quota


@pytest.mark.parametrize(
    ("first", "after", "search", "code"),
    [
        (0, None, None, "INVALID_PAGE_SIZE"),
        (dashboard.MAX_PAGE_SIZE + 1, None, None, "INVALID_PAGE_SIZE"),
        (10, "not a cursor!", None, "INVALID_CURSOR"),
        (10, "", None, "INVALID_CURSOR"),
        (10, dashboard.encode_cursor("bob") + "=", None, "INVALID_CURSOR"),  # not as encode_cursor writes it
        (10, None, "x" * (dashboard.MAX_SEARCH_LENGTH + 1), "INVALID_PARAMETER"),
        (10, None, "tab\there", "INVALID_PARAMETER"),
    ],
    ids=["first-0", "first-max", "garbage", "empty", "padded", "long-search", "control-search"],
)
def test_page_arguments(first: int, after: str | None, search: str | None, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        dashboard.page_query(first, after, search)
    assert caught.value.code == code


def test_cursor_round_trip() -> None:
    assert dashboard.page_query(5, dashboard.encode_cursor("bob@example.com"), "") == PageQuery(
        first=5, after="bob@example.com", search=None
    )


async def test_pages_continue_after_the_cursor(gateway: Gateway, seeded: Context) -> None:
    for local in ("anna", "dave", "erin"):
        await create_user(ctx=seeded, email=f"{local}@example.com", data=UserInput(password=STRONG))
    pages = await dashboard.users_pages(ctx=seeded, domains=["example.com"], query=dashboard.page_query(2))
    first = pages["example.com"]
    assert ([user.email for user in first.items], first.total, first.has_next) == (
        ["anna@example.com", "bob@example.com"], 4, True,
    )
    query = dashboard.page_query(2, dashboard.encode_cursor(first.items[-1].email))
    second = (await dashboard.users_pages(ctx=seeded, domains=["example.com"], query=query))["example.com"]
    assert ([user.email for user in second.items], second.has_next) == (["dave@example.com", "erin@example.com"], False)


@pytest.fixture
async def domain_admin(gateway: Gateway, seeded: Context) -> Context:
    """The admin of example.com, with an alias, a throttle and used quota in both domains."""
    for address, member in (("info@example.com", "carol@other.org"), ("info@other.org", "bob@example.com")):
        await aliases.create_alias(ctx=seeded, address=address, data=AliasInput(members=(member,)))
    for target in ("example.com", "other.org"):
        await throttles.set_throttle(ctx=seeded, target=target, kind="inbound", data=ThrottleInput(period=60))
    await set_used_quota(gateway.storage, "bob@example.com", 1000, 3)
    await set_used_quota(gateway.storage, "carol@other.org", 5000, 7)
    return await gateway.domain_admin("dadmin@admins.test", "example.com")


async def test_stats_count_only_the_domain_admins_domains(domain_admin: Context, seeded: Context) -> None:
    mine = await dashboard.stats(ctx=domain_admin)
    assert (mine.domains, mine.users, mine.aliases, mine.used_bytes, mine.used_messages) == (1, 1, 1, 1000, 3)
    everything = await dashboard.stats(ctx=seeded)
    assert (everything.domains, everything.users, everything.aliases, everything.used_bytes) == (2, 2, 2, 6000)


async def test_domain_admin_pages_only_its_domains(gateway: Gateway, domain_admin: Context) -> None:
    page = await dashboard.domains_page(ctx=domain_admin, query=dashboard.page_query(10))
    assert ([domain.name for domain in page.items], page.total) == (["example.com"], 1)
    query = dashboard.page_query(10)
    async with gateway.refused("PERMISSION_DENIED"):
        await dashboard.users_pages(ctx=domain_admin, domains=["example.com", "other.org"], query=query)
    async with gateway.refused("PERMISSION_DENIED"):
        await dashboard.aliases_pages(ctx=domain_admin, domains=["other.org"], query=query)
    async with gateway.refused("PERMISSION_DENIED"):
        await dashboard.domain_admins(ctx=domain_admin, domains=["other.org"])
    async with gateway.refused("PERMISSION_DENIED"):
        await dashboard.used_quota(ctx=domain_admin, emails=["carol@other.org"])
    async with gateway.refused("PERMISSION_DENIED"):
        await dashboard.throttles_of(ctx=domain_admin, accounts=["@other.org"])


async def test_domain_admin_sees_its_own_figures(domain_admin: Context) -> None:
    used = await dashboard.used_quota(ctx=domain_admin, emails=["bob@example.com"])
    assert (used["bob@example.com"].bytes, used["bob@example.com"].messages) == (1000, 3)
    assert [t.account for t in await dashboard.throttles_of(ctx=domain_admin, accounts=["@example.com"])] == [
        "@example.com"
    ]
    admins = await dashboard.domain_admins(ctx=domain_admin, domains=["example.com"])
    assert "dadmin@admins.test" in admins["example.com"]


async def test_memberships_hide_aliases_of_other_domains(domain_admin: Context, seeded: Context) -> None:
    """bob is a member of info@other.org; its admin sees that, the admin of example.com does not."""
    assert (await dashboard.alias_memberships(ctx=seeded, emails=["bob@example.com"]))["bob@example.com"] == (
        "info@other.org",
    )
    mine = await dashboard.alias_memberships(ctx=domain_admin, emails=["bob@example.com"])
    assert mine.get("bob@example.com", ()) == ()


async def test_nobody_logged_in_sees_nothing(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("LOGIN_REQUIRED"):
        await dashboard.stats(ctx=gateway.anonymous())
    async with gateway.refused("LOGIN_REQUIRED"):
        await dashboard.domains_page(ctx=gateway.anonymous(), query=dashboard.page_query(10))
