"""`distillguard backtest`: the simulator's scenario suite, replayed and checked against targets.

For each scenario and seed: simulate to files, run ``distillguard replay`` on them (the same
engine the worker runs), evaluate, and compare every attack persona with its target
(:mod:`distillguard.models.evaluation.suite`). Exits 1 when a target is missed, so a config
change can be checked before it is published.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from distillguard.models.errors import UsageError
from distillguard.models.evaluation import evaluate
from distillguard.models.evaluation.suite import RunCheck, check_run, failures
from distillguard.models.sim import list_scenarios, load_scenario
from distillguard.models.sim.generator import write_files
from distillguard.models.sim.withhold import parse_withheld

HELP = "replay the simulator's scenario suite across seeds and check detection targets"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Simulate each scenario (at its own seed and any extra ones), replay it through the "
        "detection engine, evaluate, and check every attack persona against its target: recall "
        ">= 95%% and < 20%% of its output tokens served before enforcement (failover fleets also "
        "a median time to enforce within 10 minutes), and no legitimate account enforced "
        "against. Exit status 1 when a target is missed."
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(list_scenarios()),
        metavar="A,B",
        help="bundled scenario names or scenario files (default: all bundled)",
    )
    parser.add_argument(
        "--seeds", default="", metavar="N,M", help="seeds to run (default: each scenario's own)"
    )
    parser.add_argument(
        "--extra-seeds",
        type=int,
        default=0,
        metavar="K",
        help="also run K more seeds per scenario (its seed + 1 … + K)",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="detection config to replay")
    parser.add_argument("--no-linking", action="store_true", help="per-account detection only")
    parser.add_argument(
        "--without",
        metavar="FIELD[:SHARE][,…]",
        help="leave these optional event fields out of the simulated traffic, as gateways "
        "that do not send them (e.g. account, prompt, org_id); FIELD:SHARE leaves it out of "
        "that share of the events only (a rollout: prompt:0.5)",
    )
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="parallel backtests")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep events and decisions here")
    parser.add_argument("--json", type=Path, metavar="OUT.json", help="every row as JSON")


@dataclass(frozen=True, slots=True)
class _Job:
    scenario: str
    seed: int | None
    config: Path | None
    linking: bool
    workdir: Path
    without: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Done:
    check: RunCheck
    events: int
    replay_seconds: float


def _run_one(job: _Job) -> _Done:
    from distillguard.cli import main

    scenario = load_scenario(job.scenario)
    if job.seed is not None:
        scenario = scenario.with_seed(job.seed)
    out = job.workdir / f"{scenario.name}-{scenario.seed}"
    summary = write_files(scenario, out, without=job.without)
    argv = ["replay", str(out / "events.jsonl"), "--out", str(out / "decisions.jsonl")]
    if job.config is not None:
        argv += ["--config", str(job.config)]
    if not job.linking:
        argv.append("--no-linking")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        started = time.perf_counter()
        code = main(argv)
        elapsed = time.perf_counter() - started
    if code != 0:
        raise UsageError(f"replay of {scenario.name} failed: {err.getvalue().strip()}")
    result = evaluate(out / "truth.jsonl", out / "decisions.jsonl", out / "events.jsonl")
    return _Done(
        check_run(scenario.name, scenario.seed, result),
        int(summary["counts"]["events"]),
        elapsed,
    )


def _jobs(args: argparse.Namespace, workdir: Path) -> list[_Job]:
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        raise UsageError(f"--seeds must be comma-separated integers, got {args.seeds!r}") from None
    if args.extra_seeds < 0 or args.jobs < 1:
        raise UsageError("--extra-seeds must be >= 0 and --jobs >= 1")
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"config file not found: {args.config}")
    without = parse_withheld(args.without) if args.without is not None else ()
    jobs = []
    for name in names:
        base = load_scenario(name).seed  # also rejects unknown names early
        wanted: list[int | None] = [*seeds] if seeds else [None]
        wanted += [base + k for k in range(1, args.extra_seeds + 1)]
        jobs += [
            _Job(name, seed, args.config, not args.no_linking, workdir, without) for seed in wanted
        ]
    return jobs


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _table(done: list[_Done]) -> Table:
    table = Table(title="attack personas against their targets (enforced decisions)")
    columns = ("scenario", "seed", "persona", "accounts", "recall", "leak", "tte p50")
    for column in (*columns, "late joiners", ""):
        table.add_column(column, justify="left" if column in ("scenario", "persona") else "right")
    for item in done:
        run = item.check
        for row in run.rows:
            tte = row.time_to_enforce_p50
            tte_text = "–" if tte is None else f"{tte / 60:.1f} min"
            verdict = "ok" if row.ok else ("[red]MISS[/red]" if row.targeted else "")
            late = row.late_time_to_enforce_p50
            late_text = (
                f"{row.late_enforced}/{row.late_joiners}, "
                + ("–" if late is None else f"{late / 60:.1f} min")
                if row.late_joiners
                else ""
            )
            table.add_row(
                run.scenario,
                str(run.seed),
                row.persona,
                f"{row.enforced}/{row.accounts}",
                _pct(row.recall),
                _pct(row.leak_share),
                tte_text,
                late_text,
                verdict,
            )
        legit = f"{run.legit_enforced}/{run.legit_accounts}"
        mark = "ok" if run.legit_enforced == 0 else "[red]MISS[/red]"
        table.add_row(
            run.scenario,
            str(run.seed),
            "[dim]legitimate enforced[/dim]",
            legit,
            "",
            "",
            "",
            "",
            mark,
        )
    return table


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="distillguard-backtest-") as tmp:
        workdir = args.keep if args.keep is not None else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        jobs = _jobs(args, workdir)
        console = Console(stderr=True)
        console.print(f"distillguard backtest: {len(jobs)} runs, {args.jobs} at a time")
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(jobs))) as pool:
            done = list(pool.map(_run_one, jobs))
    Console(width=None if sys.stdout.isatty() else 120).print(_table(done))
    events = sum(item.events for item in done)
    seconds = sum(item.replay_seconds for item in done)
    missed = failures(item.check for item in done)
    rate = events / max(seconds, 1e-9)
    print(f"replayed {events:,} events in {seconds:.1f} s ({rate:,.0f} events/s)")
    for line in missed:
        print(f"MISSED {line}")
    print("all targets met" if not missed else f"{len(missed)} targets missed")
    if args.json is not None:
        rows = [row for item in done for row in item.check.rows]
        runs = [
            {
                "scenario": d.check.scenario,
                "seed": d.check.seed,
                "legit_accounts": d.check.legit_accounts,
                "legit_enforced": d.check.legit_enforced,
                "events": d.events,
                "replay_seconds": round(d.replay_seconds, 3),
            }
            for d in done
        ]
        payload = {"runs": runs, "rows": rows, "missed": missed}
        args.json.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    return 0 if not missed else 1
