"""Swap a new :class:`DetectionConfig` into a running :class:`Engine` without losing state.

Account and policy state, the anomaly model and the label model are kept: only what the
config describes changes (rules, policy, weights, shadow flags). A detector whose structure
changed (trees, height, window, seed) is rebuilt, since a fitted model cannot change shape.

>>> from distillguard.models.engine import Engine
>>> engine = Engine(DetectionConfig())
>>> reconfigure(engine, DetectionConfig(shadow=True, config_version="v2"))
>>> engine.policy.config.shadow, engine.config.config_version
(True, 'v2')
"""

from __future__ import annotations

from typing import Final

from distillguard.models.config import DetectionConfig
from distillguard.models.detectors.rules import RuleSet
from distillguard.models.engine import Engine
from distillguard.models.policy import Policy

_ANOMALY_SHAPE: Final = ("n_trees", "height", "window_size", "seed")


def reconfigure(engine: Engine, config: DetectionConfig) -> None:
    """Make ``engine`` decide under ``config`` from its next scoring on."""
    fresh = Engine(config)
    old = engine.config
    extra = [s for s in engine.sources if s is not engine.rules and s is not engine.labels]
    a, old_a = config.anomaly, old.anomaly
    if engine.anomaly is not None and fresh.anomaly is not None:
        if all(getattr(a, f) == getattr(old_a, f) for f in _ANOMALY_SHAPE):
            engine.anomaly.weight, engine.anomaly.shadow = a.weight, a.shadow
            engine.anomaly.warmup = a.warmup
        else:
            engine.anomaly = fresh.anomaly
    else:
        engine.anomaly = fresh.anomaly
    s = config.supervised
    if engine.labels is not None and fresh.labels is not None:
        engine.labels.weight, engine.labels.shadow = s.weight, s.shadow
        engine.labels.probability, engine.labels.min_labels = s.probability, s.min_labels_per_class
    else:
        engine.labels = fresh.labels
    engine.rules = RuleSet(config.signature_rules())
    engine.policy = Policy(config)
    if config.policy != old.policy:
        # a new allowlist entry or thresholds: accounts enforced against are judged again
        # at their next request, not after their rescoring back-off
        engine.rescore_enforced()
    engine.sources = [engine.rules, *extra]
    if engine.labels is not None:
        engine.sources.append(engine.labels)
    engine.config = config
