"""What every resolver is given: who asks, the storage ports by name (sessions included), the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import anyio
import anyio.to_thread

from gateway.backends.base import (
    AdminStore,
    AliasStore,
    DomainStore,
    ListingStore,
    MaillistStore,
    SessionStore,
    ThrottleStore,
    UserStore,
)
from gateway.model import Actor
from gateway.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """The request's view of the gateway; ``maillists`` is None where the storage has none."""

    settings: Settings
    domains: DomainStore
    users: UserStore
    aliases: AliasStore
    maillists: MaillistStore | None
    admins: AdminStore
    listing: ListingStore
    throttles: ThrottleStore
    sessions: SessionStore
    hashing: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(4))
    actor: Actor | None = None

    def acting_as(self, actor: Actor | None) -> Context:
        """The same context for another actor."""
        return replace(self, actor=actor)

    async def in_thread(self, function: Callable[..., T], *args: object) -> T:
        """Run CPU-bound work (password hashing) off the event loop."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.hashing)
