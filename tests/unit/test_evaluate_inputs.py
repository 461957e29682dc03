"""Bad evaluation input stops with the file and line; bad events are skipped and counted."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from distillguard.models.errors import UsageError
from distillguard.models.evaluation import evaluate
from tests.unit.evaluate_support import decision, event, truth, write_jsonl


@pytest.fixture
def truth_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "truth.jsonl",
        [truth("a", attack=True, campaign="c"), truth("b", attack=False)],
    )


@pytest.fixture
def decisions_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "decisions.jsonl", [decision("account:a", "suspend", 10, 100)])


def test_missing_file_is_a_usage_error(tmp_path: Path, decisions_file: Path) -> None:
    with pytest.raises(UsageError, match=r"truth file not found: .*nope\.jsonl"):
        evaluate(tmp_path / "nope.jsonl", decisions_file)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", r"truth\.jsonl:2: not JSON"),
        (b"[1, 2]", r"truth\.jsonl:2: expected a JSON object"),
        (b'{"account_id": "c", "persona": "p", "is_attack": "yes"}', r":2: 'is_attack'"),
        (b'{"persona": "p", "is_attack": true}', r":2: 'account_id'"),
        (
            b'{"account_id": "a", "persona": "p", "is_attack": true}',
            r":2: account 'a' listed twice",
        ),
    ],
)
def test_malformed_truth_line_names_file_and_line(
    tmp_path: Path, decisions_file: Path, line: bytes, message: str
) -> None:
    path = tmp_path / "truth.jsonl"
    path.write_bytes(orjson.dumps(truth("a", attack=True)) + b"\n" + line + b"\n")
    with pytest.raises(UsageError, match=message):
        evaluate(path, decisions_file)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"key": "user:a", "value": None, "ts": 1}, r"decisions\.jsonl:2: 'key'"),
        ({"key": "account:a", "value": None, "ts": "x"}, r":2: 'ts'"),
        ({"key": "account:a", "value": 3, "ts": 1}, r":2: 'value'"),
        ({**decision("account:a", "ban", 1, 2)}, r":2: decision field 'action'"),
        ({**decision("account:a", "suspend", 1, 2), "key": "account:b"}, r":2: key 'account:b'"),
        (decision("ip_prefix:10.0.0/33", "suspend", 1, 2), r":2: .* is not a CIDR prefix"),
    ],
)
def test_malformed_decision_line_names_file_and_line(
    tmp_path: Path, truth_file: Path, row: dict[str, object], message: str
) -> None:
    path = write_jsonl(tmp_path / "decisions.jsonl", [decision("account:a", "suspend", 1, 2), row])
    with pytest.raises(UsageError, match=message):
        evaluate(truth_file, path)


def test_malformed_and_unknown_events_are_skipped_and_counted(
    tmp_path: Path, truth_file: Path, decisions_file: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_bytes(
        orjson.dumps(event("a", 20, 7))
        + b"\n\n{oops\n"
        + orjson.dumps({**event("a", 30, 5), "completion_tokens": -1})
        + b"\n"
        + orjson.dumps(event("stranger", 30, 5))
        + b"\n"
    )
    result = evaluate(truth_file, decisions_file, events)
    assert (result.events.lines, result.events.valid) == (4, 1)
    assert (result.events.malformed, result.events.unknown_account) == (2, 1)
    assert result.enforce.attack_output_tokens == 7


def test_scenario_beside_truth_is_used_when_present(
    tmp_path: Path, truth_file: Path, decisions_file: Path
) -> None:
    assert evaluate(truth_file, decisions_file).scenario is None
    (tmp_path / "scenario.json").write_bytes(
        orjson.dumps({"name": "smoke", "start": 0, "end": 600, "extra": 1})
    )
    result = evaluate(truth_file, decisions_file)
    assert result.scenario == {"name": "smoke", "start": 0.0, "end": 600.0}
    assert result.timeline is not None and (result.timeline.start, result.timeline.end) == (0, 600)


def test_bad_scenario_file_is_a_usage_error(
    tmp_path: Path, truth_file: Path, decisions_file: Path
) -> None:
    (tmp_path / "scenario.json").write_text('{"start": "noon"}')
    with pytest.raises(UsageError, match=r"scenario\.json: 'start' must be a number"):
        evaluate(truth_file, decisions_file)


def test_decisions_on_accounts_outside_the_truth_are_counted(
    tmp_path: Path, truth_file: Path
) -> None:
    decisions = write_jsonl(
        tmp_path / "d.jsonl",
        [
            decision("account:a", "suspend", 1, 2),
            decision("account:ghost", "suspend", 1, 2),
            decision("account:ghost", "degrade", 3, 4),
            decision("api_key:k", "suspend", 1, 2),
        ],
    )
    assert evaluate(truth_file, decisions).decisions.unknown_account_keys == 1
