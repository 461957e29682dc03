"""The codec accepts every contract-valid event and dead-letters everything else.

Most events are decoded and proven valid in one typed pass
(:mod:`distillguard.models.fastcheck`); the differential tests below hold it to the
compiled validator (the same bytes give the same record or the same error with and
without it) and to jsonschema.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models import codec, schemas
from distillguard.models.codec import (
    Source,
    deadletter_record,
    decision_key,
    decode_event,
    encode,
)
from distillguard.models.errors import DecodeError
from distillguard.models.fastcheck import UnsupportedSchemaError, compile_record_type
from tests.support import contract_view, full_event, minimal_event
from tests.unit.test_schemas import reference_validator

text = st.text(min_size=1, max_size=40)
hex16 = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
count = st.integers(min_value=0, max_value=2_000_000)
maybe = st.one_of


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


params = st.fixed_dictionaries(
    {},
    optional={
        "temperature": _optional(st.floats(0, 2)),
        "top_p": _optional(st.floats(0, 1)),
        "n": _optional(st.integers(0, 16)),
        "max_tokens": _optional(count),
        "top_logprobs": _optional(st.integers(0, 20)),
        "tools": _optional(st.integers(0, 64)),
        "logprobs": _optional(st.booleans()),
        "logit_bias": _optional(st.booleans()),
        "stream": _optional(st.booleans()),
    },
)
prompt = st.fixed_dictionaries(
    {},
    optional={
        "fingerprint": _optional(hex16),
        "template": _optional(hex16),
        "system_hash": _optional(text),
        "chars": _optional(count),
        "lang": _optional(st.sampled_from(["en", "zh", "ru", "pt-BR"])),
        "category": _optional(
            st.sampled_from(
                ["coding", "math", "reasoning", "agentic", "creative", "knowledge", "other"]
            )
        ),
        "cot_request": _optional(st.booleans()),
        "rubric_request": _optional(st.booleans()),
    },
)
account = st.fixed_dictionaries(
    {},
    optional={
        "created_at": _optional(st.floats(0, 2e9)),
        "tier": _optional(st.sampled_from(["free", "tier1", "tier5", "enterprise"])),
        "verified": _optional(st.booleans()),
        "payment_fingerprint": _optional(text),
    },
)
ips = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
)
events = st.fixed_dictionaries(
    {
        "event_id": text,
        "ts": st.one_of(st.floats(0, 4e9), st.integers(0, 4_000_000_000)),
        "account_id": text,
        "api_key_id": text,
        "ip": ips,
        "endpoint": text,
        "model": text,
        "status": st.integers(100, 599),
        "prompt_tokens": count,
        "completion_tokens": count,
    },
    optional={
        "org_id": _optional(text),
        "asn": _optional(st.integers(0, 4_294_967_295)),
        "country": _optional(st.sampled_from(["US", "DE", "CN", "BR"])),
        "user_agent": _optional(st.text(max_size=256)),
        "ja4": _optional(st.text(max_size=64)),
        "reasoning_tokens": _optional(count),
        "latency_ms": _optional(st.floats(0, 1e6)),
        "params": _optional(params),
        "prompt": _optional(prompt),
        "account": _optional(account),
        "x_unknown": st.dictionaries(st.text(max_size=5), st.integers(-(2**53), 2**53), max_size=3),
    },
)


@settings(max_examples=300, deadline=None)
@given(events)
def test_any_contract_valid_event_is_accepted_unchanged(event: dict[str, Any]) -> None:
    raw = orjson.dumps(event)
    assert codec.event_dict(decode_event(raw)) == contract_view(event)
    assert codec.EVENTS.decode(raw) is not None, "took the slow path"
    assert codec.event_record(event) == decode_event(raw)


# --- differential: fast check against the compiled validator and jsonschema -------------

SCHEMA = schemas.load(schemas.API_EVENT_V1)
#: Every property of the contract, nested ones as (parent, name).
PATHS = [(name,) for name in SCHEMA["properties"]] + [
    (parent, name)
    for parent, sub in SCHEMA["properties"].items()
    for name in sub.get("properties", {})
]
DELETE = object()
#: Values at the edges of the contract's types, bounds, patterns and formats.
EDGES: list[Any] = [
    None, True, False, 0, -1, 1, 1.0, 1.5, -0.0, 99, 100, 200.0, 599, 600, 599.5,
    4_294_967_295, 4_294_967_296, 2**53 + 1, 2**63, 2**64, 2**70, 10**30, 1e300, -1e-300,
    float("nan"), float("inf"), float("-inf"),
    "", "x", "x" * 32, "x" * 33, "x" * 128, "x" * 129, "x" * 256, "x" * 257, "é" * 256,
    "é" * 257, "😀" * 256, "😀" * 257, "US", "us", "USA", "U", "US\n", "\nUS", "ÜS", "\x00",
    "1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4\n", " 1.2.3.4",
    "::1", "::", "2001:db8::1", "2001:db8::1\n", "::ffff:1.2.3.4", "fe80::1%eth0", "1::2::3",
    "١.٢.٣.٤", "9f86d081884c7d65", "9F86D081884C7D65", "9f86d081884c7d6", "9f86d081884c7d650",
    "9f86d081884c7d65\n", "coding", "Coding", "other", "tier3", "enterprise", "free ",
    [], [1], {}, {"a": 1}, {"fingerprint": "x"},
]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=300),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
mutations = st.lists(
    st.tuples(
        st.sampled_from(PATHS), st.one_of(st.sampled_from(EDGES), json_values, st.just(DELETE))
    ),
    min_size=1,
    max_size=3,
)
REFERENCE = reference_validator(schemas.API_EVENT_V1, dollar_is_end=True)


def _mutate(original: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]]) -> bytes:
    event = copy.deepcopy(original)
    for path, value in changes:
        node = event
        for parent in path[:-1]:
            if not isinstance(node.get(parent), dict):
                node[parent] = {}
            node = node[parent]
        if value is DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    # the standard library writes what orjson cannot: NaN, Infinity, integers beyond 64 bits
    return json.dumps(event).encode()


def _outcome(raw: bytes) -> tuple[Any, ...]:
    try:
        return ("accepted", decode_event(raw))
    except DecodeError as exc:
        return ("rejected", exc.reason, exc.field, exc.detail)


@contextmanager
def _without_fast_check() -> Iterator[None]:
    """decode_event exactly as before the fast check: every event to fastjsonschema."""
    fast = codec._fast
    codec._fast = lambda raw: None
    try:
        yield
    finally:
        codec._fast = fast


def _differences(raw: bytes) -> list[str]:
    """How the codec with the fast check differs from without it and from jsonschema."""
    fast = _outcome(raw)
    with _without_fast_check():
        slow = _outcome(raw)
    found = [f"fast {fast!r} != compiled validator {slow!r}"] if fast != slow else []
    if fast[0] == "accepted" or fast[1] in ("missing_field", "wrong_type", "invalid_value"):
        valid = REFERENCE.is_valid(orjson.loads(raw))
        if valid != (fast[0] == "accepted"):
            found.append(f"jsonschema says valid={valid}, the codec {fast!r}")
    return found


@settings(max_examples=1500, deadline=None)
@given(events, mutations)
def test_mutated_events_get_the_same_verdict_and_error_as_before(
    event: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]]
) -> None:
    raw = _mutate(event, changes)
    assert _differences(raw) == []


@pytest.mark.parametrize("path", PATHS, ids=".".join)
def test_every_edge_value_in_every_field_gets_the_same_verdict(path: tuple[str, ...]) -> None:
    for value in [*EDGES, DELETE]:
        raw = _mutate(full_event(7), [(path, value)])
        assert _differences(raw) == [], value


def test_the_differential_check_catches_a_fast_check_that_is_too_loose() -> None:
    raw = _mutate(full_event(1), [(("status",), 600)])
    fast = codec._fast
    codec._fast = lambda raw: codec.EVENTS.build(orjson.loads(raw))  # no checks at all
    try:
        assert _differences(raw)
    finally:
        codec._fast = fast


def test_the_fast_check_is_in_use_for_the_event_contract() -> None:
    assert codec._fast == codec.EVENTS.decode
    assert codec.EVENTS.decode(orjson.dumps(full_event(1))) is not None


def test_remembered_strings_do_not_change_verdicts() -> None:
    remembering = compile_record_type(SCHEMA, memo_size=2).prove
    forgetting = compile_record_type(SCHEMA, memo_size=0).prove
    values = ["203.0.113.9", "2001:db8::7", "203.0.113.9\n", "1.2.3.999", "::1", "fe80::1%1"]
    for value in values * 3:
        event = full_event(2, ip=value)
        assert (remembering(event) is None) == (forgetting(event) is None), value
    assert remembering(full_event(2, ip="203.0.113.9")) is not None
    assert remembering(full_event(2, ip="203.0.113.9\n")) is None


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array"},
        {"type": "object", "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "array"}}},
        {"type": "object", "properties": {"a": {"type": "integer", "default": 1}}},
        {"type": "object", "properties": {"a": {"type": "string", "format": "no-such-format"}}},
        {"type": "object", "properties": {"a": {"$ref": "other.schema.json"}}},
        {"type": "object", "properties": {"a": {"const": 1}}},
        {"type": "object", "properties": {"a": {"type": "integer", "enum": [1, 2]}}},
        {"type": "object", "properties": {"a": {"enum": ["long", "x"], "maxLength": 1}}},
        {"type": "object", "properties": {"a": {"type": "number", "maximum": 2**60}}},
        {"type": "object", "required": ["b"], "properties": {}},
    ],
)
def test_keywords_it_cannot_prove_are_refused_not_skipped(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchemaError):
        compile_record_type(schema)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "not_json"),
        (b"", "not_json"),
        (b"{not json", "not_json"),
        (b"[1, 2, 3]", "not_object"),
        (b'"a string"', "not_object"),
        (b'{"event_id": "\xc3\x28"}', "invalid_utf8"),
        (b" " * (64 * 1024 + 1), "too_large"),
        (b"NaN", "not_json"),
    ],
)
def test_malformed_bytes_raise_a_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_event(raw)
    assert info.value.reason == reason
    assert str(info.value)


def test_missing_fields_are_named_in_contract_order() -> None:
    event = minimal_event()
    del event["ts"], event["status"]
    with pytest.raises(DecodeError, match="missing required field 'ts'") as info:
        decode_event(orjson.dumps(event))
    assert info.value.field == "ts"


def test_deadletter_record_matches_its_schema_and_keeps_the_original() -> None:
    raw = b'{"event_id": 1}' + b" " * 100
    with pytest.raises(DecodeError) as info:
        decode_event(raw)
    record = deadletter_record(
        info.value,
        source=Source("api.events", 2, 41, 1_790_000_000.5),
        key=b"acct_1",
        value=raw,
        now=1_790_000_001.0,
    )
    schemas.validator(schemas.DEADLETTER_V1)(record)
    assert base64.b64decode(record["value_b64"]) == raw
    assert record["value_sha256"] == hashlib.sha256(raw).hexdigest()
    assert record["source"] == {
        "topic": "api.events",
        "partition": 2,
        "offset": 41,
        "timestamp": 1_790_000_000.5,
    }


def test_deadletter_truncates_huge_originals_but_keeps_their_hash() -> None:
    raw = b"x" * 1000
    record = deadletter_record(
        DecodeError("too_large", "too large"),
        source=Source("api.events", 0, 0),
        key=None,
        value=raw,
        now=0.0,
        max_original_bytes=100,
    )
    assert record["value_truncated"] is True
    assert record["value_size"] == 1000
    assert len(base64.b64decode(record["value_b64"])) == 100
    assert record["value_sha256"] == hashlib.sha256(raw).hexdigest()


def test_encode_round_trips_and_keeps_tombstones() -> None:
    event = full_event(3)
    assert orjson.loads(encode(event) or b"") == event
    assert encode(None) is None
    assert decision_key("ip_prefix", "203.0.113.0/24") == "ip_prefix:203.0.113.0/24"


def _base(kind: Any) -> frozenset[Any]:
    """The types a field may hold, without msgspec constraints (an enum's values as ``str``)."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return _base(typing.get_args(kind)[0])
    if origin is typing.Literal:
        return frozenset({str})
    if origin in (typing.Union, types.UnionType):
        return frozenset().union(*(_base(k) for k in typing.get_args(kind)))
    return frozenset({type(None) if kind is None else kind})


def _record_types() -> dict[str, Any]:
    """The root record and its nested objects' records, by name."""
    out = {"event": codec.EVENTS.struct}
    for field in msgspec.structs.fields(codec.EVENTS.struct):
        for kind in typing.get_args(field.type):
            if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
                out[field.name] = kind
    return out


@pytest.mark.parametrize(
    ("view", "name"),
    [
        (codec.Event, "event"),
        (codec.EventParams, "params"),
        (codec.EventPrompt, "prompt"),
        (codec.EventAccount, "account"),
    ],
)
def test_the_typed_view_is_exactly_the_records_of_the_schema(view: Any, name: str) -> None:
    """``codec.Event`` (what mypy checks the fold against) has every field of the records
    the schema compiles to, with the same types, and nothing else."""
    structs = _record_types()
    hints = typing.get_type_hints(view)
    fields = {f.name: f.type for f in msgspec.structs.fields(structs[name])}
    assert set(hints) == set(fields)
    for field, kind in hints.items():
        if field in structs:  # a nested object: its own record, or null
            assert _base(fields[field]) == {structs[field], type(None)}
        else:
            assert _base(kind) == _base(fields[field]), field
