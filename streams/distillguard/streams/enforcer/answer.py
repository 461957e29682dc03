"""Turn a cache verdict into an HTTP answer a gateway understands — no HTTP server here.

Three flavours share one decision:

* ``native`` (``GET /check``, Envoy ``ext_authz``): 200 allow or degrade, 429 +
  ``Retry-After`` throttle, 401 challenge, 403 suspend, 503 when stale and failing closed.
  Envoy forwards a denial's status and headers to the client as they are.
* ``nginx`` (``auth_request``): nginx only understands 2xx, 401 and 403 from an auth
  subrequest (anything else becomes a 500), so every denial is a 401 or 403 and carries
  the status the client should get in ``X-Distillguard-Status``; the shipped nginx config
  maps it back (see ``docs/gateways/nginx.conf``).

Every non-allow answer carries ``X-Distillguard-Action`` and ``X-Distillguard-Decision-Id``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from distillguard.streams import metrics
from distillguard.streams.enforcer.cache import DecisionCache
from distillguard.streams.enforcer.freshness import FailureMode, Freshness
from distillguard.streams.enforcer.limiter import RateLimiter

Flavour = Literal["native", "nginx"]

ACTION_HEADER: Final = "X-Distillguard-Action"
DECISION_HEADER: Final = "X-Distillguard-Decision-Id"
STATUS_HEADER: Final = "X-Distillguard-Status"
FAILURE_HEADER: Final = "X-Distillguard-Failure-Mode"

_STATUS: Final = {"throttle": 429, "challenge": 401, "suspend": 403}
_NGINX_STATUS: Final = {429: 403, 401: 401, 403: 403, 503: 403}

_CHECKS: Final = {
    label: metrics.ENFORCER_CHECKS.labels(label)
    for label in (
        "allow",
        "degrade",
        "throttle",
        "throttle_admitted",
        "challenge",
        "suspend",
        "stale_open",
        "stale_closed",
    )
}


@dataclass(frozen=True, slots=True)
class Answer:
    """Status and headers for one check, and the metrics label it counts under."""

    status: int
    label: str
    headers: dict[str, str] = field(default_factory=dict)


_ALLOW: Final = Answer(200, "allow")


class Checker:
    """Answers checks from ``cache``, unless the decision stream is stale or not read yet."""

    def __init__(
        self,
        cache: DecisionCache,
        freshness: Freshness,
        ready: Callable[[], bool],
        failure_mode: FailureMode = "open",
        *,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.freshness = freshness
        self.ready = ready
        self.failure_mode = failure_mode
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.clock = clock

    def usable(self) -> bool:
        """True when the cache is complete (caught up) and fresh."""
        return self.ready() and not self.freshness.stale()

    def answer(
        self,
        account_id: str | None,
        api_key_id: str | None,
        ip: str | None,
        flavour: Flavour = "native",
    ) -> Answer:
        if not self.usable():
            return self._failure(flavour)
        now = self.clock()
        verdict = self.cache.check(account_id, api_key_id, ip, now)
        if verdict.would_have is not None:
            metrics.ENFORCER_WOULD_HAVE.labels(verdict.would_have).inc()
        action = verdict.action
        if action == "allow":
            _CHECKS["allow"].inc()
            return _ALLOW
        headers = {ACTION_HEADER: action, DECISION_HEADER: verdict.decision_id or ""}
        if action == "degrade":
            _CHECKS["degrade"].inc()
            return Answer(200, "degrade", headers)
        if action == "throttle":
            wait = self.limiter.admit(verdict.decision_id or "", verdict.rate_limit_rpm, now)
            if wait <= 0:
                _CHECKS["throttle_admitted"].inc()
                return Answer(200, "throttle_admitted", headers)
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return self._deny(_STATUS[action], action, headers, flavour)

    def _deny(self, status: int, label: str, headers: dict[str, str], flavour: Flavour) -> Answer:
        _CHECKS[label].inc()
        if flavour == "nginx":
            headers[STATUS_HEADER] = str(status)
            return Answer(_NGINX_STATUS[status], label, headers)
        return Answer(status, label, headers)

    def _failure(self, flavour: Flavour) -> Answer:
        metrics.ENFORCER_FAILMODE_ANSWERS.labels(self.failure_mode).inc()
        if self.failure_mode == "open":
            _CHECKS["stale_open"].inc()
            return Answer(200, "stale_open", {FAILURE_HEADER: "open"})
        headers = {FAILURE_HEADER: "closed", "Retry-After": "1"}
        return self._deny(503, "stale_closed", headers, flavour)
