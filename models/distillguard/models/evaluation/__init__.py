"""Detection metrics: how well decisions caught attack accounts and spared legitimate ones.

``evaluate`` reads ground truth, a decision file and (optionally) the events, and returns
an :class:`EvaluationResult`; ``render_html`` and ``print_summary`` present it. The HTML
renderer imports matplotlib, so it is loaded only when called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from distillguard.models.evaluation.api import evaluate, evaluate_many
from distillguard.models.evaluation.result import EvaluationResult

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["EvaluationResult", "evaluate", "evaluate_many", "print_summary", "render_html"]


def render_html(
    result: EvaluationResult, path: str | Path, compare: EvaluationResult | None = None
) -> Path:
    """Write the self-contained HTML report to ``path``; return the path."""
    from distillguard.models.evaluation.report import render_html as render

    return render(result, Path(path), compare)


def print_summary(
    result: EvaluationResult, console: Console, compare: EvaluationResult | None = None
) -> None:
    """Print the compact summary table (side by side with ``compare`` when given)."""
    from distillguard.models.evaluation.summary import print_summary as show

    show(result, console, compare)
