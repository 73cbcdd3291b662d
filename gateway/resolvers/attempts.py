"""How often a password may be tried against one account: a sliding window per target, per gateway process."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.errors import ErrorCode, GatewayError

ATTEMPTS = 10
WINDOW_SECONDS = 300.0


class TooManyAttempts(GatewayError):
    """Too many password checks against one account lately."""

    code = ErrorCode.TOO_MANY_ATTEMPTS


@dataclass
class AttemptLimiter:
    """At most ``limit`` attempts per target within ``window`` seconds; refusals do not count."""

    limit: int = ATTEMPTS
    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def attempt(self, target: str) -> None:
        """Count one attempt on ``target``, or raise ``TOO_MANY_ATTEMPTS``."""
        now = self.clock()
        for key in [key for key, times in self._seen.items() if times and times[-1] <= now - self.window]:
            del self._seen[key]  # forget idle targets so the table stays small
        times = self._seen.setdefault(target, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            raise TooManyAttempts()
        times.append(now)
