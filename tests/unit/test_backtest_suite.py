"""Detection targets over backtests and the ``distillguard backtest`` command."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from distillguard.cli import main
from distillguard.models.evaluation.result import GroupRow
from distillguard.models.evaluation.suite import RunCheck, check_row, failures


def _row(name: str, enforced: int, accounts: int, leak: float, tte: float | None) -> GroupRow:
    return GroupRow(
        name=name,
        kind="attack",
        accounts=accounts,
        enforced=enforced,
        enforced_share=enforced / accounts,
        output_tokens=1000,
        covered_tokens=int(1000 * (1 - leak)),
        uncovered_tokens=int(1000 * leak),
        leak_share=leak,
        time_to_enforce_p50=tte,
    )


def test_a_persona_meeting_its_target_passes() -> None:
    row = check_row("s", 1, _row("heavy-distiller", 20, 20, 0.05, 60.0))
    assert row.ok and row.targeted and row.group == "single-account"


@pytest.mark.parametrize(
    ("row", "missed"),
    [
        (_row("hydra-fleet", 18, 20, 0.05, 60.0), "recall below 95%"),
        (_row("slow-and-low", 20, 20, 0.20, 60.0), "leak share not below 20%"),
        (_row("failover-fleet", 20, 20, 0.05, 601.0), "time to enforce p50 above 10 min"),
        (_row("failover-fleet", 0, 20, 1.0, None), "time to enforce p50 above 10 min"),
    ],
)
def test_each_target_can_be_missed(row: GroupRow, missed: str) -> None:
    checked = check_row("s", 1, row)
    assert missed in checked.failures


def test_untargeted_personas_never_fail() -> None:
    row = check_row("s", 1, _row("transfer-station", 0, 2, 1.0, None))
    assert row.ok and not row.targeted


def test_a_legitimate_account_enforced_fails_the_run() -> None:
    run = RunCheck("s", 7, [], legit_accounts=10, legit_enforced=1)
    assert not run.ok
    assert failures([run]) == ["s seed 7: 1 legitimate accounts enforced against"]


SCENARIO = """\
name: tiny
description: one heavy distiller and two chat apps for ten minutes
seed: 5
start: 2026-03-02T09:00:00Z
duration: 10m
models: [atlas-2]
populations:
  - {persona: chat-app, count: 2, params: {rpm: 20}}
  - {persona: heavy-distiller, count: 1, params: {rpm: 120}}
"""


def test_backtest_command_runs_replay_and_evaluate(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "rows.json"
    code = main(["backtest", "--scenarios", str(scenario), "--extra-seeds", "1", "--jobs", "1",
                 "--json", str(out), "--keep", str(tmp_path / "runs")])  # fmt: skip
    payload = orjson.loads(out.read_bytes())
    assert [run["seed"] for run in payload["runs"]] == [5, 6]
    assert all(run["legit_accounts"] == 2 for run in payload["runs"])
    assert {row["persona"] for row in payload["rows"]} == {"heavy-distiller"}
    assert code == (1 if payload["missed"] else 0)
    assert (tmp_path / "runs" / "tiny-5" / "decisions.jsonl").is_file()


def test_backtest_rejects_bad_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--scenarios", "smoke", "--seeds", "x"]) != 0
    assert "--seeds" in capsys.readouterr().err
