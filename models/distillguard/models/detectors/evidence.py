"""Evidence, the sources that produce it, and the fusion of evidence into one risk.

Fusion is a noisy-OR over *families*: within a family (signals that measure the same
thing, e.g. raw volume) only the strongest piece counts, so correlated signals do not
stack; across families the pieces combine as independent witnesses,
``risk = 1 - prod(1 - w)``. With weak signals weighted around 0.2-0.3 no single one, and no
pair of them, reaches the enforcement thresholds of the policy; combination rules (several
conditions that together have no benign twin) carry the larger weights.

>>> a = fuse([Evidence("rule", "x", "x", 0.5, "f1"), Evidence("rule", "y", "y", 0.5, "f2")], {})
>>> a.risk
0.75
>>> fuse([Evidence("rule", "x", "x", 0.5, "f1"), Evidence("rule", "y", "y", 0.4, "f1")], {}).risk
0.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence against an account."""

    source: str  # "rule", "model", "cluster", "intel", "analyst"
    code: str
    detail: str
    weight: float
    family: str
    shadow: bool = False
    drivers: tuple[str, ...] = ()
    rule_id: str = ""
    #: the coordinated cluster this evidence comes from (source "cluster")
    cluster_id: str = ""


@runtime_checkable
class EvidenceSource(Protocol):
    """Anything that can testify about an account: rules, models, cluster links, intel."""

    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]: ...


@dataclass(frozen=True, slots=True)
class Assessment:
    """Fused evidence: ``risk`` counts only enforcing evidence, ``shadow_risk`` counts all."""

    risk: float
    shadow_risk: float
    reasons: list[dict[str, object]] = field(default_factory=list)
    features_that_drove_it: dict[str, float] = field(default_factory=dict)
    origin: str = "rule"
    shadow_only: tuple[str, ...] = ()
    cluster_id: str | None = None


def _noisy_or(evidence: list[Evidence]) -> tuple[float, dict[str, Evidence]]:
    best: dict[str, Evidence] = {}
    for e in evidence:
        held = best.get(e.family)
        if held is None or e.weight > held.weight:
            best[e.family] = e
    keep = 1.0
    for e in best.values():
        keep *= 1.0 - min(1.0, max(0.0, e.weight))
    return 1.0 - keep, best


def fuse(evidence: list[Evidence], features: Mapping[str, float]) -> Assessment:
    """Combine evidence into an :class:`Assessment` (deterministic, order-independent)."""
    ordered = sorted(evidence, key=lambda e: (-e.weight, e.code, e.detail))
    enforcing = [e for e in ordered if not e.shadow]
    risk, best = _noisy_or(enforcing)
    shadow_risk, best_all = _noisy_or(ordered)
    counted = {id(e) for e in best_all.values()}
    reasons: list[dict[str, object]] = []
    drivers: dict[str, float] = {}
    for e in ordered:
        if id(e) not in counted:
            continue
        code = f"shadow.{e.code}" if e.shadow else e.code
        reasons.append({"code": code, "detail": e.detail, "weight": round(e.weight, 4)})
        for name in e.drivers:
            if name in features:
                drivers[name] = round(float(features[name]), 6)
    top = max(best.values(), key=lambda e: e.weight, default=None)
    origin = _ORIGIN.get(top.source, "rule") if top else "rule"
    shadow_only = tuple(sorted({e.rule_id or e.code for e in ordered if e.shadow}))
    cluster_id = next((e.cluster_id for e in enforcing if e.cluster_id), None)
    return Assessment(
        risk=round(min(1.0, risk), 6),
        shadow_risk=round(min(1.0, shadow_risk), 6),
        reasons=reasons,
        features_that_drove_it=drivers,
        origin=origin,
        shadow_only=shadow_only,
        cluster_id=cluster_id,
    )


_ORIGIN = {"rule": "rule", "model": "model", "cluster": "cluster", "intel": "intel"}
_ORIGIN |= {"analyst": "analyst"}
