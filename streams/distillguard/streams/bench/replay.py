"""Offline backtest throughput: ``distillguard replay`` over a simulated scenario, events/s."""

from __future__ import annotations

import contextlib
import io
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from distillguard.models.sim import load_scenario
from distillguard.models.sim.generator import write_files


def scenario_events(name: str, out: Path, scale: float = 1.0) -> tuple[Path, int]:
    """Write a bundled scenario to ``out``; return the events path and its line count."""
    summary = write_files(load_scenario(name), out, scale=scale)
    return out / "events.jsonl", int(summary["counts"]["events"])


def run(scenario: str = "demo", repeats: int = 3) -> dict[str, Any]:
    from distillguard.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        events, count = scenario_events(scenario, Path(tmp))
        rates = []
        for i in range(repeats):
            out = Path(tmp) / f"decisions-{i}.jsonl"
            with contextlib.redirect_stderr(io.StringIO()):
                started = time.perf_counter()
                code = main(["replay", str(events), "--out", str(out)])
                elapsed = time.perf_counter() - started
            if code != 0:
                raise RuntimeError(f"replay exited {code}")
            rates.append(count / elapsed)
    return {
        "replay_scenario": scenario,
        "replay_events": count,
        "replay_events_per_s": round(statistics.median(rates)),
        "replay_runs_events_per_s": [round(r) for r in rates],
    }


if __name__ == "__main__":
    import orjson

    print(orjson.dumps(run()).decode())
