"""`distillguard replay`: offline backtest: run detection in event time over an events file, write decisions."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "offline backtest: run detection in event time over an events file, write decisions"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
