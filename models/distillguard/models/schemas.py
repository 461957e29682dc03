"""Locate and compile the JSON Schemas in ``schemas/`` (draft 2020-12).

The files are the contract; code never restates them. They are found, in order, in
``$DISTILLGUARD_SCHEMA_DIR``, in the source checkout (``<repo>/schemas``) and in the
installed data directory (``<prefix>/share/distillguard/schemas``).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson

from distillguard.models.errors import SchemaNotFoundError

API_EVENT_V1 = "api-event.v1"
DECISION_V1 = "decision.v1"
DECISION_RECORD_V1 = "decision-record.v1"
DEADLETTER_V1 = "deadletter.v1"

Validator = Callable[[Any], Any]


def _candidates() -> list[Path]:
    found = []
    if env := os.environ.get("DISTILLGUARD_SCHEMA_DIR"):
        found.append(Path(env))
    found.append(Path(__file__).resolve().parents[3] / "schemas")
    found.append(Path(sys.prefix) / "share" / "distillguard" / "schemas")
    return found


@functools.cache
def schema_dir() -> Path:
    """The directory that holds ``<name>.schema.json`` files."""
    for candidate in _candidates():
        if (candidate / f"{API_EVENT_V1}.schema.json").is_file():
            return candidate
    tried = ", ".join(str(c) for c in _candidates())
    raise SchemaNotFoundError(
        f"JSON Schemas not found (tried {tried}); set DISTILLGUARD_SCHEMA_DIR"
    )


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (e.g. ``"api-event.v1"``)."""
    path = schema_dir() / f"{name}.schema.json"
    try:
        loaded: dict[str, Any] = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise SchemaNotFoundError(f"no schema named {name!r} in {schema_dir()}") from None
    return loaded


def _resolve_refs(schema: Any) -> Any:
    """Inline ``{"$ref": "<file>.schema.json"}`` references to sibling files."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.endswith(".schema.json") and "#" not in ref:
            inlined = dict(load(ref.removesuffix(".schema.json")))
            inlined.pop("$id", None)
            inlined.pop("$schema", None)
            return _resolve_refs(inlined)
        return {key: _resolve_refs(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_resolve_refs(item) for item in schema]
    return schema


@functools.cache
def validator(name: str) -> Validator:
    """A compiled validator for schema ``name``; raises ``JsonSchemaValueException``."""
    schema = _resolve_refs(load(name))
    compiled: Validator = fastjsonschema.compile(schema, use_formats=True)
    return compiled
