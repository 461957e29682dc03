"""Per-decision rate limiting for ``throttle`` decisions (GCRA).

A ``throttle`` decision carries ``rate_limit_rpm``: the subject may go on, slower. The
sidecar admits requests at that rate and answers the rest with 429 and ``Retry-After``.
GCRA keeps one float per throttled decision (its theoretical arrival time) and allows a
burst of one second's worth of requests. Limits are per enforcer replica: N replicas
behind a load balancer admit up to N times the rate — size ``rate_limit_rpm`` for that or
pin subjects to replicas.

>>> limiter = RateLimiter()
>>> limiter.admit("d1", rpm=60, now=0.0)
0.0
>>> limiter.admit("d1", rpm=60, now=0.0)
1.0
>>> limiter.admit("d1", rpm=60, now=1.0)
0.0
>>> limiter.admit("d2", rpm=0, now=0.0)
60.0
"""

from __future__ import annotations

from typing import Final

#: Prune the table of idle subjects once it holds this many entries.
_PRUNE_AT: Final = 100_000


class RateLimiter:
    """GCRA per key; ``admit`` returns 0.0 when admitted, else seconds to wait."""

    __slots__ = ("_tat",)

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._tat)

    def admit(self, key: str, rpm: int | None, now: float) -> float:
        if not rpm or rpm <= 0:
            return 60.0  # a zero or missing rate admits nothing
        interval = 60.0 / rpm
        burst = max(1, rpm // 60)
        tolerance = interval * (burst - 1)
        tat = max(self._tat.get(key, now), now)
        wait = tat - tolerance - now
        if wait > 0:
            return wait
        if len(self._tat) >= _PRUNE_AT:
            self._prune(now)
        self._tat[key] = tat + interval
        return 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, tat in self._tat.items() if tat <= now]:
            del self._tat[key]
