"""Builders of API events for the detection tests (contract-valid, deterministic)."""

from __future__ import annotations

import random
from typing import Any

T0 = 1_780_000_000.0


def event(i: int, account_id: str = "acct-a", ts: float = T0, **fields: Any) -> dict[str, Any]:
    """A minimal valid event; keyword fields override or add (``None`` values are kept)."""
    e: dict[str, Any] = {
        "event_id": f"{account_id}-{i}",
        "ts": ts,
        "account_id": account_id,
        "api_key_id": f"key-{account_id}",
        "ip": "198.51.100.7",
        "endpoint": "/v1/messages",
        "model": "atlas-2",
        "status": 200,
        "prompt_tokens": 300,
        "completion_tokens": 400,
    }
    e.update(fields)
    return e


def hex16(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def stream(
    n: int,
    *,
    account_id: str = "acct-a",
    every: float = 2.0,
    seed: int = 0,
    start: float = T0,
    **fields: Any,
) -> list[dict[str, Any]]:
    """``n`` events of one account, ``every`` seconds apart, with varied prompts and IPs."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        prompt = {
            "template": hex16(rng),
            "fingerprint": hex16(rng),
            "category": rng.choice(["coding", "knowledge", "creative"]),
            "lang": "en",
        }
        e = event(i, account_id, start + i * every, prompt=prompt, ip=f"198.51.100.{i % 5}")
        e.update(fields)
        out.append(e)
    return out
