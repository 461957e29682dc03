"""Legitimate engineering traffic: evaluation, CI, developers, framework defaults.

- ``eval-harness``: release-day benchmarking; CoT and rubric prompts, benchmark templates
  shared with other evaluators, logprob scoring with 1-token outputs, jumps to the new model.
- ``ci-runner``: test suites on ephemeral runners; many IPs per key, short-lived keys,
  the same prompts again and again.
- ``small-dev``: a developer; short visits from home, sometimes logprob classification.
- ``shared-template-users``: unrelated accounts on framework default or benchmark prompts.
- ``dev-team``: a team's accounts on one company card and office network, sharing internal
  templates, mostly coding with some step-by-step prompts; new hires are fresh and unverified.
  The benign twin of a fleet's shared payment and network (``org_share`` 0: a team that never
  set up an organisation, each member signed up alone with the company card).
- ``workshop``: a course or hackathon; attendees who mostly signed up that morning, each on
  their own card, all on the venue's network and the course notebook, working through the
  same exercises in step, several of which ask for step-by-step answers. The benign twin of
  a fleet's creation burst, shared network, shared templates and synchronized timing.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import numpy as np
from pydantic import Field

from distillguard.models.sim import prompts, timing, world
from distillguard.models.sim.context import Context
from distillguard.models.sim.personas.base import (
    BROAD,
    Persona,
    PersonaParams,
    account,
    keys,
    params,
    pick,
    zipf_weights,
)
from distillguard.models.sim.plan import Plan, make_plan
from distillguard.models.sim.world import hex_id, payment_fingerprint

Rng = np.random.Generator


class EvalParams(PersonaParams):
    rpm: float = 60.0
    delay_minutes: float = Field(15.0, ge=0, description="start after the latest release")
    run_minutes: float = Field(60.0, gt=0)
    new_model_share: float = Field(0.8, ge=0, le=1)
    loglik_share: float = Field(0.2, ge=0, le=1, description="logprob-scored 1-token requests")


def build_eval_harness(
    ctx: Context, rng: Rng, p: EvalParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    release_at = ctx.releases[-1][1] if ctx.releases else ctx.start
    for _ in range(count):
        acct = account(
            rng,
            ctx,
            tier=str(rng.choice(["tier4", "tier5", "enterprise"])),
            verified=True,
            age_days=(200, 1500),
        )
        start = release_at + rng.uniform(0.3, 1.0) * p.delay_minutes * 60
        runs = timing.lifetimes(rng, start, ctx.end, p.run_minutes, 10.0)
        ts = timing.in_windows(rng, runs, ctx.rpm(p.rpm, rng))
        n = int(ts.shape[0])
        judge = prompts.make_templates(rng, 2, categories={"other": 1}, rubric_share=1.0)
        suites = ctx.catalogue.benchmarks + judge
        nets = world.random_nets(rng, world.CLOUD, 2)
        ps = [
            params(temperature=0.0, max_tokens=2048),
            params(temperature=0.0, max_tokens=1, logprobs=True, top_logprobs=5),
        ]
        param = (rng.random(n) < p.loglik_share).astype(np.int64)
        model = ctx.pick_models(rng, ts, jump_share=p.new_model_share)
        if ctx.releases:
            model = np.where(rng.random(n) < p.new_model_share, len(ctx.models) - 1, model)
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="eval-harness",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 1),
                key=pick(rng, n, 1),
                nets=nets,
                net=pick(rng, n, 2),
                clients=[world.client(rng, world.SDK_STACKS[:2])],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=model,
                param_sets=ps,
                param=param,
                prompt=prompts.columns(rng, n, suites, zipf_weights(len(suites), 0.5)),
                completion_median=400,
            )
        )
    return plans


class CiParams(PersonaParams):
    runs_per_hour: float = Field(3.0, gt=0)
    requests_per_run: float = Field(40.0, gt=0)
    key_life_minutes: float = Field(90.0, gt=0)
    suite_size: int = Field(15, ge=1)
    parallel_jobs: int = Field(4, ge=1, description="matrix jobs per run, each on its own runner")


def build_ci_runner(ctx: Context, rng: Rng, p: CiParams, count: int, campaign: str) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        acct = account(rng, ctx, tier="tier2", verified=True, age_days=(100, 900))
        # Pushes and schedules: runs on a jittered grid, never a silent hour.
        period = 3600.0 / p.runs_per_hour
        grid = np.arange(ctx.start + rng.uniform(0, period), ctx.end, period)
        starts = grid + rng.uniform(-0.3, 0.3, size=grid.shape[0]) * period
        parts, run_of = [], []
        for i, s in enumerate(starts.tolist()):
            k = max(1, int(rng.poisson(p.requests_per_run * ctx.scale)))
            parts.append(s + np.cumsum(rng.exponential(0.6, size=k)))
            run_of.append(np.full(k, i))
        ts = np.concatenate(parts) if parts else np.empty(0)
        runs = np.concatenate(run_of).astype(np.int64) if run_of else np.empty(0, np.int64)
        keep = ts < ctx.end
        ts, runs = ts[keep], runs[keep]
        n = int(ts.shape[0])
        # Every job of every run is a fresh runner (address); keys rotate on a schedule.
        jobs = p.parallel_jobs
        nets = world.random_nets(rng, world.CI_CLOUD, max(1, int(starts.shape[0])) * jobs)
        runner = runs * jobs + pick(rng, n, jobs)
        life = p.key_life_minutes * 60 * rng.uniform(0.8, 1.2)
        bounds = np.arange(ctx.start - rng.uniform(0, life), ctx.end, life)
        key = np.clip(np.searchsorted(bounds, ts, side="right") - 1, 0, None).astype(np.int64)
        suite = prompts.make_templates(
            rng, p.suite_size, categories={"coding": 3, "other": 1}, chars=(100, 1500)
        )
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="ci-runner",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, len(bounds)),
                key=key,
                nets=nets,
                net=runner,
                clients=[world.client(rng, world.SDK_STACKS[:1])],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, jump_share=0.3, jump_delay=1800),
                param_sets=[params(temperature=0.0, max_tokens=256, stream=False)],
                param=pick(rng, n, 1),
                prompt=prompts.columns(rng, n, suite),
                completion_median=80,
            )
        )
    return plans


class SmallDevParams(PersonaParams):
    rpm: float = 3.0
    visits_per_hour: float = Field(0.8, gt=0)
    visit_minutes: float = Field(15.0, gt=0)
    classifier_share: float = Field(
        0.15, ge=0, le=1, description="accounts doing logprob classification"
    )
    bias_share: float = Field(0.3, ge=0, le=1, description="classifiers that also use logit_bias")
    new_account_share: float = Field(0.2, ge=0, le=1)


def build_small_dev(
    ctx: Context, rng: Rng, p: SmallDevParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        fresh = rng.random() < p.new_account_share
        acct = account(
            rng,
            ctx,
            tier=str(rng.choice(["free", "tier1", "tier1", "tier2"])),
            verified=bool(rng.random() < 0.7),
            org=False,
            age_days=(0.0, 2.0) if fresh else (10, 900),
        )
        shape = timing.diurnal(float(rng.uniform(-8, 9)), 0.9, peak_hour=16)
        ts = _visits(ctx, rng, p, shape)
        n = int(ts.shape[0])
        nets = world.random_nets(rng, world.RESIDENTIAL, 2, v6_share=0.3)
        clients = [world.client(rng, world.DEV_TOOLS), world.client(rng, world.SDK_STACKS)]
        classifier = rng.random() < p.classifier_share
        ps = [params(temperature=float(rng.choice([0.0, 0.7, 1.0])), max_tokens=1024)]
        endpoint = "/v1/messages"
        if classifier:  # label scoring; some restrict the labels with logit_bias, as docs advise
            bias = True if rng.random() < p.bias_share else None
            ps.append(
                params(
                    temperature=0.0, max_tokens=1, logprobs=True, top_logprobs=5, logit_bias=bias
                )
            )
            endpoint = str(rng.choice(["/v1/messages", "/v1/completions"]))
        own = prompts.make_templates(rng, 3, categories=BROAD)
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="small-dev",
                endpoint=endpoint,
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 1),
                key=pick(rng, n, 1),
                nets=nets,
                net=pick(rng, n, 2, np.array([0.85, 0.15])),
                clients=clients,
                client=pick(rng, n, 2),
                models=ctx.models,
                model=ctx.pick_models(rng, ts, jump_share=0.5, jump_delay=600, jump_spread=7200),
                param_sets=ps,
                param=pick(rng, n, len(ps)),
                prompt=prompts.columns(
                    rng, n, own, free_share=0.6, free_categories=BROAD, free_cot_share=0.05
                ),
                completion_median=200,
            )
        )
    return plans


class SharedTemplateParams(PersonaParams):
    rpm: float = 1.5
    templates_per_account: int = Field(2, ge=1)
    benchmark_share: float = Field(0.3, ge=0, le=1, description="accounts on benchmark formats")


def build_shared_users(
    ctx: Context, rng: Rng, p: SharedTemplateParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    fw, bm = ctx.catalogue.frameworks, ctx.catalogue.benchmarks
    for _ in range(count):
        acct = account(
            rng,
            ctx,
            tier=str(rng.choice(["tier1", "tier2", "tier3"])),
            verified=bool(rng.random() < 0.85),
            org=bool(rng.random() < 0.5),
            age_days=(5, 1200),
        )
        pool = bm if rng.random() < p.benchmark_share else fw
        k = min(p.templates_per_account, len(pool))
        popularity = zipf_weights(len(pool), 1.2)  # a few defaults are everywhere
        chosen = rng.choice(len(pool), size=k, replace=False, p=popularity / popularity.sum())
        mine = [pool[i] for i in chosen]
        shape = timing.diurnal(float(rng.uniform(-8, 9)), 0.7)
        ts = timing.poisson(rng, ctx.start, ctx.end, ctx.rpm(p.rpm) * rng.lognormal(0, 0.6), shape)
        n = int(ts.shape[0])
        nets = world.random_nets(rng, world.CLOUD + world.RESIDENTIAL, 2)
        plans.append(
            make_plan(
                rng,
                account=acct,
                persona="shared-template-users",
                is_attack=False,
                campaign=None,
                ts=ts,
                keys=keys(rng, 1),
                key=pick(rng, n, 1),
                nets=nets,
                net=pick(rng, n, 2),
                clients=[world.client(rng, world.SDK_STACKS)],
                client=pick(rng, n, 1),
                models=ctx.models,
                model=ctx.pick_models(rng, ts),
                param_sets=[params(temperature=0.3, max_tokens=1024)],
                param=pick(rng, n, 1),
                prompt=prompts.columns(rng, n, mine, free_share=0.3, free_categories=BROAD),
                completion_median=250,
            )
        )
    return plans


class TeamParams(PersonaParams):
    rpm: float = 2.0
    members: int = Field(5, ge=1, description="accounts per team (``count``: how many teams)")
    visits_per_hour: float = Field(1.5, gt=0)
    visit_minutes: float = Field(25.0, gt=0)
    new_member_share: float = Field(0.4, ge=0, le=1, description="fresh, unverified new hires")
    org_share: float = Field(1.0, ge=0, le=1, description="teams that registered an organisation")
    cot_share: float = Field(0.3, ge=0, le=1, description="team templates asking for reasoning")
    office_share: float = Field(0.8, ge=0, le=1, description="requests from the office network")


def _visits(
    ctx: Context, rng: Rng, p: SmallDevParams | TeamParams, shape: timing.RateFn
) -> timing.Times:
    """A person's working sessions: ``p.visits_per_hour`` visits of ~``p.visit_minutes``
    at about ``p.rpm`` inside each, over the scenario."""
    return timing.visits(
        rng, ctx.start, ctx.end, p.visits_per_hour, p.visit_minutes, ctx.rpm(p.rpm, rng), shape
    )


def build_team(ctx: Context, rng: Rng, p: TeamParams, count: int, campaign: str) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        card = payment_fingerprint(rng)
        org = hex_id(rng, "org_") if rng.random() < p.org_share else None
        office = world.nets_in_subnets(rng, [world.subnet24(rng, world.RESIDENTIAL)], 6)
        tool = world.client(rng, world.SDK_STACKS)  # the team's internal tool
        shared = prompts.make_templates(
            rng, 4, categories=TEAM_WORK, cot_share=p.cot_share, chars=(200, 2500)
        )
        shape = timing.diurnal(float(rng.uniform(-8, 9)), 0.9, peak_hour=14)
        for _ in range(p.members):
            fresh = rng.random() < p.new_member_share
            acct = account(
                rng,
                ctx,
                tier=str(rng.choice(["tier1", "tier2", "tier2", "tier3"])),
                verified=not fresh,
                age_days=(0.0, 3.0) if fresh else (60, 1200),
                card=card,
            )
            acct = dataclasses.replace(acct, org_id=org)
            ts = _visits(ctx, rng, p, shape)
            n = int(ts.shape[0])
            nets = office + world.random_nets(rng, world.RESIDENTIAL, 1, v6_share=0.3)
            weights = np.array([p.office_share / len(office)] * len(office) + [1 - p.office_share])
            clients = [tool, world.client(rng, world.DEV_TOOLS)]
            own = prompts.make_templates(rng, 2, categories=TEAM_WORK, chars=(100, 2000))
            plans.append(
                make_plan(
                    rng,
                    account=acct,
                    persona="dev-team",
                    is_attack=False,
                    campaign=None,
                    ts=ts,
                    keys=keys(rng, 1),
                    key=pick(rng, n, 1),
                    nets=nets,
                    net=pick(rng, n, len(nets), weights),
                    clients=clients,
                    client=pick(rng, n, 2, np.array([0.8, 0.2])),
                    models=ctx.models,
                    model=ctx.pick_models(rng, ts, jump_share=0.4, jump_delay=1800),
                    param_sets=[params(temperature=float(rng.choice([0.0, 0.3])), max_tokens=2048)],
                    param=pick(rng, n, 1),
                    prompt=prompts.columns(
                        rng,
                        n,
                        shared + own,
                        free_share=0.4,
                        free_categories=TEAM_WORK,
                        free_cot_share=0.15,
                    ),
                    completion_median=350,
                )
            )
    return plans


class WorkshopParams(PersonaParams):
    rpm: float = Field(1.5, gt=0, description="per attendee, while an exercise is on")
    attendees: int = Field(30, ge=1, description="accounts per workshop (``count``: workshops)")
    session_minutes: float = Field(120.0, gt=0)
    start_minutes: float = Field(30.0, ge=0, description="first session after the start")
    exercises: int = Field(6, ge=1, description="notebook exercises, worked through in order")
    cot_share: float = Field(0.4, ge=0, le=1, description="exercises asking for reasoning")
    new_share: float = Field(0.7, ge=0, le=1, description="attendees who signed up that day")
    venue_share: float = Field(0.9, ge=0, le=1, description="requests from the venue network")
    org_share: float = Field(
        0.0, ge=0, le=1, description="workshops whose attendees joined the organiser's organisation"
    )


def build_workshop(
    ctx: Context, rng: Rng, p: WorkshopParams, count: int, campaign: str
) -> list[Plan]:
    del campaign
    plans = []
    for _ in range(count):
        venue = world.nets_in_subnets(rng, [world.subnet24(rng, world.RESIDENTIAL)], 2)
        org = hex_id(rng, "org_") if rng.random() < p.org_share else None
        notebook = world.client(rng, world.SDK_STACKS)
        course = prompts.make_templates(
            rng, p.exercises, categories=COURSE_WORK, cot_share=p.cot_share, chars=(300, 2500)
        )
        first = ctx.start + p.start_minutes * 60 * rng.uniform(0.5, 1.5)
        # A session a day at the same hour: the exercises in order, each opened by the
        # instructor for everyone at once.
        blocks: list[tuple[float, float, int]] = []
        length = p.session_minutes * 60 / p.exercises
        begin = first
        while begin < ctx.end:
            for k in range(p.exercises):
                s = begin + k * length * rng.uniform(0.9, 1.1)
                blocks.append((s, s + length, k))
            begin += 86400.0
        for _ in range(p.attendees):
            fresh = rng.random() < p.new_share
            signed_up = first - rng.uniform(0.2, 6.0) * 3600 if fresh else None
            acct = account(
                rng,
                ctx,
                tier=str(rng.choice(["free", "tier1", "tier1"])),
                verified=not fresh and bool(rng.random() < 0.8),
                org=False,
                age_days=(30, 900),
                created_at=signed_up,
            )
            acct = dataclasses.replace(acct, org_id=org)
            pace = ctx.rpm(p.rpm, rng)
            parts, exercise = [], []
            for s, e, k in blocks:
                # Attendees start each exercise a minute or two after it is opened.
                t = timing.poisson(rng, s + rng.exponential(60.0), e, pace)
                parts.append(t)
                exercise.append(np.full(t.shape[0], k, dtype=np.int64))
            ts = np.concatenate(parts) if parts else np.empty(0)
            which = np.concatenate(exercise) if exercise else np.empty(0, np.int64)
            keep = (ts >= ctx.start) & (ts < ctx.end)
            ts, which = ts[keep], which[keep]
            n = int(ts.shape[0])
            nets = venue + world.random_nets(rng, world.RESIDENTIAL, 1, v6_share=0.3)
            weights = np.array([p.venue_share / 2, p.venue_share / 2, 1 - p.venue_share])
            # Templated prompts follow the exercise of the moment; the rest are the
            # attendee's own questions.
            cols = _exercise_prompts(rng, n, course[0])
            for k in range(1, p.exercises):
                cols = prompts.select(which == k, _exercise_prompts(rng, n, course[k]), cols)
            plans.append(
                make_plan(
                    rng,
                    account=acct,
                    persona="workshop",
                    is_attack=False,
                    campaign=None,
                    ts=ts,
                    keys=keys(rng, 1),
                    key=pick(rng, n, 1),
                    nets=nets,
                    net=pick(rng, n, len(nets), weights),
                    clients=[notebook],
                    client=pick(rng, n, 1),
                    models=ctx.models,
                    model=np.full(n, len(ctx.models) - 1, dtype=np.int64),
                    param_sets=[params(temperature=0.7, max_tokens=1024)],
                    param=pick(rng, n, 1),
                    prompt=cols,
                    completion_median=300,
                )
            )
    return plans


def _exercise_prompts(rng: Rng, n: int, exercise: prompts.Template) -> prompts.PromptColumns:
    return prompts.columns(
        rng, n, [exercise], free_share=0.3, free_categories=COURSE_WORK, free_cot_share=0.1
    )


#: What a course on building with the API asks: code, some reasoning and tool use, and
#: questions about the material.
COURSE_WORK: Final = {"coding": 4.0, "reasoning": 2.0, "agentic": 1.0, "knowledge": 2.0}


#: What an engineering team asks about: mostly code, some reasoning and tooling, and the
#: documentation, writing and lookups around it.
TEAM_WORK: Final = {
    "coding": 5.0,
    "reasoning": 1.0,
    "agentic": 1.0,
    "knowledge": 1.5,
    "creative": 0.5,
    "other": 1.0,
}


PERSONAS: tuple[Persona[Any], ...] = (
    Persona(
        "eval-harness",
        False,
        EvalParams,
        build_eval_harness,
        "release-day benchmarks, CoT, new model",
    ),
    Persona("ci-runner", False, CiParams, build_ci_runner, "ephemeral runners, many IPs per key"),
    Persona("small-dev", False, SmallDevParams, build_small_dev, "interactive visits, low volume"),
    Persona(
        "shared-template-users",
        False,
        SharedTemplateParams,
        build_shared_users,
        "unrelated accounts on framework/benchmark templates",
    ),
    Persona("dev-team", False, TeamParams, build_team, "a team on one company card and office"),
    Persona(
        "workshop",
        False,
        WorkshopParams,
        build_workshop,
        "attendees signed up that day, one venue, exercises in step",
    ),
)
