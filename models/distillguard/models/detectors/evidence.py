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


def _rank(e: Evidence) -> tuple[float, str, str]:
    """Strongest first; ties by code and detail, so fusion does not depend on input order."""
    return (-e.weight, e.code, e.detail)


def _noisy_or(best: dict[str, Evidence]) -> float:
    """``1 - prod(1 - w)`` over the counted pieces, multiplied in the order they were
    counted (ranked order), so the float result is the same whichever caller asks."""
    keep = 1.0
    for e in best.values():
        w = e.weight if e.weight > 0.0 else 0.0  # clamped to [0, 1], as min(1, max(0, w))
        keep *= 1.0 - (w if w < 1.0 else 1.0)
    return 1.0 - keep


def shadow_risk(evidence: list[Evidence]) -> float:
    """``fuse(evidence, features).shadow_risk`` without building the explanation.

    >>> shadow_risk([Evidence("rule", "x", "x", 0.5, "f1"), Evidence("model", "y", "y", 0.5,
    ...     "f2", shadow=True)])
    0.75
    """
    best: dict[str, Evidence] = {}
    for e in sorted(evidence, key=_rank):
        held = best.get(e.family)
        if held is None or e.weight > held.weight:
            best[e.family] = e
    return round(min(1.0, _noisy_or(best)), 6)


def fuse(evidence: list[Evidence], features: Mapping[str, float]) -> Assessment:
    """Combine evidence into an :class:`Assessment` (deterministic, order-independent)."""
    if not evidence:
        return Assessment(risk=0.0, shadow_risk=0.0)
    ordered = sorted(evidence, key=_rank)
    # the piece that counts per family: among all evidence, and among enforcing evidence
    best_all: dict[str, Evidence] = {}
    best: dict[str, Evidence] = {}
    for e in ordered:
        family, weight = e.family, e.weight
        held = best_all.get(family)
        if held is None or weight > held.weight:
            best_all[family] = e
        if not e.shadow:
            held = best.get(family)
            if held is None or weight > held.weight:
                best[family] = e
    reasons: list[dict[str, object]] = []
    drivers: dict[str, float] = {}
    shadow_only: set[str] = set()
    cluster_id: str | None = None
    for e in ordered:
        if e.shadow:
            shadow_only.add(e.rule_id or e.code)
        elif cluster_id is None and e.cluster_id:
            cluster_id = e.cluster_id
        if best_all[e.family] is not e:
            continue  # a stronger piece of its family counts instead
        code = f"shadow.{e.code}" if e.shadow else e.code
        reasons.append({"code": code, "detail": e.detail, "weight": round(e.weight, 4)})
        for name in e.drivers:
            if name not in drivers and name in features:
                drivers[name] = round(float(features[name]), 6)
    top = max(best.values(), key=_weight, default=None)
    return Assessment(  # positional: keywords cost a frozen dataclass noticeably more
        round(min(1.0, _noisy_or(best)), 6),  # risk
        round(min(1.0, _noisy_or(best_all)), 6),  # shadow_risk
        reasons,
        drivers,  # features_that_drove_it
        _ORIGIN.get(top.source, "rule") if top else "rule",  # origin
        tuple(sorted(shadow_only)) if shadow_only else (),
        cluster_id,
    )


def _weight(e: Evidence) -> float:
    return e.weight


_ORIGIN = {"rule": "rule", "model": "model", "cluster": "cluster", "intel": "intel"}
_ORIGIN |= {"analyst": "analyst"}
