"""The one place where Kafka bytes become validated records and records become bytes.

>>> event = decode_event(b'{"event_id":"e1","ts":1.5,"account_id":"a","api_key_id":"k",'
...     b'"ip":"203.0.113.9","endpoint":"/v1/messages","model":"m","status":200,'
...     b'"prompt_tokens":10,"completion_tokens":20}')
>>> event.account_id, event.ts, event.prompt
('a', 1.5, None)
>>> decode_event(b'{"event_id": "e1"')
Traceback (most recent call last):
...
distillguard.models.errors.DecodeError: not JSON: unexpected end of data: line 1 column 18 (char 17)
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

import fastjsonschema
import msgspec
import orjson

from distillguard.models import schemas
from distillguard.models.errors import DecodeError
from distillguard.models.fastcheck import UnsupportedSchemaError, compile_record_type

#: Events are a few hundred bytes; anything this large is not an API event.
MAX_EVENT_BYTES: Final = 64 * 1024
#: Originals above this are truncated in dead-letter records (the full record stays on
#: the source topic at the recorded offset). Keeps dead-letter records under Kafka's
#: default 1 MB message limit even after base64.
MAX_DEADLETTER_ORIGINAL_BYTES: Final = 256 * 1024
#: An event stamped this far ahead of the clock it is judged by (the worker's own; in
#: replay, the events before and after it) is a clock error and is set aside: one such
#: event would carry event time with it (in the worker every decision would expire at
#: once). Generous, because a sped-up scenario legitimately runs event time ahead of the
#: wall clock by hours (the demo streams 2 h of traffic in 2 minutes).
MAX_AHEAD_SECONDS: Final = 7 * 86400.0


class EventParams(Protocol):
    """Request parameters of an :class:`Event` (``None``: absent or null)."""

    temperature: float | None
    top_p: float | None
    n: int | None
    max_tokens: int | None
    top_logprobs: int | None
    tools: int | None
    logprobs: bool | None
    logit_bias: bool | None
    stream: bool | None


class EventPrompt(Protocol):
    """What the gateway derived from the prompt (never the prompt itself)."""

    fingerprint: str | None
    template: str | None
    system_hash: str | None
    chars: int | None
    lang: str | None
    category: str | None
    cot_request: bool | None
    rubric_request: bool | None


class EventAccount(Protocol):
    created_at: float | None
    tier: str | None
    verified: bool | None
    payment_fingerprint: str | None


class Event(Protocol):
    """A decoded, validated API event (brief section 3): a record with the contract's
    field names as attributes, ``None`` for an absent or null optional field; unknown
    fields are not kept. The records are the msgspec Structs :mod:`fastcheck` derives
    from the schema; this protocol is their typed view (a test holds it to them)."""

    event_id: str
    ts: float
    account_id: str
    org_id: str | None
    api_key_id: str
    ip: str
    asn: int | None
    country: str | None
    user_agent: str | None
    ja4: str | None
    endpoint: str
    model: str
    status: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int | None
    latency_ms: float | None
    params: EventParams | None
    prompt: EventPrompt | None
    account: EventAccount | None


_REQUIRED: Final[tuple[str, ...]] = tuple(schemas.load(schemas.API_EVENT_V1)["required"])
_validate_event = schemas.validator(schemas.API_EVENT_V1)
_validate_decision = schemas.validator(schemas.DECISION_V1)
try:
    EVENTS: Final = compile_record_type(schemas.load(schemas.API_EVENT_V1))
except UnsupportedSchemaError as _exc:  # pragma: no cover - the bundled schema compiles
    raise UnsupportedSchemaError(f"the API event schema: {_exc}") from None
#: The one-pass proof of most events (swapped out by tests to compare with the judge).
_fast: Callable[[bytes], Any | None] = EVENTS.decode
#: Plain JSON for the judge: integers of any size stay exact, as in the typed pass.
_parse: Final = msgspec.json.Decoder().decode


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
    event = _fast(value)
    if event is not None:
        return cast(Event, event)
    try:
        data = _parse(value)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise _not_json(value, exc) from None
    return _judged(data)


def _not_json(value: bytes, exc: Exception) -> DecodeError:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as utf:
        return DecodeError("invalid_utf8", f"not UTF-8: {utf.reason} at byte {utf.start}")
    try:
        orjson.loads(value)  # its messages name the line and column
    except orjson.JSONDecodeError as located:
        return DecodeError("not_json", f"not JSON: {located}")
    return DecodeError("not_json", f"not JSON: {exc}")


def event_record(data: Mapping[str, Any]) -> Event:
    """Validate an event given as parsed JSON (a simulator's or a test's) exactly as
    :func:`decode_event` validates bytes; raise :class:`DecodeError`."""
    event = EVENTS.prove(data)
    return cast(Event, event) if event is not None else _judged(data)


def event_records(events: Iterable[Mapping[str, Any]]) -> Iterator[Event]:
    """:func:`event_record` of each."""
    return map(event_record, events)


def event_dict(event: Event) -> dict[str, Any]:
    """An event as plain JSON values (absent and null optional fields left out)."""
    out: dict[str, Any] = msgspec.to_builtins(event)
    return out


def _judged(data: Any) -> Event:
    """The full validator's verdict on parsed JSON: the record, or the error."""
    if not isinstance(data, dict):
        raise DecodeError("not_object", f"not a JSON object but a {type(data).__name__}")
    try:
        _validate_event(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _schema_error(data, exc) from None
    return cast(Event, EVENTS.build(data))


def _schema_error(
    event: dict[str, Any], exc: fastjsonschema.JsonSchemaValueException
) -> DecodeError:
    if exc.rule == "required" and exc.name == "data":
        missing = [name for name in _REQUIRED if name not in event]
        field = missing[0] if missing else None
        return DecodeError("missing_field", f"missing required field {field!r}", field)
    field = _field_of(exc)
    reason = "wrong_type" if exc.rule == "type" else "invalid_value"
    if field == "ts" and exc.rule == "exclusiveMaximum":
        return DecodeError(
            reason, f"field 'ts': {event['ts']} is not Unix epoch seconds (milliseconds?)", field
        )
    message = exc.message.replace("data.", "", 1) if exc.message else "invalid"
    return DecodeError(reason, f"field {field!r}: {message}", field)


def encode(record: Mapping[str, Any] | Event | None) -> bytes | None:
    """Serialise a record for Kafka; ``None`` stays ``None`` (a tombstone)."""
    if record is None:
        return None
    return orjson.dumps(record, default=msgspec.to_builtins)  # events are msgspec records


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
