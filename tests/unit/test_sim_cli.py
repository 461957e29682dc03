"""`distillguard simulate` on the command line (file mode; live mode is an integration test)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from distillguard.cli import main


def test_list_names_the_bundled_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("demo", "mixed-6h", "hydra-heavy", "hard-legit", "smoke"):
        assert name in out


def test_writes_events_truth_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["simulate", "smoke", "--out", str(out), "--seed", "9", "--scale", "0.2"]) == 0
    summary = orjson.loads((out / "scenario.json").read_bytes())
    assert summary["seed"] == 9 and summary["scale"] == 0.2
    events = (out / "events.jsonl").read_bytes().splitlines()
    assert len(events) == summary["counts"]["events"] > 0
    truth = (out / "truth.jsonl").read_bytes().splitlines()
    assert len(truth) == summary["counts"]["accounts"]
    assert f"wrote {len(events)} events" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "no-such-scenario"], "no scenario named 'no-such-scenario'"),
        (["simulate", "smoke", "--seed", "-1"], "--seed must be >= 0"),
        (["simulate", "smoke", "--partitions", "0"], "--partitions must be >= 1"),
        (["simulate", "smoke", "--without", "ts"], "'ts' is required by the contract"),
        (["simulate", "smoke", "--without", "account.email"], "'account.email' is no event"),
        (["simulate", "smoke", "--without", " , "], "--without needs at least one field"),
        (["backtest", "--scenarios", "smoke", "--without", "ip"], "'ip' is required"),
        (["simulate", "smoke", "--without", "prompt:1.5"], "'prompt:1.5': the share after"),
        (["simulate", "smoke", "--without", "prompt:half"], "'prompt:half': the share after"),
        (["simulate", "smoke", "--without", "ts:0.5"], "'ts' is required by the contract"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("distillguard: error: ") and message in err
    assert err.count("\n") == 1


def test_bad_scenario_file_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nseed: 1\nstart: 2026-01-01T00:00:00Z\nduration: 1h\nmodels: [a]\n"
        "populations:\n  - {persona: hydra-fleet, count: 3, params: {duty: 3}}\n"
    )
    assert main(["simulate", str(bad)]) == 2
    assert "populations.0.params.duty" in capsys.readouterr().err


def test_scale_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "smoke", "--scale", "0"])
    assert "must be > 0" in capsys.readouterr().err


def test_without_leaves_optional_fields_out_and_the_events_valid(tmp_path: Path) -> None:
    """As gateways that do not send the billing join nor the prompt template: every event
    still meets the contract, without those fields, and the rest is unchanged."""
    from distillguard.models import schemas

    full, part = tmp_path / "full", tmp_path / "part"
    assert main(["simulate", "smoke", "--out", str(full), "--scale", "0.2"]) == 0
    argv = ["simulate", "smoke", "--out", str(part), "--scale", "0.2"]
    assert main([*argv, "--without", "account,prompt.template,org_id"]) == 0
    validate = schemas.validator(schemas.API_EVENT_V1)
    whole = [orjson.loads(x) for x in (full / "events.jsonl").read_bytes().splitlines()]
    lines = (part / "events.jsonl").read_bytes().splitlines()
    assert len(lines) == len(whole)
    for line, original in zip(lines, whole, strict=True):
        event = orjson.loads(line)
        validate(event)
        assert "account" not in event and "org_id" not in event
        assert "template" not in event["prompt"]
        original.pop("account")
        original.pop("org_id", None)
        original["prompt"].pop("template")
        assert event == original
    summary = orjson.loads((part / "scenario.json").read_bytes())
    assert summary["without"] == ["account", "prompt.template", "org_id"]


def test_a_rollout_leaves_a_field_out_of_a_share_of_the_events(tmp_path: Path) -> None:
    """``prompt:0.5``: about half the events lack ``prompt`` (the same ones on every run),
    the rest keep it whole; ``org_id`` goes from every event."""
    argv = ["simulate", "smoke", "--scale", "0.2", "--without", "prompt:0.5,org_id"]
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert main([*argv, "--out", str(out)]) == 0
    a, b = ((out / "events.jsonl").read_bytes() for out in outs)
    assert a == b
    events = [orjson.loads(x) for x in a.splitlines()]
    lacking = sum("prompt" not in e for e in events) / len(events)
    assert 0.45 < lacking < 0.55
    assert all("org_id" not in e for e in events)
    assert all("template" in e["prompt"] for e in events if "prompt" in e)


def test_backtests_write_the_withheld_traffic(tmp_path: Path) -> None:
    """``backtest --without`` simulates through ``write_files``: the same fields go."""
    from distillguard.models.sim import load_scenario
    from distillguard.models.sim.generator import write_files

    summary = write_files(
        load_scenario("smoke"), tmp_path, scale=0.1, without=("account.payment_fingerprint",)
    )
    assert summary["without"] == ["account.payment_fingerprint"]
    for line in (tmp_path / "events.jsonl").read_bytes().splitlines():
        account = orjson.loads(line)["account"]
        assert "payment_fingerprint" not in account and "created_at" in account
