"""The HTML report, the terminal summary and the `distillguard evaluate` command."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from distillguard.cli import main
from distillguard.models.evaluation import evaluate, print_summary, render_html
from tests.unit.evaluate_support import decision, event, truth, write_jsonl

DATA = Path(__file__).parent / "data" / "evaluate"
ARGS = [
    "evaluate",
    "--truth",
    str(DATA / "truth.jsonl"),
    "--decisions",
    str(DATA / "decisions.jsonl"),
    "--events",
    str(DATA / "events.jsonl"),
]


def _images(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', text)]


def test_html_report_is_self_contained_with_plots_and_numbers(tmp_path: Path) -> None:
    result = evaluate(DATA / "truth.jsonl", DATA / "decisions.jsonl", DATA / "events.jsonl")
    path = render_html(result, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    images = _images(text)
    assert len(images) == 5
    assert all(image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) > 1000 for image in images)
    for number in ("57.1%", "75.0%", "52.0%", "1,160", "2,230", "2.9 min", "a5, a6", "a7"):
        assert number in text, number
    assert "<dt>leak share</dt>" in text and "<dt>time to enforce</dt>" in text
    assert "<script" not in text
    assert not re.search(r'(src|href)="(?!data:)', text)


def test_html_escapes_names_from_the_inputs(tmp_path: Path) -> None:
    truth_file = write_jsonl(
        tmp_path / "truth.jsonl",
        [truth("a", attack=True, persona="<b>bold</b>", campaign="x&y")],
    )
    decisions = write_jsonl(tmp_path / "d.jsonl", [decision("account:a", "suspend", 1, 9)])
    events = write_jsonl(tmp_path / "e.jsonl", [event("a", 0, 3), event("a", 2, 4)])
    text = render_html(evaluate(truth_file, decisions, events), tmp_path / "r.html").read_text()
    assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "x&amp;y" in text


def test_html_without_events_or_decisions_still_renders(tmp_path: Path) -> None:
    truth_file = write_jsonl(tmp_path / "truth.jsonl", [truth("a", attack=False)])
    decisions = tmp_path / "d.jsonl"
    decisions.write_text("")
    text = render_html(evaluate(truth_file, decisions), tmp_path / "r.html").read_text()
    assert len(_images(text)) == 5


def test_summary_prints_both_lenses() -> None:
    result = evaluate(DATA / "truth.jsonl", DATA / "decisions.jsonl", DATA / "events.jsonl")
    console = Console(record=True, width=200)
    print_summary(result, console)
    text = console.export_text()
    assert "57.1% (4/7)" in text and "14.3% (1/7)" in text
    assert "52.0% of 2,230" in text and "alpha" in text


def test_cli_writes_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json, out_html = tmp_path / "out.json", tmp_path / "out.html"
    assert main([*ARGS, "--json", str(out_json), "--html", str(out_html)]) == 0
    data = orjson.loads(out_json.read_bytes())
    assert data["enforce"]["attack_tokens_before_enforcement"] == 1160
    assert data["enforce"]["time_to_enforce"]["p90"] == 285.0
    assert len(_images(out_html.read_text())) == 5
    assert "recall" in capsys.readouterr().out


def test_cli_compare_puts_both_runs_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shadow_run = write_jsonl(
        tmp_path / "shadow.jsonl",
        [decision("account:a1", "suspend", 1000, 5000, mode="shadow")],
    )
    out_json, out_html = tmp_path / "cmp.json", tmp_path / "cmp.html"
    code = main(
        [*ARGS, "--compare", str(shadow_run), "--json", str(out_json), "--html", str(out_html)]
    )
    assert code == 0
    data = orjson.loads(out_json.read_bytes())
    assert data["baseline"]["enforce"]["attack_enforced"] == 4
    assert data["compare"]["enforce"]["attack_enforced"] == 0
    assert data["compare"]["shadow"]["attack_enforced"] == 1
    assert data["compare"]["shadow"]["attack_tokens_before_enforcement"] == 2230 - 1000
    assert "B: enforced" in capsys.readouterr().out
    assert "<h3>Per campaign, B (" in out_html.read_text()


def test_cli_bad_input_is_one_line_and_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "truth.jsonl"
    bad.write_text('{"account_id": "a", "persona": "p", "is_attack": true}\n{"account_id": 1}\n')
    assert (
        main(["evaluate", "--truth", str(bad), "--decisions", str(DATA / "decisions.jsonl")]) == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"distillguard: error: {bad}:2: 'account_id'" in err
