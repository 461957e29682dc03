"""Hand-built records for tests that must not depend on the simulator."""

from __future__ import annotations

from typing import Any

from distillguard.models import schemas


def minimal_event(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """An API event with only the required fields (brief section 3)."""
    event: dict[str, Any] = {
        "event_id": f"evt-{i:08d}",
        "ts": 1_790_000_000.0 + i * 0.25,
        "account_id": f"acct_{i % 37:04x}",
        "api_key_id": f"key_{i % 53:04x}",
        "ip": f"198.51.100.{i % 250 + 1}",
        "endpoint": "/v1/messages",
        "model": "frontier-large",
        "status": 200,
        "prompt_tokens": 120 + i % 400,
        "completion_tokens": 300 + i % 900,
    }
    event.update(overrides)
    return event


def full_event(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """An API event with every optional field of the contract filled in."""
    event = minimal_event(
        i,
        org_id=f"org_{i % 5}",
        asn=64500 + i % 10,
        country="DE",
        user_agent="python-httpx/0.27",
        ja4="t13d1516h2_8daaf6152771_b186095e22b6",
        reasoning_tokens=40,
        latency_ms=812.5,
        params={
            "temperature": 0.7,
            "top_p": 1.0,
            "n": 1,
            "max_tokens": 1024,
            "top_logprobs": None,
            "tools": 0,
            "logprobs": False,
            "logit_bias": False,
            "stream": True,
        },
        prompt={
            "fingerprint": "9f86d081884c7d65",
            "template": "2c26b46b68ffc68f",
            "system_hash": "sys-3a7bd3e2",
            "chars": 1840,
            "lang": "en",
            "category": "coding",
            "cot_request": False,
            "rubric_request": False,
        },
        account={
            "created_at": 1_780_000_000.0,
            "tier": "tier3",
            "verified": True,
            "payment_fingerprint": "pf_5e884898da28",
        },
    )
    event.update(overrides)
    return event


def contract_view(data: dict[str, Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a decoded event record keeps of ``data`` (``codec.event_dict``): the
    contract's fields that are not null."""
    schema = schema or schemas.load(schemas.API_EVENT_V1)
    out = {}
    for name, sub in schema["properties"].items():
        value = data.get(name)
        if isinstance(value, dict):
            out[name] = contract_view(value, sub)
        elif value is not None:
            out[name] = value
    return out
