"""What every persona sees: the scenario's clock, models, releases and shared catalogues."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from distillguard.models.sim.prompts import Template, make_templates

Rng = np.random.Generator
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Templates used by many unrelated legitimate accounts.

    ``frameworks`` are the default prompts of popular libraries (RAG answer, summarise,
    extract JSON, ReAct tool-use step); ``benchmarks`` are public evaluation formats
    (multiple choice, grade-school math with "let's think step by step", code completion,
    LLM-as-judge). Linking accounts by template alone would wrongly join their users.
    """

    frameworks: list[Template]
    benchmarks: list[Template]


def make_catalogue(rng: Rng) -> Catalogue:
    frameworks = make_templates(
        rng,
        12,
        categories={"knowledge": 3, "agentic": 2, "coding": 1, "other": 2},
        chars=(400, 6000),
    )
    benchmarks = (
        make_templates(rng, 3, categories={"knowledge": 1, "reasoning": 1}, chars=(300, 1500))
        + make_templates(rng, 3, categories={"math": 2, "reasoning": 1}, cot_share=1.0)
        + make_templates(rng, 2, categories={"coding": 1}, chars=(400, 2500))
        + make_templates(rng, 2, categories={"other": 1}, rubric_share=1.0, chars=(1500, 6000))
    )
    return Catalogue(frameworks=frameworks, benchmarks=benchmarks)


@dataclass(frozen=True, slots=True)
class Context:
    """The scenario as the personas need it. Times are epoch seconds."""

    start: float
    end: float
    base_models: tuple[str, ...]
    releases: tuple[tuple[str, float], ...]
    catalogue: Catalogue
    scale: float = 1.0

    @property
    def models(self) -> list[str]:
        return list(self.base_models) + [name for name, _ in self.releases]

    def rpm(self, value: float, rng: Rng | None = None, spread: float = 0.25) -> float:
        """A per-account request rate after ``--scale``.

        With ``rng``, each account varies around ``value`` (log-normal, ``spread``,
        clipped at two standard deviations) so a population is not one fixed shape.
        """
        if rng is None or spread <= 0:
            return value * self.scale
        factor = float(np.clip(rng.lognormal(0.0, spread), np.exp(-2 * spread), np.exp(2 * spread)))
        return value * self.scale * factor

    def pick_models(
        self,
        rng: Rng,
        ts: F64,
        *,
        base_weights: tuple[float, ...] | None = None,
        jump_share: float = 0.0,
        jump_delay: float = 0.0,
        jump_spread: float = 0.0,
    ) -> I64:
        """Model index per request (into :attr:`models`).

        Before a release an account uses the base models (``base_weights``, default:
        mostly the first); ``jump_delay`` (+ up to ``jump_spread``) seconds after a release,
        a ``jump_share`` of its requests moves to the new model.
        """
        nb = len(self.base_models)
        default = [0.75] + [0.25 / max(nb - 1, 1)] * (nb - 1)
        given = list(base_weights or default)[:nb]
        weights = np.array(given + [0.0] * (nb - len(given)))
        if weights.sum() <= 0:
            weights = np.ones(nb)
        model = rng.choice(nb, size=int(ts.shape[0]), p=weights / weights.sum())
        for offset, (_, at) in enumerate(self.releases):
            moved_at = (
                at + jump_delay + rng.uniform(0.0, jump_spread)
                if jump_spread
                else (at + jump_delay)
            )
            moves = (ts >= moved_at) & (rng.random(int(ts.shape[0])) < jump_share)
            model = np.where(moves, nb + offset, model)
        return model.astype(np.int64)
