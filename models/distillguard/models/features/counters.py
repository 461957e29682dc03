"""The per-event counters every time bucket keeps, and how one event increments them.

A bucket is a plain list of floats indexed by the constants below, so folding an event
is a handful of list additions (the hot path must reach tens of thousands of events per
second on one core) and merging two buckets is an element-wise sum.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from distillguard.models.codec import Event

CATEGORIES: Final = ("coding", "math", "reasoning", "agentic", "creative", "knowledge", "other")

N: Final = 0  # requests
PROMPT_TOKENS: Final = 1
COMPLETION_TOKENS: Final = 2
REASONING_TOKENS: Final = 3
MT_N: Final = 4  # requests that set max_tokens
MT_USED: Final = 5  # sum of min(1, completion_tokens / max_tokens)
MT_FULL: Final = 6  # requests that used >= 90% of max_tokens
COT: Final = 7
RUBRIC: Final = 8
LOGPROBS: Final = 9  # logprobs or top_logprobs requested
TOP_LOGPROBS: Final = 10
LOGIT_BIAS: Final = 11
N_GT1: Final = 12
HARVEST: Final = 13  # logit_bias with (top_)logprobs and an output of <= 2 tokens
SHORT_OUT: Final = 14  # outputs of <= 2 tokens
S429: Final = 15
ERRORS: Final = 16  # other 4xx/5xx
AFTER_429: Final = 17  # requests sent within the retry window after a 429
GAPS_N: Final = 18
GAPS_SUM: Final = 19
GAPS_SQ: Final = 20
CAT_KNOWN: Final = 21
CAT0: Final = 22  # CAT0 + CATEGORIES.index(name)
TOOLS: Final = CAT0 + len(CATEGORIES)
COT_OUT_TOKENS: Final = TOOLS + 1  # completion tokens of CoT requests
#: ``HARVEST`` requests asking for more than ``LABEL_WINDOW`` alternatives per token
HARVEST_WIDE: Final = COT_OUT_TOKENS + 1
SIZE: Final = HARVEST_WIDE + 1

#: Alternatives per token (``top_logprobs``) a label classifier reads its labels from: its
#: label set (yes/no, a sentiment, a handful of classes). Extraction reads as many as the
#: API gives (20), and every one it is not given costs it another query.
LABEL_WINDOW: Final = 5

_CAT_INDEX: Final = {name: CAT0 + i for i, name in enumerate(CATEGORIES)}

#: A request this soon after a 429 counts as "did not back off".
RETRY_WINDOW_SECONDS: Final = 2.0


def zero() -> list[float]:
    return [0.0] * SIZE


def padded(bucket: list[float]) -> list[float]:
    """A bucket written before the last counters were added (a changelog, a slice from a
    worker not yet upgraded), zero-filled to ``SIZE``: counters are only ever appended."""
    if len(bucket) < SIZE:
        bucket.extend([0.0] * (SIZE - len(bucket)))
    return bucket


def add_into(target: list[float], other: list[float]) -> None:
    """Element-wise ``target += other``."""
    target[:] = map(operator.add, target, other)


def subtract_from(target: list[float], other: list[float]) -> None:
    """Element-wise ``target -= other``."""
    target[:] = map(operator.sub, target, other)


def count_event(c: list[float], event: Event) -> None:
    """Increment bucket ``c`` for one decoded event."""
    out = event.completion_tokens
    c[N] += 1.0
    c[PROMPT_TOKENS] += event.prompt_tokens
    c[COMPLETION_TOKENS] += out
    reasoning = event.reasoning_tokens
    if reasoning:
        c[REASONING_TOKENS] += reasoning
    status = event.status
    if status == 429:
        c[S429] += 1.0
    elif status >= 400:
        c[ERRORS] += 1.0
    short = out <= 2
    if short:
        c[SHORT_OUT] += 1.0
    params = event.params
    if params is not None:
        max_tokens = params.max_tokens
        if max_tokens:
            c[MT_N] += 1.0
            used = out / max_tokens
            if used >= 0.9:
                c[MT_FULL] += 1.0
                used = 1.0 if used > 1.0 else used
            c[MT_USED] += used
        top = params.top_logprobs
        lp = bool(params.logprobs) or bool(top)
        if lp:
            c[LOGPROBS] += 1.0
        if top:
            c[TOP_LOGPROBS] += 1.0
        if params.logit_bias:
            c[LOGIT_BIAS] += 1.0
            if lp and short:
                c[HARVEST] += 1.0
                if top and top > LABEL_WINDOW:
                    c[HARVEST_WIDE] += 1.0
        n = params.n
        if n is not None and n > 1:
            c[N_GT1] += 1.0
        if params.tools:
            c[TOOLS] += 1.0
    prompt = event.prompt
    if prompt is not None:
        if prompt.cot_request:
            c[COT] += 1.0
            c[COT_OUT_TOKENS] += out
        if prompt.rubric_request:
            c[RUBRIC] += 1.0
        category = prompt.category
        if category is not None:
            c[CAT_KNOWN] += 1.0
            c[_CAT_INDEX[category]] += 1.0
