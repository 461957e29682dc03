"""Decode + validate cost per event (orjson + compiled JSON Schema), in µs.

Reported as wall time and as this process's CPU time: on a shared machine the CPU time
is the steadier of the two. Every sample event has a distinct IP address and prompt
fingerprint, so values remembered by the fast check rarely help here (they do on real
traffic, where an account reuses a few addresses).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import orjson

from distillguard.models.codec import decode_event
from distillguard.models.errors import DecodeError


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


def invalid_events(raw: list[bytes]) -> list[bytes]:
    """Contract-invalid variants (these take the slow path and build a DecodeError)."""
    breakers = [
        ("status", "200"),
        ("asn", -1),
        ("ip", "203.0.113.256"),
        ("prompt_tokens", True),
        ("country", "us"),
    ]
    out = []
    for i, value in enumerate(raw):
        event = orjson.loads(value)
        name, bad = breakers[i % len(breakers)]
        event[name] = bad
        out.append(orjson.dumps(event))
    return out


def _time(
    values: list[bytes], repeats: int, *, expect_valid: bool
) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for value in values:
            try:
                decode_event(value)
            except DecodeError:
                if expect_valid:
                    raise
        cpu.append((time.process_time() - start_cpu) / len(values) * 1e6)
        wall.append((time.perf_counter() - start) / len(values) * 1e6)
    return wall, cpu


def run(n: int = 50_000, repeats: int = 5) -> dict[str, Any]:
    raw = sample_events(n)
    wall, cpu = _time(raw, repeats, expect_valid=True)
    bad_wall, bad_cpu = _time(invalid_events(raw[: n // 10]), repeats, expect_valid=False)
    median = statistics.median(wall)
    return {
        "codec_decode_validate_us_per_event": round(median, 2),
        "codec_decode_validate_cpu_us_per_event": round(statistics.median(cpu), 2),
        "codec_decode_validate_events_per_s": round(1e6 / median),
        "codec_invalid_us_per_event": round(statistics.median(bad_wall), 2),
        "codec_invalid_cpu_us_per_event": round(statistics.median(bad_cpu), 2),
        "codec_event_bytes_mean": round(sum(map(len, raw)) / n),
        "codec_runs_us": [round(x, 2) for x in wall],
        "codec_runs_cpu_us": [round(x, 2) for x in cpu],
    }


if __name__ == "__main__":
    print(orjson.dumps(run()).decode())
