"""What every resolver is given: who asks, the storage ports by name (sessions included), the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import anyio
import anyio.to_thread

from gateway.backends.base import AccountStores, AuditLogStore, SessionStore, ThrottleStore
from gateway.model import Actor
from gateway.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Context(AccountStores):
    """The request's view of the gateway: the account ports by name (``ctx.domains``, ``ctx.users``, …) and the rest."""

    settings: Settings
    throttles: ThrottleStore
    sessions: SessionStore
    audit: AuditLogStore
    hashing: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(4))
    actor: Actor | None = None
    client: str = ""  # the client's address, as the admin log records it

    def from_client(self, client: str) -> Context:
        """The same context for a request from ``client``."""
        return replace(self, client=client)

    def acting_as(self, actor: Actor | None) -> Context:
        """The same context for another actor."""
        return replace(self, actor=actor)

    async def in_thread(self, function: Callable[..., T], *args: object) -> T:
        """Run CPU-bound work (password hashing) off the event loop."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.hashing)
