"""Benchmarks run by ``make bench``; each module has ``run(ctx) -> dict`` of measurements."""

from __future__ import annotations
