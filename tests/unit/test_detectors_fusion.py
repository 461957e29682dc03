"""Evidence fusion: families, shadow evidence, explanations."""

from __future__ import annotations

import pytest

from distillguard.models.detectors.evidence import Evidence, EvidenceSource, fuse
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
