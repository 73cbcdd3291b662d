"""What every resolver is given: who asks, the storage ports by name (sessions included), the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import anyio
import anyio.to_thread

from gateway.backends.base import AccountStores, SessionStore, SpamPolicyStore, ThrottleStore, WblistStore
from gateway.model import Actor
from gateway.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Context(AccountStores):
    """The request's view of the gateway: the account ports by name (``ctx.domains``, ``ctx.users``, …) and the rest."""

    settings: Settings
    throttles: ThrottleStore
    spam_policies: SpamPolicyStore
    wblists: WblistStore
    sessions: SessionStore
    hashing: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(4))
    actor: Actor | None = None

    def acting_as(self, actor: Actor | None) -> Context:
        """The same context for another actor."""
        return replace(self, actor=actor)

    async def in_thread(self, function: Callable[..., T], *args: object) -> T:
        """Run CPU-bound work (password hashing) off the event loop."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.hashing)
