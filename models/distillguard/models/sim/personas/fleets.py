"""Multi-account attack campaigns, after the behaviour in public reports.

Accounts of one population form one campaign: they share what real fleets share
(templates, payment cards, proxy ranges, client stacks, a wave schedule) in amounts set
by the parameters, so detection can be tuned on one shape and tested on another.

- ``hydra-fleet``: hundreds of new, unverified accounts each under its tier limit, in
  synchronized waves, on shared cards, templates and proxy ranges.
- ``slow-and-low``: aged accounts at a trickle each, round the clock, residential proxies.
- ``failover-fleet``: accounts throttled (429) then blocked (403) are replaced at once by
  fresh ones with the same templates, cards and proxies.
- ``cot-language``: chain-of-thought elicitation in the user's language, many languages.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from distillguard.models.sim import prompts, timing, world
from distillguard.models.sim.context import Context
from distillguard.models.sim.personas.base import (
    TARGETED,
    Persona,
    PersonaParams,
    account,
    keys,
    params,
    pick,
    zipf_weights,
)
from distillguard.models.sim.plan import Plan, make_plan
from distillguard.models.sim.world import payment_fingerprint

Rng = np.random.Generator


class FleetParams(PersonaParams):
    """Knobs shared by the multi-account campaigns."""

    rpm: float = Field(1.0, ge=0, description="requests per minute per account while active")

    templates: int = Field(12, ge=1, description="campaign prompt templates")
    cot_share: float = Field(0.5, ge=0, le=1)
    rubric_share: float = Field(0.05, ge=0, le=1)
    noise_share: float = Field(0.1, ge=0, le=1, description="free-form filler prompts")
    accounts_per_card: float = Field(15.0, ge=1)
    proxy_subnets: int = Field(6, ge=1)
    age_days: tuple[float, float] = (0.0, 3.0)
    verified_share: float = Field(0.1, ge=0, le=1)
    org_share: float = Field(0.3, ge=0, le=1, description="accounts that registered an org")
    bespoke_client: bool = Field(True, description="own tooling (rare JA4) or popular SDKs")
    new_model_share: float = Field(0.5, ge=0, le=1)
    hop_after_minutes: float = Field(120.0, ge=0)
    public_templates: int = Field(
        0,
        ge=0,
        description="public benchmark formats on the targeted capabilities the fleet also "
        "harvests with (the ones many legitimate accounts use)",
    )


class _Fleet:
    """Shared campaign infrastructure."""

    def __init__(
        self,
        ctx: Context,
        rng: Rng,
        p: FleetParams,
        count: int,
        langs: dict[str, float] | None = None,
    ) -> None:
        self.templates = prompts.make_templates(
            rng,
            p.templates,
            categories=TARGETED,
            cot_share=p.cot_share,
            rubric_share=p.rubric_share,
            langs=langs,
            chars=(300, 3000),
        )
        public = [t for t in ctx.catalogue.benchmarks if t.category in TARGETED]
        self.templates += public[: p.public_templates]
        self.cards = [
            payment_fingerprint(rng) for _ in range(max(1, round(count / p.accounts_per_card)))
        ]
        self.subnets = [world.subnet24(rng, world.HOSTING_PROXY) for _ in range(p.proxy_subnets)]
        if p.bespoke_client:  # the fleet's own tooling: one rare UA + JA4 pair shared by all
            self.clients = [world.custom_client(rng) for _ in range(2)]
        else:  # popular SDKs, whose TLS fingerprints thousands of legitimate clients share
            self.clients = [world.client(rng, world.SDK_STACKS) for _ in range(2)]


def _fleet_plan(
    ctx: Context,
    rng: Rng,
    p: FleetParams,
    fleet: _Fleet,
    ts: timing.Times,
    *,
    persona: str,
    campaign: str,
    tier: str,
    blocked_from: float | None = None,
    throttled_from: float | None = None,
    created_at: float | None = None,
    ips_per_account: int = 40,
) -> Plan:
    n = int(ts.shape[0])
    acct = account(
        rng,
        ctx,
        tier=tier,
        verified=bool(rng.random() < p.verified_share),
        age_days=p.age_days,
        org=bool(rng.random() < p.org_share),
        card=str(rng.choice(fleet.cards)),
        created_at=created_at,
    )
    nets = world.nets_in_subnets(rng, fleet.subnets, ips_per_account)
    ps = [params(temperature=float(rng.choice([0.0, 0.7, 1.0])), max_tokens=4096)]
    return make_plan(
        rng,
        account=acct,
        persona=persona,
        is_attack=True,
        campaign=campaign,
        ts=ts,
        keys=keys(rng, 1),
        key=pick(rng, n, 1),
        nets=nets,
        net=pick(rng, n, len(nets)),
        clients=fleet.clients,
        client=pick(rng, n, 2, np.array([0.8, 0.2])),
        models=ctx.models,
        model=ctx.pick_models(
            rng,
            ts,
            jump_share=p.new_model_share,
            jump_delay=p.hop_after_minutes * 60 * rng.uniform(0.5, 1.0),
        ),
        param_sets=ps,
        param=pick(rng, n, 1),
        prompt=prompts.columns(
            rng,
            n,
            fleet.templates,
            zipf_weights(len(fleet.templates), 0.7),
            free_share=p.noise_share,
            free_categories=TARGETED,
        ),
        completion_median=900,
        completion_sigma=0.6,
        blocked_from=blocked_from,
        throttled_from=throttled_from,
    )


class HydraParams(FleetParams):
    rpm: float = 4.0
    wave_minutes: float = Field(20.0, gt=0, description="period of the synchronized waves")
    duty: float = Field(0.4, gt=0, le=1)
    jitter_seconds: float = Field(20.0, ge=0)
    join_spread_minutes: float = Field(30.0, ge=0, description="accounts join over this time")


def build_hydra(ctx: Context, rng: Rng, p: HydraParams, count: int, campaign: str) -> list[Plan]:
    fleet = _Fleet(ctx, rng, p, count)
    schedule = timing.waves(rng, ctx.start, ctx.end, p.wave_minutes * 60, p.duty)
    plans = []
    for _ in range(count):
        joined = ctx.start + rng.uniform(0, p.join_spread_minutes * 60)
        ts = timing.clip(
            timing.in_windows(rng, schedule, ctx.rpm(p.rpm, rng, 0.15), p.jitter_seconds),
            joined,
            ctx.end,
        )
        plans.append(
            _fleet_plan(
                ctx,
                rng,
                p,
                fleet,
                ts,
                persona="hydra-fleet",
                campaign=campaign,
                tier=str(rng.choice(["free", "tier1", "tier1", "tier1"])),
                created_at=joined - rng.uniform(*p.age_days) * 86400,
            )
        )
    return plans


class SlowLowParams(FleetParams):
    rpm: float = 0.6
    accounts_per_card: float = Field(4.0, ge=1)
    age_days: tuple[float, float] = (30.0, 300.0)
    verified_share: float = Field(0.6, ge=0, le=1)
    residential_ips: int = Field(400, ge=1)


def build_slow_low(
    ctx: Context, rng: Rng, p: SlowLowParams, count: int, campaign: str
) -> list[Plan]:
    fleet = _Fleet(ctx, rng, p, count)
    pool = world.random_nets(rng, world.RESIDENTIAL, p.residential_ips, v6_share=0.2)
    plans = []
    for _ in range(count):
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm) * rng.uniform(0.6, 1.4))
        n = int(ts.shape[0])
        acct = account(
            rng,
            ctx,
            tier="tier1",
            verified=bool(rng.random() < p.verified_share),
            age_days=p.age_days,
            card=str(rng.choice(fleet.cards)),
        )
        mine = [pool[i] for i in rng.choice(len(pool), size=min(20, len(pool)), replace=False)]
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="slow-and-low",
                is_attack=True,
                campaign=campaign,
                ts=ts,
                keys=keys(rng, 1),
                key=pick(rng, n, 1),
                nets=mine,
                net=pick(rng, n, len(mine)),
                clients=[world.client(rng, world.SDK_STACKS)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(
                    rng, ts, jump_share=p.new_model_share, jump_delay=p.hop_after_minutes * 60
                ),
                param_sets=[params(temperature=0.7, max_tokens=4096)],
                param=pick(rng, n, 1),
                prompt=prompts.columns(
                    rng, n, fleet.templates, free_share=p.noise_share, free_categories=TARGETED
                ),
                completion_median=900,
                completion_sigma=0.6,
            )
        )
    return plans


class FailoverParams(FleetParams):
    rpm: float = 35.0
    life_minutes: float = Field(25.0, gt=0, description="mean time until an account is blocked")
    respawn_minutes: float = Field(3.0, ge=0, description="mean gap before the next account")
    throttle_minutes: float = Field(4.0, ge=0, description="429s before the block")
    block_tail_minutes: float = Field(3.0, ge=0, description="403s before the account gives up")
    age_days: tuple[float, float] = (0.0, 0.05)


def build_failover(
    ctx: Context, rng: Rng, p: FailoverParams, count: int, campaign: str
) -> list[Plan]:
    fleet = _Fleet(ctx, rng, p, count * 6)
    plans = []
    for _ in range(count):  # ``count`` accounts live at once; each is replaced when blocked
        for s, e in timing.lifetimes(rng, ctx.start, ctx.end, p.life_minutes, p.respawn_minutes):
            # Above-limit rate gets 429s; then the block (403) until the operator notices.
            blocked = throttled = None
            if e < ctx.end:
                blocked = e - rng.uniform(0.5, 1.5) * p.block_tail_minutes * 60
                throttled = blocked - rng.uniform(0.5, 1.5) * p.throttle_minutes * 60
            ts = timing.poisson(rng, s, e, ctx.rpm(p.rpm) * rng.uniform(0.9, 1.6))
            plans.append(
                _fleet_plan(
                    ctx,
                    rng,
                    p,
                    fleet,
                    ts,
                    persona="failover-fleet",
                    campaign=campaign,
                    tier="tier1",
                    blocked_from=blocked,
                    throttled_from=throttled,
                    created_at=s - rng.uniform(60, 3600),
                )
            )
    return plans


class CotLangParams(FleetParams):
    rpm: float = 3.0
    cot_share: float = Field(1.0, ge=0, le=1)
    langs: dict[str, float] = Field(
        default_factory=lambda: {
            k: 1.0 for k in ("en", "zh", "es", "ru", "ar", "ja", "ko", "fr", "de", "hi")
        }
    )
    wave_minutes: float = Field(30.0, gt=0)
    duty: float = Field(0.6, gt=0, le=1)


def build_cot_lang(
    ctx: Context, rng: Rng, p: CotLangParams, count: int, campaign: str
) -> list[Plan]:
    fleet = _Fleet(ctx, rng, p, count, langs=p.langs)
    schedule = timing.waves(rng, ctx.start, ctx.end, p.wave_minutes * 60, p.duty)
    return [
        _fleet_plan(
            ctx,
            rng,
            p,
            fleet,
            timing.in_windows(rng, schedule, ctx.rpm(p.rpm, rng), 60.0),
            persona="cot-language",
            campaign=campaign,
            tier="tier1",
        )
        for _ in range(count)
    ]


PERSONAS: tuple[Persona[Any], ...] = (
    Persona(
        "hydra-fleet",
        True,
        HydraParams,
        build_hydra,
        "hundreds of small accounts, shared infra, waves",
    ),
    Persona(
        "slow-and-low",
        True,
        SlowLowParams,
        build_slow_low,
        "aged accounts, low rate, residential proxies",
    ),
    Persona(
        "failover-fleet", True, FailoverParams, build_failover, "blocked accounts replaced at once"
    ),
    Persona(
        "cot-language", True, CotLangParams, build_cot_lang, "CoT elicitation in many languages"
    ),
)
