"""Edge enforcement: the decision cache gateways embed, and the ``distillguard enforcer`` sidecar.

``DecisionCache`` is pure Python (no Kafka): feed it the records of the compacted
``enforcement.decisions`` topic with ``apply`` and ask ``check`` on every request.
"""

from __future__ import annotations

from distillguard.streams.enforcer.cache import ALLOW, LADDER, DecisionCache, Verdict
from distillguard.streams.enforcer.limiter import RateLimiter

__all__ = ["ALLOW", "LADDER", "DecisionCache", "RateLimiter", "Verdict"]
