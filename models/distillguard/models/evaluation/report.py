"""The evaluation report: one self-contained HTML file, plots embedded as base64 PNG.

No scripts, no stylesheets or fonts from elsewhere: the file can be mailed, attached to a
ticket or opened offline. Every string from the inputs is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from distillguard.models.evaluation import plots
from distillguard.models.evaluation.definitions import DEFINITIONS
from distillguard.models.evaluation.result import EvaluationResult, GroupRow
from distillguard.models.evaluation.summary import cells, count, pct, seconds

#: Accounts listed by name in the "never enforced" section before the list is cut.
MAX_LISTED = 50

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:70em;
color:#222;padding:0 1em}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}
table{border-collapse:collapse;margin:.6em 0 1.2em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
.cards{display:flex;flex-wrap:wrap;gap:.8em}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:11em}
.card b{display:block;font-size:1.6em}img{max-width:100%}dt{font-weight:bold;margin-top:.5em}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cards(result: EvaluationResult) -> str:
    m = result.enforce
    tte = m.time_to_enforce
    items = [
        ("recall", pct(m.recall), f"{m.attack_enforced} of {m.attack_accounts} attack accounts"),
        (
            "false-positive rate",
            pct(m.false_positive_rate),
            f"{m.legit_enforced} of {m.legit_accounts} legitimate accounts",
        ),
        ("precision", pct(m.precision), "share of enforced accounts that attack"),
        (
            "leak share",
            pct(m.leak_share),
            f"{count(m.attack_tokens_before_enforcement)} of {count(m.attack_output_tokens)} "
            "attack output tokens served uncovered",
        ),
        (
            "time to enforce p50",
            seconds(tte.p50 if tte else None),
            f"p90 {seconds(tte.p90 if tte else None)}",
        ),
        (
            "legit tokens covered",
            count(m.legit_tokens_covered),
            f"{pct(m.legit_tokens_covered_share)} of legitimate output tokens",
        ),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card">{_e(name)}<b>{_e(value)}</b><small>{_e(note)}</small></div>'
            for name, value, note in items
        )
        + "</div>"
    )


def _headline(runs: Sequence[tuple[str, EvaluationResult]]) -> str:
    columns = []
    header = ["metric"]
    for label, result in runs:
        for lens in ("enforce", "shadow"):
            header.append(f"{label}{'enforced' if lens == 'enforce' else 'shadow would have'}")
            columns.append(cells(result.lens(lens)))
    rows = [[name, *(column[i][1] for column in columns)] for i, (name, _) in enumerate(columns[0])]
    return _table(header, rows)


_GROUP_HEADER = (
    "accounts",
    "enforced",
    "enforced share (recall / FPR)",
    "shadow would have",
    "output tokens",
    "served uncovered",
    "uncovered share (leak)",
    "time to enforce p50",
)


def _groups(name: str, enforce: list[GroupRow], shadow: list[GroupRow]) -> str:
    shadow_by_name = {row.name: row for row in shadow}
    rows: list[list[object]] = []
    for row in enforce:
        twin = shadow_by_name.get(row.name)
        rows.append(
            [
                row.name,
                row.kind,
                row.accounts,
                row.enforced,
                pct(row.enforced_share),
                twin.enforced if twin else "–",
                count(row.output_tokens),
                count(row.uncovered_tokens),
                pct(row.leak_share),
                seconds(row.time_to_enforce_p50),
            ]
        )
    return _table([name, "kind", *_GROUP_HEADER], rows)


def _compared_campaigns(compare: EvaluationResult | None) -> str:
    if compare is None:
        return ""
    return f"<h3>Per campaign, B ({_e(compare.decisions_path)})</h3>" + _groups(
        "campaign", compare.enforce.campaigns, compare.shadow.campaigns
    )


def _decision_tables(result: EvaluationResult) -> str:
    d = result.decisions
    summary = _table(
        ["records", "decisions", "tombstones", "keys", "account keys not in truth"],
        [[d.records, d.records - d.tombstones, d.tombstones, d.keys, d.unknown_account_keys]],
    )
    return (
        summary
        + _table(["action/mode", "records"], sorted(d.by_action_mode.items()))
        + _table(["origin", "records"], sorted(d.by_origin.items()))
        + _table(["scope", "records"], list(d.by_scope.items()))
    )


def _accounts_list(title: str, accounts: list[str]) -> str:
    if not accounts:
        return f"<p>{_e(title)}: none.</p>"
    shown = ", ".join(accounts[:MAX_LISTED])
    more = f" … and {len(accounts) - MAX_LISTED} more" if len(accounts) > MAX_LISTED else ""
    return f"<p>{_e(title)} ({len(accounts)}): {_e(shown)}{_e(more)}</p>"


def _inputs(result: EvaluationResult) -> str:
    ev = result.events
    rows = [
        ["truth", result.truth_path, f"{result.accounts} accounts"],
        ["decisions", result.decisions_path, f"{result.decisions.records} records"],
        [
            "events",
            result.events_path or "(none)",
            f"{ev.valid} events, {ev.malformed} malformed, {ev.unknown_account} unknown account",
        ],
    ]
    return _table(["input", "path", "contents"], rows)


def render_html(
    result: EvaluationResult, path: Path, compare: EvaluationResult | None = None
) -> Path:
    """Write the report for ``result`` (and a side-by-side with ``compare``) to ``path``."""
    runs = [("", result)] if compare is None else [("A: ", result), ("B: ", compare)]
    scenario = (result.scenario or {}).get("name")
    title = f"distillguard evaluation — {scenario}" if scenario else "distillguard evaluation"
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>",
        f"<p class='sub'>decisions: {_e(result.decisions_path)}</p>",
        "<h2>Headline (enforced)</h2>",
        _cards(result),
        "<h2>Enforced versus shadow</h2>",
    ]
    if compare is not None:
        parts.append(f"<p>A = {_e(result.decisions_path)}<br>B = {_e(compare.decisions_path)}</p>")
    parts += [
        _headline(runs),
        "<h2>Per persona</h2>",
        _groups("persona", result.enforce.personas, result.shadow.personas),
        "<h2>Per campaign</h2>",
        _groups("campaign", result.enforce.campaigns, result.shadow.campaigns),
        _compared_campaigns(compare),
        _img(plots.campaign_leak(runs), "leak share per campaign"),
        "<h2>Time to enforce</h2>",
        _img(plots.time_to_enforce(result), "time to enforce distribution"),
        _accounts_list("Attack accounts with events never enforced", result.enforce.never_enforced),
        _accounts_list("Attack accounts without events", result.enforce.without_events),
        "<h2>Risk: legitimate versus attack</h2>",
        _img(plots.risk(result), "max risk per account, legitimate versus attack"),
        "<h2>Legitimate traffic affected</h2>",
        _img(plots.legit_tokens(result), "legitimate output tokens covered by action"),
        "<h2>Decisions</h2>",
        _img(plots.timeline(result), "decisions issued over event time by action"),
        _decision_tables(result),
        "<h2>Inputs</h2>",
        _inputs(result),
        "<h2>Definitions</h2><dl>",
        "".join(f"<dt>{_e(name)}</dt><dd>{_e(text)}</dd>" for name, text in DEFINITIONS),
        "</dl></body></html>",
    ]  # fmt: skip
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
