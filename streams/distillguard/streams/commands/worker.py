"""`distillguard worker`: run the streaming detection worker (all detection agents)."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "run the streaming detection worker (all detection agents)"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
