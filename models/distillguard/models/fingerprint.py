"""Prompt fingerprints: what a gateway sends instead of the prompt text (brief section 3).

Raw prompts never leave the gateway. It calls :func:`fingerprint_prompt` and publishes the
result in the event's ``prompt`` object:

- ``fingerprint`` — a 64-bit SimHash of the normalised prompt (16 lowercase hex). Prompts
  that differ in a few words are a few bits apart, so near-duplicates can be linked by
  :func:`hamming` distance, or cheaply by exact match on one of :func:`lsh_bands`.
- ``template`` — a hash of the prompt *skeleton*: numbers, quoted strings, URLs, e-mail
  addresses and identifiers that contain digits are masked first, so one template filled
  with different data gives one value.
- ``system_hash`` — a hash of the normalised system prompt, when there is one.
- ``chars`` and the heuristic flags ``cot_request`` / ``rubric_request``.

The flags are keyword heuristics, not classifiers: they catch the common phrasings
("step by step", "explain your reasoning", "grade this answer on a scale of 1 to 10")
in a handful of languages and miss paraphrases. Gateways with a better classifier should
send its output instead; the contract only fixes the field names.

>>> a = fingerprint_prompt("Summarise the attached report in 3 bullet points for the CFO.")
>>> b = fingerprint_prompt("Summarise the attached report in 5 bullet points for the CFO.")
>>> a.template == b.template
True
>>> hamming(a.fingerprint, b.fingerprint) < 16
True
>>> fingerprint_prompt("Solve it step by step: 12 * 7").cot_request
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

_MASK64: Final = (1 << 64) - 1
_TEMPLATE_SALT: Final = "tmpl\x1f"
_SYSTEM_SALT: Final = "sys\x1f"

_URL: Final = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_EMAIL: Final = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_QUOTED: Final = re.compile(r"\"[^\"\n]{0,400}\"|'[^'\n]{0,400}'|`[^`\n]{0,400}`|“[^”\n]{0,400}”")
_IDENT_WITH_DIGITS: Final = re.compile(r"\b(?=[\w.-]*\d)(?=[\w.-]*[^\W\d_])\w+(?:[-_.]\w+)*\b")
_NUMBER: Final = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")
_WORD: Final = re.compile(r"\w+|[^\w\s]")
_SPACE: Final = re.compile(r"\s+")
_SKELETON_TOKEN: Final = re.compile(r"<\w+>|\w+|[^\w\s,]")

_COT: Final = re.compile(
    r"step[- ]by[- ]step|think (?:it )?through|chain[- ]of[- ]thought|show (?:your|all) (?:work|"
    r"reasoning|steps)|explain (?:your|the) reasoning|reasoning behind|walk me through|"
    r"let'?s think|think carefully|reason (?:about|through)|"
    r"paso a paso|étape par étape|schritt für schritt|passo a passo|шаг за шагом|"
    r"一步一步|逐步|ステップバイステップ|단계별|خطوة بخطوة",
    re.IGNORECASE,
)
_RUBRIC: Final = re.compile(
    r"\brubric\b|\bgrade (?:the|this|these|each)\b|\bscore (?:the|this|these|each)\b|"
    r"\brate (?:the|this|these|each)\b.{0,40}\b(?:answer|response|output|completion)s?\b|"
    r"on a scale (?:of|from) \d+|\bscore from \d+|which (?:answer|response) is better",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Unicode NFKC, lower case, one space between words.

    >>> normalise("  Hello\\n\\tWORLD ")
    'hello world'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def skeleton(text: str) -> str:
    """The prompt with its literals masked: what stays the same across one template's uses.

    >>> skeleton('Email bob@example.com about "order 17" at https://x.io/a, ref AB12: 3.5 kg')
    'email <email> about <str> at <url> ref <id> : <num> kg'
    """
    text = normalise(text)
    text = _URL.sub(" <url> ", text)
    text = _EMAIL.sub(" <email> ", text)
    text = _QUOTED.sub(" <str> ", text)
    text = _IDENT_WITH_DIGITS.sub(" <id> ", text)
    text = _NUMBER.sub(" <num> ", text)
    return " ".join(_SKELETON_TOKEN.findall(text))


def _h64(data: str) -> int:
    return int.from_bytes(hashlib.blake2b(data.encode("utf-8"), digest_size=8).digest(), "big")


def _features(text: str) -> list[str]:
    words = _WORD.findall(text)
    if not words:
        return [text]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def simhash(text: str) -> str:
    """64-bit SimHash of the normalised text over word unigrams and bigrams, 16 hex chars.

    >>> len(simhash("anything")), simhash("Same text") == simhash("same   TEXT")
    (16, True)
    """
    counts = [0] * 64
    for feature in _features(normalise(text)):
        h = _h64(feature)
        for bit in range(64):
            counts[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit, count in enumerate(counts):
        if count > 0:
            value |= 1 << bit
    return f"{value:016x}"


def template_hash(text: str) -> str:
    """Hash of the prompt skeleton (see :func:`skeleton`), 16 hex chars.

    >>> template_hash("Translate 'cat' to French") == template_hash("translate 'dog' to French")
    True
    """
    return f"{_h64(_TEMPLATE_SALT + skeleton(text)):016x}"


def system_hash(text: str | None) -> str | None:
    """Hash of the normalised system prompt (16 hex), ``None`` without one."""
    if text is None or not text.strip():
        return None
    return f"{_h64(_SYSTEM_SALT + normalise(text)):016x}"


def hamming(a: str | int, b: str | int) -> int:
    """Number of differing bits between two 64-bit fingerprints (hex strings or ints).

    >>> hamming("ffffffffffffffff", "fffffffffffffff0")
    4
    """
    x = int(a, 16) if isinstance(a, str) else a
    y = int(b, 16) if isinstance(b, str) else b
    return ((x ^ y) & _MASK64).bit_count()


def lsh_bands(fingerprint: str | int, bands: int = 4) -> list[str]:
    """Split a 64-bit fingerprint into ``bands`` keys ``"<band>:<bits hex>"`` for bucketing.

    Two fingerprints within ``bands - 1`` bits of each other share at least one band
    exactly (pigeonhole), so re-keying by band finds near-duplicates without comparing
    every pair.

    >>> lsh_bands("0123456789abcdef")
    ['0:0123', '1:4567', '2:89ab', '3:cdef']
    >>> sorted(set(lsh_bands("0123456789abcdef")) & set(lsh_bands("0123456789abcdee")))
    ['0:0123', '1:4567', '2:89ab']
    """
    if bands < 1 or 64 % bands:
        raise ValueError(f"bands must divide 64, got {bands}")
    value = int(fingerprint, 16) if isinstance(fingerprint, str) else fingerprint
    width = 64 // bands
    digits = max(1, width // 4)
    out = []
    for band in range(bands):
        shift = 64 - width * (band + 1)
        part = (value >> shift) & ((1 << width) - 1)
        out.append(f"{band}:{part:0{digits}x}")
    return out


def is_cot_request(text: str) -> bool:
    """Heuristic: does the prompt ask for step-by-step reasoning or the reasoning behind it?"""
    return _COT.search(text) is not None


def is_rubric_request(text: str) -> bool:
    """Heuristic: does the prompt ask to grade or score answers (reward-model use)?

    >>> is_rubric_request("Score this response on a scale of 1 to 10 for helpfulness.")
    True
    """
    return _RUBRIC.search(text) is not None


@dataclass(frozen=True, slots=True)
class PromptFingerprint:
    """The privacy-safe summary of one prompt, as carried in an event's ``prompt`` object."""

    fingerprint: str
    template: str
    system_hash: str | None
    chars: int
    cot_request: bool
    rubric_request: bool
    lang: str | None = None
    category: str | None = None

    def as_event_field(self) -> dict[str, Any]:
        """The ``prompt`` object of an API event."""
        return {
            "fingerprint": self.fingerprint,
            "template": self.template,
            "system_hash": self.system_hash,
            "chars": self.chars,
            "lang": self.lang,
            "category": self.category,
            "cot_request": self.cot_request,
            "rubric_request": self.rubric_request,
        }


def fingerprint_prompt(
    prompt: str,
    *,
    system: str | None = None,
    lang: str | None = None,
    category: str | None = None,
) -> PromptFingerprint:
    """Fingerprint one prompt (and its system prompt) for an API event.

    ``lang`` and ``category`` are passed through: gateways that detect them send them.
    """
    combined = prompt if system is None else f"{system}\n{prompt}"
    return PromptFingerprint(
        fingerprint=simhash(prompt),
        template=template_hash(prompt),
        system_hash=system_hash(system),
        chars=len(prompt),
        cot_request=is_cot_request(combined),
        rubric_request=is_rubric_request(combined),
        lang=lang,
        category=category,
    )
