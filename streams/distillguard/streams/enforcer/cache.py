"""The decision cache a gateway consults on every request.

It folds the records of the compacted ``enforcement.decisions`` topic (contract:
``schemas/decision.v1.schema.json``) into three indexes — account, API key, IP prefix —
and answers ``check`` in a few microseconds without Kafka, so Python gateways can embed it
in-process and the ``distillguard enforcer`` sidecar can serve it over HTTP.

Rules, in one place:

* A record is validated (``decision.v1``, the key agrees with ``subject``, the IP prefix is
  a valid CIDR without host bits). A malformed record is counted and skipped: it never
  becomes a block, and it does not erase a valid decision already held for its key — that
  decision stays until a tombstone or its own ``expires_at``, which bounds how long replicas
  that read the valid record can differ from ones that start after compaction removed it.
* A tombstone (``None`` value) lifts the decision for its key.
* ``mode: shadow`` decisions and ``monitor`` actions are never enforced; a check reports them
  as ``would_have`` when they are stricter than what it enforces.
* Within IP prefixes the most specific live, enforceable decision applies (a ``/24`` throttle
  inside a ``/16`` suspend throttles); across account, API key and IP the strictest wins.

>>> import orjson
>>> cache = DecisionCache()
>>> record = {"decision_id": "d1", "subject": {"scope": "account", "value": "a1"},
...     "action": "suspend", "rate_limit_rpm": None, "risk": 0.9, "reasons": [],
...     "cluster_id": None, "mode": "enforce", "origin": "rule", "issued_at": 0,
...     "expires_at": 100, "detector_version": "1", "config_version": "1"}
>>> cache.apply("account:a1", orjson.dumps(record))
True
>>> cache.check("a1", "k1", "192.0.2.1", now=50).action
'suspend'
>>> cache.check("a1", "k1", "192.0.2.1", now=150).action
'allow'
>>> cache.apply("account:a1", None)
True
>>> cache.check("a1", "k1", "192.0.2.1", now=50).action
'allow'
"""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import Final, NamedTuple

import orjson

from distillguard.models.codec import validate_decision
from distillguard.models.errors import DecodeError
from distillguard.streams.enforcer.prefixes import (
    Network,
    PrefixIndex,
    parse_address,
    parse_network,
)

ALLOW: Final = "allow"
#: The action ladder, mildest first (``schemas/decision.v1.schema.json``).
LADDER: Final = ("monitor", "degrade", "throttle", "challenge", "suspend")
RANK: Final = {action: rank for rank, action in enumerate(LADDER)} | {ALLOW: -1}
SCOPES: Final = ("account", "api_key", "ip_prefix")
_INTERNED: Final = {name: name for name in (*LADDER, *SCOPES)}


class Entry(NamedTuple):
    """What the cache keeps of a decision: only the fields a check needs.

    ``scope`` and ``action`` are the interned constants and ``value`` is the very string that
    keys the index, so a million entries cost little more than their decision ids. A named
    tuple: immutable, and several times cheaper to build than a frozen dataclass.
    """

    scope: str
    value: str
    decision_id: str
    action: str
    rank: int
    enforced: bool  # mode == enforce and action != monitor
    rate_limit_rpm: int | None
    expires_at: float

    @property
    def key(self) -> str:
        return f"{self.scope}:{self.value}"


class Verdict(NamedTuple):
    """The answer to one check.

    ``action`` is ``"allow"`` or an enforced rung of the ladder; ``subject`` the decision
    key that decided (``"account:a1"``); ``retry_after`` whole seconds a client should wait
    (for ``throttle`` with a rate, the spacing of permitted requests; otherwise the time
    until the decision expires). ``would_have`` is the strictest shadow/monitor action that
    matched and was stricter than ``action``: reported, never enforced.
    """

    action: str
    decision_id: str | None = None
    rate_limit_rpm: int | None = None
    retry_after: int | None = None
    subject: str | None = None
    would_have: str | None = None
    would_have_decision_id: str | None = None

    @property
    def enforced(self) -> bool:
        return self.action != ALLOW


ALLOWED: Final = Verdict(ALLOW)


def _retry_after(entry: Entry, now: float) -> int:
    if entry.action == "throttle" and entry.rate_limit_rpm:
        return max(1, math.ceil(60.0 / entry.rate_limit_rpm))
    return max(1, math.ceil(entry.expires_at - now))


