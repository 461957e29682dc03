"""What the account-state table holds: the state and the slice batch it has seen last.

Faust processes at least once: after a crash it re-reads the slice batches it had merged but
not yet committed. An account always maps to one slices partition, whose offsets only grow,
so remembering the offset of the last merged batch *in the same table value* (one changelog
record, written atomically with the state) makes a re-read batch a no-op for that account.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from distillguard.models.features import AccountSlice, AccountState


@dataclass(slots=True)
class StoredAccount:
    """One value of the ``account-state`` table."""

    state: AccountState
    applied: int = -1

    def merge(self, piece: AccountSlice, offset: int, late_seconds: float) -> bool:
        """Merge ``piece`` from the batch at ``offset``; ``False`` when already merged."""
        if offset <= self.applied:
            return False
        self.state.merge(piece, late_seconds=late_seconds)
        self.applied = offset
        return True

    def encode(self) -> bytes:
        return orjson.dumps({"o": self.applied, "s": self.state.to_dict()})

    @classmethod
    def decode(cls, account_id: str, raw: bytes | None) -> StoredAccount:
        if raw is None:
            return cls(AccountState(account_id))
        data = orjson.loads(raw)
        return cls(AccountState.from_dict(data["s"]), int(data["o"]))
