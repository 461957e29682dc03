"""Which decision covers an event, and with which action, matches what a gateway applies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distillguard.models.evaluation import EvaluationResult, evaluate
from tests.unit.evaluate_support import decision, event, truth, write_jsonl


def _run(
    tmp_path: Path, decisions: list[dict[str, Any]], events: list[dict[str, Any]]
) -> EvaluationResult:
    return evaluate(
        write_jsonl(tmp_path / "truth.jsonl", [truth("a", attack=True, campaign="c")]),
        write_jsonl(tmp_path / "decisions.jsonl", decisions),
        write_jsonl(tmp_path / "events.jsonl", events),
    )


def test_longest_holding_prefix_decides_the_action(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        [
            decision("ip_prefix:10.1.0.0/16", "suspend", 0, 100),
            decision("ip_prefix:10.1.2.0/24", "degrade", 0, 50),
        ],
        [event("a", 10, 7, ip="10.1.2.3"), event("a", 60, 11, ip="10.1.2.3")],
    )
    assert result.enforce.attack_tokens_covered_by_action == {
        "degrade": 7,
        "throttle": 0,
        "challenge": 0,
        "suspend": 11,
    }


def test_a_shadow_prefix_does_not_hide_an_enforced_one(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        [
            decision("ip_prefix:2001:db8::/32", "throttle", 0, 100),
            decision("ip_prefix:2001:db8:1::/48", "suspend", 0, 100, mode="shadow"),
        ],
        [event("a", 10, 5, ip="2001:db8:1::9")],
    )
    assert result.enforce.attack_tokens_covered_by_action["throttle"] == 5
    assert result.shadow.attack_tokens_covered_by_action["suspend"] == 5


def test_account_and_key_decisions_beat_a_weaker_prefix(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        [
            decision("ip_prefix:10.0.0.0/8", "degrade", 0, 100),
            decision("api_key:k", "challenge", 0, 100),
            decision("account:a", "throttle", 0, 100),
        ],
        [event("a", 10, 3, api_key="k", ip="10.9.9.9")],
    )
    assert result.enforce.attack_tokens_covered_by_action["challenge"] == 3
    assert result.enforce.leak_share == 0.0


def test_time_to_enforce_does_not_depend_on_event_order(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        [decision("account:a", "suspend", 40, 100)],
        [event("a", 70, 1), event("a", 45, 2), event("a", 12.5, 4), event("a", 30, 8)],
    )
    outcome = result.account_outcomes[0]
    assert (outcome.first_event_ts, outcome.enforce.first_covered_ts) == (12.5, 45)
    assert outcome.enforce.time_to_enforce == 32.5
    assert result.enforce.attack_tokens_before_enforcement == 12
