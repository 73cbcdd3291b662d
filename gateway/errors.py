"""The one error tree of the gateway.

Every expected failure is a ``GatewayError``. Its ``code`` is a member of
``ErrorCode``: the reason REST clients receive as ``msg`` (and GraphQL as
``extensions.code``); the member carries the HTTP status REST answers with.
The classes say what kind of failure it is; the code says which.

    GatewayError                      500 INTERNAL_ERROR
    ├── InvalidInput                  400 INVALID_PARAMETER, INVALID_MAIL,
    │                                     INVALID_DOMAIN_NAME, PW_*, ...
    ├── NotAuthenticated              401 LOGIN_REQUIRED, INVALID_CREDENTIALS
    ├── Forbidden                     403 PERMISSION_DENIED, NOT_AUTHORIZED,
    │                                     API_DISABLED
    ├── NotFound                      404 NO_SUCH_ACCOUNT, NO_SUCH_DOMAIN, ...
    ├── Conflict                      409 ALREADY_EXISTS, EXCEEDED_*
    ├── NotSupported                  400 NOT_SUPPORTED
    ├── ConfigurationError            500 INVALID_CONFIGURATION
    └── BackendUnavailable            503 BACKEND_UNAVAILABLE
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every ``msg`` the gateway answers, with the HTTP status REST answers it with.

    GraphQL answers 200 and carries the code in ``errors[].extensions.code``.
    """

    http_status: int

    def __new__(cls, value: str, http_status: int) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.http_status = http_status
        return member

    INTERNAL_ERROR = "INTERNAL_ERROR", 500
    INVALID_CONFIGURATION = "INVALID_CONFIGURATION", 500
    INVALID_PARAMETER = "INVALID_PARAMETER", 400
    INVALID_MAIL = "INVALID_MAIL", 400
    INVALID_DOMAIN_NAME = "INVALID_DOMAIN_NAME", 400
    INVALID_NAME = "INVALID_NAME", 400
    INVALID_LANGUAGE = "INVALID_LANGUAGE", 400
    INVALID_TRANSPORT = "INVALID_TRANSPORT", 400
    INVALID_QUOTA = "INVALID_QUOTA", 400
    INVALID_ACCOUNT_STATUS = "INVALID_ACCOUNT_STATUS", 400
    INVALID_ACCESS_POLICY = "INVALID_ACCESS_POLICY", 400
    INVALID_PASSWORD_HASH = "INVALID_PASSWORD_HASH", 400
    INVALID_PASSWORD_LENGTH_RANGE = "INVALID_PASSWORD_LENGTH_RANGE", 400
    INVALID_DEFAULT_QUOTA = "INVALID_DEFAULT_QUOTA", 400
    INVALID_PERIOD = "INVALID_PERIOD", 400
    INVALID_THROTTLE_KIND = "INVALID_THROTTLE_KIND", 400
    INVALID_GREYLISTING_STATUS = "INVALID_GREYLISTING_STATUS", 400
    INVALID_GREYLISTING_SENDER = "INVALID_GREYLISTING_SENDER", 400
    INVALID_PAGE_SIZE = "INVALID_PAGE_SIZE", 400
    INVALID_CURSOR = "INVALID_CURSOR", 400
    INVALID_SPAM_SCORE = "INVALID_SPAM_SCORE", 400
    INVALID_BANNED_RULENAMES = "INVALID_BANNED_RULENAMES", 400
    INVALID_WBLIST_ENTRY = "INVALID_WBLIST_ENTRY", 400
    INVALID_ALIAS_DOMAIN = "INVALID_ALIAS_DOMAIN", 400
    INVALID_RELAYHOST = "INVALID_RELAYHOST", 400
    INVALID_DOMAIN_SERVICE = "INVALID_DOMAIN_SERVICE", 400
    INVALID_PROFILE_NAME = "INVALID_PROFILE_NAME", 400
    BACKUPMX_CONFLICT = "BACKUPMX_CONFLICT", 400
    CATCHALL_LOOP = "CATCHALL_LOOP", 400
    UNKNOWN_CATCHALL_TARGET = "UNKNOWN_CATCHALL_TARGET", 400
    TOO_MANY_MEMBERS = "TOO_MANY_MEMBERS", 400
    INVALID_SERVICE = "INVALID_SERVICE", 400
    INVALID_MAILBOX_FORMAT = "INVALID_MAILBOX_FORMAT", 400
    INVALID_MAILDIR = "INVALID_MAILDIR", 400
    ALIAS_IN_ALIAS_DOMAIN = "ALIAS_IN_ALIAS_DOMAIN", 400
    ALIAS_OUTSIDE_USER_DOMAIN = "ALIAS_OUTSIDE_USER_DOMAIN", 400
    UNKNOWN_FORWARDING_TARGET = "UNKNOWN_FORWARDING_TARGET", 400
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE", 400
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY", 200
    PW_EMPTY = "PW_EMPTY", 400
    PW_LESS_THAN_MIN_LENGTH = "PW_LESS_THAN_MIN_LENGTH", 400
    PW_GREATER_THAN_MAX_LENGTH = "PW_GREATER_THAN_MAX_LENGTH", 400
    PW_NO_LETTER = "PW_NO_LETTER", 400
    PW_NO_UPPERCASE = "PW_NO_UPPERCASE", 400
    PW_NO_DIGIT_NUMBER = "PW_NO_DIGIT_NUMBER", 400
    PW_NO_SPECIAL_CHAR = "PW_NO_SPECIAL_CHAR", 400
    PW_NON_PRINTABLE_ASCII = "PW_NON_PRINTABLE_ASCII", 400
    PW_SURROUNDING_WHITESPACE = "PW_SURROUNDING_WHITESPACE", 400
    NOT_SUPPORTED = "NOT_SUPPORTED", 400
    LOGIN_REQUIRED = "LOGIN_REQUIRED", 401
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", 401
    PERMISSION_DENIED = "PERMISSION_DENIED", 403
    NOT_AUTHORIZED = "NOT_AUTHORIZED", 403
    API_DISABLED = "API_DISABLED", 403
    NO_SUCH_DOMAIN = "NO_SUCH_DOMAIN", 404
    NO_SUCH_ACCOUNT = "NO_SUCH_ACCOUNT", 404
    NO_SUCH_THROTTLE = "NO_SUCH_THROTTLE", 404
    NO_SUCH_SPAM_POLICY = "NO_SUCH_SPAM_POLICY", 404
    NOT_FOUND = "NOT_FOUND", 404
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", 405
    ALREADY_EXISTS = "ALREADY_EXISTS", 409
    EXCEEDED_DOMAIN_ACCOUNT_LIMIT = "EXCEEDED_DOMAIN_ACCOUNT_LIMIT", 409
    EXCEEDED_MAX_USER_QUOTA = "EXCEEDED_MAX_USER_QUOTA", 409
    EXCEEDED_DOMAIN_QUOTA_SIZE = "EXCEEDED_DOMAIN_QUOTA_SIZE", 409
    CONCURRENT_CHANGE = "CONCURRENT_CHANGE", 409
    ALIAS_DOMAIN_EXISTS = "ALIAS_DOMAIN_EXISTS", 409
    EXCEEDED_ADMIN_LIMIT = "EXCEEDED_ADMIN_LIMIT", 409
    CAN_NOT_BE_LOCAL_DOMAIN = "CAN_NOT_BE_LOCAL_DOMAIN", 400
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS", 429
    BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE", 503
    CANNOT_CHANGE_DOMAIN = "CANNOT_CHANGE_DOMAIN", 400


