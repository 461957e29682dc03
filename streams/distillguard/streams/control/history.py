"""What the ``config`` command shows: current records in file form, diffs and history."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import Any

import orjson
import yaml

from distillguard.models.control import ControlState
from distillguard.models.errors import ConfigRejected
from distillguard.streams.control.topic import Record


def replay_topic(records: list[Record], state: ControlState) -> tuple[ControlState, list[str]]:
    """Apply the config topic's records in order as a worker does; also the rejections."""
    rejected: list[str] = []
    for record in records:
        try:
            state = state.apply(record.key, record.value)
        except ConfigRejected as exc:
            rejected.append(f"offset {record.offset}: {exc}")
    return state, rejected


def as_file(records: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Config records back into the file form ``config validate/publish`` reads."""
    out: dict[str, Any] = {}
    for key in sorted(records):
        spec = copy.deepcopy(dict(records[key]["spec"]))
        kind, _, name = key.partition(":")
        if kind == "policy":
            out["policy"] = spec
        elif kind == "detector":
            out.setdefault("detectors", {})[name] = spec
        elif kind == "rule":
            out.setdefault("rules", []).append(spec)
        elif kind == "allow":
            out.setdefault("allowlist", []).append({"id": name, **spec})
        elif kind == "shadow":
            out["shadow"] = spec
    return out


def dump_yaml(data: Any, sort_keys: bool = False) -> str:
    return yaml.safe_dump(data, sort_keys=sort_keys, default_flow_style=False, allow_unicode=True)


def diff_records(
    current: Mapping[str, Mapping[str, Any]], wanted: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str, list[str]]]:
    """``(key, change, unified diff lines)``; change is added, changed, unchanged or only-on-topic.

    Only ``spec`` and ``enabled`` count: who published and when does not make a change.
    """
    out: list[tuple[str, str, list[str]]] = []
    for key in sorted(set(current) | set(wanted)):
        old, new = current.get(key), wanted.get(key)
        if new is None:
            out.append((key, "only-on-topic", []))
            continue
        new_text = dump_yaml(_essence(new), sort_keys=True).splitlines()
        if old is None:
            out.append((key, "added", [f"+{line}" for line in new_text]))
            continue
        old_text = dump_yaml(_essence(old), sort_keys=True).splitlines()
        if old_text == new_text:
            out.append((key, "unchanged", []))
            continue
        lines = list(difflib.unified_diff(old_text, new_text, "topic", "file", lineterm="", n=2))
        out.append((key, "changed", lines[2:]))
    return out


def _essence(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {"spec": record["spec"]}
    if "enabled" in record:
        out["enabled"] = record["enabled"]
    return out


def decode_value(value: bytes | None) -> Any:
    if value is None:
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
