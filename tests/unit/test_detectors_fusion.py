"""Evidence fusion: families, shadow evidence, explanations."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.detectors.evidence import (
    Assessment,
    Evidence,
    EvidenceSource,
    fuse,
    shadow_risk,
)
from distillguard.models.detectors.rules import RuleSet, load_rules


def _ev(code: str, weight: float, family: str, *, shadow: bool = False) -> Evidence:
    return Evidence("rule", code, f"{code} detail", weight, family, shadow, drivers=("rpm_10m",))


def test_independent_families_combine_as_noisy_or() -> None:
    a = fuse([_ev("a", 0.5, "x"), _ev("b", 0.4, "y")], {"rpm_10m": 3.0})
    assert a.risk == pytest.approx(1 - 0.5 * 0.6)
    assert [r["code"] for r in a.reasons] == ["a", "b"]
    assert a.features_that_drove_it == {"rpm_10m": 3.0}


def test_one_family_counts_once() -> None:
    a = fuse([_ev("a", 0.3, "x"), _ev("b", 0.25, "x")], {})
    assert a.risk == pytest.approx(0.3)
    assert [r["code"] for r in a.reasons] == ["a"]


def test_order_does_not_matter() -> None:
    evs = [_ev("a", 0.3, "x"), _ev("b", 0.2, "y"), _ev("c", 0.6, "z")]
    assert fuse(evs, {}) == fuse(list(reversed(evs)), {})


def test_shadow_evidence_counts_only_for_shadow_risk() -> None:
    a = fuse([_ev("a", 0.3, "x"), _ev("s", 0.9, "y", shadow=True)], {})
    assert a.risk == pytest.approx(0.3)
    assert a.shadow_risk == pytest.approx(1 - 0.7 * 0.1)
    assert "shadow.s" in [r["code"] for r in a.reasons]


def test_no_evidence_no_risk() -> None:
    assert fuse([], {}).risk == 0.0


def test_rule_set_is_an_evidence_source() -> None:
    assert isinstance(RuleSet(load_rules()), EvidenceSource)


def _reference_fuse(evidence: list[Evidence], features: Mapping[str, float]) -> Assessment:
    """Fusion as first written (two noisy-OR passes, ``max`` for the origin); the fused
    code must give exactly this, floats included."""

    def noisy_or(pieces: list[Evidence]) -> tuple[float, dict[str, Evidence]]:
        best: dict[str, Evidence] = {}
        for e in pieces:
            held = best.get(e.family)
            if held is None or e.weight > held.weight:
                best[e.family] = e
        keep = 1.0
        for e in best.values():
            keep *= 1.0 - min(1.0, max(0.0, e.weight))
        return 1.0 - keep, best

    ordered = sorted(evidence, key=lambda e: (-e.weight, e.code, e.detail))
    enforcing = [e for e in ordered if not e.shadow]
    risk, best = noisy_or(enforcing)
    all_risk, best_all = noisy_or(ordered)
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
    origins = {"rule", "model", "cluster", "intel", "analyst"}
    return Assessment(
        risk=round(min(1.0, risk), 6),
        shadow_risk=round(min(1.0, all_risk), 6),
        reasons=reasons,
        features_that_drove_it=drivers,
        origin=(top.source if top.source in origins else "rule") if top else "rule",
        shadow_only=tuple(sorted({e.rule_id or e.code for e in ordered if e.shadow})),
        cluster_id=next((e.cluster_id for e in enforcing if e.cluster_id), None),
    )


_weights = st.one_of(
    st.sampled_from([0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 0.85, 1.0]),  # ties, as in real rules
    st.floats(min_value=-0.5, max_value=1.5, allow_nan=False),  # and the clamp
)
_pieces = st.builds(
    Evidence,
    source=st.sampled_from(["rule", "model", "cluster", "intel", "analyst", "other"]),
    code=st.sampled_from(["a.x", "b.y", "c.z"]),
    detail=st.sampled_from(["one", "two"]),
    weight=_weights,
    family=st.sampled_from(["f1", "f2", "f3", "f4"]),
    shadow=st.booleans(),
    drivers=st.lists(st.sampled_from(["rpm_10m", "requests_1h", "absent"]), max_size=3).map(tuple),
    rule_id=st.sampled_from(["", "r1", "r2"]),
    cluster_id=st.sampled_from(["", "", "c1", "c2"]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_pieces, max_size=10))
def test_fusion_matches_the_reference_exactly(evidence: list[Evidence]) -> None:
    features = {"rpm_10m": 3.14159265, "requests_1h": 120.0}
    expected = _reference_fuse(evidence, features)
    assert fuse(evidence, features) == expected
    assert shadow_risk(evidence) == expected.shadow_risk
