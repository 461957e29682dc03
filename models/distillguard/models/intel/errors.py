"""Why a bundle was refused: one line, safe to print, nothing changed."""

from __future__ import annotations

from distillguard.models.errors import UsageError


class BundleRejected(UsageError):
    """A partner bundle that fails validation; the message is the one-line reason."""
