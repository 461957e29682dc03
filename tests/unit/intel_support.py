"""Lab B's view of lab A's campaign: the same templates and proxies from fresh accounts.

The simulator draws everything from one seed, so "same campaign, new accounts" is built by
relabelling: every account-level identifier (account, API key, organisation, payment
fingerprint, event id) is replaced by a salted hash, and time moves forward by ``shift``.
Infrastructure (IPs, ASNs, user agents, JA4) and prompt fingerprints stay as they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson


def _fresh(salt: str, prefix: str, value: str) -> str:
    return prefix + hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()[:16]


def fresh_accounts(
    events: Iterable[dict[str, Any]], salt: str, shift: float
) -> Iterator[dict[str, Any]]:
    """The same traffic from new accounts, ``shift`` seconds later."""
    for event in events:
        e = dict(event)
        e["event_id"] = _fresh(salt, "evt_", e["event_id"])
        e["account_id"] = _fresh(salt, "acct_", e["account_id"])
        e["api_key_id"] = _fresh(salt, "key_", e["api_key_id"])
        if e.get("org_id"):
            e["org_id"] = _fresh(salt, "org_", e["org_id"])
        e["ts"] = e["ts"] + shift
        if isinstance(e.get("account"), dict):
            account = dict(e["account"])
            if account.get("payment_fingerprint"):
                account["payment_fingerprint"] = _fresh(salt, "pf_", account["payment_fingerprint"])
            if account.get("created_at") is not None:
                account["created_at"] = account["created_at"] + shift
            e["account"] = account
        yield e


def fresh_truth(rows: Iterable[dict[str, Any]], salt: str) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield {**row, "account_id": _fresh(salt, "acct_", row["account_id"])}


T0 = 1_790_000_000.0
ATTACK_TEMPLATE = "a1a1a1a1a1a1a1a1"
SHARED_TEMPLATE = "c3c3c3c3c3c3c3c3"
LEGIT_TEMPLATE = "b2b2b2b2b2b2b2b2"
ATTACK_UA = "distill-harvester/2.3"
ATTACK_JA4 = "t13d1516h2_8daaf6152771_e5627efa2ab1"


def _event(n: int, account_id: str, ts: float, **fields: Any) -> dict[str, Any]:
    prompt = {"fingerprint": f"{(n * 0x9E3779B97F4A7C15) & ((1 << 64) - 1):016x}",
              "template": fields.pop("template"), "chars": 900, "lang": "en",
              "category": "reasoning", "cot_request": True, "rubric_request": False}  # fmt: skip
    return {
        "event_id": f"evt_{account_id}_{n:05d}",
        "ts": ts,
        "account_id": account_id,
        "endpoint": "/v1/messages",
        "model": "atlas-2",
        "status": 200,
        "prompt_tokens": 300,
        "completion_tokens": 900,
        "prompt": prompt,
        **fields,
    }


def campaign_events() -> list[dict[str, Any]]:
    """Six attack accounts behind one proxy range and tooling; four honest ones.

    Attackers ``atk-0..5`` use 203.0.113.0/24 (``atk-5`` also 2001:db8:77::/48), one user
    agent and JA4, the attack template, and half the time a template honest customers use
    heavily too; ``atk-0..2`` share a payment fingerprint.
    """
    events: list[dict[str, Any]] = []
    n = 0
    for i in range(6):
        account = f"acct_atk_{i}"
        for j in range(40):
            ip = (
                f"2001:db8:77::{j + 1:x}" if i == 5 and j % 2 else f"203.0.113.{10 + i * 7 + j % 5}"
            )
            events.append(_event(
                n, account, T0 + j * 30 + i,
                api_key_id=f"key_atk_{i}", org_id=f"org_atk_{i % 2}", ip=ip, asn=64666,
                user_agent=ATTACK_UA, ja4=ATTACK_JA4,
                template=ATTACK_TEMPLATE if j % 2 else SHARED_TEMPLATE,
                account={"created_at": T0 - 3600, "tier": "free", "verified": False,
                         "payment_fingerprint": "pf_shared_card" if i < 3 else f"pf_atk_{i}"},
            ))  # fmt: skip
            n += 1
    for i in range(4):
        account = f"acct_legit_{i}"
        for j in range(60):
            events.append(_event(
                n, account, T0 + j * 20 + i,
                api_key_id=f"key_legit_{i}", org_id=f"org_legit_{i}",
                ip=f"198.51.100.{20 + i * 11 + j % 3}", asn=64500, user_agent="python-httpx/0.27",
                ja4="t13d1516h2_8daaf6152771_b186095e22b6",
                template=SHARED_TEMPLATE if j % 4 else LEGIT_TEMPLATE,
                account={"created_at": T0 - 400 * 86400, "tier": "tier3", "verified": True,
                         "payment_fingerprint": f"pf_legit_{i}"},
            ))  # fmt: skip
            n += 1
    events.sort(key=lambda e: e["ts"])
    return events


def campaign_decisions() -> list[dict[str, Any]]:
    """Replay-style decision records: every attack account throttled, one honest monitored."""
    out = []
    for i in range(6):
        account = f"acct_atk_{i}"
        out.append(_decision(account, "throttle", 0.82, T0 + 600 + i, "cot.elicitation"))
    out.append(_decision("acct_legit_0", "monitor", 0.35, T0 + 700, "account.new"))
    return out


def _decision(account: str, action: str, risk: float, ts: float, code: str) -> dict[str, Any]:
    value = {
        "decision_id": f"d-{account}", "subject": {"scope": "account", "value": account},
        "action": action, "rate_limit_rpm": None, "risk": risk,
        "reasons": [{"code": code, "detail": "x", "weight": 0.25}], "cluster_id": None,
        "mode": "enforce", "origin": "rule", "issued_at": ts, "expires_at": ts + 3600,
        "detector_version": "t", "config_version": "default",
    }  # fmt: skip
    return {"key": f"account:{account}", "value": value, "ts": ts}


def partner_lab(directory: Path) -> tuple[Path, Path, list[dict[str, Any]]]:
    """Lab A's exported and imported watch file for the smoke scenario, its consortium key,
    and lab B's traffic: the same campaigns from fresh accounts a day later."""
    from distillguard.cli import main
    from distillguard.models.sim import Simulation, load_scenario

    key = directory / "consortium.key"
    key.write_bytes(b"consortium-secret-for-the-worker")
    events = list(Simulation(load_scenario("smoke")).events())
    a_events = directory / "a-events.jsonl"
    a_events.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    k = ["--consortium-key-file", str(key)]
    assert main(["replay", str(a_events), "--out", str(directory / "a-decisions.jsonl")]) == 0
    assert main(["intel", "export", "--events", str(a_events), "--decisions",
                 str(directory / "a-decisions.jsonl"), "--out", str(directory / "a.json"),
                 "--producer", "lab-a", *k]) == 0  # fmt: skip
    watch = directory / "watch.json"
    assert main(["intel", "import", str(directory / "a.json"), "--out", str(watch)]) == 0
    return key, watch, list(fresh_accounts(events, "lab-b", 86400.0))
