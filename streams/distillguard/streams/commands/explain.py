"""`distillguard explain`: explain an account's current risk, reasons and decisions."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "explain an account's current risk, reasons and decisions"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
