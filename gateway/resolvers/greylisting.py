"""iRedAPD greylisting of the whole server, a domain or one address, and its whitelists."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from dataclasses import dataclass

from gateway import addresses
from gateway.errors import ErrorCode, GatewayError, InvalidInput
from gateway.model import GreylistingSetting, GreylistingWhitelist
from gateway.resolvers.access import require_domain, require_global
from gateway.resolvers.context import Context
from gateway.resolvers.throttles import GLOBAL_ACCOUNT, ThrottleTarget, authorised_target

ANY_SENDER = "@."
STATUSES = {"enable": True, "disable": False}
# iRedAPD's MySQL schema keeps accounts and senders in VARCHAR(100)
MAX_LENGTH = 100


@dataclass(frozen=True)
class GreylistingState:
    """An account's greylisting: ``active`` None inherits the next level (domain, then global, then off)."""

    account: str
    active: bool | None
    rows: tuple[GreylistingSetting, ...]


@dataclass(frozen=True)
class GreylistingWhitelists:
    """An account's whitelisted senders; for the global account also the SPF job's hosts and domains."""

    account: str
    senders: tuple[str, ...]
    spf_hosts: tuple[GreylistingWhitelist, ...] = ()
    spf_domains: tuple[str, ...] = ()


def state_of(account: str, rows: Collection[GreylistingSetting]) -> GreylistingState:
    own = tuple(row for row in rows if row.account == account)
    status = next((row.active for row in own if row.sender == ANY_SENDER), None)
    return GreylistingState(account=account, active=status, rows=own)


def greylisting_status(value: str | None) -> bool:
    """``enable`` / ``disable`` as True / False."""
    try:
        return STATUSES[(value or "").strip().lower()]
    except KeyError:
        raise InvalidInput(ErrorCode.INVALID_GREYLISTING_STATUS, "status must be enable or disable") from None


def greylisting_sender(value: str) -> str:
    """A whitelist entry as iRedAPD matches it: IP, network, ``user@d``, ``@d``, ``@.d`` or ``@.``."""
    text = value.strip().lower()
    if text == ANY_SENDER:
        return text
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=False))
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if text.startswith("@."):
        return "@." + addresses.domain_name(text[2:])
    if text.startswith("@"):
        return "@" + addresses.domain_name(text[1:])
    return addresses.mailbox_address(text)


def _senders(values: Collection[str] | None) -> list[str] | None:
    if values is None:
        return None
    parsed: list[str] = []
    refused: list[str] = []
    for value in values:
        try:
            sender = greylisting_sender(value)
        except GatewayError:
            refused.append(value)
            continue
        (parsed if len(sender) <= MAX_LENGTH else refused).append(sender)
    if refused:
        raise InvalidInput(ErrorCode.INVALID_GREYLISTING_SENDER, f"not a greylisting sender: {', '.join(refused)}")
    return list(dict.fromkeys(parsed))


def _domains(values: Collection[str] | None) -> list[str] | None:
    if values is None:
        return None
    refused = [value for value in values if not _is_domain(value)]
    if refused:
        raise InvalidInput(ErrorCode.INVALID_DOMAIN_NAME, f"not a domain name: {', '.join(refused)}")
    return list(dict.fromkeys(addresses.domain_name(value) for value in values))


def _is_domain(value: str) -> bool:
    try:
        addresses.domain_name(value)
    except GatewayError:
        return False
    return True


async def _target(ctx: Context, target: str, *, changing: bool = False) -> ThrottleTarget:
    parsed = await authorised_target(ctx, target, changing=changing)
    if len(parsed.account) > MAX_LENGTH:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, f"iRedAPD keeps accounts of at most {MAX_LENGTH} characters")
    return parsed


async def all_greylisting(*, ctx: Context) -> list[GreylistingSetting]:
    """Every greylisting row of the server (global admins)."""
    require_global(ctx)
    return await ctx.greylisting.settings(None)


