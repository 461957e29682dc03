"""Unsupervised anomaly over account feature vectors: one River HalfSpaceTrees for all accounts.

HalfSpaceTrees needs inputs in [0, 1]: each feature is squashed by a fixed monotone map
(shares are already shares; counts and rates go through ``v / (v + scale)``), which unlike
a running min-max scaler does not drift when an attack inflates the maximum. Thresholding
is a separate filter (a streaming quantile of scores, as River's ``QuantileFilter``), and
the model is *protected*: it does not learn from vectors it flags, nor from accounts that
other evidence already holds suspect, so a campaign does not become "normal".

>>> det = AnomalyDetector(n_trees=5, height=4, window_size=20, seed=1, warmup=10)
>>> x = {"rpm_10m": 3.0, "cot_share_1h": 0.1}
>>> for _ in range(30):
...     det.learn_one(x)
>>> 0.0 <= det.score_one(x) <= 1.0
True
"""

from __future__ import annotations

import pickle
from collections.abc import Hashable, Mapping
from typing import Any, Final

from river import anomaly, stats

from distillguard.models.detectors.evidence import Evidence

#: feature -> scale of the squashing ``v / (v + scale)``; ``None`` = already in [0, 1].
INPUTS: Final[dict[str, float | None]] = {
    "rpm_10m": 20.0,
    "tokens_out_pm_10m": 5000.0,
    "out_in_ratio_1h": 2.0,
    "max_tokens_used_1h": None,
    "cot_share_1h": None,
    "rubric_share_1h": None,
    "top_logprobs_share_1h": None,
    "logit_bias_share_1h": None,
    "n_gt1_share_1h": None,
    "harvest_share_1h": None,
    "status_429_share_1h": None,
    "category_entropy_1h": None,
    "template_ratio_1h": None,
    "fingerprint_ratio_1h": None,
    "cot_langs_24h": 2.0,
    "ips_per_key_24h": 5.0,
    "user_agents_24h": 3.0,
    "hour_coverage_24h": None,
    "new_model_share_1h": None,
    "usage_vs_tier_10m": 0.5,
    "interarrival_cv_1h": 1.0,
}


_SCALES: Final = tuple(INPUTS.items())


def squash(features: Mapping[str, float]) -> dict[str, float]:
    """The [0, 1] input vector of the detector (a new dict; ``features`` is not changed).

    Negative and NaN values read as 0, as ``max(0.0, v)`` would have them.
    """
    get = features.get
    out: dict[str, float] = {}
    for name, scale in _SCALES:
        v = float(get(name, 0.0))
        if not v > 0.0:
            v = 0.0
        if scale is None:
            out[name] = v if v < 1.0 else 1.0
        else:
            out[name] = v / (v + scale)
    return out


class AnomalyDetector:
    """River ``learn_one`` / ``score_one`` over feature dicts, plus a quantile threshold."""

    def __init__(
        self,
        *,
        n_trees: int = 20,
        height: int = 8,
        window_size: int = 250,
        seed: int = 42,
        quantile: float = 0.995,
        warmup: int = 2000,
        weight: float = 0.2,
        shadow: bool = True,
    ) -> None:
        limits: dict[Hashable, tuple[float, float]] = {name: (0.0, 1.0) for name in INPUTS}
        self.model: Any = anomaly.HalfSpaceTrees(
            n_trees=n_trees, height=height, window_size=window_size, seed=seed, limits=limits
        )
        self.threshold = stats.Quantile(quantile)
        self.warmup = warmup
        self.weight = weight
        self.shadow = shadow
        self.learned = 0

    def score_one(self, features: Mapping[str, float]) -> float:
        return float(self.model.score_one(squash(features)))

    def learn_one(self, features: Mapping[str, float]) -> None:
        self._learn_squashed(squash(features))

    def _learn_squashed(self, x: dict[str, float]) -> None:
        self.model.learn_one(x)
        self.learned += 1

    def classify(self, score: float) -> bool:
        """Above the streaming quantile of scores seen so far (and past warm-up)."""
        limit = self.threshold.get()
        return self.learned >= self.warmup and limit is not None and score > limit

    def observe(self, features: Mapping[str, float], *, suspect: bool) -> float:
        """Score, update the threshold, and learn unless flagged or ``suspect`` (protection)."""
        x = squash(features)
        score = float(self.model.score_one(x))
        flagged = self.classify(score)
        self.threshold.update(score)
        if not flagged and not suspect:
            self._learn_squashed(x)
        return score

    def evidence_for(self, score: float) -> list[Evidence]:
        if not self.classify(score):
            return []
        return [
            Evidence(
                source="model",
                code="anomaly.hst",
                detail=f"account feature vector anomalous (score {score:.2f} above the "
                f"{self.threshold.get() or 0.0:.2f} quantile)",
                weight=self.weight,
                family="anomaly",
                shadow=self.shadow,
            )
        ]

    def to_bytes(self) -> bytes:
        """A snapshot the worker can persist; restore with :meth:`from_bytes`."""
        return pickle.dumps(self)

    @staticmethod
    def from_bytes(data: bytes) -> AnomalyDetector:
        loaded: Any = pickle.loads(data)  # noqa: S301 - our own snapshot, never third-party input
        if not isinstance(loaded, AnomalyDetector):
            raise TypeError("not an AnomalyDetector snapshot")
        return loaded
