"""The round trip: lab A exports what it enforced; lab B, seeing the same campaign from
fresh accounts, enforces sooner with A's intelligence than without it, and no honest
account more. All through the command line, as operators run it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.cli import main
from distillguard.models.evaluation import evaluate
from distillguard.models.evaluation.result import EvaluationResult
from distillguard.models.sim import Simulation, load_scenario
from tests.unit.intel_support import fresh_accounts, fresh_truth


def _write(path: Path, rows: Any) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _enforced_legit(result: EvaluationResult) -> set[str]:
    return {o.account_id for o in result.account_outcomes if not o.is_attack and o.enforce.enforced}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[EvaluationResult, ...]:
    d = tmp_path_factory.mktemp("intel-roundtrip")
    key = d / "consortium.key"
    key.write_bytes(b"consortium-secret-for-the-round-trip")
    sim = Simulation(load_scenario("smoke"))
    events = list(sim.events())
    a_events = _write(d / "a-events.jsonl", events)
    b_events = _write(d / "b-events.jsonl", fresh_accounts(events, "lab-b", 86400.0))
    b_truth = _write(d / "b-truth.jsonl", fresh_truth(sim.truth(), "lab-b"))
    k = ["--consortium-key-file", str(key)]
    assert main(["replay", str(a_events), "--out", str(d / "a-decisions.jsonl")]) == 0
    assert main(["intel", "export", "--events", str(a_events), "--decisions",
                 str(d / "a-decisions.jsonl"), "--out", str(d / "a.json"), "--producer",
                 "lab-a", *k]) == 0  # fmt: skip
    assert main(["intel", "import", str(d / "a.json"), "--out", str(d / "watch.json")]) == 0
    assert main(["replay", str(b_events), "--out", str(d / "plain.jsonl")]) == 0
    assert main(["replay", str(b_events), "--out", str(d / "intel.jsonl"),
                 "--intel", str(d / "watch.json"), *k]) == 0  # fmt: skip
    plain = evaluate(b_truth, d / "plain.jsonl", b_events)
    intel = evaluate(b_truth, d / "intel.jsonl", b_events)
    return plain, intel


def test_lab_b_enforces_sooner_and_leaks_less_with_the_import(
    round_trip: tuple[EvaluationResult, ...],
) -> None:
    plain, intel = round_trip
    p, i = plain.enforce, intel.enforce
    assert p.attack_tokens_before_enforcement is not None
    assert i.attack_tokens_before_enforcement is not None
    assert i.attack_tokens_before_enforcement < p.attack_tokens_before_enforcement
    assert i.attack_enforced >= p.attack_enforced
    assert p.time_to_enforce is not None and i.time_to_enforce is not None
    assert i.time_to_enforce.mean is not None and p.time_to_enforce.mean is not None
    assert i.time_to_enforce.mean < p.time_to_enforce.mean


def test_no_extra_legitimate_account_is_enforced(
    round_trip: tuple[EvaluationResult, ...],
) -> None:
    plain, intel = round_trip
    assert _enforced_legit(intel) <= _enforced_legit(plain)
