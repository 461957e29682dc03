"""River detectors: one contract for both (pickle round trip, no input mutation,
determinism for a seed), plus protection and the label hook."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.detectors.anomaly import INPUTS, AnomalyDetector, squash
from distillguard.models.detectors.supervised import LabelModel


def _vectors(n: int, seed: int = 7) -> list[dict[str, float]]:
    rng = random.Random(seed)
    return [
        {"rpm_10m": rng.uniform(0, 30), "cot_share_1h": rng.uniform(0, 0.1), "out_in_ratio_1h": 1.0}
        for _ in range(n)
    ]


def _anomaly() -> AnomalyDetector:
    return AnomalyDetector(n_trees=5, height=4, window_size=20, seed=3, warmup=30)


def _labels() -> LabelModel:
    return LabelModel(min_labels_per_class=3)


def _train_anomaly(det: Any, xs: list[dict[str, float]]) -> None:
    for x in xs:
        det.learn_one(x)


def _train_labels(model: Any, xs: list[dict[str, float]]) -> None:
    for i, x in enumerate(xs):
        model.learn_label(x, i % 2 == 0)


DETECTORS: list[tuple[Callable[[], Any], Callable[[Any, list[dict[str, float]]], None], str]] = [
    (_anomaly, _train_anomaly, "score_one"),
    (_labels, _train_labels, "predict_proba"),
]


@pytest.mark.parametrize(("make", "train", "method"), DETECTORS)
def test_snapshot_round_trip(make: Any, train: Any, method: str) -> None:
    det = make()
    train(det, _vectors(60))
    again = type(det).from_bytes(det.to_bytes())
    probe = _vectors(5, seed=99)
    assert [getattr(again, method)(x) for x in probe] == [getattr(det, method)(x) for x in probe]


@pytest.mark.parametrize(("make", "train", "method"), DETECTORS)
def test_inputs_are_not_mutated(make: Any, train: Any, method: str) -> None:
    det = make()
    xs = _vectors(40)
    copies = [dict(x) for x in xs]
    train(det, xs)
    getattr(det, method)(xs[0])
    assert xs == copies


@pytest.mark.parametrize(("make", "train", "method"), DETECTORS)
def test_deterministic_for_a_seed(make: Any, train: Any, method: str) -> None:
    a, b = make(), make()
    train(a, _vectors(60))
    train(b, _vectors(60))
    probe = _vectors(5, seed=5)
    assert [getattr(a, method)(x) for x in probe] == [getattr(b, method)(x) for x in probe]


def test_squash_maps_into_unit_interval() -> None:
    x = squash({"rpm_10m": 1e9, "cot_share_1h": 3.0, "unknown": 5.0})
    assert set(x) == set(INPUTS)
    assert all(0.0 <= v <= 1.0 for v in x.values())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(INPUTS)), st.floats(), max_size=len(INPUTS)))
def test_squash_is_the_clamped_or_scaled_value(features: dict[str, float]) -> None:
    expected = {}
    for name, scale in INPUTS.items():
        v = max(0.0, float(features.get(name, 0.0)))
        expected[name] = min(1.0, v) if scale is None else v / (v + scale)
    assert repr(squash(features)) == repr(expected)  # repr: NaN compares by its text


def test_observe_is_score_then_protected_learning() -> None:
    """``observe`` squashes once; scores, learning and the snapshot match doing each step
    through the public methods."""
    fast, slow = _anomaly(), _anomaly()
    for i, x in enumerate(_vectors(120) + [{"rpm_10m": 400.0, "cot_share_1h": 1.0}]):
        suspect = i % 7 == 0
        expected = slow.score_one(x)
        flagged = slow.classify(expected)
        slow.threshold.update(expected)
        if not flagged and not suspect:
            slow.learn_one(x)
        assert fast.observe(x, suspect=suspect) == expected
    assert fast.learned == slow.learned > 0
    assert fast.to_bytes() == slow.to_bytes()


def test_protected_detector_does_not_learn_from_suspects() -> None:
    det = _anomaly()
    for x in _vectors(40):
        det.observe(x, suspect=True)
    assert det.learned == 0
    for x in _vectors(40):
        det.observe(x, suspect=False)
    assert det.learned > 0


def test_anomaly_flags_an_outlier_after_warmup() -> None:
    det = AnomalyDetector(n_trees=10, height=6, window_size=50, seed=1, warmup=200, quantile=0.95)
    for x in _vectors(600):
        det.observe(x, suspect=False)
    outlier = {"rpm_10m": 500.0, "cot_share_1h": 1.0, "harvest_share_1h": 1.0}
    evidence = det.evidence_for(det.score_one(outlier))
    assert [e.code for e in evidence] == ["anomaly.hst"]
    assert evidence[0].shadow


def test_label_model_testifies_only_when_ready_and_confident() -> None:
    model = LabelModel(min_labels_per_class=5, probability=0.7)
    abuse = {"cot_share_1h": 0.95, "harvest_share_1h": 0.9}
    benign = {"cot_share_1h": 0.0, "harvest_share_1h": 0.0}
    assert model.evidence("a", abuse, 0.0) == []
    for _ in range(30):
        model.learn_label(abuse, True)
        model.learn_label(benign, False)
    assert model.predict_proba(abuse) > model.predict_proba(benign)
    assert [e.code for e in model.evidence("a", abuse, 0.0)] == ["model.labelled_abuse"]
    assert model.evidence("a", benign, 0.0) == []
