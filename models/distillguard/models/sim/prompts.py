"""Synthetic prompt fingerprints that behave like the real ones (see ``fingerprint.py``).

The simulator has no prompt text. A *template* gets a random 64-bit template hash and a
random base SimHash; each use of the template flips a few bits of the base, so uses of
one template are near-duplicates (small Hamming distance) while different templates are
~32 bits apart, as real SimHashes are. Free-form prompts get a fresh template hash and a
fresh SimHash each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from distillguard.models.sim.world import CATEGORIES, LANGS

Rng = np.random.Generator
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: Probabilities of flipping 0, 1, 2, … bits of the template's base SimHash per use.
#: At most 3 flips keeps every use within one exact 16-bit LSH band of the base.
FLIP_WEIGHTS = np.array([0.30, 0.30, 0.25, 0.15])


@dataclass(frozen=True, slots=True)
class Template:
    """A prompt skeleton reused many times."""

    template: int
    base: int
    category: str
    lang: str
    cot: bool
    rubric: bool
    chars: int
    system: int | None


@dataclass(frozen=True, slots=True)
class PromptColumns:
    """Per-event prompt fields, column-wise."""

    template: U64
    fingerprint: U64
    chars: I64
    category: I64
    lang: I64
    cot: Bools
    rubric: Bools
    system: U64
    has_system: Bools


def rand64(rng: Rng, n: int) -> U64:
    return rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)


def make_templates(
    rng: Rng,
    n: int,
    *,
    categories: Mapping[str, float],
    cot_share: float = 0.0,
    rubric_share: float = 0.0,
    langs: Mapping[str, float] | None = None,
    chars: tuple[int, int] = (200, 4000),
    system: int | None = None,
) -> list[Template]:
    """``n`` templates with categories, languages and flags drawn from the given mixes."""
    names = list(categories)
    weights = np.array([categories[k] for k in names], dtype=float)
    lang_names = list(langs or {"en": 1.0})
    lang_w = np.array([(langs or {"en": 1.0})[k] for k in lang_names], dtype=float)
    out = []
    for _ in range(n):
        out.append(
            Template(
                template=int(rand64(rng, 1)[0]),
                base=int(rand64(rng, 1)[0]),
                category=names[int(rng.choice(len(names), p=weights / weights.sum()))],
                lang=lang_names[int(rng.choice(len(lang_names), p=lang_w / lang_w.sum()))],
                cot=bool(rng.random() < cot_share),
                rubric=bool(rng.random() < rubric_share),
                chars=int(np.exp(rng.uniform(np.log(chars[0]), np.log(chars[1])))),
                system=system,
            )
        )
    return out


def near_duplicates(rng: Rng, base: U64) -> U64:
    """Each base value with 0–3 random bits flipped."""
    n = base.shape[0]
    flips = rng.choice(len(FLIP_WEIGHTS), size=n, p=FLIP_WEIGHTS)
    out = base.copy()
    for j in range(len(FLIP_WEIGHTS) - 1):
        bit = rng.integers(0, 64, size=n).astype(np.uint64)
        mask = np.left_shift(np.uint64(1), bit)
        out = np.where(flips > j, out ^ mask, out)
    return out


def columns(
    rng: Rng,
    n: int,
    templates: list[Template],
    weights: npt.NDArray[np.float64] | None = None,
    *,
    free_share: float = 0.0,
    free_categories: Mapping[str, float] | None = None,
    free_cot_share: float = 0.02,
    free_rubric_share: float = 0.0,
    free_langs: Mapping[str, float] | None = None,
    free_chars: tuple[int, int] = (40, 3000),
    system: int | None = None,
) -> PromptColumns:
    """Prompt columns for ``n`` events: templated uses, plus ``free_share`` free-form prompts."""
    free = rng.random(n) < free_share if templates else np.ones(n, dtype=bool)
    if templates:
        p = None if weights is None else weights / weights.sum()
        idx = rng.choice(len(templates), size=n, p=p)
    else:
        idx = np.zeros(n, dtype=np.int64)
    t_arr = np.array([t.template for t in templates] or [0], dtype=np.uint64)
    b_arr = np.array([t.base for t in templates] or [0], dtype=np.uint64)
    c_arr = np.array([CATEGORIES.index(t.category) for t in templates] or [6])
    l_arr = np.array([LANGS.index(t.lang) for t in templates] or [0])
    ch_arr = np.array([t.chars for t in templates] or [100])
    cot_arr = np.array([t.cot for t in templates] or [False])
    rub_arr = np.array([t.rubric for t in templates] or [False])
    sys_arr = np.array([t.system or 0 for t in templates] or [0], dtype=np.uint64)
    has_sys_arr = np.array([t.system is not None for t in templates] or [False])

    template = np.where(free, rand64(rng, n), t_arr[idx])
    fingerprint = np.where(free, rand64(rng, n), near_duplicates(rng, b_arr[idx]))
    chars = (ch_arr[idx] * rng.lognormal(0.0, 0.15, size=n)).astype(np.int64)
    lo, hi = free_chars
    free_len = np.exp(rng.uniform(np.log(lo), np.log(hi), size=n)).astype(np.int64)
    chars = np.where(free, free_len, chars)

    fc = free_categories or {"other": 1.0}
    names = list(fc)
    fw = np.array([fc[k] for k in names], dtype=float)
    cat_ids = np.array([CATEGORIES.index(k) for k in names])
    free_cat = cat_ids[rng.choice(len(names), size=n, p=fw / fw.sum())]
    fl = free_langs or {"en": 1.0}
    lnames = list(fl)
    lw = np.array([fl[k] for k in lnames], dtype=float)
    lang_ids = np.array([LANGS.index(k) for k in lnames])
    free_lang = lang_ids[rng.choice(len(lnames), size=n, p=lw / lw.sum())]
    return PromptColumns(
        template=template,
        fingerprint=fingerprint,
        chars=np.maximum(chars, 1),
        category=np.where(free, free_cat, c_arr[idx]),
        lang=np.where(free, free_lang, l_arr[idx]),
        cot=np.where(free, rng.random(n) < free_cot_share, cot_arr[idx]),
        rubric=np.where(free, rng.random(n) < free_rubric_share, rub_arr[idx]),
        system=np.where(free, np.uint64(system or 0), sys_arr[idx]),
        has_system=np.where(free, system is not None, has_sys_arr[idx]),
    )


def take(cols: PromptColumns, order: npt.NDArray[np.int64]) -> PromptColumns:
    return PromptColumns(*(getattr(cols, f)[order] for f in PromptColumns.__slots__))


def select(mask: Bools, a: PromptColumns, b: PromptColumns) -> PromptColumns:
    """Per event, the columns of ``a`` where ``mask`` is true, else those of ``b``."""
    return PromptColumns(
        *(np.where(mask, getattr(a, f), getattr(b, f)) for f in PromptColumns.__slots__)
    )
