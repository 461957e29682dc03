"""Risk and evidence to an action: ``monitor < degrade < throttle < challenge < suspend``.

The rules of the ladder, in one place:

- *enter*: an action is entered as soon as risk reaches its threshold (escalation is
  immediate); a repeat offender re-enters no lower than the worst action of its last
  episode;
- *exit*: stepping down needs risk below ``threshold - hysteresis`` *and* ``min_dwell_seconds``
  at the current action; stepping below ``monitor`` lifts the decision (a tombstone);
- *TTL*: every decision carries ``expires_at``; an active account still at risk has its
  decision renewed, a quiet one expires (a tombstone) at ``expires_at``; TTLs grow by
  ``escalation_factor`` per previous offence, up to ``max_escalation``;
- *allowlist*: an allowlisted account gets no decision (a live one is lifted) until the
  entry expires;
- *shadow*: with global shadow every decision is ``mode: shadow``; evidence from shadow
  rules or detectors can only produce a shadow decision when the enforcing evidence alone
  would not reach ``degrade``.

``decision_id`` is a hash of subject, action, mode and episode, so a restarted worker that
re-emits a decision re-emits the same id.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from distillguard.models import DETECTOR_VERSION
from distillguard.models.config import ACTIONS, AllowEntry, DetectionConfig
from distillguard.models.detectors.evidence import Assessment
from distillguard.models.policy.state import DecisionRecord, PolicyState

LEVEL: Final = {name: i for i, name in enumerate(ACTIONS)}
DEGRADE: Final = LEVEL["degrade"]


def decision_id(scope: str, value: str, action: str, mode: str, episode: int) -> str:
    """Deterministic id: the same subject, action, mode and episode give the same id.

    >>> decision_id("account", "a1", "degrade", "enforce", 1) == decision_id(
    ...     "account", "a1", "degrade", "enforce", 1)
    True
    """
    raw = f"{scope}:{value}|{action}|{mode}|{episode}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


class Policy:
    """Maps assessments to decisions for account subjects; state lives in ``PolicyState``."""

    def __init__(self, config: DetectionConfig) -> None:
        self.config = config
        p = config.policy
        self.enter = [getattr(p.thresholds, a) for a in ACTIONS]
        self.hysteresis = p.hysteresis
        self.ttl = [getattr(p.ttl, a) for a in ACTIONS]
        self.allowlist = p.allowlist

    def _level(self, risk: float, slack: float = 0.0) -> int:
        level = -1
        for i, threshold in enumerate(self.enter):
            if risk + slack >= threshold:
                level = i
        return level

    def allowlisted(self, account_id: str, now: float, org_id: str | None = None) -> bool:
        """Whether an entry covers the account, or its organisation ``org_id``."""
        return self.allow_entry(account_id, now, org_id) is not None

    def allow_entry(
        self, account_id: str, now: float, org_id: str | None = None
    ) -> AllowEntry | None:
        """The first entry that covers the account, or its organisation, at ``now``."""
        for entry in self.allowlist:
            if entry.covers(account_id, org_id, now):
                return entry
        return None

    def decide(
        self,
        account_id: str,
        state: PolicyState,
        assessment: Assessment,
        now: float,
        org_id: str | None = None,
    ) -> DecisionRecord | None:
        """Apply one assessment at event time ``now`` to an account (of ``org_id``, the
        organisation its events name); a record when the topic must change."""
        if self.allowlisted(account_id, now, org_id):
            return self._lift(account_id, state, now)
        global_shadow = self.config.shadow
        risk = assessment.shadow_risk if global_shadow else assessment.risk
        current = LEVEL[state.action] if state.action is not None else -1
        if state.action is not None and state.mode == "shadow" and not global_shadow:
            current = -1  # a shadow decision does not hold the enforcing ladder
        target = self._level(risk)
        if target < current:
            dwell = now - state.entered_at >= self.config.policy.min_dwell_seconds
            held = self._level(risk, self.hysteresis)
            target = max(target, min(current, held)) if dwell else current
        mode = "shadow" if global_shadow else "enforce"
        if not global_shadow and target < DEGRADE:
            shadow_target = self._level(assessment.shadow_risk)
            if shadow_target >= DEGRADE:
                target, mode = shadow_target, "shadow"
        if target < 0:
            return self._lift(account_id, state, now)
        if state.action is None:
            state.episode += 1
            state.episode_enforced = False
            if state.offences and mode == "enforce" and target >= DEGRADE:
                target = max(target, LEVEL.get(state.worst_action or "monitor", 0))
        action = ACTIONS[target]
        changed = action != state.action or mode != state.mode
        renew = now >= state.expires_at - self._ttl(target, state) / 2
        if not changed and not renew:
            return None
        if changed:
            state.entered_at = now
        state.action, state.mode = action, mode
        state.expires_at = now + self._ttl(target, state)
        if mode == "enforce" and target >= DEGRADE:
            if not state.episode_enforced:
                state.episode_enforced = True
            if state.worst_action is None or LEVEL[state.worst_action] < target:
                state.worst_action = action
        state.decision_id = decision_id("account", account_id, action, mode, state.episode)
        return DecisionRecord(
            f"account:{account_id}", self._value(account_id, state, assessment, now), now
        )

    def expire(self, account_id: str, state: PolicyState, now: float) -> DecisionRecord | None:
        """Lift a decision whose ``expires_at`` has passed (called for quiet accounts)."""
        if state.action is not None and now >= state.expires_at:
            return self._lift(account_id, state, now)
        return None

    def _ttl(self, level: int, state: PolicyState) -> float:
        p = self.config.policy
        factor = min(p.max_escalation, float(p.escalation_factor**state.offences))
        return float(self.ttl[level] * factor)

    def _lift(self, account_id: str, state: PolicyState, now: float) -> DecisionRecord | None:
        if state.action is None:
            return None
        if state.episode_enforced:
            state.offences += 1
        state.action = None
        state.mode = "enforce"
        state.episode_enforced = False
        state.decision_id = ""
        state.expires_at = now
        return DecisionRecord(f"account:{account_id}", None, now)

    def _value(
        self, account_id: str, state: PolicyState, assessment: Assessment, now: float
    ) -> dict[str, Any]:
        risk = assessment.shadow_risk if state.mode == "shadow" else assessment.risk
        p = self.config.policy
        return {
            "decision_id": state.decision_id,
            "subject": {"scope": "account", "value": account_id},
            "action": state.action,
            "rate_limit_rpm": p.throttle_rpm if state.action == "throttle" else None,
            "risk": round(min(1.0, max(0.0, risk)), 6),
            "reasons": assessment.reasons,
            "cluster_id": assessment.cluster_id,
            "mode": state.mode,
            "origin": assessment.origin,
            "issued_at": now,
            "expires_at": state.expires_at,
            "detector_version": DETECTOR_VERSION,
            "config_version": self.config.config_version,
        }
