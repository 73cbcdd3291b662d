"""Single values: addresses, domain names, display names, languages, transports, quotas, limits.

Each width limit follows the column that stores the value; every refusal
through a resolver writes nothing.
"""

from __future__ import annotations

import pytest

from gateway import addresses
from gateway.errors import InvalidInput
from gateway.model import DomainChanges
from gateway.resolvers import aliases, domains, users, validation
from gateway.resolvers.aliases import AliasInput
from gateway.resolvers.context import Context
from gateway.resolvers.users import UserInput
from tests.resolvers.conftest import STRONG, Gateway

LABEL_63 = "a" * 63


def code_of(check: object, value: object) -> str | None:
    """The code ``check(value)`` raises, None when it accepts the value."""
    assert callable(check)
    try:
        check(value)
    except InvalidInput as error:
        return error.code
    return None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Example.COM", None),
        ("mail.example.com", None),
        (".".join([LABEL_63] * 3) + ".com", None),  # 195 characters
        ("-example.com", "INVALID_DOMAIN_NAME"),
        ("example-.com", "INVALID_DOMAIN_NAME"),
        ("a" * 64 + ".com", "INVALID_DOMAIN_NAME"),  # a label over 63
        (".".join([LABEL_63] * 4) + ".com", "INVALID_DOMAIN_NAME"),  # 259: over 253
        ("example", "INVALID_DOMAIN_NAME"),
        ("exa mple.com", "INVALID_DOMAIN_NAME"),
        ("bücher.de", "INVALID_DOMAIN_NAME"),
        ("", "INVALID_DOMAIN_NAME"),
    ],
    ids=lambda value: str(value)[:24],
)
def test_domain_names(value: str, code: str | None) -> None:
    assert code_of(addresses.domain_name, value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("John.Doe@Example.com", None),
        ("a" * 64 + "@example.com", None),
        ("a" * 65 + "@example.com", "INVALID_MAIL"),  # local part over 64
        ("a" * 64 + "@" + ".".join([LABEL_63] * 3) + ".com", "INVALID_MAIL"),  # 260: over 255 in all
        ("john+tag@example.com", "INVALID_MAIL"),  # extensions are for members, not mailboxes
        ("john@@example.com", "INVALID_MAIL"),
        ("@example.com", "INVALID_MAIL"),
        ("john@example", "INVALID_MAIL"),
        ("john@example.c0m-toolongtldfortoday", "INVALID_MAIL"),
    ],
    ids=lambda value: str(value)[:24],
)
def test_mailbox_addresses(value: str, code: str | None) -> None:
    assert code_of(addresses.mailbox_address, value) == code


def test_member_addresses_may_carry_extensions() -> None:
    assert addresses.member_address("John+Tag=x/y@Example.com") == "john+tag=x/y@example.com"
    assert code_of(addresses.member_address, "john doe@example.com") == "INVALID_MAIL"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("  Jöhn Doe  ", None),
        ("x" * 255, None),  # the width of mailbox.name
        ("x" * 256, "INVALID_NAME"),
        ("line\nbreak", "INVALID_NAME"),
        ("nul\x00", "INVALID_NAME"),
        ("lone \ud800 surrogate", "INVALID_NAME"),
    ],
)
def test_display_names(value: str, code: str | None) -> None:
    assert code_of(validation.display_name, value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [("en_US", None), ("de", None), ("", None), ("english", "INVALID_LANGUAGE"), ("en-US", "INVALID_LANGUAGE"),
     ("EN_us", "INVALID_LANGUAGE")],
)
def test_languages_fit_the_five_character_column(value: str, code: str | None) -> None:
    assert code_of(validation.language, value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("dovecot", None),
        ("relay:[192.0.2.1]:25", None),
        ("lmtp:unix:private/dovecot-lmtp", None),
        ("smtp:mx.example.com", None),
        ("s:" + "h" * 253, None),  # 255, the width of the transport column
        ("s:" + "h" * 254, "INVALID_TRANSPORT"),
        ("relay:[192.0.2.1]:25; rm -rf", "INVALID_TRANSPORT"),
        (":nexthop", "INVALID_TRANSPORT"),
    ],
)
def test_transports(value: str, code: str | None) -> None:
    assert code_of(validation.transport, value) == code


