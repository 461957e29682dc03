"""When the engine scores an account again: an enforced account's rescorings back off while
they change nothing, never past the moment it may step down, and start over after a change."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from distillguard.models.codec import event_records
from distillguard.models.config import AnomalyConfig, DetectionConfig
from distillguard.models.detectors.evidence import Evidence
from distillguard.models.engine import Engine
from tests.unit.detection_support import T0, stream

TICK = 30.0


class FixedRisk:
    """Testifies ``weight`` against every account and remembers when it was asked."""

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.asked: list[float] = []

    def evidence(
        self, account_id: str, features: Mapping[str, float], now: float
    ) -> list[Evidence]:
        self.asked.append(now)
        return [Evidence("rule", "test.fixed", "fixed", self.weight, "fixed")]


def _run(weight_at: dict[float, float], minutes: float = 40.0) -> tuple[FixedRisk, list[float]]:
    """One account at 1 request every 2 s; the fixed risk changes at the given offsets.
    Returns the source and the offsets (from the first tick) of the records emitted."""
    config = DetectionConfig(rules=(), anomaly=AnomalyConfig(enabled=False))
    source = FixedRisk(weight_at[0.0])
    engine = Engine(config, sources=[source])
    first_tick = (T0 // TICK + 1) * TICK

    def events() -> Iterator[dict[str, Any]]:
        for event in stream(int(minutes * 30), every=2.0):
            offset = event["ts"] - first_tick
            source.weight = max((at, w) for at, w in weight_at.items() if at <= max(0.0, offset))[1]
            yield event

    records = [r.ts - first_tick for r in engine.run(event_records(events()))]
    source.asked = [t - first_tick for t in source.asked]
    return source, records


def test_an_enforced_account_is_rescored_less_often_while_nothing_changes() -> None:
    source, records = _run({0.0: 0.65})  # degrade, and it stays there
    # 120 s, then twice as long after each rescoring that changed nothing (240 s), but at
    # the end of the minimum dwell (600 s) at the latest; then every 480 s at most
    assert source.asked[:7] == [0.0, 120.0, 360.0, 600.0, 1080.0, 1560.0, 2040.0]
    # renewed at the first rescoring past half its TTL (1 h), which starts over at 120 s
    assert records == [0.0, 2040.0]
    assert source.asked[7:9] == [2160.0, 2400.0]


def test_a_change_starts_the_rescoring_over_at_the_shortest_interval() -> None:
    source, records = _run({0.0: 0.65, 1000.0: 0.8})  # degrade, then throttle
    assert records == [0.0, 1080.0]  # escalated at the first rescoring after the rise
    assert source.asked[:7] == [0.0, 120.0, 360.0, 600.0, 1080.0, 1200.0, 1440.0]


def test_rescoring_backs_off_only_for_accounts_enforced_against() -> None:
    source, records = _run({0.0: 0.35}, minutes=10.0)  # monitor: a suspect
    assert records == [0.0]
    assert len(source.asked) == len(set(source.asked)) >= 19  # every tick


def test_an_account_enforced_for_weeks_is_still_rescored_on_time() -> None:
    """Thousands of rescorings that changed nothing (a week at the longest interval) keep
    the interval at its cap."""
    config = DetectionConfig(rules=(), anomaly=AnomalyConfig(enabled=False))
    engine = Engine(config, sources=[FixedRisk(0.65)])
    list(engine.run(event_records(stream(60, every=2.0))))
    (account_id,) = engine.states
    engine._unchanged[account_id] = 5_000
    at, seen = engine._scored_at[account_id]
    pstate = engine.policies[account_id]
    assert not engine._due(account_id, pstate, seen, 60.0, at + 479.0, held=False)
    assert engine._due(account_id, pstate, seen, 60.0, at + 480.0, held=False)


def test_a_new_allowlist_entry_lifts_an_enforced_account_at_its_next_tick() -> None:
    """The policy changed under an account in its rescoring back-off (its organisation was
    allowlisted): it is judged again at the next tick, not minutes later."""
    from distillguard.models.control.apply import reconfigure

    config = DetectionConfig(rules=(), anomaly=AnomalyConfig(enabled=False))
    engine = Engine(config, sources=[FixedRisk(0.65)])
    events = stream(300, every=2.0, org_id="org-course")
    records = list(engine.run(event_records(events[:150])))
    assert [r.value is not None for r in records] == [True]  # degraded, in back-off
    allowed = {"org_id": "org-course", "expires_at": T0 + 10_000, "reason": "workshop"}
    reconfigure(
        engine,
        config.model_copy(
            update={"policy": config.policy.model_validate({"allowlist": [allowed]})}
        ),
    )
    later = list(engine.run(event_records(events[150:])))
    assert later and later[0].value is None
    assert later[0].ts - events[150]["ts"] <= TICK  # the first tick after the change
