"""The one place where Kafka bytes become validated records and records become bytes.

>>> event = decode_event(b'{"event_id":"e1","ts":1.5,"account_id":"a","api_key_id":"k",'
...     b'"ip":"203.0.113.9","endpoint":"/v1/messages","model":"m","status":200,'
...     b'"prompt_tokens":10,"completion_tokens":20}')
>>> event["account_id"]
'a'
>>> decode_event(b'{"event_id": "e1"')
Traceback (most recent call last):
...
distillguard.models.errors.DecodeError: not JSON: unexpected end of data: line 1 column 18 (char 17)
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import fastjsonschema
import orjson

from distillguard.models import schemas
from distillguard.models.errors import DecodeError
from distillguard.models.fastcheck import FastCheck, UnsupportedSchemaError, compile_fast_check

#: Events are a few hundred bytes; anything this large is not an API event.
MAX_EVENT_BYTES: Final = 64 * 1024
#: Originals above this are truncated in dead-letter records (the full record stays on
#: the source topic at the recorded offset). Keeps dead-letter records under Kafka's
#: default 1 MB message limit even after base64.
MAX_DEADLETTER_ORIGINAL_BYTES: Final = 256 * 1024

Event = dict[str, Any]

_REQUIRED: Final[tuple[str, ...]] = tuple(schemas.load(schemas.API_EVENT_V1)["required"])
_validate_event = schemas.validator(schemas.API_EVENT_V1)
_validate_decision = schemas.validator(schemas.DECISION_V1)


def _never(_: Event) -> bool:
    return False


def _event_fast_check() -> FastCheck:
    """Proves most events valid in ~3 µs; the rest go to the compiled validator."""
    try:
        return compile_fast_check(schemas.load(schemas.API_EVENT_V1))
    except UnsupportedSchemaError:
        return _never


_proven_valid = _event_fast_check()
#: False when the event schema outgrew :mod:`fastcheck` (every event then takes the slow path).
EVENT_FAST_PATH: Final = _proven_valid is not _never


def _field_of(exc: fastjsonschema.JsonSchemaValueException) -> str | None:
    name = exc.name or ""
    path = name.removeprefix("data").lstrip(".")
    return path or None


def decode_event(value: bytes | None, *, max_bytes: int = MAX_EVENT_BYTES) -> Event:
    """Parse and validate one API event (brief section 3); raise :class:`DecodeError`."""
    if value is None:
        raise DecodeError("not_json", "not JSON: the record has no value (tombstone)")
    if len(value) > max_bytes:
        raise DecodeError("too_large", f"record of {len(value)} bytes exceeds {max_bytes} bytes")
    try:
        event = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError as utf:
            raise DecodeError(
                "invalid_utf8", f"not UTF-8: {utf.reason} at byte {utf.start}"
            ) from None
        raise DecodeError("not_json", f"not JSON: {exc}") from None
    if not isinstance(event, dict):
        raise DecodeError("not_object", f"not a JSON object but a {type(event).__name__}")
    if _proven_valid(event):
        return event
    try:
        _validate_event(event)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _schema_error(event, exc) from None
    return event


def _schema_error(event: Event, exc: fastjsonschema.JsonSchemaValueException) -> DecodeError:
    if exc.rule == "required" and exc.name == "data":
        missing = [name for name in _REQUIRED if name not in event]
        field = missing[0] if missing else None
        return DecodeError("missing_field", f"missing required field {field!r}", field)
    field = _field_of(exc)
    reason = "wrong_type" if exc.rule == "type" else "invalid_value"
    message = exc.message.replace("data.", "", 1) if exc.message else "invalid"
    return DecodeError(reason, f"field {field!r}: {message}", field)


def encode(record: Mapping[str, Any] | None) -> bytes | None:
    """Serialise a record for Kafka; ``None`` stays ``None`` (a tombstone)."""
    if record is None:
        return None
    return orjson.dumps(record)


def validate_decision(decision: Mapping[str, Any]) -> None:
    """Raise :class:`DecodeError` when ``decision`` breaks the decision contract."""
    try:
        _validate_decision(dict(decision))
    except fastjsonschema.JsonSchemaValueException as exc:
        field = _field_of(exc)
        raise DecodeError(
            "invalid_value", f"decision field {field!r}: {exc.message}", field
        ) from None


def decision_key(scope: str, value: str) -> str:
    """The Kafka key of a decision: ``"<scope>:<value>"``."""
    return f"{scope}:{value}"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from."""

    topic: str
    partition: int
    offset: int
    timestamp: float | None = None


def deadletter_record(
    error: DecodeError,
    *,
    source: Source,
    key: bytes | None,
    value: bytes | None,
    now: float,
    max_original_bytes: int = MAX_DEADLETTER_ORIGINAL_BYTES,
) -> dict[str, Any]:
    """The dead-letter record for a value that failed to decode (``deadletter.v1``)."""
    original = value or b""
    kept = original[:max_original_bytes]
    return {
        "schema_version": 1,
        "reason": error.reason,
        "detail": error.detail,
        "field": error.field,
        "source": {
            "topic": source.topic,
            "partition": source.partition,
            "offset": source.offset,
            "timestamp": source.timestamp,
        },
        "key_b64": base64.b64encode(key).decode("ascii") if key is not None else None,
        "value_b64": base64.b64encode(kept).decode("ascii"),
        "value_size": len(original),
        "value_sha256": hashlib.sha256(original).hexdigest(),
        "value_truncated": len(kept) < len(original),
        "dead_lettered_at": now,
    }
