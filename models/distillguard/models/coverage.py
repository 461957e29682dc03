"""Which optional event fields the gateways send, and what detection cannot see without them.

The event contract (brief section 3) makes most fields optional, and a gateway that joins
billing data or fingerprints prompts later than it starts sending events is normal. Detection
never guesses a missing field: an account of unknown age is not judged young, an event without
a ``prompt`` object elicits no reasoning. So a missing field does not enforce anyone; it
silently blinds the rules and linking kinds that read it. :class:`InputCoverage` measures the
share of account activity that carried each field and names what is blind, so an operator
sees "no account ages: the rules on young identities cannot fire" instead of a quiet
detector. What each field is worth, measured: docs/detection.md, "What the optional fields
buy".

>>> from distillguard.models.codec import event_record
>>> from distillguard.models.features.slices import fold_events
>>> ev = {"event_id": "e", "ts": 120.5, "account_id": "a", "api_key_id": "k",
...       "ip": "198.51.100.7", "endpoint": "/v1/messages", "model": "m", "status": 200,
...       "prompt_tokens": 10, "completion_tokens": 30}
>>> coverage = InputCoverage()
>>> coverage.observe_slices(fold_events([event_record(ev)]), 120.5)
>>> coverage.shares()["account.created_at"]
0.0
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from distillguard.models.detectors.rules import Rule
from distillguard.models.features import counters as C
from distillguard.models.features.slices import AccountSlice


@dataclass(frozen=True, slots=True)
class InputField:
    """An optional event field and what reads it."""

    #: as the contract names it (``account.created_at``, ``prompt.template``, ``asn``)
    name: str
    #: what goes unseen without it, one phrase
    blind: str
    #: features computed from it (rules conditioned on them cannot judge as designed)
    features: tuple[str, ...] = ()
    #: cluster linking kinds it feeds (docs/clusters.md)
    links: tuple[str, ...] = ()
    #: whether every gateway can send it for every account (``org_id`` exists only for
    #: accounts of an organisation, so a low share of it is no gap)
    expected: bool = True


#: Where a slice shows that a field was sent: a key of its ``meta``, a sketch of one of
#: its hours, or a request with a known category.
META, SKETCH, CATEGORY = "meta", "sketch", "category"


def _meta(name: str) -> tuple[str, str]:
    return (META, name)


def _sketch(name: str) -> tuple[str, str]:
    return (SKETCH, name)


_category: Final = (CATEGORY, "")


_AGE: Final = ("account_age_days", "account_age_known", "identity_age_days", "payer_age_days")

#: The optional fields measured, each with how a slice shows it was sent.
FIELDS: Final[tuple[tuple[InputField, tuple[str, str]], ...]] = (
    (
        InputField(
            "account.created_at",
            "account age: a new identity looks like an established customer",
            features=_AGE,
            links=("created",),
        ),
        _meta("created_at"),
    ),
    (
        InputField(
            "account.tier",
            "usage against the account's tier limits",
            features=(
                "tier_level",
                "tier_known",
                "usage_vs_tier_10m",
                "output_vs_tier_10m",
                "verified_top_tier",
            ),
        ),
        _meta("tier"),
    ),
    (
        InputField(
            "account.verified", "identity verification", features=("verified", "verified_known")
        ),
        _meta("verified"),
    ),
    (
        InputField(
            "account.payment_fingerprint",
            "shared cards, and proxy rotation behind one card",
            features=("payment_known",),
            links=("card", "hop"),
        ),
        _meta("payment_fingerprint"),
    ),
    (
        InputField(
            "org_id",
            "organisations (one customer's accounts, a new seat of an established one)",
            expected=False,
        ),
        _meta("org_id"),
    ),
    (
        InputField(
            "prompt.category",
            "what is asked for: capability focus, reasoning and rubric elicitation",
            features=(
                "capability_share_1h",
                "category_top_share_1h",
                "category_entropy_1h",
                "cot_share_1h",
                "cot_out_tokens_share_1h",
                "rubric_share_1h",
            ),
        ),
        _category,
    ),
    (
        InputField(
            "prompt.template",
            "prompt templates repeated within an account and shared across accounts "
            "(linking by prompt falls back on fingerprints: identical prompts only)",
            features=("templates_1h", "template_ratio_1h", "templates_24h"),
        ),
        _sketch("tpl"),
    ),
    (
        InputField(
            "prompt.fingerprint",
            "near-duplicate prompts (and, where templates are missing too, linking by prompt)",
            features=("fingerprints_1h", "fingerprint_ratio_1h", "fingerprints_24h"),
        ),
        _sketch("fp"),
    ),
    (
        InputField(
            "prompt.lang",
            "the languages reasoning is elicited in",
            features=("langs_1h", "langs_24h", "cot_langs_24h"),
        ),
        _sketch("lang"),
    ),
    (
        InputField("asn", "client networks by operator", features=("asns_24h",), links=("client",)),
        _sketch("asn"),
    ),
    (
        InputField(
            "user_agent", "client software", features=("user_agents_24h",), links=("client",)
        ),
        _sketch("ua"),
    ),
    (InputField("ja4", "TLS client stacks", features=("ja4s_24h",)), _sketch("ja4")),
)


_BY_META: Final = [(i, key) for i, (_, (kind, key)) in enumerate(FIELDS) if kind == META]
_BY_SKETCH: Final = [(i, key) for i, (_, (kind, key)) in enumerate(FIELDS) if kind == SKETCH]
_BY_CATEGORY: Final = [i for i, (_, (kind, _)) in enumerate(FIELDS) if kind == CATEGORY]


#: Why a field sent may still be read as absent (``AccountSlice.rejected``).
REJECTED: Final = {
    "account.created_at": "later than the request it came with (milliseconds, not seconds?)"
}


@dataclass(frozen=True, slots=True)
class Gap:
    """A field most account activity came without, and what it blinds."""

    field: InputField
    share: float
    rules: tuple[str, ...]
    #: share of account activity whose events sent the field with a value that cannot be
    #: true (read as absent, ``REJECTED``)
    rejected: float = 0.0

    def describe(self) -> str:
        """One line for a log or a console, e.g. ``account.created_at on 0% of account
        activity: blind to account age ... (rules: ...; linking by: created)``."""
        parts = []
        if self.rules:
            parts.append("rules: " + ", ".join(self.rules))
        if self.field.links:
            parts.append("linking by: " + ", ".join(self.field.links))
        tail = f" ({'; '.join(parts)})" if parts else ""
        head = f"{self.field.name} on {self.share:.0%} of account activity"
        if self.rejected:
            why = REJECTED.get(self.field.name, "impossible")
            head += f"; on {self.rejected:.0%} it was {why} and read as unknown"
        return f"{head}: blind to {self.field.blind}{tail}"


class InputCoverage:
    """The share of account activity (slices: one per active account per tick) that carried
    each optional field, recent activity weighing most: every ``window`` slices the counts
    are halved. An engine observer (:class:`~distillguard.models.engine.SliceObserver`)
    that never holds an account nor testifies."""

    def __init__(self, window: int = 50_000) -> None:
        self.window = window
        self.slices = 0.0
        self.present = [0.0] * len(FIELDS)
        self.rejected = dict.fromkeys(REJECTED, 0.0)
        self._since_halving = 0

    def observe_slices(self, slices: Mapping[str, AccountSlice], now: float) -> None:
        present = self.present
        rejected = self.rejected
        for s in slices.values():
            meta = s.meta
            for i, key in _BY_META:
                if key in meta:
                    present[i] += 1.0
            hours = s.hours
            if len(hours) == 1:
                sketches: Container[str] = next(iter(hours.values())).sketches
            else:
                sketches = {name for h in hours.values() for name in h.sketches}
            for i, key in _BY_SKETCH:
                if key in sketches:
                    present[i] += 1.0
            if any(m[C.CAT_KNOWN] for m in s.minutes.values()):
                for i in _BY_CATEGORY:
                    present[i] += 1.0
            for name in s.rejected:
                if name in rejected:
                    rejected[name] += 1.0
        self.slices += len(slices)
        self._since_halving += len(slices)
        if self._since_halving >= self.window:
            self._since_halving = 0
            self.slices /= 2.0
            self.present = [p / 2.0 for p in present]
            self.rejected = {k: v / 2.0 for k, v in rejected.items()}

    def observe_decision(
        self, account_id: str, value: Mapping[str, Any] | None, now: float
    ) -> None:
        return None

    def holds(self, account_id: str) -> bool:
        return False

    def shares(self) -> dict[str, float]:
        """Field name -> share of account activity that carried it (0 before any)."""
        total = self.slices
        return {
            f.name: (p / total if total else 0.0)
            for (f, _), p in zip(FIELDS, self.present, strict=True)
        }

    def gaps(
        self, rules: Iterable[Rule], *, below: float = 0.5, min_slices: float = 50.0
    ) -> list[Gap]:
        """The expected fields carried by less than ``below`` of account activity, once
        ``min_slices`` of it were seen, each with the rules that read what it feeds."""
        if self.slices < min_slices:
            return []
        rules = tuple(rules)
        out = []
        for (f, _), share in zip(FIELDS, self.shares().values(), strict=True):
            if not f.expected or share >= below:
                continue
            reads = tuple(r.id for r in rules if any(c.feature in f.features for c in r.when))
            out.append(Gap(f, share, reads, self.rejected.get(f.name, 0.0) / self.slices))
        return out
