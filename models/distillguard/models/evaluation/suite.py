"""Detection targets over a suite of backtests: which attack personas were caught well enough.

One backtest is one scenario at one seed, replayed and evaluated. For every attack persona
it ran, a :class:`TargetRow` says whether the persona met its target: account recall, share
of its output tokens served before enforcement, and (for fleets whose accounts are
replaced as they are caught) median time to enforce. Any legitimate account enforced
against fails the run.

*Late joiners* are measured apart: accounts of a campaign whose first request came after
another account of the same campaign was already enforced against (a replacement account,
a fleet's new recruit). Their time to enforce says how fast a known cluster catches its
new members; it is reported, not a target.

>>> t = TARGETS["failover-fleet"]
>>> t.min_recall, t.max_leak_share, t.max_time_to_enforce_p50
(0.95, 0.2, 600.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from distillguard.models.evaluation.result import AccountOutcome, EvaluationResult, GroupRow
from distillguard.models.evaluation.stats import quantile


@dataclass(frozen=True, slots=True)
class Target:
    """What catching a persona well means."""

    group: str
    min_recall: float = 0.95
    max_leak_share: float = 0.20
    max_time_to_enforce_p50: float | None = None


#: Campaigns one account reveals, and fleets that need cross-account evidence.
TARGETS: Mapping[str, Target] = {
    "heavy-distiller": Target("single-account"),
    "logit-harvester": Target("single-account"),
    "cot-language": Target("single-account"),
    "model-hopper": Target("single-account"),
    "hydra-fleet": Target("fleet"),
    "slow-and-low": Target("fleet"),
    "failover-fleet": Target("fleet", max_time_to_enforce_p50=600.0),
}


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One attack persona in one backtest, against its target (``target`` None: untargeted)."""

    scenario: str
    seed: int
    persona: str
    group: str
    accounts: int
    enforced: int
    recall: float | None
    leak_share: float | None
    time_to_enforce_p50: float | None
    failures: tuple[str, ...]
    targeted: bool
    #: accounts that joined after their campaign was first enforced, how many of them were
    #: enforced, and their median time to enforce (seconds from their first request)
    late_joiners: int = 0
    late_enforced: int = 0
    late_time_to_enforce_p50: float | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


def late_joiners(outcomes: Iterable[AccountOutcome]) -> dict[str, list[float | None]]:
    """Per attack persona, the time to enforce (``None``: never enforced) of each account
    whose first request came after another account of its campaign was enforced.

    >>> from distillguard.models.evaluation.result import LensOutcome
    >>> def o(a, first, covered):
    ...     lens = LensOutcome(covered is not None, covered is not None, covered, 0, 0,
    ...                        None if covered is None else covered - first)
    ...     return AccountOutcome(a, "f", True, "c", 1, 1, first, None, lens, lens)
    >>> late_joiners([o("a", 0.0, 50.0), o("b", 40.0, 45.0), o("c", 60.0, 75.0),
    ...               o("d", 70.0, None)])
    {'f': [15.0, None]}
    """
    rows = [o for o in outcomes if o.is_attack and o.campaign and o.first_event_ts is not None]
    first_enforced: dict[str, list[tuple[float, str]]] = {}
    for o in rows:
        at = o.enforce.first_covered_ts
        if at is not None:
            first_enforced.setdefault(str(o.campaign), []).append((at, o.account_id))
    out: dict[str, list[float | None]] = {}
    for o in rows:
        times = first_enforced.get(str(o.campaign), [])
        assert o.first_event_ts is not None
        if any(at < o.first_event_ts and a != o.account_id for at, a in times):
            out.setdefault(o.persona, []).append(o.enforce.time_to_enforce)
    return out


def check_row(
    scenario: str, seed: int, row: GroupRow, late: list[float | None] | None = None
) -> TargetRow:
    """Compare one persona row of an evaluation with its target (``late``: the times to
    enforce of its late joiners, reported alongside)."""
    target = TARGETS.get(row.name)
    failures: list[str] = []
    times = sorted(t for t in late or () if t is not None)
    if target is not None:
        if row.enforced_share is None or row.enforced_share < target.min_recall:
            failures.append(f"recall below {target.min_recall:.0%}")
        if row.leak_share is None or row.leak_share >= target.max_leak_share:
            failures.append(f"leak share not below {target.max_leak_share:.0%}")
        limit = target.max_time_to_enforce_p50
        tte = row.time_to_enforce_p50
        if limit is not None and (tte is None or tte > limit):
            failures.append(f"time to enforce p50 above {limit / 60:.0f} min")
    return TargetRow(
        scenario=scenario,
        seed=seed,
        persona=row.name,
        group=target.group if target is not None else "other",
        accounts=row.accounts,
        enforced=row.enforced,
        recall=row.enforced_share,
        leak_share=row.leak_share,
        time_to_enforce_p50=row.time_to_enforce_p50,
        failures=tuple(failures),
        targeted=target is not None,
        late_joiners=len(late or ()),
        late_enforced=len(times),
        late_time_to_enforce_p50=quantile(times, 0.5) if times else None,
    )


@dataclass(frozen=True, slots=True)
class RunCheck:
    """One backtest against every target."""

    scenario: str
    seed: int
    rows: list[TargetRow]
    legit_accounts: int
    legit_enforced: int

    @property
    def ok(self) -> bool:
        return self.legit_enforced == 0 and all(row.ok for row in self.rows)


def check_run(scenario: str, seed: int, result: EvaluationResult) -> RunCheck:
    """Check the enforced decisions of one evaluated backtest."""
    lens = result.enforce
    late = late_joiners(result.account_outcomes)
    rows = [
        check_row(scenario, seed, row, late.get(row.name))
        for row in lens.personas
        if row.kind == "attack"
    ]
    return RunCheck(scenario, seed, rows, lens.legit_accounts, lens.legit_enforced)


def failures(runs: Iterable[RunCheck]) -> list[str]:
    """Every missed target, one line each."""
    out: list[str] = []
    for run in runs:
        where = f"{run.scenario} seed {run.seed}"
        if run.legit_enforced:
            out.append(f"{where}: {run.legit_enforced} legitimate accounts enforced against")
        out.extend(
            f"{where} {row.persona}: {', '.join(row.failures)}" for row in run.rows if row.failures
        )
    return out
