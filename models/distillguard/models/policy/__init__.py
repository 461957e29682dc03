"""The one place that turns evidence into actions (see ``ladder`` for the rules)."""

from __future__ import annotations

from distillguard.models.policy.ladder import Policy, decision_id
from distillguard.models.policy.state import DecisionRecord, PolicyState

__all__ = ["DecisionRecord", "Policy", "PolicyState", "decision_id"]
