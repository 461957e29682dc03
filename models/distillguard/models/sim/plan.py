"""One account's whole activity as columns, and the gateway behaviour applied to it.

Personas decide *when* an account sends requests and *what* they look like (keys,
addresses, clients, models, params, prompts). :func:`make_plan` adds what the API would
answer: token counts, latency, and status codes — 429 above the tier's per-minute limit,
403 once an account is blocked, a trickle of 4xx/5xx errors.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from distillguard.models.sim.prompts import PromptColumns, take
from distillguard.models.sim.world import TIER_RPM, Account, Client, Net

Rng = np.random.Generator
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Params = Mapping[str, Any]
_EVENT_COLUMNS = (
    "ts", "key", "net", "client", "model", "param", "prompt_tokens", "completion_tokens",
    "reasoning_tokens", "latency_ms", "status",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one account sends, column-wise and sorted by ``ts``."""

    account: Account
    persona: str
    is_attack: bool
    campaign: str | None
    endpoint: str
    ts: F64
    keys: list[str]
    key: I64
    nets: list[Net]
    net: I64
    clients: list[Client]
    client: I64
    models: list[str]
    model: I64
    param_sets: Sequence[Params]
    param: I64
    prompt: PromptColumns
    prompt_tokens: I64
    completion_tokens: I64
    reasoning_tokens: I64
    latency_ms: F64
    status: I64

    @property
    def size(self) -> int:
        return int(self.ts.shape[0])

    def restrict(self, start: float, end: float) -> Plan:
        """The requests inside ``[start, end)`` only (personas may overshoot the edges)."""
        lo = int(np.searchsorted(self.ts, start, side="left"))
        hi = int(np.searchsorted(self.ts, end, side="left"))
        if lo == 0 and hi == self.size:
            return self
        cut = slice(lo, hi)
        prompt = PromptColumns(*(getattr(self.prompt, f)[cut] for f in PromptColumns.__slots__))
        columns = {f: getattr(self, f)[cut] for f in _EVENT_COLUMNS}
        return replace(self, prompt=prompt, **columns)


def rate_limited(ts: F64, rpm: int) -> npt.NDArray[np.bool_]:
    """Requests the gateway rejects: those arriving when ``rpm`` requests were already
    *accepted* in the trailing minute (a sliding-window limiter; rejected requests do
    not count against the limit).

    >>> rate_limited(np.array([0.0, 1.0, 2.0, 61.5]), 2).tolist()
    [False, False, True, False]
    """
    n = int(ts.shape[0])
    left = np.searchsorted(ts, ts - 60.0, side="right")
    if n == 0 or int((np.arange(n) - left + 1).max()) <= rpm:
        return np.zeros(n, dtype=bool)
    rejected = np.zeros(n, dtype=bool)
    window: deque[float] = deque()
    for i, t in enumerate(ts.tolist()):
        while window and window[0] <= t - 60.0:
            window.popleft()
        if len(window) >= rpm:
            rejected[i] = True
        else:
            window.append(t)
    return rejected


def make_plan(
    rng: Rng,
    *,
    account: Account,
    persona: str,
    is_attack: bool,
    campaign: str | None,
    ts: F64,
    keys: list[str],
    key: I64,
    nets: list[Net],
    net: I64,
    clients: list[Client],
    client: I64,
    models: list[str],
    model: I64,
    param_sets: Sequence[Params],
    param: I64,
    prompt: PromptColumns,
    completion_median: float,
    completion_sigma: float = 0.8,
    endpoint: str = "/v1/messages",
    blocked_from: float | None = None,
    throttled_from: float | None = None,
    error_rate: float = 0.003,
    rpm_limit: int | None = None,
) -> Plan:
    """Sort the columns by time and add the API's answer to each request."""
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    key, net, client, model, param = (
        key[order],
        net[order],
        client[order],
        model[order],
        param[order],
    )
    prompt = take(prompt, order)
    n = int(ts.shape[0])

    max_tokens = np.array([p.get("max_tokens") or 4096 for p in param_sets])[param]
    n_choices = np.array([p.get("n") or 1 for p in param_sets])[param]
    completion = rng.lognormal(np.log(max(completion_median, 1.0)), completion_sigma, size=n)
    completion = np.clip(completion.astype(np.int64), 1, max_tokens) * n_choices
    prompt_tokens = (prompt.chars / 4.0 * rng.uniform(0.85, 1.15, size=n)).astype(np.int64) + 8
    reasoning = np.where(
        prompt.cot, (completion * rng.uniform(0.5, 2.5, size=n)).astype(np.int64), 0
    )
    latency = (250.0 + completion * rng.uniform(8.0, 25.0, size=n) + reasoning * 6.0) * (
        rng.lognormal(0.0, 0.3, size=n)
    )

    status = np.full(n, 200, dtype=np.int64)
    u = rng.random(n)
    status[u < error_rate] = 500
    status[(u >= error_rate) & (u < 2 * error_rate)] = 400
    limit = rpm_limit if rpm_limit is not None else TIER_RPM[account.tier]
    status[rate_limited(ts, limit)] = 429
    if throttled_from is not None:  # a throttle decision: most requests now get 429
        status[(ts >= throttled_from) & (rng.random(n) < 0.8)] = 429
    if blocked_from is not None:
        status[ts >= blocked_from] = 403
    failed = status != 200
    completion = np.where(failed, 0, completion)
    reasoning = np.where(failed, 0, reasoning)
    latency = np.where(failed, rng.uniform(3.0, 60.0, size=n), latency)
    return Plan(
        account=account,
        persona=persona,
        is_attack=is_attack,
        campaign=campaign,
        endpoint=endpoint,
        ts=ts,
        keys=keys,
        key=key,
        nets=nets,
        net=net,
        clients=clients,
        client=client,
        models=models,
        model=model,
        param_sets=param_sets,
        param=param,
        prompt=prompt,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion.astype(np.int64),
        reasoning_tokens=reasoning.astype(np.int64),
        latency_ms=latency,
        status=status,
    )
