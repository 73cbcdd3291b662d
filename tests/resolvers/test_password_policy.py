"""The password policy: the panel's PW_* codes, global settings and a domain's own lengths."""

from __future__ import annotations

import pytest

from gateway.errors import InvalidInput
from gateway.model import DomainChanges
from gateway.resolvers import domains, users
from gateway.resolvers.context import Context
from gateway.resolvers.password_policy import check_password
from gateway.resolvers.users import UserInput
from gateway.settings import Settings
from tests.resolvers.conftest import Gateway, GatewayFactory

SETTINGS = Settings(_env_file=None, min_password_length=8)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "PW_EMPTY"),
        (" Str0ng-Pass!", "PW_SURROUNDING_WHITESPACE"),
        ("Str0ng-Pass!\t", "PW_SURROUNDING_WHITESPACE"),
        ("Str0ng-Päss!", "PW_NON_PRINTABLE_ASCII"),
        ("Str0ng\x07Pass!", "PW_NON_PRINTABLE_ASCII"),
        ("S0-rt!a", "PW_LESS_THAN_MIN_LENGTH"),
        ("12345678-!", "PW_NO_LETTER"),
        ("str0ng-pass!", "PW_NO_UPPERCASE"),
        ("Strong-Pass!", "PW_NO_DIGIT_NUMBER"),
        ("Str0ngPass1", "PW_NO_SPECIAL_CHAR"),
        ("Str0ng Pass!", None),  # inner spaces are printable ASCII
        ("S0-rt!ab", None),
    ],
)
def test_policy_codes(password: str, code: str | None) -> None:
    try:
        check_password(password, SETTINGS)
    except InvalidInput as error:
        assert error.code == code
    else:
        assert code is None


async def test_plain_password_is_checked_on_create_and_update(gateway: Gateway, seeded: Context) -> None:
    async with gateway.refused("PW_NO_DIGIT_NUMBER"):
        await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password="Strong-Pass!"))
    async with gateway.refused("PW_LESS_THAN_MIN_LENGTH"):
        await users.update_user(ctx=seeded, email="bob@example.com", data=UserInput(password="S0-rt!a"))
    async with gateway.refused("PW_LESS_THAN_MIN_LENGTH"):
        await users.set_password(ctx=seeded, email="bob@example.com", password="S0-rt!a")


async def test_domain_lengths_replace_the_global_ones(gateway: Gateway, seeded: Context) -> None:
    await domains.update_domain(
        ctx=seeded, name="example.com", changes=DomainChanges(min_password_length=12, max_password_length=14)
    )
    async with gateway.refused("PW_LESS_THAN_MIN_LENGTH"):
        await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password="Str0ng-Pass"))
    async with gateway.refused("PW_GREATER_THAN_MAX_LENGTH"):
        await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password="Str0ng-Passw0rd"))
    await users.create_user(ctx=seeded, email="new@example.com", data=UserInput(password="Str0ng-Passw0"))
    await users.create_user(ctx=seeded, email="new@other.org", data=UserInput(password="Str0ng-P"))  # global min 8


async def test_settings_relax_or_tighten_the_policy(open_gateway: GatewayFactory) -> None:
    relaxed = {
        "password_require_letter": False, "password_require_uppercase": False,
        "password_require_digit": False, "password_require_special": False,
    }
    async with open_gateway("seeded", min_password_length=4, max_password_length=6, **relaxed) as gateway:
        ctx = await gateway.admin()
        await users.create_user(ctx=ctx, email="new@example.com", data=UserInput(password="1234"))
        async with gateway.refused("PW_LESS_THAN_MIN_LENGTH"):
            await users.create_user(ctx=ctx, email="n2@example.com", data=UserInput(password="123"))
        async with gateway.refused("PW_GREATER_THAN_MAX_LENGTH"):
            await users.create_user(ctx=ctx, email="n2@example.com", data=UserInput(password="1234567"))
