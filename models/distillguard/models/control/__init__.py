"""Operator control, pure: config-topic records → a validated, versioned ``ControlState``;
labels and appeals → a plan of actions; a new config → a running engine."""

from __future__ import annotations

from distillguard.models.control.apply import reconfigure
from distillguard.models.control.labels import (
    Label,
    LabelPlan,
    LabelRejected,
    allow_record,
    decode_label,
    plan_label,
)
from distillguard.models.control.records import (
    DETECTORS,
    ConfigItem,
    decode_config_record,
    encode_item,
    split_key,
)
from distillguard.models.control.state import ControlState, compose

__all__ = [
    "DETECTORS",
    "ConfigItem",
    "ControlState",
    "Label",
    "LabelPlan",
    "LabelRejected",
    "allow_record",
    "compose",
    "decode_config_record",
    "decode_label",
    "encode_item",
    "plan_label",
    "reconfigure",
    "split_key",
]
