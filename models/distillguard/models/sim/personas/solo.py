"""Attacks run from one or a few accounts each.

- ``heavy-distiller``: one account far above its tier limit (429s), 24/7, targeted
  capabilities, CoT-heavy, moves to a new release.
- ``logit-harvester``: ``logprobs`` + ``top_logprobs`` + ``logit_bias`` with 1-token outputs.
- ``model-hopper``: moves most of its traffic to a new release within hours, and ramps up.
- ``transfer-station``: resold access; real end customers (many user agents, diverse
  prompts) mixed with a templated, CoT-heavy harvesting stream on shared cards and proxies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from distillguard.models.sim import prompts, timing, world
from distillguard.models.sim.context import Context
from distillguard.models.sim.personas.base import (
    BROAD,
    TARGETED,
    WORLD_LANGS,
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
        rate = ctx.rpm(p.rpm, rng, 0.1)  # stays above the tier limit
        ts = timing.poisson(rng, ctx.start, ctx.end, rate, timing.diurnal(0.0, 0.05))
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
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm, rng))
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
        rate = ctx.rpm(p.rpm, rng)
        hop = min(ctx.end, release + p.hop_after_minutes * 60 * rng.uniform(0.5, 1.5))
        ts = np.concatenate(
            [
                timing.poisson(rng, ctx.start, hop, rate),
                timing.poisson(rng, hop, ctx.end, rate * p.ramp),
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


class RelayParams(PersonaParams):
    rpm: float = 60.0
    tier: str = "tier2"
    distill_share: float = Field(0.4, ge=0, le=1, description="share of harvesting requests")
    templates: int = Field(15, ge=1)
    cot_share: float = Field(0.6, ge=0, le=1)
    end_user_agents: int = Field(200, ge=1)
    accounts_per_card: float = Field(3.0, ge=1)


def build_relay(ctx: Context, rng: Rng, p: RelayParams, count: int, campaign: str) -> list[Plan]:
    """A "transfer station": resold access whose real customers hide a harvesting stream."""
    harvest = prompts.make_templates(rng, p.templates, categories=TARGETED, cot_share=p.cot_share)
    cards = [payment_fingerprint(rng) for _ in range(max(1, round(count / p.accounts_per_card)))]
    subnets = [world.subnet24(rng, world.HOSTING_PROXY) for _ in range(3)]
    harvester = world.custom_client(rng)
    plans = []
    for _ in range(count):
        acct = account(
            rng,
            ctx,
            tier=p.tier,
            verified=bool(rng.random() < 0.5),
            age_days=(5, 90),
            org=bool(rng.random() < 0.5),
            card=str(rng.choice(cards)),
        )
        rate = ctx.rpm(p.rpm, rng)
        ts = timing.poisson(rng, ctx.start, ctx.end, rate, timing.diurnal(0.0, 0.1))
        n = int(ts.shape[0])
        distill = rng.random(n) < p.distill_share
        customers = [
            world.client(rng, world.BROWSERS + world.SDK_STACKS)[0]
            for _ in range(p.end_user_agents)
        ]
        clients = [harvester] + [(ua, harvester[1]) for ua in customers]
        client = np.where(
            distill, 0, 1 + pick(rng, n, len(customers), zipf_weights(len(customers)))
        )
        nets = world.nets_in_subnets(rng, subnets, 12)
        ps = [
            params(temperature=0.7, max_tokens=4096),
            params(temperature=0.7, max_tokens=1024, stream=True),
        ]
        prompt = prompts.select(
            distill,
            prompts.columns(rng, n, harvest, free_share=0.05, free_categories=TARGETED),
            prompts.columns(
                rng, n, [], free_categories=BROAD, free_langs=WORLD_LANGS, free_cot_share=0.05
            ),
        )
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="transfer-station",
                is_attack=True,
                campaign=campaign,
                ts=ts,
                keys=keys(rng, 2),
                key=pick(rng, n, 2),
                nets=nets,
                net=pick(rng, n, 12),
                clients=clients,
                client=client.astype(np.int64),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, jump_share=0.4, jump_delay=3600),
                param_sets=ps,
                param=np.where(distill, 0, 1).astype(np.int64),
                prompt=prompt,
                completion_median=500,
                completion_sigma=0.9,
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
    Persona(
        "transfer-station",
        True,
        RelayParams,
        build_relay,
        "resold access: real customers mixed with a harvesting stream",
    ),
)
