"""The live view of the demo: throughput, lag, decisions by action, top flagged accounts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from distillguard.streams.demo.traffic import LADDER


def render(
    *,
    elapsed: float,
    produced: int,
    total: int,
    processed: int,
    deadlettered: int,
    rate: float,
    by_action: Counter[str],
    top: list[dict[str, Any]],
    records: int,
    checks: dict[str, str],
) -> Group:
    head = Table.grid(padding=(0, 3))
    head.add_row(
        f"[b]elapsed[/] {elapsed:5.0f} s",
        f"[b]produced[/] {produced:,}/{total:,}",
        f"[b]events/s[/] {rate:,.0f}",
        f"[b]processed[/] {processed:,}",
        f"[b]lag[/] {max(0, produced - processed - deadlettered):,}",
        f"[b]dead-lettered[/] {deadlettered:,}",
    )
    actions = Table(title="live decisions", expand=False)
    actions.add_column("action")
    actions.add_column("subjects", justify="right")
    for action in LADDER:
        for label in (action, f"{action} (shadow)"):
            if by_action.get(label):
                actions.add_row(label, f"{by_action[label]:,}")
    actions.caption = f"{records:,} decision records on the topic"
    flagged = Table(title="top flagged accounts", expand=True)
    flagged.add_column("subject", no_wrap=True, min_width=17)
    flagged.add_column("action", no_wrap=True, min_width=9)
    flagged.add_column("risk", justify="right", min_width=4)
    flagged.add_column("enforcer", no_wrap=True, min_width=12)
    flagged.add_column("why", no_wrap=True, overflow="ellipsis", ratio=1)
    for value in top:
        subject = value["subject"]["value"]
        reasons = value["reasons"][0]["detail"] if value["reasons"] else ""
        flagged.add_row(
            subject,
            value["action"] + (" (shadow)" if value["mode"] == "shadow" else ""),
            f"{value['risk']:.2f}",
            checks.get(subject, ""),
            reasons,
        )
    return Group(Panel(head, title="distillguard demo"), actions, flagged)
