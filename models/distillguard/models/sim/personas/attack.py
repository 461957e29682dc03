"""Attack campaigns, after the behaviour described in public reports (see docs/simulator.md).

Accounts of one population form one campaign: they share what real fleets share
(templates, payment cards, proxy ranges, client stacks, a wave schedule) in amounts set
by the parameters, so detection can be tuned on one shape and tested on another.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from distillguard.models.sim import prompts, timing, world
from distillguard.models.sim.context import Context
from distillguard.models.sim.personas.base import (
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
TARGETED = {"coding": 4.0, "reasoning": 3.0, "agentic": 2.0, "math": 1.0}
HIGH_END = ("tier1", "tier2")


class FleetParams(PersonaParams):
    """Knobs shared by the multi-account campaigns."""

    templates: int = Field(12, ge=1, description="campaign prompt templates")
    cot_share: float = Field(0.5, ge=0, le=1)
    rubric_share: float = Field(0.05, ge=0, le=1)
    noise_share: float = Field(0.1, ge=0, le=1, description="free-form filler prompts")
    accounts_per_card: float = Field(15.0, ge=1)
    proxy_subnets: int = Field(6, ge=1)
    age_days: tuple[float, float] = (0.0, 3.0)
    verified_share: float = Field(0.1, ge=0, le=1)
    new_model_share: float = Field(0.5, ge=0, le=1)
    hop_after_minutes: float = Field(120.0, ge=0)


class _Fleet:
    """Shared campaign infrastructure."""

    def __init__(
        self, rng: Rng, p: FleetParams, count: int, langs: dict[str, float] | None = None
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
        self.cards = [
            payment_fingerprint(rng) for _ in range(max(1, round(count / p.accounts_per_card)))
        ]
        self.subnets = [world.subnet24(rng, world.HOSTING_PROXY) for _ in range(p.proxy_subnets)]
        self.clients = [world.custom_client(rng) for _ in range(2)]


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
        org=False,
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


class HeavyParams(PersonaParams):
    rpm: float = 90.0
    tier: str = "tier1"
    templates: int = Field(30, ge=1)
    cot_share: float = Field(0.6, ge=0, le=1)
    new_model_share: float = Field(0.6, ge=0, le=1)
    hop_after_minutes: float = Field(120.0, ge=0)


def build_heavy(ctx: Context, rng: Rng, p: HeavyParams, count: int, campaign: str) -> list[Plan]:
    plans = []
    for _ in range(count):
        acct = account(rng, ctx, tier=p.tier, verified=True, age_days=(1, 10), org=False)
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm), timing.diurnal(0.0, 0.05))
        n = int(ts.shape[0])
        own = prompts.make_templates(rng, p.templates, categories=TARGETED, cot_share=p.cot_share)
        nets = world.nets_in_subnets(rng, [world.subnet24(rng, world.HOSTING_PROXY)], 6)
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="heavy-distiller",
                is_attack=True,
                campaign=campaign,
                ts=ts,
                keys=keys(rng, 3),
                key=pick(rng, n, 3),
                nets=nets,
                net=pick(rng, n, 6),
                clients=[world.custom_client(rng)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(
                    rng, ts, jump_share=p.new_model_share, jump_delay=p.hop_after_minutes * 60
                ),
                param_sets=[params(temperature=0.7, max_tokens=4096)],
                param=pick(rng, n, 1),
                prompt=prompts.columns(
                    rng,
                    n,
                    own,
                    zipf_weights(len(own), 0.6),
                    free_share=0.15,
                    free_categories=TARGETED,
                    free_cot_share=0.5,
                ),
                completion_median=900,
                completion_sigma=0.6,
            )
        )
    return plans


class HydraParams(FleetParams):
    rpm: float = 4.0
    wave_minutes: float = Field(20.0, gt=0, description="period of the synchronized waves")
    duty: float = Field(0.4, gt=0, le=1)
    jitter_seconds: float = Field(20.0, ge=0)
    join_spread_minutes: float = Field(30.0, ge=0, description="accounts join over this time")


def build_hydra(ctx: Context, rng: Rng, p: HydraParams, count: int, campaign: str) -> list[Plan]:
    fleet = _Fleet(rng, p, count)
    schedule = timing.waves(rng, ctx.start, ctx.end, p.wave_minutes * 60, p.duty)
    plans = []
    for _ in range(count):
        joined = ctx.start + rng.uniform(0, p.join_spread_minutes * 60)
        ts = timing.clip(
            timing.in_windows(rng, schedule, ctx.rpm(p.rpm), p.jitter_seconds), joined, ctx.end
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
                created_at=joined - rng.uniform(0, p.age_days[1] * 86400),
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
    fleet = _Fleet(rng, p, count)
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


class LogitParams(PersonaParams):
    rpm: float = 40.0
    top_logprobs: int = Field(20, ge=1)
    templates: int = Field(3, ge=1)


def build_logit(ctx: Context, rng: Rng, p: LogitParams, count: int, campaign: str) -> list[Plan]:
    plans = []
    for _ in range(count):
        acct = account(rng, ctx, tier="tier2", verified=True, age_days=(3, 40), org=False)
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm))
        n = int(ts.shape[0])
        probes = prompts.make_templates(rng, p.templates, categories={"other": 1}, chars=(20, 200))
        nets = world.nets_in_subnets(rng, [world.subnet24(rng, world.HOSTING_PROXY)], 3)
        ps = [
            params(
                temperature=0.0,
                max_tokens=1,
                logprobs=True,
                top_logprobs=p.top_logprobs,
                logit_bias=True,
            )
        ]
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="logit-harvester",
                is_attack=True,
                campaign=campaign,
                ts=ts,
                keys=keys(rng, 1),
                key=pick(rng, n, 1),
                nets=nets,
                net=pick(rng, n, 3),
                clients=[world.custom_client(rng)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, base_weights=(1.0, 0.0)),
                param_sets=ps,
                param=pick(rng, n, 1),
                prompt=prompts.columns(rng, n, probes),
                completion_median=1,
                completion_sigma=0.0,
                endpoint="/v1/completions",
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
    fleet = _Fleet(rng, p, count * 6)
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
    fleet = _Fleet(rng, p, count, langs=p.langs)
    schedule = timing.waves(rng, ctx.start, ctx.end, p.wave_minutes * 60, p.duty)
    return [
        _fleet_plan(
            ctx,
            rng,
            p,
            fleet,
            timing.in_windows(rng, schedule, ctx.rpm(p.rpm), 60.0),
            persona="cot-language",
            campaign=campaign,
            tier="tier1",
        )
        for _ in range(count)
    ]


class HopperParams(PersonaParams):
    rpm: float = 25.0
    new_model_share: float = Field(0.85, ge=0, le=1)
    hop_after_minutes: float = Field(60.0, ge=0)
    ramp: float = Field(2.0, ge=1, description="rate multiplier once on the new model")
    templates: int = Field(20, ge=1)


def build_hopper(ctx: Context, rng: Rng, p: HopperParams, count: int, campaign: str) -> list[Plan]:
    card = payment_fingerprint(rng)
    shared = prompts.make_templates(rng, p.templates, categories=TARGETED, cot_share=0.3)
    plans = []
    release = ctx.releases[-1][1] if ctx.releases else ctx.end
    for _ in range(count):
        acct = account(
            rng,
            ctx,
            tier=str(rng.choice(HIGH_END)),
            verified=True,
            age_days=(5, 60),
            org=False,
            card=card,
        )
        hop = min(ctx.end, release + p.hop_after_minutes * 60 * rng.uniform(0.5, 1.5))
        ts = np.concatenate(
            [
                timing.poisson(rng, ctx.start, hop, ctx.rpm(p.rpm)),
                timing.poisson(rng, hop, ctx.end, ctx.rpm(p.rpm) * p.ramp),
            ]
        )
        n = int(ts.shape[0])
        model = ctx.pick_models(rng, ts)
        if ctx.releases:
            model = np.where(
                (ts >= hop) & (rng.random(n) < p.new_model_share), len(ctx.models) - 1, model
            )
        nets = world.nets_in_subnets(rng, [world.subnet24(rng, world.HOSTING_PROXY)], 4)
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="model-hopper",
                is_attack=True,
                campaign=campaign,
                ts=ts,
                keys=keys(rng, 2),
                key=pick(rng, n, 2),
                nets=nets,
                net=pick(rng, n, 4),
                clients=[world.client(rng, world.SDK_STACKS)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=model.astype(np.int64),
                param_sets=[params(temperature=0.7, max_tokens=4096)],
                param=pick(rng, n, 1),
                prompt=prompts.columns(rng, n, shared, free_share=0.1, free_categories=TARGETED),
                completion_median=900,
                completion_sigma=0.6,
            )
        )
    return plans


ATTACKS: tuple[Persona[Any], ...] = (
    Persona("heavy-distiller", True, HeavyParams, build_heavy, "one account far above its tier"),
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
        "logit-harvester", True, LogitParams, build_logit, "logprobs + logit_bias, 1-token outputs"
    ),
    Persona(
        "failover-fleet", True, FailoverParams, build_failover, "blocked accounts replaced at once"
    ),
    Persona(
        "cot-language", True, CotLangParams, build_cot_lang, "CoT elicitation in many languages"
    ),
    Persona(
        "model-hopper", True, HopperParams, build_hopper, "moves to a new release within hours"
    ),
)
