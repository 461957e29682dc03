"""Prompt fingerprints: near-duplicates close, templates stable under literals, bands link."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from distillguard.models.fingerprint import (
    fingerprint_prompt,
    hamming,
    is_cot_request,
    is_rubric_request,
    lsh_bands,
    simhash,
    skeleton,
    system_hash,
    template_hash,
)

HEX16 = re.compile(r"^[0-9a-f]{16}$")
BASE = (
    "You are reviewing a pull request. Read the diff below and list every bug you find, "
    "with the file and line, then suggest a minimal fix for each one. Keep it short."
)


def test_near_duplicates_are_close_and_unrelated_prompts_are_far() -> None:
    edited = BASE.replace("minimal fix", "small fix")
    unrelated = "Write a limerick about a lighthouse keeper who collects teapots in winter."
    assert hamming(simhash(BASE), simhash(edited)) <= 12
    assert hamming(simhash(BASE), simhash(unrelated)) >= 16


def test_simhash_ignores_case_and_whitespace() -> None:
    assert simhash(BASE) == simhash("  " + BASE.upper().replace(" ", "\n\t "))


def test_template_masks_literals_but_not_the_skeleton() -> None:
    a = "Refund order 48213 for 'Jane' at https://shop.example/o/48213 (ticket AB-77X)"
    b = "Refund order 99 for 'Somebody Else' at https://shop.example/o/99 (ticket ZZ-12Q)"
    assert template_hash(a) == template_hash(b)
    assert template_hash(a) != template_hash(a.replace("Refund", "Cancel"))


def test_email_addresses_are_masked_in_the_skeleton() -> None:
    text = "Reply to anna.smith+work@mail.example.org about invoice 7"
    assert "@" not in skeleton(text)
    assert "<email>" in skeleton(text)


def test_event_field_carries_only_hashes_and_flags() -> None:
    fp = fingerprint_prompt(
        "Contact bob@example.com, then explain your reasoning step by step.",
        system="You are a support representative for ACME.",
        lang="en",
        category="other",
    )
    field = fp.as_event_field()
    assert HEX16.match(field["fingerprint"]) and HEX16.match(field["template"])
    assert HEX16.match(field["system_hash"])
    assert field["cot_request"] is True and field["rubric_request"] is False
    assert "bob" not in repr(field) and "ACME" not in repr(field)


def test_system_hash_is_none_without_a_system_prompt() -> None:
    assert system_hash(None) is None
    assert system_hash("   ") is None
    assert system_hash("Be brief.") == system_hash("be   BRIEF.")


@pytest.mark.parametrize(
    "text",
    [
        "Solve this step-by-step and show your work: 17 * 23",
        "Explain your reasoning before giving the final answer.",
        "Resuelve el problema paso a paso.",
        "请一步一步地思考这个问题",
        "Réfléchis étape par étape.",
    ],
)
def test_cot_heuristic_catches_common_phrasings(text: str) -> None:
    assert is_cot_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "Grade the following answer using this rubric: accuracy, clarity.",
        "Rate this response on a scale of 1 to 10.",
        "Which response is better, A or B?",
    ],
)
def test_rubric_heuristic_catches_grading_prompts(text: str) -> None:
    assert is_rubric_request(text)


def test_heuristics_stay_quiet_on_ordinary_prompts() -> None:
    plain = "Translate 'good morning' into Italian."
    assert not is_cot_request(plain)
    assert not is_rubric_request(plain)


@given(st.integers(0, 2**64 - 1), st.sets(st.integers(0, 63), max_size=3))
def test_fingerprints_within_three_bits_share_a_band(value: int, bits: set[int]) -> None:
    other = value
    for bit in bits:
        other ^= 1 << bit
    assert hamming(value, other) == len(bits)
    assert set(lsh_bands(value)) & set(lsh_bands(f"{other:016x}"))


@given(st.integers(0, 2**64 - 1), st.sampled_from([1, 2, 4, 8, 16]))
def test_bands_cover_the_whole_value(value: int, bands: int) -> None:
    keys = lsh_bands(value, bands)
    assert len(keys) == bands
    assert int("".join(k.split(":")[1] for k in keys), 16) == value


def test_bands_must_divide_64() -> None:
    with pytest.raises(ValueError, match="divide 64"):
        lsh_bands("0" * 16, 3)
