"""The report's figures, each returned as PNG bytes (matplotlib, Agg backend, no display).

Figures are built on ``Figure`` with an Agg canvas rather than through pyplot, so no global
backend or figure registry is touched and nothing needs closing. Every function returns
``bytes``, so the HTML module only embeds them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from distillguard.models.evaluation.decisions import ACTIONS
from distillguard.models.evaluation.result import EvaluationResult

#: One colour per action, weakest to strongest.
ACTION_COLOURS = {
    "monitor": "#9e9e9e",
    "degrade": "#fdd835",
    "throttle": "#fb8c00",
    "challenge": "#e53935",
    "suspend": "#6a1b9a",
}
ATTACK_COLOUR = "#c62828"
LEGIT_COLOUR = "#1565c0"


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


def _unit(values: Sequence[float]) -> tuple[float, str]:
    top = max(values, default=0.0)
    if top >= 7200:
        return 3600.0, "hours"
    if top >= 120:
        return 60.0, "minutes"
    return 1.0, "seconds"


def time_to_enforce(result: EvaluationResult) -> bytes:
    """Histogram of time to enforce per attack account, enforce and shadow lens."""
    figure = _figure(7, 3.2)
    ax = figure.subplots()
    series = {
        lens: [
            t
            for o in result.account_outcomes
            if o.is_attack and (t := getattr(o, lens).time_to_enforce) is not None
        ]
        for lens in ("enforce", "shadow")
    }
    everything = series["enforce"] + series["shadow"]
    if not everything:
        _empty(ax, "no attack account was enforced (or no events given)")
        return _png(figure)
    scale, unit = _unit(everything)
    for lens, colour in (("enforce", ATTACK_COLOUR), ("shadow", "#757575")):
        values = [v / scale for v in series[lens]]
        if values:
            label = "enforced" if lens == "enforce" else "shadow would have"
            ax.hist(values, bins=30, alpha=0.6, color=colour, label=f"{label} (n={len(values)})")
    never = len(result.enforce.never_enforced)
    ax.set_title(f"Time to enforce per attack account ({never} never enforced, not shown)")
    ax.set_xlabel(f"first covered event − first event ({unit})")
    ax.set_ylabel("attack accounts")
    ax.legend()
    return _png(figure)


def risk(result: EvaluationResult) -> bytes:
    """Max decided risk per account, legitimate versus attack."""
    figure = _figure(7, 3.2)
    ax = figure.subplots()
    attack = [o.max_risk for o in result.account_outcomes if o.is_attack and o.max_risk is not None]
    legit = [
        o.max_risk for o in result.account_outcomes if not o.is_attack and o.max_risk is not None
    ]
    if not attack and not legit:
        _empty(ax, "no account-scope decisions")
        return _png(figure)
    bins = [i / 20 for i in range(21)]
    ax.hist(legit, bins=bins, alpha=0.6, color=LEGIT_COLOUR, label=f"legitimate (n={len(legit)})")
    ax.hist(attack, bins=bins, alpha=0.6, color=ATTACK_COLOUR, label=f"attack (n={len(attack)})")
    undecided_attack = sum(1 for o in result.account_outcomes if o.is_attack and o.max_risk is None)
    undecided_legit = sum(
        1 for o in result.account_outcomes if not o.is_attack and o.max_risk is None
    )
    ax.set_title(
        f"Max risk per account (without decisions: {undecided_legit} legit, "
        f"{undecided_attack} attack)"
    )
    ax.set_xlabel("max risk of the account's decisions")
    ax.set_ylabel("accounts (log scale)")
    ax.set_yscale("log")
    ax.set_xlim(0, 1)
    ax.legend()
    return _png(figure)


def campaign_leak(results: Sequence[tuple[str, EvaluationResult]]) -> bytes:
    """Leak share per campaign: enforce and shadow lens of each run, grouped by campaign."""
    figure = _figure(7, 3.4)
    ax = figure.subplots()
    names = sorted({row.name for _, r in results for row in r.enforce.campaigns})
    bars = [
        (
            f"{label}{'enforced' if lens == 'enforce' else 'shadow would have'}",
            {row.name: row.leak_share for row in r.lens(lens).campaigns},
        )
        for label, r in results
        for lens in ("enforce", "shadow")
    ]
    if not names or all(v is None for _, by in bars for v in by.values()):
        _empty(ax, "no campaigns with output tokens (events are needed)")
        return _png(figure)
    width = 0.8 / len(bars)
    for position, (label, by_name) in enumerate(bars):
        xs = [i + position * width for i in range(len(names))]
        ys = [100 * (by_name.get(n) or 0.0) for n in names]
        ax.bar(xs, ys, width=width, label=label)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names, rotation=20)
    ax.set_ylabel("% of attack output tokens served uncovered")
    ax.set_ylim(0, 100)
    ax.set_title("Leak share per campaign")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(figure)


def timeline(result: EvaluationResult) -> bytes:
    """Decisions issued per event-time bin, stacked by action, one panel per mode."""
    line = result.timeline
    modes = [
        m
        for m in ("enforce", "shadow")
        if line is not None and any(any(v) for v in getattr(line, m).values())
    ]
    panels = max(1, len(modes))
    figure = _figure(8, 2.6 * panels)
    axes_list: list[Axes] = [figure.add_subplot(panels, 1, i + 1) for i in range(panels)]
    if line is None or not modes:
        _empty(axes_list[0], "no decisions")
        return _png(figure)
    span = line.end - line.start
    origin = datetime.fromtimestamp(line.start, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    scale, unit = _unit([span])
    for ax, mode in zip(axes_list, modes, strict=True):
        counts = getattr(line, mode)
        bins = len(next(iter(counts.values())))
        xs = [i * line.bin_seconds / scale for i in range(bins)]
        bottom = [0] * bins
        for action in ACTIONS:
            ys = counts[action]
            if any(ys):
                ax.bar(
                    xs,
                    ys,
                    width=line.bin_seconds / scale,
                    bottom=bottom,
                    align="edge",
                    color=ACTION_COLOURS[action],
                    label=action,
                )
                bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
        ax.set_title(f"Decisions issued over event time ({mode} mode)")
        ax.set_ylabel("decisions")
        ax.set_xlabel(f"{unit} since {origin}")
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(figure)


def legit_tokens(result: EvaluationResult) -> bytes:
    """Legitimate output tokens covered, by action, enforce versus shadow lens."""
    figure = _figure(7, 2.8)
    ax = figure.subplots()
    enforcing = [a for a in ACTIONS if a != "monitor"]
    enforce = result.enforce.legit_tokens_covered_by_action
    shadow = result.shadow.legit_tokens_covered_by_action
    if not any(enforce.values()) and not any(shadow.values()):
        _empty(ax, "no legitimate output tokens covered")
        return _png(figure)
    xs = range(len(enforcing))
    ax.bar([x - 0.2 for x in xs], [enforce[a] for a in enforcing], 0.4, label="enforced")
    ax.bar([x + 0.2 for x in xs], [shadow[a] for a in enforcing], 0.4, label="shadow would have")
    ax.set_xticks(list(xs), enforcing)
    ax.set_ylabel("output tokens")
    ax.set_title("Legitimate output tokens covered, by action")
    ax.legend()
    return _png(figure)
