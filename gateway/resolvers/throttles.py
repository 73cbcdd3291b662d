"""iRedAPD throttling of the whole server, a domain or one address."""

from __future__ import annotations

from dataclasses import dataclass

from gateway import addresses
from gateway.errors import ErrorCode, InvalidInput, NotFound
from gateway.model import Throttle, ThrottleKind
from gateway.resolvers.access import require_account, require_domain, require_global
from gateway.resolvers.context import Context

GLOBAL = "global"
GLOBAL_ACCOUNT = "@."
# iRedAPD's ACCOUNT_PRIORITIES
PRIORITY_GLOBAL = 0
PRIORITY_DOMAIN = 60
PRIORITY_ADDRESS = 100
MAX_LIMIT = 2**62
# fits iRedAPD's period columns (MySQL INT UNSIGNED) and a signed 32-bit bind on every driver
MAX_PERIOD = 2**31 - 1


@dataclass(frozen=True)
class ThrottleTarget:
    """What a throttle applies to, as iRedAPD names it."""

    account: str
    priority: int
    domain: str | None
    email: str | None


@dataclass(frozen=True)
class ThrottleInput:
    """Limits given by a client; ``None`` keeps iRedAPD's -1 (inherit); the period is required."""

    period: int | None
    msg_size: int | None = None
    max_msgs: int | None = None
    max_quota: int | None = None
    max_rcpts: int | None = None


def throttle_kind(value: str) -> str:
    try:
        return ThrottleKind(value.strip().lower()).value
    except ValueError:
        raise InvalidInput(ErrorCode.INVALID_THROTTLE_KIND) from None


def parse_target(value: str) -> ThrottleTarget:
    """``global``, a domain name or an e-mail address."""
    text = value.strip().lower()
    if text == GLOBAL:
        return ThrottleTarget(account=GLOBAL_ACCOUNT, priority=PRIORITY_GLOBAL, domain=None, email=None)
    if "@" in text:
        email = addresses.member_address(text)
        return ThrottleTarget(account=email, priority=PRIORITY_ADDRESS, domain=addresses.domain_of(email), email=email)
    domain = addresses.domain_name(text)
    return ThrottleTarget(account=f"@{domain}", priority=PRIORITY_DOMAIN, domain=domain, email=None)


async def authorised_target(ctx: Context, target: str, *, changing: bool = False) -> ThrottleTarget:
    """``target`` parsed, once the actor may see it (or change it) and the domain or user exists."""
    parsed = parse_target(target)
    if parsed.domain is None:
        require_global(ctx)
        return parsed
    require_domain(ctx, parsed.domain)
    if parsed.email is not None:
        if await ctx.users.get_user(parsed.email) is None:
            raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
        if changing:
            await require_account(ctx, parsed.email)
    elif await ctx.domains.get_domain(parsed.domain) is None:
        raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
    return parsed


def _limit(value: int | None) -> int:
    if value is None:
        return -1
    if value < -1 or value > MAX_LIMIT:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER)
    return value


async def get_throttle(*, ctx: Context, target: str, kind: str) -> Throttle | None:
    """The throttle of ``target`` and ``kind``, None when there is none."""
    kind = throttle_kind(kind)
    parsed = await authorised_target(ctx, target)
    return await ctx.throttles.get(parsed.account, kind)


async def set_throttle(*, ctx: Context, target: str, kind: str, data: ThrottleInput) -> Throttle:
    """Create or replace the throttle of ``target`` and ``kind``."""
    period = data.period
    if period is None:
        raise InvalidInput(ErrorCode.INVALID_PERIOD, "period is required")
    kind = throttle_kind(kind)
    if period < 1 or period > MAX_PERIOD:
        raise InvalidInput(ErrorCode.INVALID_PERIOD)
    limits = {
        "msg_size": _limit(data.msg_size),
        "max_msgs": _limit(data.max_msgs),
        "max_quota": _limit(data.max_quota),
        "max_rcpts": _limit(data.max_rcpts),
    }
    parsed = await authorised_target(ctx, target, changing=True)
    throttle = Throttle(account=parsed.account, kind=kind, priority=parsed.priority, period=period, **limits)
    await ctx.throttles.put(throttle)
    return throttle


async def delete_throttle(*, ctx: Context, target: str, kind: str) -> None:
    """Remove the throttle of ``target`` and ``kind`` and its tracking data."""
    kind = throttle_kind(kind)
    parsed = await authorised_target(ctx, target, changing=True)
    if not await ctx.throttles.delete(parsed.account, kind):
        raise NotFound(ErrorCode.NO_SUCH_THROTTLE)


async def list_throttles(*, ctx: Context, targets: list[str]) -> list[Throttle]:
    """The throttles of ``targets`` (``global``, domains, addresses) in one read; the actor must manage each."""
    accounts = []
    for target in targets:
        parsed = parse_target(target)
        if parsed.domain is None:
            require_global(ctx)
        else:
            require_domain(ctx, parsed.domain)
        accounts.append(parsed.account)
    return await ctx.throttles.list(accounts) if accounts else []
