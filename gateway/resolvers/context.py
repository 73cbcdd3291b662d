"""What every resolver is given: who asks, the storage ports by name (sessions included), the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TypeVar

import anyio
import anyio.to_thread

from gateway.backends.base import AccountStores, GreylistingStore, SessionStore, ThrottleStore
from gateway.model import Actor
from gateway.resolvers.attempts import AttemptLimiter
from gateway.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Context(AccountStores):
    """The request's view of the gateway: the account ports by name (``ctx.domains``, ``ctx.users``, …) and the rest."""

    settings: Settings
    throttles: ThrottleStore
    sessions: SessionStore
    greylisting: GreylistingStore
    hashing: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(4))
    actor: Actor | None = None
    attempts: AttemptLimiter = field(default_factory=AttemptLimiter)  # password checks per target (per process)

    @classmethod
    def over(cls, backends: object, settings: Settings) -> Context:
        """A context carrying, by name, every port of ``backends`` that a context holds."""
        own = {"settings", "hashing", "actor", "attempts"}
        ports = {item.name: getattr(backends, item.name) for item in fields(cls) if item.name not in own}
        return cls(settings=settings, **ports)

    def acting_as(self, actor: Actor | None) -> Context:
        """The same context for another actor."""
        return replace(self, actor=actor)

    async def in_thread(self, function: Callable[..., T], *args: object) -> T:
        """Run CPU-bound work (password hashing) off the event loop."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.hashing)
