"""Turn a scenario into contract-v1 API events (sorted by ``ts``), truth and a summary.

Personas build one columnar :class:`~distillguard.models.sim.plan.Plan` per account; the
plans are concatenated, ordered by time once (numpy), and materialised into event dicts
in chunks, so memory stays proportional to the columns, not to millions of dicts.
Every population draws from its own seed stream (scenario seed + population index), so
editing one population does not reshuffle the others.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from distillguard.models.sim.context import Context, make_catalogue
from distillguard.models.sim.personas import PERSONAS
from distillguard.models.sim.plan import Plan
from distillguard.models.sim.prompts import rand64
from distillguard.models.sim.scenario import Scenario
from distillguard.models.sim.withhold import withhold
from distillguard.models.sim.world import CATEGORIES, LANGS

CHUNK = 8192


def _context(scenario: Scenario, scale: float) -> Context:
    start = scenario.start_ts
    catalogue = make_catalogue(np.random.default_rng([scenario.seed, 0xCA7]))
    return Context(
        start=start,
        end=scenario.end_ts,
        base_models=tuple(scenario.models),
        releases=tuple((r.name, start + r.at) for r in scenario.releases),
        catalogue=catalogue,
        scale=scale,
    )


def build_plans(scenario: Scenario, scale: float = 1.0) -> list[Plan]:
    """Every account's plan, population by population; accounts without events dropped."""
    ctx = _context(scenario, scale)
    plans: list[Plan] = []
    for index, population in enumerate(scenario.populations):
        persona = PERSONAS[population.persona]
        rng = np.random.default_rng([scenario.seed, index + 1])
        campaign = population.campaign or f"{population.persona}-{index}"
        built = persona.build(ctx, rng, population.persona_params(), population.count, campaign)
        inside = (plan.restrict(ctx.start, ctx.end) for plan in built)
        plans.extend(plan for plan in inside if plan.size)
    return plans


@dataclass
class Simulation:
    """A generated scenario: iterate :meth:`events`, read :meth:`truth` and :meth:`summary`."""

    scenario: Scenario
    scale: float = 1.0
    plans: list[Plan] = field(init=False)

    def __post_init__(self) -> None:
        self.plans = build_plans(self.scenario, self.scale)

    @property
    def size(self) -> int:
        return sum(plan.size for plan in self.plans)

    def truth(self) -> list[dict[str, Any]]:
        """One row per account that sent at least one request."""
        return [
            {
                "account_id": p.account.account_id,
                "persona": p.persona,
                "is_attack": p.is_attack,
                "campaign": p.campaign if p.is_attack else None,
            }
            for p in self.plans
        ]

    def summary(self) -> dict[str, Any]:
        by_persona: dict[str, dict[str, int]] = {}
        statuses: Counter[int] = Counter()
        for p in self.plans:
            row = by_persona.setdefault(p.persona, {"accounts": 0, "events": 0})
            row["accounts"] += 1
            row["events"] += p.size
            statuses.update(p.status.tolist())
        attack = [p for p in self.plans if p.is_attack]
        return {
            "name": self.scenario.name,
            "seed": self.scenario.seed,
            "scale": self.scale,
            "start": self.scenario.start_ts,
            "end": self.scenario.end_ts,
            "start_iso": self.scenario.start.isoformat(),
            "models": list(self.scenario.models),
            "releases": [
                {"name": r.name, "ts": self.scenario.start_ts + r.at}
                for r in self.scenario.releases
            ],
            "counts": {
                "events": self.size,
                "accounts": len(self.plans),
                "attack_accounts": len(attack),
                "legit_accounts": len(self.plans) - len(attack),
                "attack_events": sum(p.size for p in attack),
                "campaigns": sorted({p.campaign for p in attack if p.campaign}),
                "by_persona": dict(sorted(by_persona.items())),
                "status": {str(k): v for k, v in sorted(statuses.items())},
            },
        }

    def events(self) -> Iterator[dict[str, Any]]:
        """The events in ``ts`` order (ties: population, then account order)."""
        yield from _materialise(self.plans, np.random.default_rng([self.scenario.seed, 0xE1D]))


def _offsets(sizes: list[int]) -> npt.NDArray[np.int64]:
    return (
        np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        if sizes
        else np.zeros(0, np.int64)
    )


