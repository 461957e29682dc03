"""Detectors: signature rules as data, River anomaly and label models, evidence fusion."""

from __future__ import annotations

from distillguard.models.detectors.evidence import Assessment, Evidence, EvidenceSource, fuse

__all__ = ["Assessment", "Evidence", "EvidenceSource", "fuse"]
