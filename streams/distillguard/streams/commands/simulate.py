"""`distillguard simulate`: synthetic API traffic (legitimate personas, attack campaigns).

Writes events, truth and a summary to files, or streams the events live into Kafka.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from distillguard.models.errors import UsageError
from distillguard.models.sim import Simulation, list_scenarios, load_scenario
from distillguard.models.sim.generator import write_jsonl
from distillguard.models.sim.withhold import parse_withheld, withhold
from distillguard.streams.settings import (
    BOOTSTRAP_ENV,
    DEFAULT_BOOTSTRAP,
    add_kafka_arguments,
    default_bootstrap,
)

HELP = "generate synthetic API traffic (legitimate personas and attack campaigns) to files or Kafka"

EPILOG = """\
examples:
  distillguard simulate --list
  distillguard simulate demo --out /tmp/demo            # events.jsonl, truth.jsonl, scenario.json
  distillguard simulate mixed-6h --seed 7 --scale 0.5 --out /tmp/m
  distillguard simulate demo --bootstrap-servers 127.0.0.1:9092 --speedup 60 --out /tmp/demo
  distillguard simulate hard-legit --without account,org_id --out /tmp/hl-no-billing

Truth (which accounts attack) is written only to truth.jsonl, never into the events.
"""


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return number


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "scenario",
        nargs="?",
        default="demo",
        metavar="SCENARIO",
        help="a bundled scenario (see --list) or a path to a scenario YAML file (default demo)",
    )
    parser.add_argument("--list", action="store_true", help="list the bundled scenarios and exit")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (file mode default: ./sim-out/SCENARIO)",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    parser.add_argument(
        "--scale",
        type=_positive,
        default=1.0,
        metavar="F",
        help="multiply every account's request rate by F (default 1)",
    )
    parser.add_argument(
        "--without",
        metavar="FIELD[:SHARE][,…]",
        help="leave these optional event fields out, as gateways that do not send them "
        "(e.g. account, prompt, org_id, account.payment_fingerprint, prompt.template); "
        "FIELD:SHARE leaves it out of that share of the events only (a rollout: prompt:0.5)",
    )
    live = parser.add_argument_group("live mode (stream into Kafka)")
    live.add_argument(
        "--live", action="store_true", help="stream into Kafka (implied by --bootstrap-servers)"
    )
    add_kafka_arguments(parser, "events")
    parser.set_defaults(bootstrap_servers=None)
    for action in parser._actions:
        if action.dest == "bootstrap_servers":
            action.help = (
                "stream into Kafka at these servers (with --live alone: env "
                f"{BOOTSTRAP_ENV}, else {DEFAULT_BOOTSTRAP})"
            )
    live.add_argument("--rate", type=_positive, metavar="N", help="at most N events per second")
    live.add_argument(
        "--speedup",
        type=_positive,
        metavar="F",
        help="compress event time F-fold (wall time = event time / F); "
        "default: as fast as --rate allows",
    )
    live.add_argument(
        "--keep-time",
        action="store_true",
        help="keep the scenario's timestamps instead of shifting them to start now",
    )
    live.add_argument(
        "--partitions",
        type=int,
        default=4,
        metavar="N",
        help="partitions when the events topic is created (default 4)",
    )


def _list() -> int:
    for name in list_scenarios():
        sc = load_scenario(name)
        accounts = sum(p.count for p in sc.populations)
        hours = sc.duration / 3600
        print(
            f"{name:<14} {hours:>5.1f} h  {accounts:>5} accounts  seed {sc.seed:<10} "
            f"{' '.join(sc.description.split())[:70]}"
        )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        if args.seed < 0:
            raise UsageError(f"--seed must be >= 0, got {args.seed}")
        scenario = scenario.with_seed(args.seed)
    if args.partitions < 1:
        raise UsageError(f"--partitions must be >= 1, got {args.partitions}")
    args.without = parse_withheld(args.without) if args.without is not None else ()
    sim = Simulation(scenario, scale=args.scale)
    err = Console(stderr=True)
    if args.live or args.bootstrap_servers:
        return _live(args, sim, err)
    out: Path = args.out or Path("sim-out") / scenario.name
    out.mkdir(parents=True, exist_ok=True)
    with _progress(err) as progress:
        bar = progress.add_task(f"{scenario.name} → {out}", total=sim.size)
        written = write_jsonl(out / "events.jsonl", _counting(sim, progress, bar, args.without))
    write_jsonl(out / "truth.jsonl", sim.truth())
    summary = sim.summary()
    if args.without:
        summary["without"] = list(args.without)
    (out / "scenario.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    counts = summary["counts"]
    print(
        f"wrote {written} events, {counts['accounts']} accounts "
        f"({counts['attack_accounts']} attacking) to {out}"
    )
    return 0


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    )


def _counting(
    sim: Simulation, progress: Progress, bar: TaskID, without: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    for i, event in enumerate(withhold(sim.events(), without), 1):
        if i % 5000 == 0:
            progress.update(bar, completed=i)
        yield event
    progress.update(bar, completed=sim.size)


def _live(args: argparse.Namespace, sim: Simulation, err: Console) -> int:
    from distillguard.streams.simulate_kafka import stream_to_kafka

    bootstrap = args.bootstrap_servers or default_bootstrap()
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        write_jsonl(args.out / "truth.jsonl", sim.truth())
        (args.out / "scenario.json").write_bytes(
            orjson.dumps(sim.summary(), option=orjson.OPT_INDENT_2)
        )
    with _progress(err) as progress:
        bar = progress.add_task(f"{sim.scenario.name} → {args.events_topic}", total=sim.size)
        counts = stream_to_kafka(
            withhold(sim.events(), args.without),
            bootstrap=bootstrap,
            topic=args.events_topic,
            scenario_start=sim.scenario.start_ts,
            rate=args.rate,
            speedup=args.speedup,
            keep_time=args.keep_time,
            partitions=args.partitions,
            on_progress=lambda n: progress.update(bar, completed=n),
        )
    print(orjson.dumps({"topic": args.events_topic, **counts.as_dict()}).decode(), file=sys.stdout)
    return 0
