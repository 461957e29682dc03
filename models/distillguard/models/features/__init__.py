"""Per-account windowed features: fold events into slices, merge slices into state.

The worker's first stage calls :func:`fold_events` on a short interval of raw events and
publishes the slices (``AccountSlice.to_dict``); the stateful stage merges them into the
account's :class:`AccountState` and reads :meth:`AccountState.features`. ``replay`` runs
the very same functions in one process.
"""

from __future__ import annotations

from distillguard.models.features.slices import AccountSlice, fold_events
from distillguard.models.features.state import AccountState

__all__ = ["AccountSlice", "AccountState", "fold_events"]
