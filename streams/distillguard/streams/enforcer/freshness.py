"""How fresh the enforcer's view of the decision stream is, and what to do when it is not.

The feed marks every successful round trip to the brokers (records received, or the high
watermarks fetched while idle). When no round trip succeeded for ``stale_after`` seconds
the cache may be missing new blocks and lifts, and checks are answered by the failure
mode: ``open`` lets traffic through (default, as Envoy's ratelimit and CrowdSec bouncers
do), ``closed`` answers 503. The clock is injected so tests need no sleeps.

>>> now = [100.0]
>>> fresh = Freshness(stale_after=30, clock=lambda: now[0])
>>> fresh.stale()
True
>>> fresh.mark()
>>> fresh.stale()
False
>>> now[0] = 131.0
>>> fresh.stale(), fresh.age()
(True, 31.0)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, Literal

FailureMode = Literal["open", "closed"]
FAILURE_MODES: Final[tuple[FailureMode, ...]] = ("open", "closed")


class Freshness:
    """The time of the last successful read of the decision stream (monotonic clock)."""

    __slots__ = ("stale_after", "_clock", "_last")

    def __init__(self, stale_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        if stale_after <= 0:
            raise ValueError("stale_after must be positive")
        self.stale_after = stale_after
        self._clock = clock
        self._last: float | None = None

    def mark(self) -> None:
        self._last = self._clock()

    def age(self) -> float | None:
        """Seconds since the last read, ``None`` before the first."""
        return None if self._last is None else self._clock() - self._last

    def stale(self) -> bool:
        age = self.age()
        return age is None or age > self.stale_after
