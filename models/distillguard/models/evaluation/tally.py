"""The hot path: fold each event into its account's tally under every lens.

An event is *covered* under a lens when, at its ``ts``, a decision of that lens with an
enforcing action (degrade or stronger) holds for its account, its API key or an IP prefix
that contains its address. Lens 0 is ``enforce`` (mode ``enforce``), lens 1 is ``shadow``
(mode ``shadow``, treated as if enforced). The covering action is the one a gateway would
apply: the strongest of the account decision, the API-key decision and the decision of the
longest holding IP prefix (the enforcer sidecar's rule).
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from distillguard.models.evaluation.decisions import DecisionIndex, KeyTimeline

ENFORCE: Final = 0
SHADOW: Final = 1
_LENS_OF_MODE: Final = {"enforce": ENFORCE, "shadow": SHADOW}


class AccountTally:
    """Running totals for one account; index 0/1 of the list fields is the lens."""

    __slots__ = ("cov_events", "cov_tokens", "events", "first_cov", "first_ts", "tokens")

    def __init__(self) -> None:
        self.events = 0
        self.tokens = 0
        self.first_ts: float | None = None
        self.first_cov: list[float | None] = [None, None]
        self.cov_events = [0, 0]
        self.cov_tokens = [0, 0]


class Tallier:
    """Covers events against one decision index and keeps per-account totals."""

    def __init__(self, index: DecisionIndex, accounts: dict[str, bool]) -> None:
        self.index = index
        #: account_id -> is_attack, for the token-by-action totals.
        self._attack = accounts
        self.tallies: dict[str, AccountTally] = {account: AccountTally() for account in accounts}
        #: [lens][is_attack] -> action rank -> output tokens of covered events.
        self.tokens_by_rank: list[list[Counter[int]]] = [
            [Counter(), Counter()],
            [Counter(), Counter()],
        ]
        self._account_timeline: dict[str, KeyTimeline | None] = {}
        self._key_timeline: dict[str, KeyTimeline | None] = {}
        self._has_prefixes = len(index.prefixes) > 0

    def _direct(self, account_id: str, api_key_id: str) -> list[KeyTimeline]:
        """Timelines of the event's account and API key keys (cached per id)."""
        timelines = self.index.timelines
        found: list[KeyTimeline] = []
        if account_id in self._account_timeline:
            account = self._account_timeline[account_id]
        else:
            account = self._account_timeline[account_id] = timelines.get(f"account:{account_id}")
        if account is not None:
            found.append(account)
        if api_key_id in self._key_timeline:
            key = self._key_timeline[api_key_id]
        else:
            key = self._key_timeline[api_key_id] = timelines.get(f"api_key:{api_key_id}")
        if key is not None:
            found.append(key)
        return found

    def observe(self, account_id: str, api_key_id: str, ip: str, ts: float, tokens: int) -> None:
        """Fold one event of a truth account into its tally."""
        tally = self.tallies[account_id]
        tally.events += 1
        tally.tokens += tokens
        if tally.first_ts is None or ts < tally.first_ts:
            tally.first_ts = ts
        best = [-1, -1]
        for timeline in self._direct(account_id, api_key_id):
            interval = timeline.at(ts)
            if interval is not None:
                lens = _LENS_OF_MODE[interval.mode]
                if interval.rank > best[lens]:
                    best[lens] = interval.rank
        if self._has_prefixes:
            prefix_found = [False, False]
            for prefix in self.index.prefixes.match(ip):
                interval = self.index.timelines[prefix].at(ts)
                if interval is not None:
                    lens = _LENS_OF_MODE[interval.mode]
                    if not prefix_found[lens]:
                        prefix_found[lens] = True
                        if interval.rank > best[lens]:
                            best[lens] = interval.rank
        for lens in (ENFORCE, SHADOW):
            rank = best[lens]
            if rank < 0:
                continue
            tally.cov_events[lens] += 1
            tally.cov_tokens[lens] += tokens
            first = tally.first_cov[lens]
            if first is None or ts < first:
                tally.first_cov[lens] = ts
            self.tokens_by_rank[lens][self._attack[account_id]][rank] += tokens
