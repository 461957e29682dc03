"""Decode + validate cost per event (orjson + compiled JSON Schema), in µs."""

from __future__ import annotations

import statistics
import time
from typing import Any

import orjson

from distillguard.models.codec import decode_event


def sample_events(n: int) -> list[bytes]:
    """Contract-valid events of realistic size (~600 bytes) with every optional field."""
    out = []
    for i in range(n):
        event: dict[str, Any] = {
            "event_id": f"evt-{i:010d}",
            "ts": 1_790_000_000.0 + i * 0.01,
            "account_id": f"acct_{i % 5000:05x}",
            "org_id": f"org_{i % 300}",
            "api_key_id": f"key_{i % 9000:05x}",
            "ip": f"203.0.{(i >> 8) % 256}.{i % 256}",
            "asn": 64500 + i % 50,
            "country": "US",
            "user_agent": "python-httpx/0.27.2",
            "ja4": "t13d1516h2_8daaf6152771_b186095e22b6",
            "endpoint": "/v1/messages",
            "model": "frontier-large",
            "status": 200,
            "prompt_tokens": 200 + i % 900,
            "completion_tokens": 300 + i % 1500,
            "reasoning_tokens": i % 700,
            "latency_ms": 900.5,
            "params": {"temperature": 0.7, "max_tokens": 2048, "stream": True, "tools": 0},
            "prompt": {
                "fingerprint": f"{(i * 2654435761) % (1 << 64):016x}",
                "template": f"{(i % 40) * 977:016x}",
                "chars": 1800,
                "lang": "en",
                "category": "coding",
                "cot_request": i % 7 == 0,
                "rubric_request": False,
            },
            "account": {"created_at": 1_780_000_000.0, "tier": "tier3", "verified": True},
        }
        out.append(orjson.dumps(event))
    return out


def run(n: int = 50_000, repeats: int = 5) -> dict[str, Any]:
    raw = sample_events(n)
    per_event = []
    for _ in range(repeats):
        start = time.perf_counter()
        for value in raw:
            decode_event(value)
        per_event.append((time.perf_counter() - start) / n * 1e6)
    median = statistics.median(per_event)
    return {
        "codec_decode_validate_us_per_event": round(median, 2),
        "codec_decode_validate_events_per_s": round(1e6 / median),
        "codec_event_bytes_mean": round(sum(map(len, raw)) / n),
        "codec_runs_us": [round(x, 2) for x in per_event],
    }


if __name__ == "__main__":
    print(orjson.dumps(run()).decode())
