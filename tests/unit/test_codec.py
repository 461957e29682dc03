"""The codec accepts every contract-valid event and dead-letters everything else."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models import schemas
from distillguard.models.codec import (
    Source,
    deadletter_record,
    decision_key,
    decode_event,
    encode,
)
from distillguard.models.errors import DecodeError
from tests.support import full_event, minimal_event

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
    assert decode_event(orjson.dumps(event)) == event


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
