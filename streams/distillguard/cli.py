"""The ``distillguard`` command line: one subcommand per module in ``…streams.commands``.

Every command exits 0 on success, prints a one-line ``distillguard: error: …`` and exits
non-zero on bad input, and never shows a traceback for an expected error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol, cast

from distillguard.models.errors import DistillguardError, NotAvailableError

#: Subcommands in the order ``--help`` lists them; each is ``distillguard.streams.commands.<name>``.
COMMANDS = (
    "demo",
    "worker",
    "enforcer",
    "simulate",
    "replay",
    "evaluate",
    "config",
    "explain",
    "intel",
)


class Command(Protocol):
    """What a command module provides."""

    HELP: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _version() -> str:
    try:
        return version("distillguard")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="distillguard",
        description=(
            "Detect and stop adversarial distillation of an AI model API: "
            "Kafka-native detection, graduated enforcement, offline backtests."
        ),
    )
    parser.add_argument("--version", action="version", version=f"distillguard {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = cast(Command, importlib.import_module(f"distillguard.streams.commands.{name}"))
        child = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(child)
        child.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
