"""Input coverage: which optional fields gateways send, and what detection is blind to
without them (``distillguard.models.coverage``), in replay, in the worker's gauges, logs
and health."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from distillguard.cli import main
from distillguard.models.codec import event_record
from distillguard.models.config import DetectionConfig
from distillguard.models.coverage import FIELDS, InputCoverage
from distillguard.models.engine import Engine
from distillguard.models.features import AccountState
from distillguard.models.features.names import FEATURE_NAMES
from distillguard.models.features.slices import AccountSlice, fold_events
from distillguard.streams.worker.scoring import Scoring
from tests.support import full_event, minimal_event

RULES = DetectionConfig().signature_rules()


def _observe(coverage: InputCoverage, events: list[dict[str, Any]]) -> None:
    for e in events:  # one slice per event: every event is its own tick here
        coverage.observe_slices(fold_events([event_record(e)]), e["ts"])


def test_every_field_names_real_features_and_is_seen_on_a_full_event() -> None:
    names = {f.name for f, _ in FIELDS}
    assert len(names) == len(FIELDS)
    for field, _ in FIELDS:
        unknown = set(field.features) - set(FEATURE_NAMES)
        assert not unknown, f"{field.name} names unknown features {sorted(unknown)}"
    coverage = InputCoverage()
    _observe(coverage, [full_event(i) for i in range(60)])
    assert coverage.shares() == dict.fromkeys(names, 1.0)
    assert coverage.gaps(RULES) == []


def test_required_fields_alone_blind_the_age_rules_and_linking() -> None:
    coverage = InputCoverage()
    _observe(coverage, [minimal_event(i) for i in range(60)])
    assert set(coverage.shares().values()) == {0.0}
    gaps = {g.field.name: g for g in coverage.gaps(RULES)}
    assert "org_id" not in gaps  # only accounts of an organisation have one
    age = gaps["account.created_at"]
    assert "capability-sweep" in age.rules and "new-account" in age.rules
    assert "card" in gaps["account.payment_fingerprint"].field.links
    assert "template-repetition" in gaps["prompt.template"].rules
    line = age.describe()
    assert line.startswith("account.created_at on 0% of account activity: blind to account age")
    assert "capability-sweep" in line and "linking by: created" in line


def test_a_partial_rollout_is_a_share_and_only_a_minority_is_a_gap() -> None:
    coverage = InputCoverage()
    half = [full_event(i) if i % 2 else minimal_event(i) for i in range(100)]
    _observe(coverage, half)
    assert coverage.shares()["prompt.template"] == pytest.approx(0.5)
    assert coverage.gaps(RULES) == []  # at 50% the field is not missing
    _observe(coverage, [minimal_event(i) for i in range(100, 140)])
    assert {g.field.name for g in coverage.gaps(RULES)} >= {"prompt.template", "asn"}


def test_no_gap_is_named_before_enough_activity_and_recent_activity_weighs_most() -> None:
    coverage = InputCoverage(window=40)
    _observe(coverage, [minimal_event(i) for i in range(10)])
    assert coverage.gaps(RULES) == []  # 10 slices: too little to say
    _observe(coverage, [minimal_event(i) for i in range(10, 200)])
    _observe(coverage, [full_event(i) for i in range(200, 400)])  # gateways upgraded
    assert coverage.shares()["account.created_at"] > 0.9
    assert coverage.slices <= 80  # halved every window


def test_replay_names_what_the_input_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare.jsonl"
    bare.write_bytes(b"".join(orjson.dumps(minimal_event(i)) + b"\n" for i in range(400)))
    assert main(["replay", str(bare), "--out", str(tmp_path / "d.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "input: account.created_at on 0% of account activity" in err
    assert "input: prompt.category on 0%" in err and "input: org_id" not in err
    full = tmp_path / "full.jsonl"
    full.write_bytes(b"".join(orjson.dumps(full_event(i)) + b"\n" for i in range(400)))
    assert main(["replay", str(full), "--out", str(tmp_path / "e.jsonl")]) == 0
    assert "input:" not in capsys.readouterr().err


def test_worker_exports_shares_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    scoring = Scoring(Engine(DetectionConfig()))
    for i in range(100):
        e = minimal_event(i)
        scoring.coverage.observe_slices(fold_events([event_record(e)]), e["ts"])
    with caplog.at_level(logging.WARNING, logger="distillguard.streams.worker.scoring"):
        blind = scoring.report_coverage(10_000.0)
        scoring.report_coverage(10_030.0)  # within the hour: not repeated
    assert any(line.startswith("account.created_at on 0%") for line in blind)
    warned = [r.getMessage() for r in caplog.records if "account.created_at" in r.getMessage()]
    assert len(warned) == 1
    share = REGISTRY.get_sample_value(
        "distillguard_input_field_share", {"field": "account.created_at", "expected": "true"}
    )
    assert share == 0.0
    org = REGISTRY.get_sample_value(
        "distillguard_input_field_share", {"field": "org_id", "expected": "false"}
    )
    assert org == 0.0


def test_a_creation_time_in_milliseconds_is_unknown_not_new() -> None:
    """``created_at`` in milliseconds puts every account's creation after its request:
    read as unknown (never as a new account) and named as the likely slip."""
    ms = [
        full_event(i, account={**full_event(i)["account"], "created_at": 1.78e12})
        for i in range(60)
    ]
    slices = fold_events([event_record(e) for e in ms])
    assert all("created_at" not in s.meta and s.rejected == ["account.created_at"]
               for s in slices.values())  # fmt: skip
    again = {a: AccountSlice.from_dict(s.to_dict()) for a, s in slices.items()}
    assert again == slices
    coverage = InputCoverage()
    _observe(coverage, ms)
    (gap,) = [g for g in coverage.gaps(RULES) if g.field.name == "account.created_at"]
    assert gap.rejected == 1.0
    assert "on 100% it was later than the request it came with (milliseconds" in gap.describe()
    state = AccountState("acct_0000")
    for s in fold_events([event_record(e) for e in ms if e["account_id"] == "acct_0000"]).values():
        state.merge(s)
    features = state.features(ms[-1]["ts"])
    assert features["account_age_known"] == 0.0 and features["account_age_days"] > 300
