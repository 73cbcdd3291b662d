"""The one error tree of the gateway.

Every expected failure is a ``GatewayError``. Its ``code`` is the UPPER_SNAKE
reason that REST clients receive as ``msg`` (and GraphQL as
``extensions.code``); ``http_status`` is the status REST answers with.

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


class GatewayError(Exception):
    """Base of every expected failure; carries a client-facing code."""

    code: str = "INTERNAL_ERROR"
    http_status: int = 500

    def __init__(self, code: str | None = None, detail: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.detail = detail
        super().__init__(detail or self.code)


class InvalidInput(GatewayError):
    """The request carries a malformed, unknown or out-of-range value."""

    code = "INVALID_PARAMETER"
    http_status = 400


class NotAuthenticated(GatewayError):
    """No session, or the credentials are wrong."""

    code = "LOGIN_REQUIRED"
    http_status = 401


class Forbidden(GatewayError):
    """The actor is known but may not do this."""

    code = "PERMISSION_DENIED"
    http_status = 403


class NotFound(GatewayError):
    """The domain or account named does not exist."""

    code = "NO_SUCH_ACCOUNT"
    http_status = 404


class Conflict(GatewayError):
    """The object exists already, or a domain limit would be exceeded."""

    code = "ALREADY_EXISTS"
    http_status = 409


class NotSupported(GatewayError):
    """The configured backend does not offer this feature."""

    code = "NOT_SUPPORTED"
    http_status = 400


class ConfigurationError(GatewayError):
    """A setting is missing or invalid; the message names the setting."""

    code = "INVALID_CONFIGURATION"
    http_status = 500


class BackendUnavailable(GatewayError):
    """A database or directory server does not answer."""

    code = "BACKEND_UNAVAILABLE"
    http_status = 503