class GatewayError(Exception):
    """Base of every expected failure; carries a client-facing code."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init_subclass__(cls, code: ErrorCode | None = None, **kwargs: Any) -> None:
        """A kind of failure names its default code in its bases: ``class NotFound(GatewayError, code=...)``."""
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code

    def __init__(self, code: ErrorCode | None = None, detail: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.detail = detail
        super().__init__(detail or self.code)

    @property
    def http_status(self) -> int:
        """The HTTP status of the code."""
        return self.code.http_status


class InvalidInput(GatewayError, code=ErrorCode.INVALID_PARAMETER):
    """The request carries a malformed, unknown or out-of-range value."""


class InvalidEntries(InvalidInput):
    """Some of a list's values are malformed; the client is told which (``invalid``), nothing is written."""

    def __init__(self, code: ErrorCode, invalid: list[str]) -> None:
        super().__init__(code, ", ".join(invalid))
        self.invalid = invalid


def client_details(exc: GatewayError) -> dict[str, list[str]]:
    """What a failure tells the client beside its code."""
    return {"invalid": exc.invalid} if isinstance(exc, InvalidEntries) else {}


class NotAuthenticated(GatewayError, code=ErrorCode.LOGIN_REQUIRED):
    """No session, or the credentials are wrong."""


class Forbidden(GatewayError, code=ErrorCode.PERMISSION_DENIED):
    """The actor is known but may not do this."""


class NotFound(GatewayError, code=ErrorCode.NO_SUCH_ACCOUNT):
    """The domain or account named does not exist."""


class Conflict(GatewayError, code=ErrorCode.ALREADY_EXISTS):
    """The object exists already, or a domain limit would be exceeded."""


class NotSupported(GatewayError, code=ErrorCode.NOT_SUPPORTED):
    """The configured backend does not offer this feature."""


class ConfigurationError(GatewayError, code=ErrorCode.INVALID_CONFIGURATION):
    """A setting is missing or invalid; the message names the setting."""


class BackendUnavailable(GatewayError, code=ErrorCode.BACKEND_UNAVAILABLE):
    """A database or directory server does not answer."""
