"""Arrival processes: when requests happen (vectorised with numpy).

Every function returns a sorted float64 array of epoch seconds inside ``[start, end)``.
Rates are given per minute because tier limits are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Rng = np.random.Generator
Times = npt.NDArray[np.float64]
RateFn = Callable[[Times], Times]
Windows = list[tuple[float, float]]


def diurnal(tz_hours: float, amplitude: float, peak_hour: float = 15.0) -> RateFn:
    """A multiplier in ``[1 - amplitude, 1 + amplitude]`` that peaks at local ``peak_hour``."""

    def fn(t: Times) -> Times:
        hour = ((t / 3600.0) + tz_hours) % 24.0
        return 1.0 + amplitude * np.cos(2 * np.pi * (hour - peak_hour) / 24.0)

    return fn


def poisson(rng: Rng, start: float, end: float, rpm: float, shape: RateFn | None = None) -> Times:
    """A Poisson process of ``rpm`` requests per minute, modulated by ``shape`` (≤ 2)."""
    if end <= start or rpm <= 0:
        return np.empty(0)
    peak = 2.0 if shape is not None else 1.0
    n = int(rng.poisson(rpm / 60.0 * (end - start) * peak))
    t = np.sort(rng.uniform(start, end, size=n))
    if shape is not None:
        keep = rng.uniform(0.0, peak, size=n) < np.clip(shape(t), 0.0, peak)
        t = t[keep]
    return t


def in_windows(rng: Rng, windows: Windows, rpm: float, jitter: float = 0.0) -> Times:
    """Poisson arrivals at ``rpm`` inside each window, window edges shifted by ``jitter`` s."""
    parts = []
    for s, e in windows:
        shift = rng.normal(0.0, jitter) if jitter else 0.0
        parts.append(poisson(rng, s + shift, e + shift, rpm))
    return np.sort(np.concatenate(parts)) if parts else np.empty(0)


def clip(t: Times, start: float, end: float) -> Times:
    return t[(t >= start) & (t < end)]


def waves(rng: Rng, start: float, end: float, period: float, duty: float) -> Windows:
    """Campaign-wide on/off windows: every ``period`` s (±20 %), active ``duty`` of it."""
    out: Windows = []
    t = start + rng.uniform(0, period * 0.5)
    while t < end:
        length = period * duty * rng.uniform(0.8, 1.2)
        out.append((t, min(end, t + length)))
        t += period * rng.uniform(0.8, 1.2)
    return out


def bursts(rng: Rng, start: float, end: float, per_hour: float, size: float, rps: float) -> Times:
    """Bursts of about ``size`` requests at ``rps`` each, ``per_hour`` bursts per hour.

    Bursts start on a jittered grid (scheduled jobs), the first within one period.
    """
    period = 3600.0 / per_hour
    grid = np.arange(start + rng.uniform(0, period), end, period)
    starts = grid + rng.uniform(-0.2, 0.2, size=grid.shape[0]) * period
    parts = []
    for s in starts.tolist():
        k = max(1, int(rng.lognormal(np.log(size), 0.4)))
        gaps = rng.exponential(1.0 / rps, size=k)
        parts.append(s + np.cumsum(gaps))
    return clip(np.sort(np.concatenate(parts)), start, end) if parts else np.empty(0)


def visits(
    rng: Rng,
    start: float,
    end: float,
    per_hour: float,
    minutes: float,
    rpm: float,
    shape: RateFn | None = None,
) -> Times:
    """Interactive visits: ``per_hour`` visits of ~``minutes`` at ``rpm`` inside each."""
    starts = poisson(rng, start, end, per_hour / 60.0, shape)
    windows = [(s, s + rng.exponential(minutes * 60.0)) for s in starts.tolist()]
    return clip(in_windows(rng, windows, rpm), start, end)


def lifetimes(
    rng: Rng, start: float, end: float, mean_minutes: float, gap_minutes: float
) -> Windows:
    """Back-to-back lifetimes of short-lived resources (keys, failover accounts)."""
    out: Windows = []
    t = start
    while t < end:
        life = max(60.0, rng.exponential(mean_minutes * 60.0))
        out.append((t, min(end, t + life)))
        t += life + rng.exponential(gap_minutes * 60.0)
    return out
