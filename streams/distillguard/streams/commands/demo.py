"""`distillguard demo`: run the end-to-end demo: local Kafka, worker, enforcer, simulated attacks, live view, report."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "run the end-to-end demo: local Kafka, worker, enforcer, simulated attacks, live view, report"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
