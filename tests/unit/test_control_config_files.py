"""`distillguard config validate` on config files: every invalid case reports its own error.

Each file under ``data/config-invalid`` starts with ``# wantErr: <text>``; the command must
exit 2 with exactly one line, ``distillguard: error: <file>: <text>…``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from distillguard.cli import main
from distillguard.models.config import DetectionConfig, load_config
from distillguard.models.control.cfgfile import file_records, read_file, validate_file
from distillguard.models.errors import ConfigError
from distillguard.streams.control.history import as_file, diff_records

DATA = Path(__file__).parent / "data"
INVALID = sorted((DATA / "config-invalid").iterdir())
VALID = DATA / "config-valid" / "operations.yaml"


def _want(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# wantErr: "), path.name
    return first.removeprefix("# wantErr: ")


def test_there_are_invalid_cases_for_every_section() -> None:
    wants = [_want(p) for p in INVALID]
    for section in ("policy", "detectors", "rules", "allowlist", "shadow", "not YAML/JSON"):
        assert any(w.startswith(section) for w in wants), section


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_validate_reports_each_invalid_file(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"distillguard: error: {path}: {_want(path)}"), lines[0]


def test_validate_accepts_the_complete_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "validate", str(VALID)]) == 0
    out = capsys.readouterr().out
    assert "valid: 6 item(s)" in out and "config version default+" in out


def test_validate_names_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["config", "validate", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_example_composes_as_written() -> None:
    records, state = validate_file(read_file(VALID), "ops")
    config = state.config
    assert config.policy.thresholds.challenge == 0.9 and config.policy.ttl.suspend == 43200
    assert config.min_requests_1h == 25 and config.policy.throttle_rpm == 20
    assert config.anomaly.weight == 0.25 and config.supervised.shadow is True
    rules = {r.id: r for r in config.signature_rules()}
    assert rules["cot-burst"].shadow is True
    assert len(rules) == len(DetectionConfig().signature_rules()) + 1  # the defaults stay
    assert [e.account_id for e in config.policy.allowlist] == ["acct_ci_0001"]
    assert config.policy.allowlist[0].expires_at == 1893456000.0  # 2030-01-01 UTC
    assert config.config_version == state.version != "default"


def test_records_round_trip_through_the_file_form() -> None:
    records = file_records(read_file(VALID), "ops")
    again = file_records(yaml.safe_load(yaml.safe_dump(as_file(records))), "again")
    assert again == records
    assert {c for _, c, _ in diff_records(records, again)} == {"unchanged"}


def test_an_allowlist_item_names_an_account_or_an_organisation() -> None:
    """An organisation entry goes through to the composed config; an item naming both, or
    neither, is refused with one line naming the rule."""
    course = {"id": "course", "org_id": "org_course", "expires_at": 2e9, "reason": "workshop"}
    _, state = validate_file({"allowlist": [course]}, "ops")
    (entry,) = state.config.policy.allowlist
    assert (entry.org_id, entry.account_id) == ("org_course", None)
    for bad in (
        {**course, "account_id": "acct_1"},
        {k: v for k, v in course.items() if k != "org_id"},
    ):
        with pytest.raises(
            ConfigError, match=r"allowlist\[0\]: give exactly one of 'account_id' and 'org_id'"
        ):
            file_records({"allowlist": [bad]}, "ops")


def test_diff_shows_changed_added_and_topic_only_items() -> None:
    records = file_records(read_file(VALID), "ops")
    data = as_file(records)
    data["policy"]["thresholds"]["challenge"] = 0.92
    data["allowlist"].append(
        {"id": "eval", "account_id": "acct_eval", "expires_at": 2e9, "reason": "release-day evals"}
    )
    del data["shadow"]
    changes = {k: (c, lines) for k, c, lines in diff_records(records, file_records(data, "new"))}
    assert changes["policy"][0] == "changed"
    assert any("challenge: 0.92" in line and line.startswith("+") for line in changes["policy"][1])
    assert changes["allow:eval"][0] == "added"
    assert changes["shadow"][0] == "only-on-topic"
    assert changes["rule:cot-burst"][0] == "unchanged"


def test_render_writes_a_detection_config_that_replay_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "detection.yaml"
    assert main(["config", "render", str(VALID), "--out", str(out)]) == 0
    _, state = validate_file(read_file(VALID), "ops")
    assert load_config(out) == state.config
    assert state.version in capsys.readouterr().out