class DecisionCache:
    """Current decisions by subject; ``apply`` records, ``check`` requests.

    ``apply`` and ``check`` may run on different threads: every update is a single dict
    store or delete, which CPython performs atomically.
    """

    def __init__(self) -> None:
        self._accounts: dict[str, Entry] = {}
        self._api_keys: dict[str, Entry] = {}
        self._prefixes: PrefixIndex[Entry] = PrefixIndex()
        #: malformed records skipped, by reason code
        self.malformed: Counter[str] = Counter()
        self.applied = 0

    # --- records ----------------------------------------------------------------------------
    def apply(self, key: str, value: bytes | None) -> bool:
        """Fold one topic record into the cache; ``False`` when it was malformed and skipped."""
        try:
            self._apply(key, value)
        except DecodeError as exc:
            self.malformed[exc.reason] += 1
            return False
        self.applied += 1
        return True

    def _apply(self, key: str, value: bytes | None) -> None:
        scope, sep, subject = key.partition(":")
        scope = _INTERNED.get(scope, "")
        if not sep or scope not in SCOPES or not subject:
            raise DecodeError("invalid_key", f"decision key {key!r} is not '<scope>:<value>'")
        network = None
        if scope == "ip_prefix":
            try:
                network = parse_network(subject)
            except ValueError as exc:
                raise DecodeError("invalid_cidr", f"key {key!r}: {exc}") from None
        if value is None:
            self._remove(scope, subject, network)
            return
        entry = self._entry(key, scope, subject, value)
        if network is not None:
            self._prefixes.put(network, entry)
        elif scope == "account":
            self._accounts[subject] = entry
        else:
            self._api_keys[subject] = entry

    def _remove(self, scope: str, subject: str, network: Network | None) -> None:
        if network is not None:
            held = self._prefixes.get(network)
            if held is not None and held.value == subject:
                self._prefixes.pop(network)
        elif scope == "account":
            self._accounts.pop(subject, None)
        else:
            self._api_keys.pop(subject, None)

    @staticmethod
    def _entry(key: str, scope: str, subject: str, value: bytes) -> Entry:
        try:
            decision = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise DecodeError("not_json", f"key {key!r}: not JSON: {exc}") from None
        if not isinstance(decision, dict):
            raise DecodeError("not_object", f"key {key!r}: not a JSON object")
        validate_decision(decision)
        named = decision["subject"]
        if named["scope"] != scope or named["value"] != subject:
            raise DecodeError(
                "key_mismatch",
                f"key {key!r} names another subject than {named['scope']}:{named['value']}",
            )
        action = _INTERNED[decision["action"]]
        return Entry(
            scope=scope,
            value=subject,
            decision_id=decision["decision_id"],
            action=action,
            rank=RANK[action],
            enforced=decision["mode"] == "enforce" and action != "monitor",
            rate_limit_rpm=decision["rate_limit_rpm"],
            expires_at=float(decision["expires_at"]),
        )

    # --- requests ---------------------------------------------------------------------------
    def check(
        self,
        account_id: str | None,
        api_key_id: str | None,
        ip: str | None,
        now: float | None = None,
    ) -> Verdict:
        """The verdict for a request by ``account_id`` with ``api_key_id`` from ``ip``.

        Any identifier may be ``None`` or empty (unknown); an unparsable ``ip`` matches no
        prefix. ``now`` defaults to the wall clock (epoch seconds).
        """
        if now is None:
            now = time.time()
        best: Entry | None = None
        shadow: Entry | None = None
        if account_id:
            entry = self._accounts.get(account_id)
            if entry is not None and entry.expires_at > now:
                if entry.enforced:
                    best = entry
                else:
                    shadow = entry
        if api_key_id:
            entry = self._api_keys.get(api_key_id)
            if entry is not None and entry.expires_at > now:
                if entry.enforced:
                    if best is None or entry.rank > best.rank:
                        best = entry
                elif shadow is None or entry.rank > shadow.rank:
                    shadow = entry
        if ip and len(self._prefixes):
            address = parse_address(ip)
            if address is not None:
                found_enforced = False
                version, value = address
                for shift, table in self._prefixes.probes(version):
                    entry = table.get(value >> shift)
                    if entry is None or entry.expires_at <= now:
                        continue
                    if entry.enforced:
                        if not found_enforced:
                            found_enforced = True
                            if best is None or entry.rank > best.rank:
                                best = entry
                    elif shadow is None or entry.rank > shadow.rank:
                        shadow = entry
        if best is None:
            if shadow is None:
                return ALLOWED
            return Verdict(ALLOW, None, None, None, None, shadow.action, shadow.decision_id)
        would: str | None = None
        would_id: str | None = None
        if shadow is not None and shadow.rank > best.rank:
            would, would_id = shadow.action, shadow.decision_id
        return Verdict(
            best.action,
            best.decision_id,
            best.rate_limit_rpm,
            _retry_after(best, now),
            f"{best.scope}:{best.value}",
            would,
            would_id,
        )

    # --- introspection ----------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Decisions held per scope (expired ones included until lifted)."""
        return {
            "account": len(self._accounts),
            "api_key": len(self._api_keys),
            "ip_prefix": len(self._prefixes),
        }

    def __len__(self) -> int:
        return len(self._accounts) + len(self._api_keys) + len(self._prefixes)