@pytest.mark.parametrize(
    ("check", "value", "code"),
    [
        (validation.quota, 0, None),
        (validation.quota, 2**40, None),
        (validation.quota, -1, "INVALID_QUOTA"),
        (validation.quota, 2**40 + 1, "INVALID_QUOTA"),
        (validation.account_limit, -1, None),
        (validation.account_limit, 2**31 - 1, None),
        (validation.account_limit, -2, "INVALID_PARAMETER"),
        (validation.account_limit, 2**31, "INVALID_PARAMETER"),
        (validation.password_length, 1024, None),
        (validation.password_length, 1025, "INVALID_PARAMETER"),
        (validation.password_length, -1, "INVALID_PARAMETER"),
    ],
)
def test_numbers(check: object, value: int, code: str | None) -> None:
    assert code_of(check, value) == code


@pytest.mark.parametrize(
    ("value", "stored"),
    [("", "public"), ("AllowedOnly", "moderatorsonly"), ("membersOnly", "membersonly"), ("domain", "domain")],
)
def test_access_policies(value: str, stored: str) -> None:
    assert validation.access_policy(value) == stored


def test_unknown_access_policy() -> None:
    assert code_of(validation.access_policy, "friends") == "INVALID_ACCESS_POLICY"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (UserInput(password=STRONG, name="x" * 256), "INVALID_NAME"),
        (UserInput(password=STRONG, employee_id="x" * 256), "INVALID_NAME"),
        (UserInput(password=STRONG, language="english"), "INVALID_LANGUAGE"),
        (UserInput(password=STRONG, transport="not a transport"), "INVALID_TRANSPORT"),
        (UserInput(password=STRONG, quota=-1), "INVALID_QUOTA"),
        (UserInput(password=STRONG, active=False), "INVALID_PARAMETER"),
    ],
    ids=["name", "employee-id", "language", "transport", "quota", "inactive"],
)
async def test_bad_user_values_write_nothing(gateway: Gateway, seeded: Context, data: UserInput, code: str) -> None:
    async with gateway.refused(code):
        await users.create_user(ctx=seeded, email="new@example.com", data=data)


async def test_widest_values_are_stored_whole(gateway: Gateway, seeded: Context) -> None:
    name, transport = "x" * 255, "s:" + "h" * 253
    await users.create_user(
        ctx=seeded, email="a" * 64 + "@example.com",
        data=UserInput(password=STRONG, name=name, employee_id=name, transport=transport),
    )
    stored = await gateway.storage.user("a" * 64 + "@example.com")
    assert stored is not None
    assert (stored.name, stored.employee_id, stored.transport) == (name, name, transport)


async def test_bad_addresses_write_nothing(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("INVALID_MAIL"):
        await users.create_user(ctx=seeded, email="a" * 65 + "@example.com", data=UserInput(password=STRONG))
    async with gateway.refused("INVALID_MAIL"):
        await aliases.create_alias(ctx=seeded, address="info@example.com", data=AliasInput(members=("x y@z.org",)))
    async with gateway.refused("INVALID_DOMAIN_NAME"):
        await domains.create_domain(ctx=seeded, name="a" * 64 + ".com", changes=DomainChanges())


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (DomainChanges(description="x\x07"), "INVALID_NAME"),
        (DomainChanges(transport="x y"), "INVALID_TRANSPORT"),
        (DomainChanges(quota=-1), "INVALID_QUOTA"),
        (DomainChanges(max_users=-2), "INVALID_PARAMETER"),
        (DomainChanges(max_aliases=2**31), "INVALID_PARAMETER"),
        (DomainChanges(default_user_quota=2**40 + 1), "INVALID_QUOTA"),
        (DomainChanges(min_password_length=1025), "INVALID_PARAMETER"),
        (DomainChanges(default_language="xx-YY"), "INVALID_LANGUAGE"),
    ],
    ids=["description", "transport", "quota", "max-users", "max-aliases", "default-quota", "min-password", "language"],
)
async def test_bad_domain_values_write_nothing(
    gateway: Gateway, seeded: Context, changes: DomainChanges, code: str
) -> None:
    async with gateway.refused(code):
        await domains.create_domain(ctx=seeded, name="new.net", changes=changes)
    async with gateway.refused(code):
        await domains.update_domain(ctx=seeded, name="example.com", changes=changes)
