"""The password policy of iRedMail (storage reference 3.1)."""

from __future__ import annotations

from gateway.errors import ErrorCode, InvalidInput
from gateway.model import Domain
from gateway.settings import Settings

SPECIAL_CHARACTERS = "#$%&*+-,.:;!=<>'\"?@[]/(){}_`~"


def length_bounds(settings: Settings, domain: Domain | None) -> tuple[int, int]:
    """(min, max) for a domain: its own values where set, else the global ones; max 0 = none."""
    minimum = (domain.min_password_length if domain else 0) or settings.min_password_length
    maximum = (domain.max_password_length if domain else 0) or settings.max_password_length
    return minimum, maximum


def check_password(plain: str, settings: Settings, domain: Domain | None = None) -> str:
    """Return the password if it meets the policy; raise the panel's ``PW_*`` code if not."""
    if plain == "":
        raise InvalidInput(ErrorCode.PW_EMPTY)
    if plain != plain.strip():
        raise InvalidInput(ErrorCode.PW_SURROUNDING_WHITESPACE)
    if not all(" " <= c <= "~" for c in plain):
        raise InvalidInput(ErrorCode.PW_NON_PRINTABLE_ASCII)
    minimum, maximum = length_bounds(settings, domain)
    if len(plain) < minimum:
        raise InvalidInput(ErrorCode.PW_LESS_THAN_MIN_LENGTH)
    if maximum and len(plain) > maximum:
        raise InvalidInput(ErrorCode.PW_GREATER_THAN_MAX_LENGTH)
    if settings.password_require_letter and not any(c.isalpha() for c in plain):
        raise InvalidInput(ErrorCode.PW_NO_LETTER)
    if settings.password_require_uppercase and not any(c.isupper() for c in plain):
        raise InvalidInput(ErrorCode.PW_NO_UPPERCASE)
    if settings.password_require_digit and not any(c.isdigit() for c in plain):
        raise InvalidInput(ErrorCode.PW_NO_DIGIT_NUMBER)
    if settings.password_require_special and not any(c in SPECIAL_CHARACTERS for c in plain):
        raise InvalidInput(ErrorCode.PW_NO_SPECIAL_CHAR)
    return plain
