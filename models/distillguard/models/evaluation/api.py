"""``evaluate``: score decision files against ground truth, reading the events once.

Several decision files (``--compare``) share one pass over the events: each file gets
its own index and tallies, the events are decoded once.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

from distillguard.models.evaluation.aggregate import account_outcomes, lens_metrics
from distillguard.models.evaluation.decisions import ACTIONS, DecisionIndex, load_decisions
from distillguard.models.evaluation.inputs import (
    EventStats,
    Scenario,
    iter_events,
    load_scenario,
    load_truth,
)
from distillguard.models.evaluation.result import (
    DecisionSummary,
    EvaluationResult,
    EventSummary,
    Timeline,
)
from distillguard.models.evaluation.tally import ENFORCE, SHADOW, Tallier

#: Bars in the decision timeline.
TIMELINE_BINS = 60

PathLike = str | Path


def _timeline(
    index: DecisionIndex, scenario: Scenario | None, first: float | None, last: float | None
) -> Timeline | None:
    points = [issued.issued_at for issued in index.issued]
    bounds = [t for t in (first, last) if t is not None] + points
    if scenario is not None:
        bounds += [t for t in (scenario.start, scenario.end) if t is not None]
    if not bounds:
        return None
    start, end = min(bounds), max(bounds)
    width = max((end - start) / TIMELINE_BINS, 1.0)
    bins = max(1, math.ceil((end - start) / width)) if end > start else 1
    counts = {mode: {action: [0] * bins for action in ACTIONS} for mode in ("enforce", "shadow")}
    for issued in index.issued:
        slot = min(int((issued.issued_at - start) / width), bins - 1)
        counts[issued.mode][issued.action][slot] += 1
    return Timeline(start, end, width, counts["enforce"], counts["shadow"])


def _decision_summary(index: DecisionIndex, truth: dict[str, bool]) -> DecisionSummary:
    counts = index.counts
    unknown = sum(
        1
        for key in index.max_risk
        if key.startswith("account:") and key.removeprefix("account:") not in truth
    )
    return DecisionSummary(
        records=counts.records,
        tombstones=counts.tombstones,
        keys=counts.keys,
        by_action={action: counts.by_action[action] for action in ACTIONS},
        by_origin=dict(sorted(counts.by_origin.items())),
        by_mode={mode: counts.by_mode[mode] for mode in ("enforce", "shadow")},
        by_scope={scope: counts.by_scope[scope] for scope in ("account", "api_key", "ip_prefix")},
        by_action_mode=dict(sorted(counts.by_action_mode.items())),
        unknown_account_keys=unknown,
    )


def evaluate_many(
    truth_path: PathLike,
    decisions_paths: Sequence[PathLike],
    events_path: PathLike | None = None,
) -> list[EvaluationResult]:
    """One :class:`EvaluationResult` per decision file, in the order given."""
    truth_file = Path(truth_path)
    truth = load_truth(truth_file)
    scenario = load_scenario(truth_file)
    indexes = [load_decisions(Path(path)) for path in decisions_paths]
    attack = {account_id: account.is_attack for account_id, account in truth.items()}
    talliers = [Tallier(index, attack) for index in indexes]
    stats = EventStats()
    first: float | None = None
    last: float | None = None
    valid = 0
    if events_path is not None:
        for event in iter_events(Path(events_path), stats):
            account_id = event.account_id
            if account_id not in attack:
                stats.unknown_account += 1
                continue
            valid += 1
            ts = event.ts
            first = ts if first is None or ts < first else first
            last = ts if last is None or ts > last else last
            for tallier in talliers:
                tallier.observe(account_id, event.api_key_id, event.ip, ts, event.completion_tokens)
    has_events = events_path is not None
    events = EventSummary(
        lines=stats.lines,
        valid=valid,
        malformed=stats.malformed,
        unknown_account=stats.unknown_account,
        first_ts=first,
        last_ts=last,
    )
    results = []
    for index, tallier in zip(indexes, talliers, strict=True):
        outcomes = account_outcomes(truth, tallier, has_events)
        results.append(
            EvaluationResult(
                truth_path=str(truth_file),
                decisions_path=str(index.path),
                events_path=str(events_path) if events_path is not None else None,
                scenario=dataclasses.asdict(scenario) if scenario is not None else None,
                accounts=len(truth),
                events=events,
                decisions=_decision_summary(index, attack),
                enforce=lens_metrics(ENFORCE, outcomes, tallier, has_events),
                shadow=lens_metrics(SHADOW, outcomes, tallier, has_events),
                timeline=_timeline(index, scenario, first, last),
                account_outcomes=outcomes,
            )
        )
    return results


def evaluate(
    truth_path: PathLike, decisions_path: PathLike, events_path: PathLike | None = None
) -> EvaluationResult:
    """Score one decision file; see docs/metrics.md for every definition."""
    return evaluate_many(truth_path, [decisions_path], events_path)[0]
