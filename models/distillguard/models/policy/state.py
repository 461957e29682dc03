"""What the policy remembers per account, and the record it emits.

Serialisable (``to_dict`` / ``from_dict``) so the worker can keep it in a RocksDB table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


class DecisionRecord(NamedTuple):
    """One Kafka record of ``enforcement.decisions``: value ``None`` is a tombstone."""

    key: str
    value: dict[str, Any] | None
    ts: float


@dataclass(slots=True)
class PolicyState:
    """The account's place on the action ladder.

    ``action`` is ``None`` when no decision is live. ``episode`` counts decisions started
    after a lift; ``offences`` counts episodes that reached ``degrade`` or stronger in
    enforce mode (repeat offence escalates TTL and the starting action).
    """

    action: str | None = None
    mode: str = "enforce"
    episode: int = 0
    entered_at: float = 0.0
    expires_at: float = 0.0
    offences: int = 0
    worst_action: str | None = None
    episode_enforced: bool = False
    decision_id: str = ""

    @property
    def above_monitor(self) -> bool:
        """A decision at ``degrade`` or stronger is live (in either mode)."""
        return self.action is not None and self.action != "monitor"

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "mode": self.mode,
            "episode": self.episode,
            "entered_at": self.entered_at,
            "expires_at": self.expires_at,
            "offences": self.offences,
            "worst_action": self.worst_action,
            "episode_enforced": self.episode_enforced,
            "decision_id": self.decision_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyState:
        return cls(
            action=data["action"],
            mode=str(data["mode"]),
            episode=int(data["episode"]),
            entered_at=float(data["entered_at"]),
            expires_at=float(data["expires_at"]),
            offences=int(data["offences"]),
            worst_action=data["worst_action"],
            episode_enforced=bool(data["episode_enforced"]),
            decision_id=str(data["decision_id"]),
        )