def _materialise(plans: list[Plan], rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    if not plans:
        return
    sizes = [p.size for p in plans]
    reps = np.repeat(np.arange(len(plans)), sizes)

    def table(attr: str) -> tuple[list[Any], npt.NDArray[np.int64]]:
        items = [getattr(p, attr) for p in plans]
        offs = _offsets([len(x) for x in items])
        flat = [v for x in items for v in x]
        return flat, offs

    def col(attr: str, prompt: bool = False) -> npt.NDArray[Any]:
        return np.concatenate([getattr(p.prompt if prompt else p, attr) for p in plans])

    keys, key_off = table("keys")
    nets, net_off = table("nets")
    clients, client_off = table("clients")
    models, model_off = table("models")
    param_sets, param_off = table("param_sets")
    ts = col("ts")
    order = np.argsort(ts, kind="stable")
    cols = {
        "ts": np.round(ts, 3),
        "acct": reps,
        "key": col("key") + key_off[reps],
        "net": col("net") + net_off[reps],
        "client": col("client") + client_off[reps],
        "model": col("model") + model_off[reps],
        "param": col("param") + param_off[reps],
        "template": col("template", True),
        "fingerprint": col("fingerprint", True),
        "chars": col("chars", True),
        "category": col("category", True),
        "lang": col("lang", True),
        "cot": col("cot", True),
        "rubric": col("rubric", True),
        "system": col("system", True),
        "has_system": col("has_system", True),
        "prompt_tokens": col("prompt_tokens"),
        "completion_tokens": col("completion_tokens"),
        "reasoning_tokens": col("reasoning_tokens"),
        "latency_ms": np.round(col("latency_ms"), 1),
        "status": col("status"),
    }
    accounts = [
        (p.account.account_id, p.account.org_id, p.endpoint, p.account.as_event_field())
        for p in plans
    ]
    for lo in range(0, order.shape[0], CHUNK):
        idx = order[lo : lo + CHUNK]
        c = {name: values[idx].tolist() for name, values in cols.items()}
        ids = rand64(rng, idx.shape[0]).tolist()
        for i in range(idx.shape[0]):
            account_id, org_id, endpoint, account = accounts[c["acct"][i]]
            ip, asn, country = nets[c["net"][i]]
            ua, ja4 = clients[c["client"][i]]
            yield {
                "event_id": f"evt_{ids[i]:016x}",
                "ts": c["ts"][i],
                "account_id": account_id,
                "org_id": org_id,
                "api_key_id": keys[c["key"][i]],
                "ip": ip,
                "asn": asn,
                "country": country,
                "user_agent": ua,
                "ja4": ja4,
                "endpoint": endpoint,
                "model": models[c["model"][i]],
                "status": c["status"][i],
                "prompt_tokens": c["prompt_tokens"][i],
                "completion_tokens": c["completion_tokens"][i],
                "reasoning_tokens": c["reasoning_tokens"][i],
                "latency_ms": c["latency_ms"][i],
                "params": dict(param_sets[c["param"][i]]),
                "prompt": {
                    "fingerprint": f"{c['fingerprint'][i]:016x}",
                    "template": f"{c['template'][i]:016x}",
                    "system_hash": f"{c['system'][i]:016x}" if c["has_system"][i] else None,
                    "chars": c["chars"][i],
                    "lang": LANGS[c["lang"][i]],
                    "category": CATEGORIES[c["category"][i]],
                    "cot_request": c["cot"][i],
                    "rubric_request": c["rubric"][i],
                },
                "account": dict(account),
            }


def generate(scenario: Scenario, *, scale: float = 1.0) -> Iterator[dict[str, Any]]:
    """Contract-v1 API events of ``scenario`` in ``ts`` order."""
    yield from Simulation(scenario, scale).events()


def write_jsonl(path: Path, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    count = 0
    with path.open("wb", buffering=1 << 20) as out:
        for row in rows:
            out.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
            count += 1
    return count


def write_files(
    scenario: Scenario,
    out_dir: Path | str,
    *,
    scale: float = 1.0,
    without: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Write ``events.jsonl``, ``truth.jsonl`` and ``scenario.json`` to ``out_dir``;
    ``without``: optional event fields to leave out (:mod:`~distillguard.models.sim.withhold`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sim = Simulation(scenario, scale)
    write_jsonl(out / "events.jsonl", withhold(sim.events(), without))
    write_jsonl(out / "truth.jsonl", sim.truth())
    summary = sim.summary()
    if without:
        summary["without"] = list(without)
    (out / "scenario.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary
