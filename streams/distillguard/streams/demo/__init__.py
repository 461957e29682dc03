"""The end-to-end demo: real Kafka, the real worker and enforcer, simulated traffic, a report."""

from __future__ import annotations
