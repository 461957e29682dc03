"""`distillguard intel`: export and import STIX 2.1 intelligence bundles."""

from __future__ import annotations

import argparse

from distillguard.models.errors import NotAvailableError

HELP = "export and import STIX 2.1 intelligence bundles"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise NotAvailableError("this command ships with a later release of distillguard")
