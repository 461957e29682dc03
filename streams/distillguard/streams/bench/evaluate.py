"""`distillguard evaluate` at scale: ~1M events and ~100k decision records, wall time in s.

The inputs are synthetic but shaped like a backtest: a few percent attack accounts on
shared /24 and /48 prefixes, decisions on all three scopes with re-issues, expiries and
tombstones, so the per-key interval lookups and the IP-prefix matching are both exercised.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from distillguard.models.evaluation import evaluate

START = 1_790_000_000.0
ACTIONS = ("monitor", "degrade", "throttle", "challenge", "suspend")


def _decision(key: str, rng: random.Random, issued: float, n: int) -> dict[str, Any]:
    scope, _, value = key.partition(":")
    action = rng.choice(ACTIONS)
    return {
        "key": key,
        "ts": issued,
        "value": {
            "decision_id": f"bench-{n}",
            "subject": {"scope": scope, "value": value},
            "action": action,
            "rate_limit_rpm": 60 if action == "throttle" else None,
            "risk": round(rng.random(), 3),
            "reasons": [{"code": "bench", "detail": "synthetic", "weight": 1.0}],
            "cluster_id": None,
            "mode": "shadow" if rng.random() < 0.2 else "enforce",
            "origin": rng.choice(("model", "rule", "cluster", "intel")),
            "issued_at": issued,
            "expires_at": issued + rng.choice((600.0, 3600.0, 86400.0)),
            "detector_version": "bench",
            "config_version": "bench",
        },
    }


def write_inputs(
    directory: Path, events: int, decisions: int, accounts: int, seed: int = 7
) -> tuple[Path, Path, Path]:
    """Write truth, decisions and events files of the requested size."""
    rng = random.Random(seed)  # noqa: S311 - synthetic benchmark data, not security
    span = 6 * 3600.0
    attack = {f"acct{i:06d}" for i in range(0, accounts, 25)}
    truth = directory / "truth.jsonl"
    with truth.open("wb") as out:
        for i in range(accounts):
            account = f"acct{i:06d}"
            is_attack = account in attack
            row = {
                "account_id": account,
                "persona": f"attack{i % 3}" if is_attack else f"legit{i % 5}",
                "is_attack": is_attack,
                "campaign": f"campaign{i % 4}" if is_attack else None,
            }
            out.write(orjson.dumps(row) + b"\n")

    def ip_of(i: int, is_attack: bool) -> str:
        if is_attack:
            block = i % 400
            if block % 5 == 0:
                return f"2001:db8:{block:x}:{i % 7}::{i % 251 + 1:x}"
            return f"198.{18 + block // 250}.{block % 250}.{i % 251 + 1}"
        return f"10.{(i >> 16) % 256}.{(i >> 8) % 256}.{i % 256}"

    events_path = directory / "events.jsonl"
    with events_path.open("wb") as out:
        for n in range(events):
            i = rng.randrange(accounts)
            account = f"acct{i:06d}"
            row = {
                "event_id": f"e{n}",
                "ts": START + span * n / events,
                "account_id": account,
                "api_key_id": f"key{i:06d}-{n % 3}",
                "ip": ip_of(rng.randrange(1 << 20) if account in attack else i, account in attack),
                "endpoint": "/v1/messages",
                "model": "m",
                "status": 200,
                "prompt_tokens": 100,
                "completion_tokens": rng.randrange(50, 2000),
            }
            out.write(orjson.dumps(row) + b"\n")
    decisions_path = directory / "decisions.jsonl"
    with decisions_path.open("wb") as out:
        for n in range(decisions):
            issued = START + span * n / decisions
            i = rng.randrange(accounts)
            kind = rng.random()
            if kind < 0.6:
                key = f"account:acct{i:06d}"
            elif kind < 0.85:
                key = f"api_key:key{i:06d}-{i % 3}"
            else:
                block = rng.randrange(400)
                if block % 5 == 0:
                    key = f"ip_prefix:2001:db8:{block:x}::/48"
                else:
                    key = f"ip_prefix:198.{18 + block // 250}.{block % 250}.0/24"
            if rng.random() < 0.1:
                record: dict[str, Any] = {"key": key, "value": None, "ts": issued}
            else:
                record = _decision(key, rng, issued, n)
            out.write(orjson.dumps(record) + b"\n")
    return truth, decisions_path, events_path


def run(
    events: int = 1_000_000, decisions: int = 100_000, accounts: int = 20_000
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="distillguard-bench-") as tmp:
        truth, decisions_path, events_path = write_inputs(Path(tmp), events, decisions, accounts)
        started = time.perf_counter()
        result = evaluate(truth, decisions_path, events_path)
        seconds = time.perf_counter() - started
    return {
        "evaluate_events": result.events.valid,
        "evaluate_decision_records": result.decisions.records,
        "evaluate_accounts": result.accounts,
        "evaluate_seconds": round(seconds, 2),
        "evaluate_events_per_s": round(result.events.valid / seconds),
        "evaluate_recall": result.enforce.recall,
    }


if __name__ == "__main__":
    print(orjson.dumps(run()).decode())
