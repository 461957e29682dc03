"""Legitimate services that run at volume: each trips single signals on purpose.

- ``chat-app``: a product backend; high, diurnal volume, one system prompt, diverse users.
- ``batch-docs``: document processing; one template, huge bursts (429s), sometimes a
  brand-new account at full speed (a workload moved to a fresh account).
- ``router``: an LLM gateway; round the clock, very high volume, end-user user agents,
  every model, adopts new models within hours.
- ``synthetic-data``: a data-generation job; few templates, 24/7, high temperature, n > 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from distillguard.models.sim import prompts, timing, world
from distillguard.models.sim.context import Context
from distillguard.models.sim.personas.base import (
    BROAD,
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

Rng = np.random.Generator


class ChatAppParams(PersonaParams):
    rpm: float = 40.0
    diurnal_amplitude: float = Field(0.6, ge=0, le=1)
    servers: int = Field(4, ge=1)
    feature_share: float = Field(0.2, ge=0, le=1, description="share of templated app features")


def build_chat_app(
    ctx: Context, rng: Rng, p: ChatAppParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        acct = account(
            rng, ctx, tier=str(rng.choice(["tier4", "tier5"])), verified=True, age_days=(120, 1500)
        )
        shape = timing.diurnal(float(rng.uniform(-8, 9)), p.diurnal_amplitude)
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm, rng), shape)
        n = int(ts.shape[0])
        system = int(prompts.rand64(rng, 1)[0])
        features = prompts.make_templates(rng, 4, categories=BROAD, system=system)
        nets = world.random_nets(rng, world.CLOUD[:3], p.servers)
        clients = [world.client(rng, world.SDK_STACKS[:3])]
        ps = [
            params(temperature=0.7, max_tokens=1024, stream=True),
            params(temperature=0.7, max_tokens=2048, stream=True, tools=3),
        ]
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="chat-app",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 2),
                key=pick(rng, n, 2, np.array([0.9, 0.1])),
                nets=nets,
                net=pick(rng, n, len(nets)),
                clients=clients,
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, jump_share=0.1, jump_delay=7200),
                param_sets=ps,
                param=pick(rng, n, 2, np.array([0.8, 0.2])),
                prompt=prompts.columns(
                    rng,
                    n,
                    features,
                    free_share=1 - p.feature_share,
                    free_categories=BROAD,
                    free_langs=WORLD_LANGS,
                    system=system,
                ),
                completion_median=250,
            )
        )
    return plans


class BatchParams(PersonaParams):
    rpm: float = Field(0.0, ge=0, description="background requests between bursts")
    bursts_per_hour: float = Field(1.5, gt=0)
    burst_size: float = Field(1500, gt=0)
    burst_rps: float = Field(8.0, gt=0)
    new_account_share: float = Field(0.25, ge=0, le=1)
    tier: str = "tier3"


def build_batch_docs(
    ctx: Context, rng: Rng, p: BatchParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        fresh = rng.random() < p.new_account_share
        acct = account(
            rng, ctx, tier=p.tier, verified=True, age_days=(0.0, 0.2) if fresh else (60, 1200)
        )
        ts = np.sort(
            np.concatenate(
                [
                    timing.bursts(
                        rng,
                        ctx.start,
                        ctx.end,
                        p.bursts_per_hour,
                        p.burst_size * ctx.scale,
                        p.burst_rps,
                    ),
                    timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm)),
                ]
            )
        )
        n = int(ts.shape[0])
        system = int(prompts.rand64(rng, 1)[0])
        job = prompts.make_templates(
            rng, 1, categories={"knowledge": 1, "other": 1}, chars=(3000, 12000), system=system
        )
        nets = world.random_nets(rng, world.CLOUD, 3)
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="batch-docs",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 1),
                key=pick(rng, n, 1),
                nets=nets,
                net=pick(rng, n, 3),
                clients=[world.client(rng, world.SDK_STACKS)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, base_weights=(0.2, 0.8)),
                param_sets=[params(temperature=0.0, max_tokens=800, stream=False)],
                param=pick(rng, n, 1),
                prompt=prompts.columns(rng, n, job),
                completion_median=300,
                completion_sigma=0.4,
            )
        )
    return plans


class RouterParams(PersonaParams):
    rpm: float = 150.0
    end_user_agents: int = Field(300, ge=1)
    egress_ips: int = Field(6, ge=1)
    new_model_share: float = Field(0.3, ge=0, le=1)
    adopt_after_minutes: float = Field(45.0, ge=0)


def build_router(ctx: Context, rng: Rng, p: RouterParams, count: int, campaign: str) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        acct = account(rng, ctx, tier="enterprise", verified=True, age_days=(300, 1500))
        rate = ctx.rpm(p.rpm, rng)
        ts = timing.poisson(rng, ctx.start, ctx.end, rate, timing.diurnal(0.0, 0.15))
        n = int(ts.shape[0])
        nets = world.random_nets(rng, world.CLOUD, p.egress_ips)
        ja4 = world.ja4_for(world.hex_id(rng, "router-"))
        uas = [
            world.client(rng, world.BROWSERS + world.SDK_STACKS)[0]
            for _ in range(p.end_user_agents)
        ]
        clients = [(ua, ja4) for ua in uas]
        nb = len(ctx.base_models)
        ps = [
            params(temperature=t, max_tokens=m, stream=s, top_p=0.95 if s else None)
            for t in (0.2, 0.7, 1.0)
            for m in (512, 4096)
            for s in (True, False)
        ]
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="router",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 5),
                key=pick(rng, n, 5, zipf_weights(5)),
                nets=nets,
                net=pick(rng, n, len(nets)),
                clients=clients,
                client=pick(rng, n, len(clients), zipf_weights(len(clients), 0.8)),
                models=ctx.models,
                model=ctx.pick_models(
                    rng,
                    ts,
                    base_weights=tuple([1.0 / nb] * nb),
                    jump_share=p.new_model_share,
                    jump_delay=p.adopt_after_minutes * 60,
                ),
                param_sets=ps,
                param=pick(rng, n, len(ps)),
                prompt=prompts.columns(
                    rng,
                    n,
                    ctx.catalogue.frameworks,
                    free_share=0.9,
                    free_categories=BROAD,
                    free_langs=WORLD_LANGS,
                    free_cot_share=0.08,
                    free_rubric_share=0.01,
                ),
                completion_median=300,
                completion_sigma=1.0,
            )
        )
    return plans


class SyntheticDataParams(PersonaParams):
    rpm: float = 60.0
    templates: int = Field(5, ge=1)


def build_synthetic_data(
    ctx: Context, rng: Rng, p: SyntheticDataParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        acct = account(rng, ctx, tier="tier4", verified=True, age_days=(60, 800))
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm, rng))
        n = int(ts.shape[0])
        gen = prompts.make_templates(
            rng, p.templates, categories={"creative": 2, "knowledge": 2, "coding": 1}
        )
        nets = world.random_nets(rng, world.CLOUD, 2)
        ps = [
            params(temperature=1.0, top_p=0.95, max_tokens=1500, n=4),
            params(temperature=0.9, max_tokens=1500, n=1),
        ]
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="synthetic-data",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 2),
                key=pick(rng, n, 2),
                nets=nets,
                net=pick(rng, n, 2),
                clients=[world.client(rng, world.SDK_STACKS)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, base_weights=(0.1, 0.9)),
                param_sets=ps,
                param=pick(rng, n, 2),
                prompt=prompts.columns(rng, n, gen),
                completion_median=500,
                completion_sigma=0.5,
            )
        )
    return plans


PERSONAS: tuple[Persona[Any], ...] = (
    Persona("chat-app", False, ChatAppParams, build_chat_app, "product backend, diurnal, diverse"),
    Persona("batch-docs", False, BatchParams, build_batch_docs, "one template, huge bursts"),
    Persona("router", False, RouterParams, build_router, "LLM gateway, 24/7, many UAs and models"),
    Persona(
        "synthetic-data",
        False,
        SyntheticDataParams,
        build_synthetic_data,
        "data generation: few templates, 24/7, n > 1",
    ),
)
