"""Amavisd spam policy of the whole server, a domain or a user."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from gateway import mailpolicy
from gateway.errors import ErrorCode, InvalidInput, NotFound
from gateway.mailpolicy import PolicyFlags, SpamPolicy
from gateway.resolvers.access import require_target
from gateway.resolvers.context import Context
from gateway.resolvers.policy_targets import PolicyTarget, Scope, parse_target


@dataclass(frozen=True)
class SpamPolicyView:
    """What is stored for one account, and what Amavisd applies after precedence (None: amavisd.conf)."""

    account: str
    stored: SpamPolicy
    effective: SpamPolicy


@dataclass
class SpamPolicyInput(PolicyFlags):
    """Values given by a client; None leaves a value as it is. ``spam_score`` and rule names as text."""

    spam_score: str | float | None = None
    banned_rulenames: str | None = None


def _score(value: str | float) -> float:
    try:
        score = float(value)
    except ValueError:
        raise InvalidInput(ErrorCode.INVALID_SPAM_SCORE) from None
    if not math.isfinite(score) or not mailpolicy.MIN_SPAM_SCORE <= score <= mailpolicy.MAX_SPAM_SCORE:
        raise InvalidInput(ErrorCode.INVALID_SPAM_SCORE)
    return score


def validated(data: SpamPolicyInput) -> SpamPolicy:
    """The policy the input sets; ``INVALID_*`` for malformed values, ``INVALID_PARAMETER`` when it sets nothing."""
    flags = {name: getattr(data, name) for name in mailpolicy.FLAGS}
    score = None if data.spam_score is None else _score(data.spam_score)
    names = None
    if data.banned_rulenames is not None:
        names = mailpolicy.rulenames(data.banned_rulenames)
        if names is None:
            raise InvalidInput(ErrorCode.INVALID_BANNED_RULENAMES)
    policy = SpamPolicy(**flags, spam_score=score, banned_rulenames=names)
    if policy.empty:
        raise InvalidInput(ErrorCode.INVALID_PARAMETER, "no spam policy value given")
    return policy


async def _view(ctx: Context, target: PolicyTarget) -> SpamPolicyView:
    rows = await ctx.spam_policies.policies(target.chain)
    stored = rows.get(target.account, {})
    chain = [rows[account] for account in target.chain if account in rows]
    return SpamPolicyView(
        account=target.account,
        stored=mailpolicy.from_columns(stored),
        effective=mailpolicy.from_columns(mailpolicy.effective(chain)),
    )


async def get_spam_policy(*, ctx: Context, scope: Scope, name: str | None = None) -> SpamPolicyView:
    """The stored and effective policy of the account."""
    target = await require_target(ctx, parse_target(scope, name))
    return await _view(ctx, target)


async def set_spam_policy(
    *, ctx: Context, scope: Scope, name: str | None = None, data: SpamPolicyInput
) -> SpamPolicyView:
    """Write the given values into the account's policy; the others stay as they are."""
    policy = validated(data)
    target = await require_target(ctx, parse_target(scope, name), changing=True)
    await ctx.spam_policies.put_policy(target.account, target.priority, mailpolicy.to_columns(policy))
    return await _view(ctx, target)


async def delete_spam_policy(*, ctx: Context, scope: Scope, name: str | None = None) -> None:
    """Remove the account's policy: it inherits again."""
    target = await require_target(ctx, parse_target(scope, name), changing=True)
    if not await ctx.spam_policies.delete_policy(target.account):
        raise NotFound(ErrorCode.NO_SUCH_SPAM_POLICY)


async def spam_policies_of(*, ctx: Context, accounts: Collection[str]) -> dict[str, SpamPolicy]:
    """Stored policies of ``accounts`` the caller already resolved and may see, in one request."""
    rows = await ctx.spam_policies.policies(accounts)
    return {account: mailpolicy.from_columns(row) for account, row in rows.items()}
