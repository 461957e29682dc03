"""The config in force: a base :class:`DetectionConfig` plus the items of the config topic.

:class:`ControlState` is immutable. ``apply(key, value)`` returns a new state or raises
:class:`~distillguard.models.errors.ConfigRejected` and leaves the old one as it
was, so a worker swaps states atomically and a bad record never half-applies. The composed
config is validated as a whole (every pydantic check of ``DetectionConfig``) and then by the
semantic checks that need several items at once.

``version`` is the base's ``config_version`` with a content hash of the composed config, so
every worker that read the same records reports the same version, whatever the order of
restarts.

>>> state = ControlState.initial(DetectionConfig())
>>> state.version
'default'
>>> new = state.apply("policy", b'{"schema_version": 1, "kind": "policy",'
...     b' "spec": {"thresholds": {"suspend": 0.9}}}')
>>> new.config.policy.thresholds.suspend, new.version.startswith("default+"), len(state.items)
(0.9, True, 0)
>>> new.apply("policy", b'{"schema_version": 1, "kind": "policy",'  # doctest: +ELLIPSIS
...     b' "spec": {"thresholds": {"degrade": 0.95}}}')
Traceback (most recent call last):
...
distillguard.models.errors.ConfigRejected: policy: spec.thresholds: thresholds must strictly ...
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import orjson
from pydantic import ValidationError

from distillguard.models.config import DetectionConfig
from distillguard.models.control.records import (
    DETECTORS,
    ConfigItem,
    decode_config_record,
)
from distillguard.models.errors import ConfigRejected

_EMPTY: Mapping[str, ConfigItem] = MappingProxyType({})


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        held = out.get(key)
        if isinstance(value, Mapping) and isinstance(held, dict):
            out[key] = _deep_merge(held, value)
        else:
            out[key] = value
    return out


def compose(base: DetectionConfig, items: Mapping[str, ConfigItem]) -> dict[str, Any]:
    """The effective config as plain data (not yet validated)."""
    data = base.model_dump(mode="json")
    rules = {r.id: r.model_dump(mode="json") for r in base.signature_rules()}
    allow: list[dict[str, Any]] = list(data["policy"].pop("allowlist"))
    shadow: Mapping[str, Any] = {}
    for key in sorted(items):
        item = items[key]
        if item.kind == "policy":
            spec = dict(item.spec)
            if "min_requests_1h" in spec:
                data["min_requests_1h"] = spec.pop("min_requests_1h")
            data["policy"] = _deep_merge(data["policy"], spec)
        elif item.kind == "detector":
            data[item.name] = _deep_merge(data[item.name], item.spec)
        elif item.kind == "rule":
            if item.enabled:
                rules[item.name] = dict(item.spec)
            else:
                rules.pop(item.name, None)
        elif item.kind == "allow":
            allow.append(dict(item.spec))
        elif item.kind == "shadow":
            shadow = item.spec
    if "global" in shadow:
        data["shadow"] = bool(shadow["global"])
    detectors = shadow.get("detectors", {})
    for name in DETECTORS:
        if name in detectors:
            data[name]["shadow"] = bool(detectors[name])
    for rule_id, rule in rules.items():
        if "rules" in detectors:
            rule["shadow"] = bool(detectors["rules"])
        if rule_id in shadow.get("rules", {}):
            rule["shadow"] = bool(shadow["rules"][rule_id])
    data["rules"] = list(rules.values())
    data["policy"]["allowlist"] = sorted(
        allow, key=lambda e: (e.get("account_id") or "", e.get("org_id") or "", e["expires_at"])
    )
    return data


def _where_in_item(item: ConfigItem | None, loc: tuple[int | str, ...]) -> str | None:
    """Map a location in the composed config back to a field of the offending record."""
    parts = [str(p) for p in loc]
    if item is None or not parts:
        return ".".join(parts) or None
    if item.kind == "policy" and parts[0] == "policy":
        parts = ["spec", *parts[1:]]
    elif item.kind == "detector" and parts[0] == item.name:
        parts = ["spec", *parts[1:]]
    elif item.kind == "rule" and parts[0] == "rules":
        parts = ["spec", *parts[2:]]
    elif item.kind == "allow" and parts[:2] == ["policy", "allowlist"]:
        parts = ["spec", *parts[3:]]
    return ".".join(parts)


def semantic_problems(config: DetectionConfig, shadow: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Checks across sections that field validation cannot make: ``(field, message)``."""
    problems: list[tuple[str, str]] = []
    p = config.policy
    if p.hysteresis <= 0.0:
        problems.append(
            ("policy.hysteresis", "hysteresis must be > 0 (every exit below its enter threshold)")
        )
    elif p.hysteresis >= p.thresholds.monitor:
        problems.append(
            (
                "policy.hysteresis",
                f"hysteresis {p.hysteresis} must be below the monitor threshold "
                f"{p.thresholds.monitor} (else a decision can never step down and lift)",
            )
        )
    if p.max_escalation < p.escalation_factor:
        problems.append(("policy.max_escalation", "max_escalation must be >= escalation_factor"))
    known = {r.id for r in config.signature_rules()}
    for rule_id in shadow.get("rules", {}):
        if rule_id not in known:
            problems.append((f"shadow.rules.{rule_id}", f"unknown rule {rule_id!r}"))
    return problems


def _version(base: DetectionConfig, config: DetectionConfig, items: Mapping[str, Any]) -> str:
    if not items:
        return base.config_version
    raw = orjson.dumps(config.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return f"{base.config_version}+{hashlib.sha256(raw).hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class ControlState:
    """An applied, validated, versioned configuration."""

    base: DetectionConfig
    config: DetectionConfig
    version: str
    items: Mapping[str, ConfigItem] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def initial(cls, base: DetectionConfig) -> ControlState:
        return cls(base=base, config=base, version=base.config_version)

    def apply(self, key: str, value: bytes | Mapping[str, Any] | None) -> ControlState:
        """The state after one record of the config topic (a tombstone removes the item)."""
        item = decode_config_record(key, value)
        items = dict(self.items)
        if item is None:
            if key not in items:
                return self
            del items[key]
        else:
            items[key] = item
        return self.with_items(items, blame=item, key=key)

    def with_items(
        self, items: Mapping[str, ConfigItem], *, blame: ConfigItem | None = None, key: str = ""
    ) -> ControlState:
        """Compose and validate ``items`` over the base; errors name ``blame``'s fields."""
        key = key or (blame.key if blame else "config")
        if not items:
            return ControlState.initial(self.base)
        data = compose(self.base, items)
        data.pop("config_version", None)
        try:
            config = DetectionConfig.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            msg = first["msg"].removeprefix("Value error, ")
            raise ConfigRejected(key, msg, _where_in_item(blame, tuple(first["loc"]))) from None
        shadow_item = items.get("shadow")
        shadow = shadow_item.spec if shadow_item is not None else {}
        problems = semantic_problems(config, shadow)
        if problems:
            where, msg = problems[0]
            if blame is not None and blame.kind == "policy" and where.startswith("policy."):
                where = "spec." + where.removeprefix("policy.")
            elif blame is not None and blame.kind == "shadow" and where.startswith("shadow."):
                where = "spec." + where.removeprefix("shadow.")
            raise ConfigRejected(key, msg, where)
        version = _version(self.base, config, items)
        config = config.model_copy(update={"config_version": version})
        return ControlState(
            base=self.base, config=config, version=version, items=MappingProxyType(dict(items))
        )

    def records(self) -> dict[str, dict[str, Any]]:
        """The current records by key (what ``config show`` prints)."""
        return {key: dict(item.record) for key, item in sorted(self.items.items())}
