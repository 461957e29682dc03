"""Kafka, Faust and HTTP wiring around :mod:`distillguard.models`."""

from __future__ import annotations
