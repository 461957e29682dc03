"""Personas look like what they model: the properties detection is built on.

Legitimate personas must trip single signals (many IPs per key, one template, CoT share,
jumps to a new model) and attacks must carry the evidence the reports describe.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from statistics import mean
from typing import Any

import pytest

from distillguard.models.fingerprint import hamming
from distillguard.models.sim import Simulation, load_scenario

Events = list[dict[str, Any]]


@pytest.fixture(scope="module", params=[("smoke", 1.0), ("demo", 1.0)], ids=["smoke", "demo"])
def sim(request: pytest.FixtureRequest) -> Simulation:
    name, scale = request.param
    return Simulation(load_scenario(name), scale)


@pytest.fixture(scope="module")
def by_persona(sim: Simulation) -> dict[str, Events]:
    persona = {row["account_id"]: row["persona"] for row in sim.truth()}
    grouped: dict[str, Events] = defaultdict(list)
    for event in sim.events():
        grouped[persona[event["account_id"]]].append(event)
    return grouped


def _per(events: Events, key: str, value: str) -> dict[str, set[Any]]:
    out: dict[str, set[Any]] = defaultdict(set)
    for e in events:
        out[e[key]].add(e[value])
    return out


def test_ci_runner_keys_see_many_ips_and_keys_are_short_lived(
    by_persona: dict[str, Events],
) -> None:
    ci = by_persona["ci-runner"]
    assert max(len(ips) for ips in _per(ci, "api_key_id", "ip").values()) >= 5
    keys_per_account = _per(ci, "account_id", "api_key_id")
    assert sum(len(k) for k in keys_per_account.values()) > len(keys_per_account), "rotation"


def test_hydra_accounts_share_cards_templates_and_proxies(by_persona: dict[str, Events]) -> None:
    hydra = by_persona["hydra-fleet"]
    accounts = {e["account_id"] for e in hydra}
    cards = {e["account"]["payment_fingerprint"] for e in hydra}
    assert len(accounts) >= 10 and len(cards) <= len(accounts) / 2
    template_users: dict[str, set[str]] = defaultdict(set)
    for e in hydra:
        template_users[e["prompt"]["template"]].add(e["account_id"])
    assert max(len(u) for u in template_users.values()) >= len(accounts) / 2
    prefixes = {e["ip"].rsplit(".", 1)[0] for e in hydra}
    assert len(prefixes) <= 10, "a handful of proxy /24s"
    assert mean(e["account"]["verified"] for e in hydra) < 0.5


def test_hydra_waves_are_synchronized(sim: Simulation, by_persona: dict[str, Events]) -> None:
    hydra = by_persona["hydra-fleet"]
    accounts = {e["account_id"] for e in hydra}
    start, end = sim.scenario.start_ts, sim.scenario.end_ts
    active: dict[int, set[str]] = defaultdict(set)
    for e in hydra:
        active[int((e["ts"] - start) // 60)].add(e["account_id"])
    minutes = range(int((end - start) // 60))
    assert any(len(active[m]) == 0 for m in minutes), "quiet between waves"
    assert any(len(active[m]) >= len(accounts) / 2 for m in minutes), "most accounts at once"


def test_logit_harvester_asks_for_logprobs_with_bias_and_one_token(
    by_persona: dict[str, Events],
) -> None:
    harvest = by_persona["logit-harvester"]
    for e in harvest:
        p = e["params"]
        assert p["logprobs"] is True and p["logit_bias"] is True and p["top_logprobs"] >= 1
        assert p["max_tokens"] == 1
        if e["status"] == 200:
            assert e["completion_tokens"] == 1


def test_one_template_is_near_duplicates_and_templates_are_far_apart(
    by_persona: dict[str, Events],
) -> None:
    uses: dict[str, list[str]] = defaultdict(list)
    for e in by_persona["hydra-fleet"] + by_persona["ci-runner"]:
        uses[e["prompt"]["template"]].append(e["prompt"]["fingerprint"])
    common = {t: fps for t, fps in uses.items() if len(fps) >= 5}
    assert len(common) >= 3
    for fps in common.values():
        assert max(hamming(a, b) for a, b in itertools.combinations(fps[:40], 2)) <= 6
    reps = [fps[0] for fps in common.values()]
    assert mean(hamming(a, b) for a, b in itertools.combinations(reps, 2)) > 20


def test_failover_accounts_are_blocked_and_replaced(by_persona: dict[str, Events]) -> None:
    fleet = by_persona["failover-fleet"]
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    blocked: set[str] = set()
    for e in fleet:
        first.setdefault(e["account_id"], e["ts"])
        last[e["account_id"]] = e["ts"]
        if e["status"] == 403:
            blocked.add(e["account_id"])
    assert blocked and any(e["status"] == 429 for e in fleet)
    starts = sorted(first.values())
    for account in blocked:
        followers = [s for s in starts if last[account] - 600 < s <= last[account] + 900]
        assert followers, "a fresh account takes over around the block"
    assert len({e["account"]["payment_fingerprint"] for e in fleet}) < len(first)
    for e in fleet:
        assert e["ts"] - e["account"]["created_at"] < 2 * 3600, "created just before use"


def test_eval_harness_looks_like_distillation_but_is_not(
    sim: Simulation, by_persona: dict[str, Events]
) -> None:
    ev = by_persona["eval-harness"]
    new_model = sim.scenario.releases[-1].name
    assert mean(e["prompt"]["cot_request"] for e in ev) >= 0.15
    assert any(e["prompt"]["rubric_request"] for e in ev)
    assert mean(e["model"] == new_model for e in ev) >= 0.5
    scored = [e for e in ev if e["params"].get("logprobs")]
    assert scored and not any(e["params"].get("logit_bias") for e in scored)


def test_router_is_diverse_and_busy(by_persona: dict[str, Events]) -> None:
    router = by_persona["router"]
    assert len({e["user_agent"] for e in router}) >= 50
    assert len({e["ja4"] for e in router}) == 1, "one egress TLS stack"
    assert len({e["model"] for e in router}) >= 3
    assert len({e["prompt"]["template"] for e in router}) >= 0.8 * len(router)


def test_batch_job_is_one_template_in_bursts(by_persona: dict[str, Events]) -> None:
    batch = by_persona["batch-docs"]
    top = Counter(e["prompt"]["template"] for e in batch).most_common(1)[0][1]
    assert top / len(batch) >= 0.95
    per_second = Counter(int(e["ts"]) for e in batch)
    assert max(per_second.values()) >= 3


def test_heavy_distiller_runs_above_its_tier(by_persona: dict[str, Events]) -> None:
    heavy = by_persona["heavy-distiller"]
    assert any(e["status"] == 429 for e in heavy)
    assert (
        mean(e["prompt"]["category"] in {"coding", "reasoning", "agentic", "math"} for e in heavy)
        > 0.9
    )


def test_cot_language_campaign_spans_languages(by_persona: dict[str, Events]) -> None:
    cot = by_persona["cot-language"]
    assert mean(e["prompt"]["cot_request"] for e in cot) >= 0.8
    assert len({e["prompt"]["lang"] for e in cot}) >= 5


def test_model_hopper_moves_to_the_release(sim: Simulation, by_persona: dict[str, Events]) -> None:
    hop = by_persona["model-hopper"]
    release = sim.scenario.releases[-1]
    late = [e for e in hop if e["ts"] > sim.scenario.end_ts - 300]
    early = [e for e in hop if e["ts"] < sim.scenario.start_ts + release.at]
    assert late and early
    assert not any(e["model"] == release.name for e in early)
    assert mean(e["model"] == release.name for e in late) >= 0.5


def test_unrelated_legit_accounts_share_popular_templates(by_persona: dict[str, Events]) -> None:
    users: dict[str, set[str]] = defaultdict(set)
    cards: dict[str, set[str]] = defaultdict(set)
    for e in by_persona["shared-template-users"]:
        users[e["prompt"]["template"]].add(e["account_id"])
        cards[e["prompt"]["template"]].add(e["account"]["payment_fingerprint"])
    shared = [t for t, u in users.items() if len(u) >= 2]
    assert shared
    assert all(len(cards[t]) == len(users[t]) for t in shared), "no shared payment"


def test_transfer_station_hides_a_templated_stream_among_customers(
    by_persona: dict[str, Events],
) -> None:
    relay = by_persona["transfer-station"]
    assert len({e["user_agent"] for e in relay}) >= 30
    uses = Counter(e["prompt"]["template"] for e in relay)
    repeated = sum(c for c in uses.values() if c >= 3)
    assert 0.1 <= repeated / len(relay) <= 0.8, "a harvesting share, not all of it"


def test_legit_classifiers_are_a_benign_twin_of_logit_harvesting() -> None:
    sim = Simulation(load_scenario("hard-legit"), scale=0.1)
    legit = {row["account_id"] for row in sim.truth() if not row["is_attack"]}
    twins = {
        e["account_id"]
        for e in sim.events()
        if e["account_id"] in legit
        and e["params"].get("logit_bias")
        and e["params"].get("logprobs")
        and e["params"].get("max_tokens") == 1
    }
    assert twins, "legitimate label scoring with logit_bias and 1-token outputs"


def test_a_dev_team_is_one_organisation_on_one_card_and_office(
    by_persona: dict[str, Events],
) -> None:
    """Each team: one card and one organisation for all its members, most requests from one
    office /24, established members beside fresh, unverified new hires."""
    team = by_persona["dev-team"]
    accounts = {e["account_id"] for e in team}
    assert len(accounts) >= 2
    by_card: dict[str, set[str]] = defaultdict(set)
    for e in team:
        by_card[e["account"]["payment_fingerprint"]].add(e["account_id"])
    assert max(len(a) for a in by_card.values()) >= 2, "teammates share the company card"
    for members in by_card.values():
        mine = [e for e in team if e["account_id"] in members]
        assert len({e["org_id"] for e in mine}) == 1 and mine[0]["org_id"] is not None
        office, n = Counter(e["ip"].rsplit(".", 1)[0] for e in mine).most_common(1)[0]
        assert n >= 0.6 * len(mine), office
    assert any(e["account"]["verified"] for e in team)


def test_a_workshop_signs_up_that_morning_and_works_in_step() -> None:
    """Attendees pay with their own cards, mostly signed up in the hours before the
    session, mostly from the venue's /24, and work on the same exercise at the same time;
    with ``org_share`` 1 they are all in the organiser's organisation."""
    from distillguard.models.sim.scenario import Scenario

    scenario = Scenario.model_validate(
        {
            "name": "course",
            "seed": 5,
            "start": "2026-09-15T07:00:00Z",
            "duration": "3h",
            "models": ["m1"],
            "populations": [
                {"persona": "workshop", "count": 1, "params": {"attendees": 20}},
                {"persona": "workshop", "count": 1, "params": {"attendees": 5, "org_share": 1}},
            ],
        }
    )
    sim = Simulation(scenario, 1.0)
    events = list(sim.events())
    first = min(e["ts"] for e in events)
    by_account: dict[str, Events] = defaultdict(list)
    for e in events:
        by_account[e["account_id"]].append(e)
    assert len(by_account) == 25
    cards = {e["account"]["payment_fingerprint"] for e in events}
    assert len(cards) == 25, "every attendee pays for themselves"
    fresh = [
        a for a, evs in by_account.items() if first - evs[0]["account"]["created_at"] < 7 * 3600
    ]
    assert len(fresh) >= 10
    orgs = Counter(evs[0]["org_id"] for evs in by_account.values())
    assert orgs[None] == 20 and len(orgs) == 2 and 5 in orgs.values()
    venue, n = Counter(e["ip"].rsplit(".", 1)[0] for e in events).most_common(1)[0]
    assert n >= 0.7 * len(events), venue
    # in step: in any ten minutes, most templated requests are on one exercise
    windows: dict[int, Counter[str]] = defaultdict(Counter)
    for e in events:
        windows[int(e["ts"] // 600)][e["prompt"]["template"]] += 1
    busy = [w for w in windows.values() if sum(w.values()) >= 40]
    assert busy and all(w.most_common(1)[0][1] >= 0.3 * sum(w.values()) for w in busy)
