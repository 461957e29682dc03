"""`distillguard evaluate`: detection metrics and an HTML report from truth and decisions.

The metrics live in ``distillguard.models.evaluation`` (pure, no Kafka); this module only
reads the flags, writes the outputs and prints the summary. The evaluation package is
imported when the command runs, so ``distillguard --help`` does not pay for matplotlib.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
from rich.console import Console

from distillguard.models.errors import UsageError

HELP = "detection metrics and an HTML report from truth and decisions"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Score a decision file against ground truth: account recall, false-positive rate, "
        "precision, share of attack output tokens served before enforcement, time to enforce, "
        "legitimate tokens affected; per persona and per campaign; for enforced decisions and "
        "for shadow decisions as if enforced. Definitions: docs/metrics.md."
    )
    parser.add_argument(
        "--truth",
        type=Path,
        required=True,
        metavar="TRUTH.jsonl",
        help="one line per account: account_id, persona, is_attack, campaign "
        "(a scenario.json beside it is used when present)",
    )
    parser.add_argument(
        "--decisions",
        type=Path,
        required=True,
        metavar="DECISIONS.jsonl",
        help="decision records as written by `distillguard replay` (key, value, ts)",
    )
    parser.add_argument(
        "--events",
        type=Path,
        metavar="EVENTS.jsonl",
        help="the API events the decisions were made on; needed for token and time metrics",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="DECISIONS2.jsonl",
        help="a second decision file to evaluate side by side (e.g. a shadow run)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT.json", help="write every number as JSON")
    parser.add_argument("--html", type=Path, metavar="OUT.html", help="write the HTML report")


def _write_json(path: Path, data: object) -> None:
    try:
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from distillguard.models.evaluation import evaluate_many, print_summary, render_html

    paths = [args.decisions] + ([args.compare] if args.compare is not None else [])
    results = evaluate_many(args.truth, paths, args.events)
    result = results[0]
    compare = results[1] if len(results) > 1 else None
    print_summary(result, Console(), compare)
    if args.json is not None:
        data = (
            result.to_dict()
            if compare is None
            else {"baseline": result.to_dict(), "compare": compare.to_dict()}
        )
        _write_json(args.json, data)
    if args.html is not None:
        try:
            render_html(result, args.html, compare)
        except OSError as exc:
            raise UsageError(f"cannot write {args.html}: {exc.strerror}") from None
    return 0
