"""`distillguard config`: validate, publish and show operator configuration."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "validate, publish and show operator configuration"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
