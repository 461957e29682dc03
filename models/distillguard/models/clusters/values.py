"""Linking values: what two accounts can share, read from the slices every stage already has.

A linking value is a string ``"<kind>:<value>"``. Kinds are *independent* witnesses of a
common operator: the prompt (template id; the fingerprint, for an hour of a slice whose
prompts came without templates), the network (/24 or /48 prefix), the client
stack (ASN together with user agent), the payment card and the creation burst (10-minute
bucket of ``created_at``); and, from an account's history rather than one slice, rotating
proxies behind a card (``hop``: the card's hash, shown while the account has changed
network at nearly every repeat request, :func:`profile_values`). Values are hashes (the
32-bit hashes the slice sketches already carry, or a hash of the gateway's payment
fingerprint), so no raw prompt, address or card ever enters cluster state.

Reading from :class:`~distillguard.models.features.slices.AccountSlice` instead of raw
events keeps linking off the per-event hot path: one slice per active account per tick.

>>> from distillguard.models.codec import event_record
>>> from distillguard.models.features import fold_events
>>> ev = {"event_id": "e", "ts": 60.0, "account_id": "a", "api_key_id": "k",
...       "ip": "203.0.113.9", "asn": 64500, "user_agent": "x/1", "endpoint": "/v1/messages",
...       "model": "m", "status": 200, "prompt_tokens": 1, "completion_tokens": 1,
...       "prompt": {"template": "00000000000000aa"},
...       "account": {"created_at": 1000.0, "payment_fingerprint": "card-1"}}
>>> sorted(v.split(":")[0] for v in linking_values(fold_events([event_record(ev)])["a"]))
['card', 'client', 'created', 'net', 'prompt']
"""

from __future__ import annotations

from typing import Final

from distillguard.models.clusters.profile import Profile, merge_slice
from distillguard.models.features.aggregations import hash_str
from distillguard.models.features.slices import AccountSlice

#: kind -> weight of one shared value of that kind (before its specificity).
KIND_WEIGHTS: Final = {
    "card": 0.6,
    "net": 0.4,
    "prompt": 0.4,
    "client": 0.25,
    "created": 0.25,
    "hop": 0.25,
}
#: Kinds whose popular values have benign twins (framework templates, a big cloud's ASN
#: with a common SDK): they count only as much as the accounts sharing them are new or
#: unverified, however few share them so far (popularity is unknown on a cold start).
SOFT_KINDS: Final = frozenset({"prompt", "client"})
#: Kinds that corroborate what two accounts share but never anchor a link
#: (:meth:`~distillguard.models.clusters.index.LinkIndex.anchors`): on a busy day a
#: platform signs up hundreds of accounts in any ten minutes, and a sign-up time shared
#: with a stranger who asked the same popular question is a coincidence of that day.
CORROBORATING: Final = frozenset({"created"})
#: At most this many values of one kind per account and slice (the smallest hashes: a
#: bottom-k sample, so two accounts sharing many values keep sharing sampled ones).
MAX_PER_KIND: Final = 8
#: Creation bursts are bucketed to this many seconds.
CREATED_BUCKET: Final = 600.0


def kind_of(value: str) -> str:
    return value.split(":", 1)[0]


def linking_values(piece: AccountSlice) -> set[str]:
    """The linking values an account showed in one slice."""
    tpl: set[int] = set()
    untemplated: set[int] = set()
    pfx: set[int] = set()
    asn: set[int] = set()
    ua: set[int] = set()
    for hour in piece.hours.values():
        sk = hour.sketches
        tpl.update(sk.get("tpl", ()))
        if "tpl" not in sk:  # prompts without a template: their fingerprints instead
            untemplated.update(sk.get("fp", ()))
        pfx.update(sk.get("pfx", ()))
        asn.update(sk.get("asn", ()))
        ua.update(sk.get("ua", ()))
    out = {f"prompt:{h}" for h in sorted(tpl)[:MAX_PER_KIND]}
    out.update(f"prompt:{h}" for h in sorted(untemplated)[:MAX_PER_KIND])
    out.update(f"net:{h}" for h in sorted(pfx)[:MAX_PER_KIND])
    if asn and ua and len(asn) * len(ua) <= MAX_PER_KIND:
        out.update(f"client:{a}.{u}" for a in asn for u in ua)
    card = piece.meta.get("payment_fingerprint")
    if card:
        out.add(f"card:{hash_str(str(card))}")
    created = piece.meta.get("created_at")
    if isinstance(created, int | float):
        out.add(f"created:{int(float(created) // CREATED_BUCKET)}")
    return out


def merge_profile(profiles: dict[str, Profile], piece: AccountSlice, values: set[str]) -> Profile:
    """Fold one slice into its account's profile, with the card its linking ``values``
    show, and add to ``values`` those the account's history shows (:func:`profile_values`):
    the replay linker and the worker's profile feed alike, before they index them."""
    p = merge_slice(profiles, piece)
    for value in values:
        if value.startswith("card:"):
            p.card = value
    values |= profile_values(p)
    return p


def profile_values(p: Profile) -> set[str]:
    """The linking values an account's history shows beyond one slice: ``hop:<card>``
    while it pays with a card and hops networks (:meth:`Profile.hops_networks`).

    Two accounts on one card that each come from a new network at nearly every request
    share the card *and* rotating proxies behind it: two independent witnesses, so they
    are linked from their second requests on, without waiting for a common template (a
    slow fleet on aged accounts may take many minutes to repeat one). Colleagues on a
    company card keep their office and home networks and share the card alone.
    """
    if p.card and p.hops_networks():
        return {"hop:" + p.card.split(":", 1)[1]}
    return set()
