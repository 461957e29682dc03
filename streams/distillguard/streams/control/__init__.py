"""Operator control on Kafka: the config topic applier, status/audit writer, labels handler."""

from __future__ import annotations
