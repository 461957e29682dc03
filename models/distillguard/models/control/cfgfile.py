"""Operator config files (YAML or JSON) ↔ config-topic records.

A file has up to five sections; each item becomes one record of the compacted topic::

    policy:      {thresholds: {...}, hysteresis: 0.1, ttl: {...}, ...}   → key policy
    detectors:   {anomaly: {...}, supervised: {...}}                    → detector:<name>
    rules:       [{id: ..., when: [...], ...}, ...]                     → rule:<id>
    allowlist:   [{id: ci, account_id: ..., expires_at: ..., reason: ...}] → allow:<id>
                 (or org_id: ... instead of account_id: every account of the organisation)
    shadow:      {global: false, detectors: {...}, rules: {...}}        → shadow

Errors name the field *in the file*, e.g. ``rules[1].when[0].feature: unknown feature``.

>>> records = file_records({"policy": {"thresholds": {"suspend": 0.9}},
...     "allowlist": [{"id": "ci", "account_id": "acct_ci", "expires_at": 2e9, "reason": "CI"}]})
>>> sorted(records)
['allow:ci', 'policy']
>>> file_records({"polcy": {}}, "ops.yaml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
distillguard.models.errors.ConfigError: ops.yaml: polcy: unknown section (known: policy, ...)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from distillguard.models.config import DetectionConfig
from distillguard.models.control.records import ConfigItem, decode_config_record, encode_item
from distillguard.models.control.state import ControlState
from distillguard.models.errors import ConfigError, ConfigRejected

SECTIONS: Final = ("policy", "detectors", "rules", "allowlist", "shadow")


def _expect(value: Any, kind: type, where: str, source: str) -> None:
    if not isinstance(value, kind):
        want = "a mapping" if kind is dict else "a list"
        raise ConfigError(f"{source}: {where}: must be {want}, not {type(value).__name__}")


def _epoch(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if isinstance(value, str):  # YAML 1.1 reads 2e9 as a string
        try:
            return float(value)
        except ValueError:
            return value
    return value


def file_items(
    data: Any, source: str = "config", **envelope: Any
) -> list[tuple[str, str, dict[str, Any]]]:
    """``(key, where-in-file, record)`` for every item of a parsed config file."""
    if data is None:
        data = {}
    _expect(data, dict, "top level", source)
    for name in data:
        if name not in SECTIONS:
            raise ConfigError(f"{source}: {name}: unknown section (known: {', '.join(SECTIONS)})")
    out: list[tuple[str, str, dict[str, Any]]] = []
    if "policy" in data:
        _expect(data["policy"], dict, "policy", source)
        out.append(("policy", "policy", encode_item("policy", data["policy"], **envelope)))
    for name, spec in _mapping(data, "detectors", source).items():
        _expect(spec, dict, f"detectors.{name}", source)
        out.append(
            (f"detector:{name}", f"detectors.{name}", encode_item("detector", spec, **envelope))
        )
    for i, rule in enumerate(_list(data, "rules", source)):
        _expect(rule, dict, f"rules[{i}]", source)
        out.append(
            (f"rule:{rule.get('id', '')}", f"rules[{i}]", encode_item("rule", rule, **envelope))
        )
    for i, entry in enumerate(_list(data, "allowlist", source)):
        _expect(entry, dict, f"allowlist[{i}]", source)
        spec = {k: _epoch(v) if k == "expires_at" else v for k, v in entry.items() if k != "id"}
        if "id" not in entry:
            raise ConfigError(f"{source}: allowlist[{i}]: missing required field 'id'")
        out.append(
            (f"allow:{entry['id']}", f"allowlist[{i}]", encode_item("allow", spec, **envelope))
        )
    if "shadow" in data:
        _expect(data["shadow"], dict, "shadow", source)
        out.append(("shadow", "shadow", encode_item("shadow", data["shadow"], **envelope)))
    seen: set[str] = set()
    for key, where, _ in out:
        if key in seen:
            raise ConfigError(f"{source}: {where}: duplicate key {key!r}")
        seen.add(key)
    return out


def _mapping(data: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    value = data.get(name) or {}
    _expect(value, dict, name, source)
    return value


def _list(data: Mapping[str, Any], name: str, source: str) -> list[Any]:
    value = data.get(name) or []
    _expect(value, list, name, source)
    return value


def _in_file(where: str, error: ConfigRejected) -> str:
    field = error.field or ""
    if field == "key":
        return f"{where}.id" if where.startswith(("rules[", "allowlist[")) else where
    if field.startswith("spec"):
        rest = field.removeprefix("spec")
        return f"{where}{rest}" if rest.startswith(("[", ".")) or not rest else f"{where}.{rest}"
    return f"{where}.{field}" if field else where


def file_records(data: Any, source: str = "config", **envelope: Any) -> dict[str, dict[str, Any]]:
    """Validate every item of a parsed file on its own; the records by key."""
    records: dict[str, dict[str, Any]] = {}
    for key, where, record in file_items(data, source, **envelope):
        try:
            decode_config_record(key, record)
        except ConfigRejected as exc:
            raise ConfigError(f"{source}: {_in_file(where, exc)}: {exc.reason}") from None
        records[key] = record
    return records


def validate_file(
    data: Any,
    source: str = "config",
    base: DetectionConfig | None = None,
    current: ControlState | None = None,
    **envelope: Any,
) -> tuple[dict[str, dict[str, Any]], ControlState]:
    """Validate a file as it would apply on top of ``current`` (or of ``base`` alone)."""
    state = current or ControlState.initial(base or DetectionConfig())
    records = file_records(data, source, **envelope)
    wheres = {key: where for key, where, _ in file_items(data, source, **envelope)}
    items: dict[str, ConfigItem] = dict(state.items)
    for key, record in records.items():
        item = decode_config_record(key, record)
        assert item is not None
        items[key] = item
    for key in records:
        try:
            state = state.with_items(items, blame=items[key], key=key)
        except ConfigRejected as exc:
            if exc.field and (exc.field.startswith("spec") or exc.field == "key"):
                where = _in_file(wheres[key], exc)
                raise ConfigError(f"{source}: {where}: {exc.reason}") from None
            continue  # the problem is not in this item; another key will own it
        return records, state
    if not records:
        return records, state.with_items(items)
    # no item owned the problem: report it against the whole file
    try:
        return records, state.with_items(items)
    except ConfigRejected as exc:
        raise ConfigError(f"{source}: {exc.field or 'config'}: {exc.reason}") from None


def read_file(path: Path) -> Any:
    """Parse a YAML or JSON file; one-line errors with the line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not YAML/JSON{at}: {problem}") from None
