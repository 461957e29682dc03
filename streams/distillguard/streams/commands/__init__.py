"""One module per ``distillguard`` subcommand: ``HELP``, ``configure(parser)``, ``run(args)``."""

from __future__ import annotations
