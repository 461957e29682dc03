"""`distillguard simulate`: generate synthetic API traffic (legitimate personas and attack campaigns) to files or Kafka."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "generate synthetic API traffic (legitimate personas and attack campaigns) to files or Kafka"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
