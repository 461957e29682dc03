"""`distillguard demo`: the end-to-end demo."""

from __future__ import annotations

import argparse
from pathlib import Path

from distillguard.models.errors import UsageError
from distillguard.streams.settings import add_kafka_arguments

HELP = "end-to-end demo: local Kafka, worker, enforcer, simulated attacks, live view, report"

DESCRIPTION = """\
Generate the demo scenario (legitimate heavy personas and attack campaigns), start the
streaming worker and the enforcer against Kafka, stream the traffic through them with a live
view, then evaluate the decisions against the scenario's truth and write an HTML report.
`make demo` starts a local Apache Kafka first."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    add_kafka_arguments(parser)
    parser.add_argument("--scenario", default="demo", help="bundled scenario or YAML path")
    parser.add_argument("--out", type=Path, default=Path("out"), help="output root (default out/)")
    parser.add_argument("--rate", type=float, default=1000.0, help="events/s to produce")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of demo topics")
    parser.add_argument(
        "--drain-seconds", type=float, default=6.0, help="quiet time that ends the run"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="hard stop of the run (default: the traffic's time at --rate, plus 3 minutes); "
        "a run stopped early is evaluated on the events produced so far",
    )


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from distillguard.streams.demo.run import DemoSettings, run_demo

    if args.rate <= 0:
        raise UsageError(f"--rate must be positive, got {args.rate}")
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise UsageError(f"--max-seconds must be positive, got {args.max_seconds}")
    settings = DemoSettings(
        bootstrap=args.bootstrap_servers,
        scenario=args.scenario,
        out=args.out,
        rate=args.rate,
        partitions=args.partitions,
        drain_seconds=args.drain_seconds,
        max_seconds=args.max_seconds,
    )
    return run_demo(settings, Console())
