"""A demo stopped before all its traffic was produced is evaluated on what was produced."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from distillguard.cli import main
from distillguard.streams.demo.run import _produced_part


def test_the_produced_part_keeps_the_first_events_and_their_accounts(tmp_path: Path) -> None:
    events = [{"account_id": a, "ts": float(i)} for i, a in enumerate("aabcab")]
    (tmp_path / "events.jsonl").write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    truth = [{"account_id": a, "is_attack": a == "c"} for a in "abcd"]
    (tmp_path / "truth.jsonl").write_bytes(b"".join(orjson.dumps(t) + b"\n" for t in truth))

    truth_path, events_path = _produced_part(tmp_path, 3)

    kept = [orjson.loads(line) for line in events_path.read_bytes().splitlines()]
    assert kept == events[:3]
    assert [orjson.loads(line)["account_id"] for line in truth_path.read_bytes().splitlines()] == [
        "a",
        "b",
    ]
    assert (tmp_path / "events.jsonl").read_bytes().count(b"\n") == 6  # the full run stays


def test_a_hard_stop_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--max-seconds", "0"]) != 0
    assert "--max-seconds must be positive" in capsys.readouterr().err
