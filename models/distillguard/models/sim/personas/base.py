"""What a persona is, and the building blocks personas share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from distillguard.models.sim.context import Context
from distillguard.models.sim.plan import Plan
from distillguard.models.sim.world import Account, hex_id, payment_fingerprint

Rng = np.random.Generator
I64 = npt.NDArray[np.int64]
DAY = 86400.0

#: Category mix of general-purpose traffic.
BROAD: Final = {
    "coding": 3.0,
    "knowledge": 3.0,
    "creative": 2.0,
    "reasoning": 1.0,
    "math": 1.0,
    "other": 2.0,
}
#: What distillation campaigns concentrate on (reports: coding, agentic tool use, reasoning).
TARGETED: Final = {"coding": 4.0, "reasoning": 3.0, "agentic": 2.0, "math": 1.0}
#: Language mix of a worldwide user base.
WORLD_LANGS: Final = {
    "en": 6.0,
    "es": 1.0,
    "zh": 1.0,
    "de": 0.6,
    "fr": 0.6,
    "ja": 0.5,
    "pt": 0.5,
    "ko": 0.3,
}


class PersonaParams(BaseModel):
    """Parameters every persona accepts; each persona adds its own."""

    model_config = ConfigDict(frozen=True, extra="forbid")


P = TypeVar("P", bound=PersonaParams)
Build = Callable[[Context, Rng, P, int, str], list[Plan]]


@dataclass(frozen=True, slots=True)
class Persona(Generic[P]):
    """A kind of account: its parameters, whether it attacks, and how to build its plans."""

    name: str
    is_attack: bool
    params: type[P]
    build: Build[P]
    summary: str


def pick(rng: Rng, n: int, k: int, p: npt.NDArray[np.float64] | None = None) -> I64:
    """``n`` indices in ``range(k)``, uniform or with weights ``p``."""
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    if p is None:
        return rng.integers(0, k, size=n).astype(np.int64)
    return rng.choice(k, size=n, p=p / p.sum()).astype(np.int64)


def zipf_weights(k: int, a: float = 1.1) -> npt.NDArray[np.float64]:
    """Heavy-tailed popularity: a few items take most of the traffic."""
    return 1.0 / np.arange(1, k + 1, dtype=float) ** a


def account(
    rng: Rng,
    ctx: Context,
    *,
    tier: str,
    verified: bool,
    age_days: tuple[float, float],
    org: bool = True,
    card: str | None = None,
    created_at: float | None = None,
) -> Account:
    """A billing account created ``age_days`` (uniform range) before the scenario starts."""
    created = created_at if created_at is not None else ctx.start - rng.uniform(*age_days) * DAY
    return Account(
        account_id=hex_id(rng, "acct_"),
        org_id=hex_id(rng, "org_") if org else None,
        created_at=round(created, 3),
        tier=tier,
        verified=verified,
        payment_fingerprint=card if card is not None else payment_fingerprint(rng),
    )


def keys(rng: Rng, n: int) -> list[str]:
    return [hex_id(rng, "key_", 8) for _ in range(n)]


def params(**values: Any) -> dict[str, Any]:
    """A request's ``params`` object, without the fields left unset."""
    return {k: v for k, v in values.items() if v is not None}
