"""Small statistics helpers with exact, documented conventions.

>>> quantile([0.0, 10.0, 20.0, 30.0], 0.5)
15.0
>>> quantile([5.0], 0.9)
5.0
>>> ratio(1, 0) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

from distillguard.models.evaluation.result import Distribution


def quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, Hyndman-Fan type 7).

    ``ordered`` must be sorted and non-empty.
    """
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is zero."""
    return numerator / denominator if denominator else None


def distribution(values: Sequence[float]) -> Distribution:
    """Count, p50, p90, mean and max of ``values`` (``None`` fields when empty)."""
    if not values:
        return Distribution(count=0, p50=None, p90=None, mean=None, max=None)
    ordered = sorted(values)
    return Distribution(
        count=len(ordered),
        p50=quantile(ordered, 0.5),
        p90=quantile(ordered, 0.9),
        mean=sum(ordered) / len(ordered),
        max=ordered[-1],
    )
