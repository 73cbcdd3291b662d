"""Users: the domain's defaults and limits, password or hash, deletion dates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.model import DomainChanges
from gateway.passwords import hash_password, verify_password
from gateway.resolvers import domains, users
from gateway.resolvers.context import Context
from gateway.resolvers.users import UserInput
from tests.resolvers.conftest import ADMIN, STRONG, Gateway
from tests.storage import deleted_mailboxes, today


async def limit(ctx: Context, **changes: int | str) -> None:
    """Give example.com ``changes`` (its limits or defaults)."""
    await domains.update_domain(ctx=ctx, name="example.com", changes=DomainChanges(**changes))  # type: ignore[arg-type]


async def create(ctx: Context, email: str, **values: str | int) -> None:
    await users.create_user(ctx=ctx, email=email, data=UserInput(password=STRONG, **values))  # type: ignore[arg-type]


async def test_create_user_stores_what_was_given(gateway: Gateway, seeded: Context) -> None:
    user = await users.create_user(
        ctx=seeded, email="John.Doe@Example.com",
        data=UserInput(password=STRONG, name="John", language="de", quota=512, transport="relay:[192.0.2.1]:25",
                       employee_id="E-1"),
    )
    assert (user.email, user.name, user.language, user.quota, user.active) == (
        "john.doe@example.com", "John", "de", 512, True,
    )
    stored = await gateway.storage.user("john.doe@example.com")
    assert stored is not None
    assert (stored.quota, stored.transport, stored.employee_id) == (512, "relay:[192.0.2.1]:25", "E-1")
    assert stored.home.startswith("/var/vmail/vmail1/example.com/")
    assert stored.forwardings == ("john.doe@example.com",)
    assert verify_password(stored.password, STRONG)


async def test_user_takes_the_domains_defaults(gateway: Gateway, seeded: Context) -> None:
    await limit(seeded, default_user_quota=100, max_user_quota=200, default_language="fr")
    user = await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password=STRONG))
    assert (user.quota, user.language) == (100, "fr")


async def test_without_a_default_quota_the_maximum_applies(gateway: Gateway, seeded: Context) -> None:
    await limit(seeded, max_user_quota=200)
    assert (await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password=STRONG))).quota == 200


async def test_without_defaults_quota_is_unlimited_and_language_english(gateway: Gateway, seeded: Context) -> None:
    user = await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password=STRONG))
    assert (user.quota, user.language) == (0, "en_US")


async def test_number_of_users_limit(gateway: Gateway, seeded: Context) -> None:
    await limit(seeded, max_users=2)
    await create(seeded, "second@example.com")
    async with gateway.refused("EXCEEDED_DOMAIN_ACCOUNT_LIMIT"):
        await create(seeded, "third@example.com")
    await create(seeded, "dave@other.org")  # other domains are not limited


async def test_no_users_allowed(gateway: Gateway, seeded: Context) -> None:
    await limit(seeded, max_users=-1)
    async with gateway.refused("EXCEEDED_DOMAIN_ACCOUNT_LIMIT"):
        await create(seeded, "new@example.com")


@pytest.mark.parametrize("quota", [0, 201], ids=["unlimited", "above"])
async def test_max_user_quota(gateway: Gateway, seeded: Context, quota: int) -> None:
    await limit(seeded, max_user_quota=200)
    async with gateway.refused("EXCEEDED_MAX_USER_QUOTA"):
        await create(seeded, "new@example.com", quota=quota)
    async with gateway.refused("EXCEEDED_MAX_USER_QUOTA"):
        await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(quota=quota))
    await create(seeded, "new@example.com", quota=200)


async def test_domain_quota(gateway: Gateway, seeded: Context) -> None:
    await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(quota=100))
    await limit(seeded, quota=300)
    await create(seeded, "second@example.com", quota=150)
    async with gateway.refused("EXCEEDED_DOMAIN_QUOTA_SIZE"):
        await create(seeded, "third@example.com", quota=51)
    async with gateway.refused("EXCEEDED_DOMAIN_QUOTA_SIZE"):
        await create(seeded, "third@example.com", quota=0)  # unlimited does not fit a limited domain
    async with gateway.refused("EXCEEDED_DOMAIN_QUOTA_SIZE"):
        await users.update_user(ctx=seeded, email="second@example.com", data=UserInput(quota=201))
    # a user's own quota is not counted twice when it changes
    assert (await users.update_user(ctx=seeded, email="second@example.com", data=UserInput(quota=200))).quota == 200


async def test_create_needs_a_password(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("PW_EMPTY"):
        await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(name="New"))


async def test_user_of_an_unknown_domain(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("NO_SUCH_DOMAIN"):
        await create(seeded, "new@nowhere.net")


async def test_an_existing_address_is_not_created_twice(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("ALREADY_EXISTS"):
        await create(seeded, "BOB@example.com")


async def test_password_hash_is_stored_verbatim(gateway: Gateway, seeded: Context) -> None:
    hashed = hash_password("An0ther-Secret!", "SSHA512")
    await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password_hash=hashed))
    await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(password_hash=hashed))
    for email in ("new@example.com", "bob@example.com"):
        stored = await gateway.storage.user(email)
        assert stored is not None and stored.password == hashed


async def test_a_weak_password_may_arrive_hashed(gateway: Gateway, seeded: Context) -> None:
    """The policy judges plain passwords only; a hash comes from a system that judged it."""
    weak = hash_password("a", "SHA")
    await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password_hash=weak))
    stored = await gateway.storage.user("new@example.com")
    assert stored is not None and stored.password == weak


@pytest.mark.parametrize(
    "value",
    [
        "Str0ng-Passw0rd!",  # plain text
        "{NOSUCH}abc",
        "{SSHA512}" + "A" * 247,  # 256 characters: over the password column
        "{PLAIN}nul\x00",
    ],
    ids=["plain", "unknown-scheme", "too-long", "nul"],
)
async def test_unusable_password_hashes(gateway: Gateway, seeded: Context, value: str) -> None:
    async with gateway.refused("INVALID_PASSWORD_HASH"):
        await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password_hash=value))
    async with gateway.refused("INVALID_PASSWORD_HASH"):
        await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(password_hash=value))


async def test_password_and_hash_together(gateway: Gateway, seeded: Context) -> None:
    data = UserInput(password=STRONG, password_hash=hash_password(STRONG, "SSHA512"))
    async with gateway.refused("INVALID_PARAMETER"):
        await users.create_user(ctx=seeded, email="new@example.com", data=data)
    async with gateway.refused("INVALID_PARAMETER"):
        await users.update_user(ctx=seeded, email="bob@example.com", data=data)


async def test_update_changes_only_what_is_given(gateway: Gateway, seeded: Context) -> None:
    before = await gateway.storage.user("bob@example.com")
    user = await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(name="Bob", active=False))
    after = await gateway.storage.user("bob@example.com")
    assert before is not None and after is not None
    assert (user.name, user.active, after.name, after.active) == ("Bob", False, "Bob", False)
    assert (after.password, after.quota, after.language) == (before.password, before.quota, before.language)


async def test_unknown_user(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("NO_SUCH_ACCOUNT"):
        await users.get_user(ctx=seeded, email="nobody@example.com")
    async with gateway.refused("NO_SUCH_ACCOUNT"):
        await users.update_user(ctx=seeded, email="nobody@example.com", data=UserInput(name="x"))
    async with gateway.refused("NO_SUCH_ACCOUNT"):
        await users.delete_user(ctx=seeded, email="nobody@example.com")


@pytest.mark.parametrize("days", [-1, domains.MAX_KEEP_DAYS + 1])
async def test_keep_mailbox_days_out_of_bounds(gateway: Gateway, seeded: Context, days: int) -> None:
    async with gateway.refused("INVALID_PARAMETER"):
        await users.delete_user(ctx=seeded, email="bob@example.com", keep_mailbox_days=days)


async def test_delete_user_records_its_maildir(gateway: Gateway, seeded: Context) -> None:
    home = (await gateway.storage.user("bob@example.com") or pytest.fail("bob missing")).home
    await users.delete_user(ctx=seeded, email="bob@example.com", keep_mailbox_days=10)
    assert await gateway.storage.user("bob@example.com") is None
    [mailbox] = await deleted_mailboxes(gateway.storage)
    assert (mailbox.username, mailbox.admin, mailbox.delete_date) == (
        "bob@example.com", ADMIN, today() + timedelta(days=10),
    )
    assert home.endswith(mailbox.maildir.strip("/") + "/")


async def test_bulk_update_needs_a_bulk_field(gateway: Gateway, seeded: Context) -> None:
    for data in (UserInput(name="All"), UserInput(quota=1), UserInput(employee_id="x")):
        async with gateway.refused("INVALID_PARAMETER"):
            await users.update_domain_users(ctx=seeded, domain="example.com", data=data)


async def test_bulk_update_changes_every_user_of_the_domain(gateway: Gateway, seeded: Context) -> None:
    await create(seeded, "second@example.com")
    count = await users.update_domain_users(
        ctx=seeded, domain="example.com", data=UserInput(active=False, language="de")
    )
    assert count == 2
    stored = {user.email: (user.active, user.language) for user in await gateway.storage.users()}
    assert stored == {
        "bob@example.com": (False, "de"), "second@example.com": (False, "de"), "carol@other.org": (True, "en_US"),
    }


async def test_domain_password_is_checked_and_set_for_all(gateway: Gateway, seeded: Context) -> None:
    await create(seeded, "second@example.com")
    async with gateway.refused("PW_LESS_THAN_MIN_LENGTH"):
        await users.set_domain_password(ctx=seeded, domain="example.com", password="Sh0rt!")
    await users.set_domain_password(ctx=seeded, domain="example.com", password="N3w-Passw0rd!")
    hashes = {user.email: user.password for user in await gateway.storage.users()}
    assert verify_password(hashes["bob@example.com"], "N3w-Passw0rd!")
    assert verify_password(hashes["second@example.com"], "N3w-Passw0rd!")
    assert hashes["bob@example.com"] != hashes["second@example.com"]  # salted per user
    assert verify_password(hashes["carol@other.org"], STRONG)


async def test_bulk_changes_of_an_unknown_domain(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("NO_SUCH_DOMAIN"):
        await users.update_domain_users(ctx=seeded, domain="nowhere.net", data=UserInput(active=False))
    async with gateway.refused("NO_SUCH_DOMAIN"):
        await users.set_domain_password(ctx=seeded, domain="nowhere.net", password=STRONG)
