"""The engine over the golden cases in ``tests/scenarios/<case>/{events.jsonl, expected.json}``
and over hand-built streams: who is enforced, determinism, out-of-order input, ticks."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest

from distillguard.models.codec import (
    Event,
    decode_event,
    event_record,
    event_records,
    validate_decision,
)
from distillguard.models.config import ACTIONS, DetectionConfig
from distillguard.models.engine import Engine
from distillguard.models.policy import DecisionRecord
from tests.unit.detection_support import T0, stream

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CASES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "expected.json").is_file())


def _events(case: str) -> list[Event]:
    with (SCENARIOS / case / "events.jsonl").open("rb") as f:
        return [decode_event(line) for line in f if line.strip()]


def _strongest(records: list[DecisionRecord]) -> dict[str, str]:
    """The strongest enforced action (degrade or above) per account."""
    out: dict[str, str] = {}
    for r in records:
        v = r.value
        if v is None or v["mode"] != "enforce" or v["action"] == "monitor":
            continue
        account = v["subject"]["value"]
        if account not in out or ACTIONS.index(v["action"]) > ACTIONS.index(out[account]):
            out[account] = v["action"]
    return out


def test_golden_cases_exist() -> None:
    assert len(CASES) >= 3


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str) -> None:
    expected = orjson.loads((SCENARIOS / case / "expected.json").read_bytes())
    records = list(Engine(DetectionConfig()).run(_events(case)))
    for r in records:
        if r.value is not None:
            validate_decision(r.value)
            assert r.key == f"account:{r.value['subject']['value']}"
    strongest = _strongest(records)
    for account, at_least in expected["enforced"].items():
        assert account in strongest, f"{account} was not enforced"
        assert ACTIONS.index(strongest[account]) >= ACTIONS.index(at_least), account
    for account in expected["not_enforced"]:
        assert account not in strongest, f"{account} was enforced: {strongest.get(account)}"


def test_same_input_same_records() -> None:
    events = _events(CASES[0])
    first = list(Engine(DetectionConfig()).run(events))
    second = list(Engine(DetectionConfig()).run(events))
    assert first == second


def test_slightly_out_of_order_events_give_the_same_decisions() -> None:
    events = _events("logit-harvest")
    rng = random.Random(4)
    shuffled = list(events)
    for i in range(0, len(shuffled) - 3, 3):  # swap neighbours a few seconds apart
        if rng.random() < 0.5:
            shuffled[i], shuffled[i + 1] = shuffled[i + 1], shuffled[i]
    assert _strongest(list(Engine(DetectionConfig()).run(shuffled))) == _strongest(
        list(Engine(DetectionConfig()).run(events))
    )


def test_only_accounts_active_since_the_last_tick_are_scored() -> None:
    engine = Engine(DetectionConfig())
    for e in stream(40, account_id="busy", every=1.0) + stream(40, account_id="quiet", every=1.0):
        engine.observe(event_record(e))
    engine.tick(T0 + 60)
    assert engine.scored == 2
    for e in stream(5, account_id="busy", every=1.0, start=T0 + 61):
        engine.observe(event_record(e))
    engine.tick(T0 + 90)
    assert engine.scored == 3


def test_ticks_follow_event_time() -> None:
    config = DetectionConfig(tick_seconds=10)
    engine = Engine(config)
    list(engine.run(event_records(stream(100, every=1.0))))
    assert engine.next_tick == pytest.approx(T0 + 100)
    assert engine.states["acct-a"].events_total == 100


def test_decisions_expire_into_tombstones_when_the_account_goes_quiet() -> None:
    events = _events("logit-harvest")
    harvester = [e for e in events if e.account_id == "acct-harvester"]
    last = harvester[-1].ts
    later = stream(50, account_id="other", every=600.0, start=last + 60)
    records = list(Engine(DetectionConfig()).run([*harvester, *event_records(later)]))
    mine = [r for r in records if r.key == "account:acct-harvester"]
    assert mine[0].value is not None
    assert mine[-1].value is None
    assert mine[-1].ts >= mine[0].value["expires_at"]


def test_analyst_labels_reach_the_label_model() -> None:
    engine = Engine(DetectionConfig())
    list(engine.run(event_records(stream(30))))
    engine.learn_label("acct-a", True, T0 + 60)
    assert engine.labels is not None and engine.labels.labels[True] == 1
