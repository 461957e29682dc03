"""`distillguard replay` end to end: files and stdin, malformed lines, record format,
determinism, bad input as one-line errors."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import orjson
import pytest

from distillguard.cli import main
from distillguard.models import schemas

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CASE = SCENARIOS / "logit-harvest" / "events.jsonl"


def _records(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_replay_writes_contract_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "decisions.jsonl"
    assert main(["replay", str(CASE), "--out", str(out)]) == 0
    records = _records(out)
    assert records
    validate = schemas.validator(schemas.DECISION_RECORD_V1)
    for record in records:
        validate(record)
    assert "1500 events, 0 malformed" in capsys.readouterr().err


def test_replay_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["replay", str(CASE), "--out", str(a)]) == 0
    assert main(["replay", str(CASE), "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_malformed_lines_are_counted_with_line_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = CASE.read_bytes().splitlines()[:50]
    lines.insert(3, b'{"event_id": "x"')
    lines.insert(10, b'{"event_id": "y", "ts": "soon"}')
    lines.insert(20, b"\xff\xfe")
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["replay", str(events), "--out", str(tmp_path / "d.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "line 4:" in err and "line 11:" in err and "line 21:" in err
    assert "50 events, 3 malformed" in err


def test_replay_reads_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = CASE.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = tmp_path / "d.jsonl"
    assert main(["replay", "-", "--out", str(out)]) == 0
    from_file = tmp_path / "f.jsonl"
    assert main(["replay", str(CASE), "--out", str(from_file)]) == 0
    assert out.read_bytes() == from_file.read_bytes()


def test_missing_events_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("distillguard: error: events file not found")
    assert "Traceback" not in err


def test_bad_config_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("policy:\n  thresholds:\n    degrade: 2\n")
    assert main(["replay", str(CASE), "--out", str(tmp_path / "d"), "--config", str(cfg)]) == 2
    assert "policy.thresholds.degrade" in capsys.readouterr().err


def test_config_file_applies(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("shadow: true\nconfig_version: trial-7\n")
    out = tmp_path / "d.jsonl"
    assert main(["replay", str(CASE), "--out", str(out), "--config", str(cfg)]) == 0
    values = [r["value"] for r in _records(out) if r["value"] is not None]
    assert values
    assert all(v["mode"] == "shadow" and v["config_version"] == "trial-7" for v in values)  # type: ignore[index]


def _shifted(line: bytes, seconds: float) -> bytes:
    event = orjson.loads(line)
    event["ts"] += seconds
    return orjson.dumps(event)


def test_a_lone_event_from_a_clock_far_ahead_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One event stamped 20 years ahead would carry event time with it and leave every
    later event late; it is left out, reported with its line, and the decisions are those
    of the file without it."""
    lines = CASE.read_bytes().splitlines()
    twenty_years = 20 * 365 * 86400.0
    polluted = [*lines[:700], _shifted(lines[700], twenty_years), *lines[700:]]
    (tmp_path / "clean.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "bad.jsonl").write_bytes(b"\n".join(polluted) + b"\n")
    for name in ("clean", "bad"):
        argv = ["replay", str(tmp_path / f"{name}.jsonl"), "--out", str(tmp_path / f"{name}.out")]
        assert main(argv) == 0
    err = capsys.readouterr().err
    assert "line 701: field 'ts':" in err and "7,300 days ahead of the events around it" in err
    assert "1500 events, 0 malformed, 1 from a clock far ahead" in err
    assert (tmp_path / "bad.out").read_bytes() == (tmp_path / "clean.out").read_bytes()


def test_time_that_really_jumps_is_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with a month's gap in the middle, or whose last event is far ahead: nothing
    is left out (the event after a jump confirms it; after the last line nothing can)."""
    lines = CASE.read_bytes().splitlines()
    month = 30 * 86400.0
    gap = [*lines[:700], *(_shifted(line, month) for line in lines[700:])]
    last = [*lines, _shifted(lines[-1], 20 * 365 * 86400.0)]
    for name, content in (("gap", gap), ("last", last)):
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(b"\n".join(content) + b"\n")
        assert main(["replay", str(path), "--out", str(tmp_path / f"{name}.out")]) == 0
        err = capsys.readouterr().err
        assert f"{len(content)} events, 0 malformed," in err and "far ahead" not in err
