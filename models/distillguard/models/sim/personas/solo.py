"""Attacks run from one or a few accounts.

- ``heavy-distiller``: one account far above its tier limit (429s), 24/7, targeted
  capabilities, CoT-heavy, moves to a new release.
- ``logit-harvester``: ``logprobs`` + ``top_logprobs`` + ``logit_bias`` with 1-token outputs.
- ``model-hopper``: moves most of its traffic to a new release within hours, and ramps up.
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
HIGH_END = ("tier1", "tier2")


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
        acct = account(
            rng, ctx, tier=p.tier, verified=True, age_days=(1, 10), org=bool(rng.random() < 0.5)
        )
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


class LogitParams(PersonaParams):
    rpm: float = 40.0
    top_logprobs: int = Field(20, ge=1)
    templates: int = Field(3, ge=1)


def build_logit(ctx: Context, rng: Rng, p: LogitParams, count: int, campaign: str) -> list[Plan]:
    plans = []
    for _ in range(count):
        acct = account(
            rng, ctx, tier="tier2", verified=True, age_days=(3, 40), org=bool(rng.random() < 0.5)
        )
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
            org=bool(rng.random() < 0.5),
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


PERSONAS: tuple[Persona[Any], ...] = (
    Persona("heavy-distiller", True, HeavyParams, build_heavy, "one account far above its tier"),
    Persona(
        "logit-harvester", True, LogitParams, build_logit, "logprobs + logit_bias, 1-token outputs"
    ),
    Persona(
        "model-hopper", True, HopperParams, build_hopper, "moves to a new release within hours"
    ),
)
