"""Turn per-account tallies into per-account outcomes and per-lens metrics.

The definitions are in docs/metrics.md; this module is their one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from distillguard.models.evaluation.decisions import ACTIONS, ENFORCING_RANK, DecisionIndex
from distillguard.models.evaluation.inputs import TruthAccount
from distillguard.models.evaluation.result import (
    AccountOutcome,
    GroupRow,
    LensMetrics,
    LensOutcome,
)
from distillguard.models.evaluation.stats import distribution, quantile, ratio
from distillguard.models.evaluation.tally import ENFORCE, SHADOW, AccountTally, Tallier

_MODES = ("enforce", "shadow")
#: Campaign name used for attack accounts whose truth has no campaign.
NO_CAMPAIGN = "(none)"


def _decided_in_mode(index: DecisionIndex, account_id: str, mode: str) -> bool:
    timeline = index.timelines.get(f"account:{account_id}")
    return timeline is not None and any(i.mode == mode for i in timeline.intervals)


def _lens_outcome(tally: AccountTally, lens: int, decided: bool, has_events: bool) -> LensOutcome:
    if not has_events:
        return LensOutcome(decided, decided, None, 0, 0, None)
    first = tally.first_cov[lens]
    enforced = first is not None
    time_to_enforce = None
    if first is not None and tally.first_ts is not None:
        time_to_enforce = first - tally.first_ts
    return LensOutcome(
        enforced=enforced,
        flagged=enforced or decided,
        first_covered_ts=first,
        covered_events=tally.cov_events[lens],
        covered_tokens=tally.cov_tokens[lens],
        time_to_enforce=time_to_enforce,
    )


def account_outcomes(
    truth: dict[str, TruthAccount], tallier: Tallier, has_events: bool
) -> list[AccountOutcome]:
    """One outcome per truth account, in truth-file order."""
    index = tallier.index
    outcomes = []
    for account_id, account in truth.items():
        tally = tallier.tallies[account_id]
        lens_outcomes = [
            _lens_outcome(
                tally, lens, _decided_in_mode(index, account_id, _MODES[lens]), has_events
            )
            for lens in (ENFORCE, SHADOW)
        ]
        outcomes.append(
            AccountOutcome(
                account_id=account_id,
                persona=account.persona,
                is_attack=account.is_attack,
                campaign=account.campaign,
                events=tally.events,
                output_tokens=tally.tokens,
                first_event_ts=tally.first_ts,
                max_risk=index.max_risk.get(f"account:{account_id}"),
                enforce=lens_outcomes[ENFORCE],
                shadow=lens_outcomes[SHADOW],
            )
        )
    return outcomes


def _kind(outcomes: list[AccountOutcome]) -> str:
    attacks = sum(o.is_attack for o in outcomes)
    if attacks == len(outcomes):
        return "attack"
    return "legit" if attacks == 0 else "mixed"


def _group(
    name: str,
    outcomes: list[AccountOutcome],
    pick: Callable[[AccountOutcome], LensOutcome],
    has_events: bool,
) -> GroupRow:
    enforced = sum(pick(o).enforced for o in outcomes)
    tokens = covered = uncovered = None
    leak = None
    if has_events:
        tokens = sum(o.output_tokens for o in outcomes)
        covered = sum(pick(o).covered_tokens for o in outcomes)
        uncovered = tokens - covered
        leak = ratio(uncovered, tokens)
    times = sorted(t for o in outcomes if (t := pick(o).time_to_enforce) is not None)
    return GroupRow(
        name=name,
        kind=_kind(outcomes),
        accounts=len(outcomes),
        enforced=enforced,
        enforced_share=ratio(enforced, len(outcomes)),
        output_tokens=tokens,
        covered_tokens=covered,
        uncovered_tokens=uncovered,
        leak_share=leak,
        time_to_enforce_p50=quantile(times, 0.5) if times else None,
    )


def _groups(
    outcomes: Iterable[AccountOutcome],
    by: Callable[[AccountOutcome], str],
    pick: Callable[[AccountOutcome], LensOutcome],
    has_events: bool,
) -> list[GroupRow]:
    grouped: dict[str, list[AccountOutcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(by(outcome), []).append(outcome)
    rows = [_group(name, members, pick, has_events) for name, members in grouped.items()]
    order = {"legit": 0, "mixed": 1, "attack": 2}
    return sorted(rows, key=lambda row: (order[row.kind], row.name))


def _by_action(tallier: Tallier, lens: int, attack: bool) -> dict[str, int]:
    counts = tallier.tokens_by_rank[lens][attack]
    return {ACTIONS[rank]: counts[rank] for rank in range(ENFORCING_RANK, len(ACTIONS))}


def lens_metrics(
    lens: int, outcomes: list[AccountOutcome], tallier: Tallier, has_events: bool
) -> LensMetrics:
    """Every account-level and token-level metric under one lens."""

    def pick(outcome: AccountOutcome) -> LensOutcome:
        return outcome.enforce if lens == ENFORCE else outcome.shadow

    attack = [o for o in outcomes if o.is_attack]
    legit = [o for o in outcomes if not o.is_attack]
    attack_enforced = sum(pick(o).enforced for o in attack)
    legit_enforced = sum(pick(o).enforced for o in legit)
    attack_flagged = sum(pick(o).flagged for o in attack)
    legit_flagged = sum(pick(o).flagged for o in legit)
    attack_tokens = legit_tokens = leaked = legit_covered = None
    if has_events:
        attack_tokens = sum(o.output_tokens for o in attack)
        leaked = attack_tokens - sum(pick(o).covered_tokens for o in attack)
        legit_tokens = sum(o.output_tokens for o in legit)
        legit_covered = sum(pick(o).covered_tokens for o in legit)
    times = [t for o in attack if (t := pick(o).time_to_enforce) is not None]
    return LensMetrics(
        lens=_MODES[lens],
        attack_accounts=len(attack),
        legit_accounts=len(legit),
        attack_enforced=attack_enforced,
        legit_enforced=legit_enforced,
        recall=ratio(attack_enforced, len(attack)),
        false_positive_rate=ratio(legit_enforced, len(legit)),
        precision=ratio(attack_enforced, attack_enforced + legit_enforced),
        attack_flagged=attack_flagged,
        legit_flagged=legit_flagged,
        flagged_recall=ratio(attack_flagged, len(attack)),
        flagged_false_positive_rate=ratio(legit_flagged, len(legit)),
        attack_output_tokens=attack_tokens,
        attack_tokens_before_enforcement=leaked,
        leak_share=ratio(leaked, attack_tokens) if leaked is not None and attack_tokens else None,
        attack_tokens_covered_by_action=_by_action(tallier, lens, True),
        legit_output_tokens=legit_tokens,
        legit_tokens_covered=legit_covered,
        legit_tokens_covered_share=(
            ratio(legit_covered, legit_tokens)
            if legit_covered is not None and legit_tokens
            else None
        ),
        legit_tokens_covered_by_action=_by_action(tallier, lens, False),
        time_to_enforce=distribution(times) if has_events else None,
        never_enforced=[
            o.account_id for o in attack if not pick(o).enforced and (o.events or not has_events)
        ],
        without_events=[o.account_id for o in attack if has_events and not o.events],
        personas=_groups(outcomes, lambda o: o.persona, pick, has_events),
        campaigns=_groups(attack, lambda o: o.campaign or NO_CAMPAIGN, pick, has_events),
    )