async def get_greylisting(*, ctx: Context, target: str) -> GreylistingState:
    """The greylisting rows of ``global``, a domain or an address, and its own status."""
    parsed = await _target(ctx, target)
    return state_of(parsed.account, await ctx.greylisting.settings([parsed.account]))


async def set_greylisting(*, ctx: Context, target: str, status: str | None) -> GreylistingState:
    """Enable or disable greylisting for ``target``, whatever the levels above it say."""
    active = greylisting_status(status)
    parsed = await _target(ctx, target, changing=True)
    await ctx.greylisting.set_status(parsed.account, parsed.priority, active)
    return await get_greylisting(ctx=ctx, target=target)


async def delete_greylisting(*, ctx: Context, target: str) -> None:
    """Remove ``target``'s own status, so that it inherits the next level."""
    parsed = await _target(ctx, target, changing=True)
    await ctx.greylisting.clear_status(parsed.account)


async def get_whitelists(*, ctx: Context, target: str) -> GreylistingWhitelists:
    """The senders never greylisted for ``target``."""
    parsed = await _target(ctx, target)
    rows = await ctx.greylisting.whitelists([parsed.account])
    senders = tuple(row.sender for row in rows)
    if parsed.account != GLOBAL_ACCOUNT:
        return GreylistingWhitelists(account=parsed.account, senders=senders)
    return GreylistingWhitelists(
        account=parsed.account,
        senders=senders,
        spf_hosts=tuple(await ctx.greylisting.spf_whitelists()),
        spf_domains=tuple(await ctx.greylisting.whitelist_domains()),
    )


async def update_whitelists(
    *,
    ctx: Context,
    target: str,
    senders: Collection[str] | None = None,
    add: Collection[str] | None = None,
    remove: Collection[str] | None = None,
) -> GreylistingWhitelists:
    """Replace (``senders``), add to and remove from ``target``'s whitelist, in that order."""
    if senders is None and add is None and remove is None:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "give senders, addSenders or removeSenders")
    replace, added, removed = _senders(senders), _senders(add) or [], _senders(remove) or []
    parsed = await _target(ctx, target, changing=True)
    await ctx.greylisting.update_whitelists(parsed.account, replace=replace, add=added, remove=removed)
    return await get_whitelists(ctx=ctx, target=target)


async def update_spf_domains(
    *,
    ctx: Context,
    domains: Collection[str] | None = None,
    add: Collection[str] | None = None,
    remove: Collection[str] | None = None,
) -> list[str]:
    """Change the domains whose SPF/MX hosts iRedAPD's hourly job whitelists (global admins)."""
    require_global(ctx)
    if domains is None and add is None and remove is None:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "give domains, addDomains or removeDomains")
    replace, added, removed = _domains(domains), _domains(add) or [], _domains(remove) or []
    await ctx.greylisting.update_whitelist_domains(replace=replace, add=added, remove=removed)
    return await ctx.greylisting.whitelist_domains()


@dataclass(frozen=True)
class GreylistingView:
    """An account's greylisting status and whitelisted senders together (GraphQL)."""

    state: GreylistingState
    whitelist: tuple[str, ...]


async def greylisting_of(*, ctx: Context, accounts: list[str]) -> dict[str, GreylistingView]:
    """Status and whitelist of each of ``accounts`` (``@.``, ``@domain``, addresses) in two requests."""
    for account in accounts:
        if account == GLOBAL_ACCOUNT:
            require_global(ctx)
        else:
            require_domain(ctx, account.lstrip("@").rsplit("@", 1)[-1])
    rows = await ctx.greylisting.settings(accounts)
    senders: dict[str, list[str]] = {account: [] for account in accounts}
    for row in await ctx.greylisting.whitelists(accounts):
        senders[row.account].append(row.sender)
    return {
        account: GreylistingView(state=state_of(account, rows), whitelist=tuple(senders[account]))
        for account in accounts
    }
