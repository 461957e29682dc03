"""The compact terminal summary: headline numbers per lens, and per campaign.

With a second result the same rows appear side by side, so a shadow run and an enforce
run (or two detector versions) can be read at a glance.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from distillguard.models.evaluation.result import EvaluationResult, LensMetrics


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or an en dash when undefined."""
    return "–" if value is None else f"{100 * value:.1f}%"


def seconds(value: float | None) -> str:
    """Seconds in the largest unit that keeps the number readable."""
    if value is None:
        return "–"
    if abs(value) >= 3600:
        return f"{value / 3600:.1f} h"
    if abs(value) >= 60:
        return f"{value / 60:.1f} min"
    return f"{value:.0f} s"


def count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _tte(metrics: LensMetrics) -> str:
    tte = metrics.time_to_enforce
    return "–" if tte is None else f"{seconds(tte.p50)} / {seconds(tte.p90)}"


def cells(m: LensMetrics) -> list[tuple[str, str]]:
    """The headline rows of one lens as ``(metric, value)`` text."""
    recall = f"{pct(m.recall)} ({m.attack_enforced}/{m.attack_accounts})"
    fpr = f"{pct(m.false_positive_rate)} ({m.legit_enforced}/{m.legit_accounts})"
    leak = f"{pct(m.leak_share)} of {count(m.attack_output_tokens)}"
    legit = f"{count(m.legit_tokens_covered)} ({pct(m.legit_tokens_covered_share)})"
    return [
        ("recall", recall),
        ("false-positive rate", fpr),
        ("precision", pct(m.precision)),
        ("attack tokens leaked", leak),
        ("legit tokens covered", legit),
        ("time to enforce p50/p90", _tte(m)),
        ("attacks never enforced", str(len(m.never_enforced))),
    ]


def _headline(results: list[tuple[str, EvaluationResult]]) -> Table:
    table = Table(title="distillguard evaluation", title_justify="left")
    table.add_column("metric", no_wrap=True)
    columns = []
    for label, result in results:
        for lens in ("enforce", "shadow"):
            title = "enforced" if lens == "enforce" else "shadow would have"
            table.add_column(f"{label}{title}", justify="right")
            columns.append(cells(result.lens(lens)))
    for position, (name, _) in enumerate(columns[0]):
        table.add_row(name, *(column[position][1] for column in columns))
    return table


def _campaigns(result: EvaluationResult) -> Table:
    table = Table(title="attack campaigns (enforce)", title_justify="left")
    for column in ("campaign", "accounts", "enforced", "recall", "leak share", "tte p50"):
        table.add_column(column, justify="left" if column == "campaign" else "right")
    for row in result.enforce.campaigns:
        table.add_row(
            row.name,
            str(row.accounts),
            str(row.enforced),
            pct(row.enforced_share),
            pct(row.leak_share),
            seconds(row.time_to_enforce_p50),
        )
    return table


def print_summary(
    result: EvaluationResult, console: Console, compare: EvaluationResult | None = None
) -> None:
    """Print headline metrics (both lenses) and the per-campaign table."""
    runs = [("", result)] if compare is None else [("A: ", result), ("B: ", compare)]
    if compare is not None:
        console.print(f"A = {result.decisions_path}\nB = {compare.decisions_path}")
    console.print(_headline(runs))
    decisions = result.decisions
    console.print(
        f"{result.accounts} accounts, {result.events.valid} events "
        f"({result.events.malformed} malformed, {result.events.unknown_account} unknown account), "
        f"{decisions.records} decision records ({decisions.tombstones} tombstones)"
    )
    if decisions.unknown_account_keys:
        console.print(
            f"[yellow]warning:[/] {decisions.unknown_account_keys} account keys in the decisions "
            "name accounts absent from the truth file"
        )
    if result.enforce.campaigns:
        console.print(_campaigns(result))
