"""The ``distillguard`` command line: one subcommand per module in ``…streams.commands``.

Every command exits 0 on success, prints a one-line ``distillguard: error: …`` and exits
non-zero on bad input, and never shows a traceback for an expected error. Only the module of
the command being run is imported, so ``distillguard enforcer`` does not pay for the
simulator's or the report's imports.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol, cast

from distillguard.models.errors import DistillguardError, NotAvailableError

#: Subcommands in the order ``--help`` lists them, with their one-line help (each module's
#: ``HELP``; a unit test keeps the two equal).
COMMANDS = {
    "demo": "end-to-end demo: local Kafka, worker, enforcer, simulated attacks, live view, report",
    "worker": "run the streaming detection worker (all detection agents)",
    "enforcer": "run the edge sidecar: decision cache and HTTP check endpoint",
    "simulate": "generate synthetic API traffic (legitimate personas and attack campaigns) "
    "to files or Kafka",
    "replay": "offline backtest: run detection in event time over an events file, write decisions",
    "backtest": "replay the simulator's scenario suite across seeds and check detection targets",
    "evaluate": "detection metrics and an HTML report from truth and decisions",
    "config": "validate, publish, show, diff and trace operator configuration (the config topic)",
    "explain": "explain an account's current risk, reasons, decision and labels",
    "intel": "export and import STIX 2.1 intelligence bundles",
    "topics": "create the Kafka topics distillguard needs (idempotent) and check existing ones",
}


class Command(Protocol):
    """What a command module provides."""

    HELP: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def command_module(name: str) -> Command:
    return cast(Command, importlib.import_module(f"distillguard.streams.commands.{name}"))


def _version() -> str:
    try:
        return version("distillguard")
    except PackageNotFoundError:
        return "unknown"


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; only the command named in ``argv`` (if any) is imported and configured."""
    parser = argparse.ArgumentParser(
        prog="distillguard",
        description=(
            "Detect and stop adversarial distillation of an AI model API: "
            "Kafka-native detection, graduated enforcement, offline backtests."
        ),
    )
    parser.add_argument("--version", action="version", version=f"distillguard {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, help_text in COMMANDS.items():
        if name == chosen:
            module = command_module(name)
            child = sub.add_parser(name, help=module.HELP, description=module.HELP)
            module.configure(child)
            child.set_defaults(_run=module.run)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(arguments).parse_args(arguments)
    try:
        code: int = args._run(args)
    except NotAvailableError as exc:
        print(f"distillguard: {args.command}: not available yet: {exc}", file=sys.stderr)
        return 3
    except (DistillguardError, OSError) as exc:
        print(f"distillguard: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("distillguard: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
