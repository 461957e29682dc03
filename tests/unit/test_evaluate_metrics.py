"""Metrics on the hand-built scenario in tests/unit/data/evaluate, checked against hand sums.

The scenario (times in seconds, tokens are completion tokens):

- a1 (alpha): account suspend 1100..tombstone 1400, API key k1 degrade 1150..1300.
  Events 1000:100, 1100:200 (covered), 1200:300 (covered, suspend wins), 1400:400 (lifted).
- a2 (alpha): API key k2 throttle from 1200. Events 1000:50, 1250:150, 1300:100.
- a3 (beta): 198.51.100.0/24 challenge from 1300. Events 1000, 1299, 1300, 1600 (100 each).
- a4 (beta): 2001:db8:aa::/48 degrade from 1150. Events 1100:80 and 1160:120 inside the
  prefix, 1170:30 from 2001:db8:ab::1 outside it.
- a5 (beta): only a shadow suspend from 1100. Events 1000:100, 1200:100.
- a6 (gamma): only a monitor decision. Events 1000:70, 1500:30. a7 (gamma): no events.
- l1 (batch): throttle 1000..expires 1100. Events 1000:10, 1099:20, 1100:30, 1200:40.
- l2 (batch): challenge from 1000, replaced by monitor at 1100. Events 1050:60, 1100:70.
- l3 (ci_runner): suspend at 1000, tombstone at 1050. Event 1100:90.
- l4 (ci_runner): event 1350:25 from 198.51.100.200, inside a3's prefix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from distillguard.models.evaluation import EvaluationResult, evaluate
from distillguard.models.evaluation.result import AccountOutcome

DATA = Path(__file__).parent / "data" / "evaluate"


@pytest.fixture(scope="module")
def result() -> EvaluationResult:
    return evaluate(DATA / "truth.jsonl", DATA / "decisions.jsonl", DATA / "events.jsonl")


def outcome(result: EvaluationResult, account_id: str) -> AccountOutcome:
    return next(o for o in result.account_outcomes if o.account_id == account_id)


def test_account_scope_covers_from_issue_until_tombstone(result: EvaluationResult) -> None:
    a1 = outcome(result, "a1")
    assert (a1.output_tokens, a1.enforce.covered_tokens, a1.enforce.covered_events) == (
        1000,
        500,
        2,
    )
    assert a1.enforce.time_to_enforce == 100.0


def test_api_key_scope(result: EvaluationResult) -> None:
    a2 = outcome(result, "a2")
    assert (a2.enforce.covered_tokens, a2.enforce.time_to_enforce) == (250, 250.0)


def test_ipv4_prefix_scope_starts_at_issue_inclusive(result: EvaluationResult) -> None:
    a3 = outcome(result, "a3")
    assert (a3.enforce.covered_tokens, a3.enforce.first_covered_ts) == (200, 1300.0)
    assert a3.enforce.time_to_enforce == 300.0


def test_ipv6_prefix_scope_only_inside_the_prefix(result: EvaluationResult) -> None:
    a4 = outcome(result, "a4")
    assert (a4.output_tokens, a4.enforce.covered_tokens, a4.enforce.time_to_enforce) == (
        230,
        120,
        60.0,
    )


def test_shadow_decision_does_not_enforce_but_counts_as_shadow(result: EvaluationResult) -> None:
    a5 = outcome(result, "a5")
    assert not a5.enforce.enforced
    assert a5.shadow.enforced
    assert (a5.shadow.covered_tokens, a5.shadow.time_to_enforce) == (100, 200.0)


def test_monitor_decision_is_not_enforcing(result: EvaluationResult) -> None:
    a6 = outcome(result, "a6")
    assert not a6.enforce.enforced and not a6.enforce.flagged
    assert a6.max_risk == 0.4


def test_expiry_ends_coverage(result: EvaluationResult) -> None:
    l1 = outcome(result, "l1")
    assert (l1.enforce.covered_events, l1.enforce.covered_tokens) == (2, 30)


def test_replacement_by_a_weaker_action_ends_enforcement(result: EvaluationResult) -> None:
    l2 = outcome(result, "l2")
    assert (l2.enforce.covered_events, l2.enforce.covered_tokens) == (1, 60)
    assert l2.max_risk == 0.7


def test_tombstone_before_traffic_leaves_account_flagged_not_enforced(
    result: EvaluationResult,
) -> None:
    l3 = outcome(result, "l3")
    assert not l3.enforce.enforced
    assert l3.enforce.flagged


def test_legit_account_inside_a_decided_prefix_is_a_false_positive(
    result: EvaluationResult,
) -> None:
    assert outcome(result, "l4").enforce.covered_tokens == 25


def test_account_level_rates(result: EvaluationResult) -> None:
    m = result.enforce
    assert (m.attack_accounts, m.attack_enforced, m.legit_accounts, m.legit_enforced) == (
        7,
        4,
        4,
        3,
    )
    assert m.recall == pytest.approx(4 / 7)
    assert m.false_positive_rate == pytest.approx(3 / 4)
    assert m.precision == pytest.approx(4 / 7)
    assert (m.attack_flagged, m.legit_flagged) == (4, 4)
    assert m.flagged_false_positive_rate == pytest.approx(1.0)


def test_leak_share_to_the_token(result: EvaluationResult) -> None:
    m = result.enforce
    assert (m.attack_output_tokens, m.attack_tokens_before_enforcement) == (2230, 1160)
    assert m.leak_share == pytest.approx(1160 / 2230)
    assert m.attack_tokens_covered_by_action == {
        "degrade": 120,
        "throttle": 250,
        "challenge": 200,
        "suspend": 500,
    }


def test_legit_tokens_covered_by_action(result: EvaluationResult) -> None:
    m = result.enforce
    assert (m.legit_output_tokens, m.legit_tokens_covered) == (345, 115)
    assert m.legit_tokens_covered_by_action == {
        "degrade": 0,
        "throttle": 30,
        "challenge": 85,
        "suspend": 0,
    }


def test_time_to_enforce_to_the_second(result: EvaluationResult) -> None:
    tte = result.enforce.time_to_enforce
    assert tte is not None
    assert (tte.count, tte.p50, tte.p90, tte.mean, tte.max) == (4, 175.0, 285.0, 177.5, 300.0)


def test_unenforced_attack_accounts_are_listed_not_dropped(result: EvaluationResult) -> None:
    assert result.enforce.never_enforced == ["a5", "a6"]
    assert result.enforce.without_events == ["a7"]
    assert result.shadow.never_enforced == ["a1", "a2", "a3", "a4", "a6"]


def test_shadow_lens(result: EvaluationResult) -> None:
    m = result.shadow
    assert (m.attack_enforced, m.legit_enforced, m.precision) == (1, 0, 1.0)
    assert m.attack_tokens_before_enforcement == 2130
    assert m.attack_tokens_covered_by_action["suspend"] == 100
    assert m.time_to_enforce is not None and m.time_to_enforce.p50 == 200.0


def test_per_campaign(result: EvaluationResult) -> None:
    rows = {row.name: row for row in result.enforce.campaigns}
    assert [
        (r.accounts, r.enforced, r.output_tokens, r.uncovered_tokens) for r in rows.values()
    ] == [
        (2, 2, 1300, 550),
        (3, 2, 830, 510),
        (2, 0, 100, 100),
    ]
    assert list(rows) == ["alpha", "beta", "gamma"]
    assert rows["beta"].time_to_enforce_p50 == 180.0
    assert rows["gamma"].leak_share == 1.0


def test_per_persona(result: EvaluationResult) -> None:
    rows = {row.name: row for row in result.enforce.personas}
    assert list(rows) == ["batch", "ci_runner", "harvester", "logit_prober", "proxy_fleet"]
    assert (rows["batch"].kind, rows["batch"].enforced, rows["batch"].covered_tokens) == (
        "legit",
        2,
        90,
    )
    assert rows["ci_runner"].enforced_share == 0.5


def test_counts_of_inputs(result: EvaluationResult) -> None:
    events = result.events
    assert (events.lines, events.valid, events.malformed, events.unknown_account) == (29, 26, 2, 1)
    d = result.decisions
    assert (d.records, d.tombstones, d.keys) == (13, 2, 10)
    assert d.by_action == {"monitor": 2, "degrade": 2, "throttle": 2, "challenge": 2, "suspend": 3}
    assert d.by_mode == {"enforce": 10, "shadow": 1}
    assert d.by_scope == {"account": 7, "api_key": 2, "ip_prefix": 2}
    assert d.by_origin == {
        "analyst": 1,
        "appeal": 1,
        "cluster": 1,
        "intel": 1,
        "model": 4,
        "rule": 3,
    }


def test_without_events_account_scope_decisions_decide() -> None:
    result = evaluate(DATA / "truth.jsonl", DATA / "decisions.jsonl")
    enforced = sorted(o.account_id for o in result.account_outcomes if o.enforce.enforced)
    assert enforced == ["a1", "l1", "l2", "l3"]
    assert result.enforce.leak_share is None and result.enforce.time_to_enforce is None
    assert [o.account_id for o in result.account_outcomes if o.shadow.enforced] == ["a5"]
    assert result.enforce.never_enforced == ["a2", "a3", "a4", "a5", "a6", "a7"]


def test_to_dict_holds_every_number(result: EvaluationResult) -> None:
    data = result.to_dict()
    assert data["enforce"]["attack_tokens_before_enforcement"] == 1160
    assert data["shadow"]["time_to_enforce"]["p50"] == 200.0
    assert len(data["account_outcomes"]) == 11
