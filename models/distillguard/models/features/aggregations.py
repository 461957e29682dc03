"""Stateless windowed aggregations, quixstreams style: ``initialize / update / merge / result``.

Each aggregation keeps its state in a plain JSON-able value (a number or a list), so a
bucket of them round-trips through orjson for Kafka slices and RocksDB tables, and two
partial states of the same window merge exactly (``merge`` is associative and commutative).

Distinct counts use a *K minimum values* (KMV) sketch: the ``k`` smallest 32-bit hashes
seen. Below ``k`` distinct items it is exact; above, it estimates ``(k - 1) / (kth / 2**32)``
with a relative error near ``1 / sqrt(k - 2)``. It is bounded (``k`` integers) and merges by
keeping the ``k`` smallest of the union, which is why it was chosen over capped sets (which
cannot estimate past the cap) and HyperLogLog (larger at the small counts seen per account).

>>> d = Distinct(k=8)
>>> s = d.initialize()
>>> for h in (10, 20, 10, 30):
...     s = d.update(s, h)
>>> d.result(s)
3.0
>>> d.result(d.merge(s, [5, 40]))
5.0
"""

from __future__ import annotations

import bisect
from typing import Final

import mmh3

HASH_SPACE: Final = float(2**32)


def hash_str(value: str) -> int:
    """A stable 32-bit hash (never Python's salted ``hash``): the same in every process."""
    return mmh3.hash(value, 0, False)  # seed 0, unsigned; positional: it runs per event


class Sum:
    """A running sum."""

    def initialize(self) -> float:
        return 0.0

    def update(self, state: float, value: float) -> float:
        return state + value

    def merge(self, a: float, b: float) -> float:
        return a + b

    def result(self, state: float) -> float:
        return state


class Max:
    """A running maximum (e.g. the longest idle gap)."""

    def initialize(self) -> float:
        return 0.0

    def update(self, state: float, value: float) -> float:
        return value if value > state else state

    def merge(self, a: float, b: float) -> float:
        return a if a > b else b

    def result(self, state: float) -> float:
        return state


class Distinct:
    """Approximate distinct count: a KMV sketch kept as a sorted list of at most ``k`` hashes."""

    def __init__(self, k: int = 32) -> None:
        if k < 3:
            raise ValueError("k must be at least 3")
        self.k = k

    def initialize(self) -> list[int]:
        return []

    def update(self, state: list[int], value: int) -> list[int]:
        """Add one hashed item; mutates and returns ``state`` (it is the caller's own)."""
        k = self.k
        n = len(state)
        if n >= k and value >= state[-1]:
            return state
        i = bisect.bisect_left(state, value)
        if i < n and state[i] == value:
            return state
        state.insert(i, value)
        if n >= k:
            state.pop()
        return state

    def merge(self, a: list[int], b: list[int]) -> list[int]:
        """A new sketch of the union; neither input is changed."""
        k = self.k
        if len(a) >= k and (not b or b[0] >= a[-1]):
            return list(a)
        if len(b) >= k and (not a or a[0] >= b[-1]):
            return list(b)
        return sorted(set(a).union(b))[:k]

    def merge_into(self, state: list[int], other: list[int]) -> bool:
        """Merge sketch ``other`` into ``state`` in place; return whether ``state`` changed.

        The same sketch as :meth:`merge` gives, at the cost of a bisection per hash of
        ``other`` that can still enter (``other`` is sorted, so the first hash above a
        full sketch's largest ends the loop).
        """
        k = self.k
        changed = False
        for value in other:
            n = len(state)
            if n >= k and value >= state[-1]:
                break
            i = bisect.bisect_left(state, value)
            if i < n and state[i] == value:
                continue
            state.insert(i, value)
            if n >= k:
                state.pop()
            changed = True
        return changed

    def result(self, state: list[int]) -> float:
        if len(state) < self.k:
            return float(len(state))
        kth = state[-1] + 1
        return (self.k - 1) * HASH_SPACE / kth
