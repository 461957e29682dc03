"""Builders of decision records and events for the evaluation tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson


def decision(
    key: str,
    action: str,
    issued_at: float,
    expires_at: float,
    *,
    mode: str = "enforce",
    risk: float = 0.5,
    origin: str = "model",
) -> dict[str, Any]:
    """One decision record line (brief section 4) for ``key``."""
    scope, _, value = key.partition(":")
    return {
        "key": key,
        "ts": issued_at,
        "value": {
            "decision_id": f"{key}/{action}/{issued_at}",
            "subject": {"scope": scope, "value": value},
            "action": action,
            "rate_limit_rpm": None,
            "risk": risk,
            "reasons": [{"code": "test", "detail": "test", "weight": 1.0}],
            "cluster_id": None,
            "mode": mode,
            "origin": origin,
            "issued_at": issued_at,
            "expires_at": expires_at,
            "detector_version": "t",
            "config_version": "t",
        },
    }


def tombstone(key: str, ts: float) -> dict[str, Any]:
    return {"key": key, "value": None, "ts": ts}


def event(
    account_id: str, ts: float, tokens: int, *, api_key: str = "k", ip: str = "192.0.2.1"
) -> dict[str, Any]:
    return {
        "event_id": f"{account_id}-{ts}",
        "ts": ts,
        "account_id": account_id,
        "api_key_id": api_key,
        "ip": ip,
        "endpoint": "/v1/messages",
        "model": "m",
        "status": 200,
        "prompt_tokens": 1,
        "completion_tokens": tokens,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path


def truth(
    account_id: str, *, attack: bool, persona: str = "p", campaign: str | None = None
) -> dict[str, Any]:
    return {"account_id": account_id, "persona": persona, "is_attack": attack, "campaign": campaign}
