"""Parameters and path values several ``/api`` concepts share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from gateway.resolvers.context import Context
from gateway.resolvers.domain_routing import ListChange
from gateway.rest.declare import (
    ACCOUNT_STATUS,
    COMMA_LIST,
    FLAG,
    INTEGER,
    TEXT,
    ApiRoute,
    Call,
    Param,
    PathValue,
    Values,
)

Account = TypeVar("Account")
Listed = TypeVar("Listed", covariant=True)

MAIL = PathValue("mail", "The account's e-mail address", "john@example.com")
DOMAIN = PathValue("domain", "The mail domain", "example.com")
KEEP_DAYS = PathValue("days", "Days the deleted mailboxes' mail is kept (0 = forever, at most 36500)", "30", INTEGER)

DISPLAY_NAME = Param("name", TEXT, "Display name", aliases=("cn",))
STATUS = Param("accountStatus", ACCOUNT_STATUS, "active or disabled")
PASSWORD = Param(
    "password", TEXT, "Plain password, checked against the password policy and hashed", example="Str0ng-Passw0rd!"
)
PASSWORD_HASH = Param("password_hash", TEXT, "A password hash in a {SCHEME} form Dovecot verifies")
TRANSPORT = Param("transport", TEXT, "Postfix transport, like dovecot or smtp:[192.0.2.1]:25")
DISABLED_ONLY = Param("disabled_only", FLAG, "List only disabled accounts")
EMAIL_ONLY = Param("email_only", FLAG, "List the addresses only")

ListNames = tuple[str, str, str]
"""The parameters of one list: the whole list ("": none), values to add, values to remove."""


def list_params(names: ListNames, texts: tuple[str, str, str], example: str | None = None) -> tuple[Param, ...]:
    """The parameters ``names`` of one list described by ``texts``; ``example`` is of the whole list."""
    (given, add, remove), (whole, added, removed) = names, texts
    return (
        Param(given, COMMA_LIST, whole, example=example),
        Param(add, COMMA_LIST, added),
        Param(remove, COMMA_LIST, removed),
    )


def list_change(values: Values, names: ListNames) -> ListChange:
    """The change of one list its parameters ``names`` give."""
    given, add, remove = names
    return ListChange(values.get(given) if given else None, values.get(add) or (), values.get(remove) or ())


def active_filter(values: Values) -> bool | None:
    """``disabled_only`` as the resolvers' ``active`` filter: disabled ones, or all."""
    return False if values["disabled_only"] else None


class _Lister(Protocol[Listed]):
    def __call__(self, *, ctx: Context, domain: str, active: bool | None) -> Awaitable[Sequence[Listed]]: ...


def account_list(
    lister: _Lister[Account], address: Callable[[Account], str], item: Callable[[Account], dict[str, Any]]
) -> Call:
    """The call of a domain's account list: ``disabled_only`` filters, ``email_only`` gives addresses only."""

    async def call(ctx: Context, values: Values) -> list[Any]:
        found = await lister(ctx=ctx, domain=values["domain"], active=active_filter(values))
        if values["email_only"]:
            return [address(account) for account in found]
        return [item(account) for account in found]

    return call


def deletion_routes(path: str, summary: str, call: Call, path_value: PathValue) -> tuple[ApiRoute, ApiRoute]:
    """DELETE ``path``, and ``path/keep_mailbox_days/{days}`` to keep the deleted mail for some days."""
    return (
        ApiRoute("DELETE", path, summary, call, path_values=(path_value,)),
        ApiRoute(
            "DELETE", f"{path}/keep_mailbox_days/{{days}}", f"{summary}, keeping its mail for some days", call,
            path_values=(path_value, KEEP_DAYS),
        ),
    )
