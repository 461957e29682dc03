"""What of an API event can be shared, and in which form.

Two families of identifier kinds:

- *infrastructure and content* (``template``, ``lsh_band``, ``ip_prefix``, ``asn``,
  ``user_agent``, ``ja4``) travel in clear: they describe a campaign's tooling, not a
  person. IP addresses are reduced to their /24 (IPv4) or /48 (IPv6) prefix first.
- *account-level* (``account``, ``api_key``, ``org``, ``payment``) travel only as keyed
  pseudonyms (:mod:`distillguard.models.intel.keys`).

The same function gives the shared form on the exporting side and the form to look up on
the importing side, so the two always agree.

>>> from distillguard.models.codec import event_record
>>> from distillguard.models.intel.keys import ConsortiumKey
>>> ev = event_record({"event_id": "e", "ts": 1.0, "account_id": "a", "api_key_id": "k",
...     "ip": "198.51.100.7", "asn": 64500, "endpoint": "/v1/messages", "model": "m",
...     "status": 200, "prompt_tokens": 1, "completion_tokens": 1,
...     "prompt": {"template": "00112233445566ff"}})
>>> sorted(k for k, _ in shared_identifiers(ev, ConsortiumKey(b"x" * 16)))
['account', 'api_key', 'asn', 'ip_prefix', 'template']
>>> ip_prefix("2001:db8:1:2::5")
'2001:db8:1::/48'
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Final

from distillguard.models.codec import Event
from distillguard.models.fingerprint import lsh_bands
from distillguard.models.intel.keys import ConsortiumKey

CLEAR_KINDS: Final = ("template", "lsh_band", "ip_prefix", "asn", "user_agent", "ja4")
HASHED_KINDS: Final = ("account", "api_key", "org", "payment")
KINDS: Final = CLEAR_KINDS + HASHED_KINDS
PREFIX_V4: Final = 24
PREFIX_V6: Final = 48


@functools.lru_cache(maxsize=1 << 16)
def ip_prefix(ip: str) -> str | None:
    """The /24 or /48 network of an address in CIDR form, ``None`` when not an address."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    bits = PREFIX_V4 if addr.version == 4 else PREFIX_V6
    return str(ipaddress.ip_network(f"{addr}/{bits}", strict=False))


def shared_identifiers(event: Event, key: ConsortiumKey) -> list[tuple[str, str]]:
    """``(kind, shared value)`` pairs of one event; raw account-level values never appear."""
    out: list[tuple[str, str]] = []
    prompt = event.prompt
    if prompt is not None:
        if prompt.template:
            out.append(("template", prompt.template))
        fingerprint = prompt.fingerprint
        if fingerprint:
            try:
                out.extend(("lsh_band", band) for band in lsh_bands(fingerprint))
            except ValueError:
                pass  # not hex: nothing to share
    prefix = ip_prefix(event.ip) if event.ip else None
    if prefix:
        out.append(("ip_prefix", prefix))
    if event.asn is not None:
        out.append(("asn", str(event.asn)))
    for kind, value in (("user_agent", event.user_agent), ("ja4", event.ja4)):
        if value:
            out.append((kind, value))
    for kind, value in (
        ("account", event.account_id),
        ("api_key", event.api_key_id),
        ("org", event.org_id),
    ):
        if value:
            out.append((kind, key.pseudonym(kind, value)))
    account = event.account
    if account is not None and account.payment_fingerprint:
        out.append(("payment", key.pseudonym("payment", account.payment_fingerprint)))
    return out
