"""Moving to a model the platform just released is no model hop; moving to another
existing model still is, and a detector that has just started cannot tell a release."""

from __future__ import annotations

from typing import Any

from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from distillguard.models.features.releases import RELEASE_ADOPTERS
from tests.unit.detection_support import T0, stream

HOUR = 3600.0
RELEASE = T0 + 2 * HOUR
END = T0 + 3 * HOUR


def _account(name: str, before: str, after: str, start: float = T0) -> list[dict[str, Any]]:
    """An account on ``before`` until the release time, then on ``after``, every 30 s."""
    n = int((END - start) // 30)
    events = stream(n, account_id=name, every=30.0, start=start, seed=sum(map(ord, name)))
    for e in events:
        e["model"] = before if e["ts"] < RELEASE else after
    return events


def _engine(accounts: list[list[dict[str, Any]]]) -> Engine:
    engine = Engine(DetectionConfig())
    events = sorted((e for a in accounts for e in a), key=lambda e: (e["ts"], e["event_id"]))
    for _ in engine.run(event_records(events)):
        pass
    return engine


def _hop_share(engine: Engine, account_id: str) -> float:
    return engine.features(account_id, END)["new_model_share_1h"]


def test_upgrading_to_a_release_is_no_hop_but_moving_to_an_old_model_is() -> None:
    upgraders = [_account(f"up-{i}", "atlas-2", "atlas-3") for i in range(RELEASE_ADOPTERS)]
    legacy = _account("legacy", "atlas-1", "atlas-1")  # someone used atlas-1 all along
    hopper = _account("hopper", "atlas-2", "atlas-1")
    engine = _engine([*upgraders, legacy, hopper])
    assert engine.debuts.releases(END) == {"atlas-3"}
    assert _hop_share(engine, "up-0") == 0.0
    assert _hop_share(engine, "hopper") >= 0.5  # the rule fires from half of the hour


def test_a_model_few_accounts_use_is_no_release() -> None:
    few = [_account(f"up-{i}", "atlas-2", "atlas-3") for i in range(RELEASE_ADOPTERS - 1)]
    engine = _engine(few)
    assert engine.debuts.releases(END) == frozenset()
    assert _hop_share(engine, "up-0") >= 0.5


def test_a_detector_that_just_started_cannot_tell_a_release() -> None:
    """A worker restarted half an hour before the release has not watched long enough to
    know the model is new to the platform: the move counts as a hop, as it always did."""
    late = RELEASE - HOUR / 2
    upgraders = [
        _account(f"up-{i}", "atlas-2", "atlas-3", start=late) for i in range(RELEASE_ADOPTERS)
    ]
    engine = _engine(upgraders)
    assert engine.debuts.releases(END) == frozenset()
