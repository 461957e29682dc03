"""Offline backtest throughput: ``distillguard replay`` over a simulated scenario, events/s,
and the seconds its feature pipeline spends per stage (decode, fold, merge, features).

Throughput is measured after the process's one-time start-up (imports, schema and rule
compilation, ~1 s), which is reported on its own (``replay_startup_s``): a replay of a
day of traffic pays it once."""

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


def _replay(events: Path, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one in-process ``distillguard replay``."""
    from distillguard.cli import main

    with contextlib.redirect_stderr(io.StringIO()):
        started, cpu_started = time.perf_counter(), time.process_time()
        code = main(["replay", str(events), "--out", str(out)])
        elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
    if code != 0:
        raise RuntimeError(f"replay exited {code}")
    return elapsed, cpu_used


def _startup(events: Path, out_dir: Path) -> float:
    """Seconds of a first replay of the file's first event: the process's one-time start-up
    (imports, schema and rule compilation), which the throughput runs then do not pay."""
    one = out_dir / "first-event.jsonl"
    with events.open("rb") as lines:
        one.write_bytes(next(lines))
    return _replay(one, out_dir / "first-event.out")[0]


def _rates(
    events: Path, count: int, out_dir: Path, repeats: int
) -> tuple[list[float], list[float]]:
    """Events per wall-clock second and per CPU second of ``repeats`` in-process replays."""
    wall, cpu = [], []
    for i in range(repeats):
        elapsed, cpu_used = _replay(events, out_dir / f"decisions-{i}.jsonl")
        wall.append(count / elapsed)
        cpu.append(count / cpu_used)
    return wall, cpu


def run(scenario: str = "demo", repeats: int = 3, also: str = "mixed-6h") -> dict[str, Any]:
    """The headline on ``scenario``; ``also`` (many accounts busy for hours, the costlier
    case per event) reported beside it."""
    with tempfile.TemporaryDirectory() as tmp:
        events, count = scenario_events(scenario, Path(tmp) / scenario)
        startup = _startup(events, Path(tmp))
        wall, cpu = _rates(events, count, Path(tmp), repeats)
        split = stage_seconds(events)
        other, other_count = scenario_events(also, Path(tmp) / also)
        other_wall, other_cpu = _rates(other, other_count, Path(tmp), repeats)
    key = also.replace("-", "_")
    return {
        "replay_scenario": scenario,
        "replay_events": count,
        "replay_events_per_s": round(statistics.median(wall)),
        "replay_cpu_events_per_s": round(statistics.median(cpu)),
        "replay_runs_events_per_s": [round(r) for r in wall],
        "replay_startup_s": round(startup, 3),
        f"replay_{key}_events": other_count,
        f"replay_{key}_events_per_s": round(statistics.median(other_wall)),
        f"replay_{key}_cpu_events_per_s": round(statistics.median(other_cpu)),
        **{f"replay_{name}": value for name, value in split.items()},
    }


def stage_seconds(path: Path) -> dict[str, Any]:
    """Seconds spent in each stage of the per-account feature pipeline over an events
    file: decoding, folding events into slices, merging slices into states and computing
    features, in the engine's ticks. Features are read for every account active in a
    tick, so that stage is an upper bound on what ``replay`` scores."""
    from distillguard.models.codec import Event, decode_event
    from distillguard.models.config import DetectionConfig
    from distillguard.models.features import AccountState, fold_events

    config = DetectionConfig()
    seconds = dict.fromkeys(("decode", "fold", "merge", "features"), 0.0)
    clock = time.perf_counter
    started = clock()
    with path.open("rb") as lines:
        events = [decode_event(line) for line in lines if line.strip()]
    seconds["decode"] = clock() - started
    states: dict[str, AccountState] = {}
    reads = 0

    def tick(batch: list[Event], now: float) -> None:
        nonlocal reads
        t0 = clock()
        slices = fold_events(batch)
        t1 = clock()
        for account_id in sorted(slices):
            state = states.get(account_id)
            if state is None:
                state = states[account_id] = AccountState(account_id)
            state.merge(slices[account_id], late_seconds=config.late_seconds)
        t2 = clock()
        for account_id in slices:
            states[account_id].features(now)
        t3 = clock()
        reads += len(slices)
        seconds["fold"] += t1 - t0
        seconds["merge"] += t2 - t1
        seconds["features"] += t3 - t2

    step = config.tick_seconds
    batch: list[Event] = []
    next_tick = (events[0].ts // step + 1) * step if events else 0.0
    for event in events:
        while event.ts >= next_tick:
            tick(batch, next_tick)
            batch = []
            next_tick += step
        batch.append(event)
    if batch:
        tick(batch, next_tick)
    return {
        "stages_feature_reads": reads,
        **{f"stages_{name}_s": round(value, 3) for name, value in seconds.items()},
    }


if __name__ == "__main__":
    import orjson

    print(orjson.dumps(run()).decode())
