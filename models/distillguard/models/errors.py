"""One root exception for distillguard, and small subclasses that carry context."""

from __future__ import annotations


class DistillguardError(Exception):
    """Root of every error distillguard raises on purpose.

    The command line prints ``str(error)`` as a one-line message and exits non-zero.
    """


class DecodeError(DistillguardError):
    """A record that is not a contract-valid event.

    ``reason`` is a stable machine code (see ``schemas/deadletter.v1.schema.json``),
    ``field`` the offending field as a dotted path when one is known.
    """

    def __init__(self, reason: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.field = field


class SchemaNotFoundError(DistillguardError):
    """The JSON Schema files could not be located."""


class UsageError(DistillguardError):
    """Bad input on the command line or in a file named on it."""


class NotAvailableError(DistillguardError):
    """A command that is part of the interface but not shipped in this version."""


class ConfigError(UsageError):
    """Detection config or signature rules that fail validation; the message names the field."""


class ConfigRejected(ConfigError):
    """A config-topic record that must not apply; ``field`` is a dotted path in the record."""

    def __init__(self, key: str, reason: str, field: str | None = None) -> None:
        where = f"{field}: " if field else ""
        super().__init__(f"{key}: {where}{reason}")
        self.key = key
        self.reason = reason
        self.field = field
