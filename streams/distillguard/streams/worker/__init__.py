"""The streaming worker: a transactional ingest process feeding a Faust app with fat slices."""

from __future__ import annotations
