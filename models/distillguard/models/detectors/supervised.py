"""Online supervised model fed by analyst labels: River StandardScaler | LogisticRegression.

It testifies only after it has seen ``min_labels_per_class`` labels of each class, and
only when its probability of abuse passes ``probability``.

>>> m = LabelModel(min_labels_per_class=2)
>>> for _ in range(3):
...     m.learn_label({"cot_share_1h": 0.9}, True)
...     m.learn_label({"cot_share_1h": 0.0}, False)
>>> m.ready, m.predict_proba({"cot_share_1h": 0.9}) > 0.5
(True, True)
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any

from river import compose, linear_model, optim, preprocessing

from distillguard.models.detectors.anomaly import squash
from distillguard.models.detectors.evidence import Evidence


class LabelModel:
    """``learn_label(features, is_abuse)`` / ``predict_proba(features)``."""

    def __init__(
        self,
        *,
        min_labels_per_class: int = 20,
        probability: float = 0.8,
        weight: float = 0.4,
        shadow: bool = True,
    ) -> None:
        self.model: Any = compose.Pipeline(
            preprocessing.StandardScaler(),
            linear_model.LogisticRegression(optimizer=optim.SGD(0.05)),
        )
        self.min_labels = min_labels_per_class
        self.probability = probability
        self.weight = weight
        self.shadow = shadow
        self.labels = {True: 0, False: 0}

    @property
    def ready(self) -> bool:
        return min(self.labels.values()) >= self.min_labels

    def learn_label(self, features: Mapping[str, float], is_abuse: bool) -> None:
        self.model.learn_one(squash(features), bool(is_abuse))
        self.labels[bool(is_abuse)] += 1

    def predict_proba(self, features: Mapping[str, float]) -> float:
        proba: dict[bool, float] = self.model.predict_proba_one(squash(features))
        return float(proba.get(True, 0.0))

    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        del account_id, now
        if not self.ready:
            return []
        p = self.predict_proba(features)
        if p < self.probability:
            return []
        return [
            Evidence(
                source="model",
                code="model.labelled_abuse",
                detail=f"resembles accounts analysts labelled as abuse (p={p:.2f})",
                weight=self.weight,
                family="supervised",
                shadow=self.shadow,
            )
        ]

    def to_bytes(self) -> bytes:
        return pickle.dumps(self)

    @staticmethod
    def from_bytes(data: bytes) -> LabelModel:
        loaded: Any = pickle.loads(data)  # noqa: S301 - our own snapshot, never third-party input
        if not isinstance(loaded, LabelModel):
            raise TypeError("not a LabelModel snapshot")
        return loaded
