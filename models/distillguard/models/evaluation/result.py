"""The numbers an evaluation produces, as plain frozen dataclasses.

``to_dict()`` gives JSON-ready data (every number, nothing derived later), so the JSON
export, the HTML report and the terminal summary all read the same values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

#: "enforce": what gateways enforced. "shadow": shadow decisions as if they were enforced.
LENSES: Final = ("enforce", "shadow")


@dataclass(frozen=True, slots=True)
class LensOutcome:
    """One account under one lens."""

    enforced: bool
    flagged: bool
    first_covered_ts: float | None
    covered_events: int
    covered_tokens: int
    time_to_enforce: float | None


@dataclass(frozen=True, slots=True)
class AccountOutcome:
    """One truth account: its traffic, its highest decided risk, and what happened to it."""

    account_id: str
    persona: str
    is_attack: bool
    campaign: str | None
    events: int
    output_tokens: int
    first_event_ts: float | None
    max_risk: float | None
    enforce: LensOutcome
    shadow: LensOutcome


@dataclass(frozen=True, slots=True)
class Distribution:
    """Summary of a sample of seconds (linear-interpolated quantiles)."""

    count: int
    p50: float | None
    p90: float | None
    mean: float | None
    max: float | None


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One persona or campaign: accounts, how many were enforced, and token exposure."""

    name: str
    kind: str
    accounts: int
    enforced: int
    enforced_share: float | None
    output_tokens: int | None
    covered_tokens: int | None
    uncovered_tokens: int | None
    leak_share: float | None
    time_to_enforce_p50: float | None


@dataclass(frozen=True, slots=True)
class LensMetrics:
    """Every metric under one lens (see docs/metrics.md for the definitions)."""

    lens: str
    attack_accounts: int
    legit_accounts: int
    attack_enforced: int
    legit_enforced: int
    recall: float | None
    false_positive_rate: float | None
    precision: float | None
    attack_flagged: int
    legit_flagged: int
    flagged_recall: float | None
    flagged_false_positive_rate: float | None
    attack_output_tokens: int | None
    attack_tokens_before_enforcement: int | None
    leak_share: float | None
    attack_tokens_covered_by_action: dict[str, int]
    legit_output_tokens: int | None
    legit_tokens_covered: int | None
    legit_tokens_covered_share: float | None
    legit_tokens_covered_by_action: dict[str, int]
    time_to_enforce: Distribution | None
    never_enforced: list[str]
    without_events: list[str]
    personas: list[GroupRow]
    campaigns: list[GroupRow]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Decisions issued per event-time bin, by action, for enforce and shadow mode."""

    start: float
    end: float
    bin_seconds: float
    enforce: dict[str, list[int]]
    shadow: dict[str, list[int]]


@dataclass(frozen=True, slots=True)
class EventSummary:
    """What the events file held (all zero without one)."""

    lines: int
    valid: int
    malformed: int
    unknown_account: int
    first_ts: float | None
    last_ts: float | None


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    """What the decision file held, counted per record."""

    records: int
    tombstones: int
    keys: int
    by_action: dict[str, int]
    by_origin: dict[str, int]
    by_mode: dict[str, int]
    by_scope: dict[str, int]
    by_action_mode: dict[str, int]
    #: Distinct ``account:`` keys naming an account absent from the truth file; a high
    #: number usually means truth and decisions use different account ids.
    unknown_account_keys: int


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """An evaluation of one decision file against the truth (and events, when given)."""

    truth_path: str
    decisions_path: str
    events_path: str | None
    scenario: dict[str, Any] | None
    accounts: int
    events: EventSummary
    decisions: DecisionSummary
    enforce: LensMetrics
    shadow: LensMetrics
    timeline: Timeline | None
    account_outcomes: list[AccountOutcome]

    def lens(self, name: str) -> LensMetrics:
        """``"enforce"`` or ``"shadow"``."""
        if name not in LENSES:
            raise ValueError(f"unknown lens {name!r}; expected one of {LENSES}")
        metrics: LensMetrics = getattr(self, name)
        return metrics

    def to_dict(self) -> dict[str, Any]:
        """Every number, JSON-ready."""
        plain: dict[str, Any] = _plain(self)
        return plain


def _plain(value: Any) -> Any:
    """Like ``dataclasses.asdict`` without its deep copies (results hold ~100k accounts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
