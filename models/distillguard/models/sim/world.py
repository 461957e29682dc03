"""The synthetic world personas draw identities from: ids, networks, client stacks, tiers.

Nothing here is real data. ASN numbers are real operators' numbers so that ASN-based
features see plausible values, but the address prefixes attached to them are derived
from a hash and do not match real allocations.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from typing import Final

import numpy as np

Rng = np.random.Generator

#: Requests per minute each tier may send before the gateway answers 429.
TIER_RPM: Final[dict[str, int]] = {
    "free": 5,
    "tier1": 50,
    "tier2": 150,
    "tier3": 400,
    "tier4": 1000,
    "tier5": 2000,
    "enterprise": 5000,
}

CATEGORIES: Final = ("coding", "math", "reasoning", "agentic", "creative", "knowledge", "other")
LANGS: Final = ("en", "zh", "es", "ru", "ar", "de", "fr", "ja", "ko", "pt", "hi", "tr", "vi", "id")

RESIDENTIAL: Final = (
    (7922, "US"),
    (701, "US"),
    (20115, "US"),
    (3320, "DE"),
    (2856, "GB"),
    (3215, "FR"),
    (4134, "CN"),
    (4837, "CN"),
    (9121, "TR"),
    (12389, "RU"),
    (17676, "JP"),
    (4766, "KR"),
    (28573, "BR"),
    (9829, "IN"),
    (6830, "NL"),
    (1221, "AU"),
    (7552, "VN"),
    (7713, "ID"),
)
CLOUD: Final = (
    (16509, "US"),
    (14618, "US"),
    (15169, "US"),
    (396982, "US"),
    (8075, "US"),
    (14061, "US"),
    (24940, "DE"),
    (16276, "FR"),
    (63949, "US"),
    (31898, "US"),
)
CI_CLOUD: Final = ((8075, "US"), (16509, "US"), (15169, "US"))
HOSTING_PROXY: Final = (
    (9009, "GB"),
    (212238, "NL"),
    (62240, "GB"),
    (60068, "NL"),
    (51167, "DE"),
    (136787, "SG"),
    (45102, "HK"),
    (132203, "HK"),
    (202425, "NL"),
    (35916, "US"),
)

#: First octets that are never private, loopback, multicast or documentation ranges.
_FIRST_OCTETS: Final = tuple(
    o for o in range(11, 224) if o not in (100, 127, 169, 172, 192, 198, 203)
)

SDK_STACKS: Final = (
    "sdk-python/{v} CPython/3.{m}",
    "sdk-node/{v} node/v2{m}.1.0",
    "sdk-go/{v} go1.2{m}",
    "python-httpx/0.2{m}.{p}",
    "python-requests/2.3{m}.{p}",
    "OpenAPI-Generator/{v}/java",
    "langchain-core/0.3.{p} sdk-python/{v}",
    "llamaindex/0.1{m}.{p}",
)
DEV_TOOLS: Final = ("curl/8.{m}.{p}", "PostmanRuntime/7.4{m}.{p}", "insomnia/10.{m}.{p}")
BROWSERS: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/13{m}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.{m} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:13{m}.0) Gecko/20100101 Firefox/13{m}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_{m} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; Pixel {m}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/13{m}.0.0.0 Mobile Safari/537.36",
)

Net = tuple[str, int, str]
"""(ip, asn, country)"""
Client = tuple[str, str]
"""(user_agent, ja4)"""


def hex_id(rng: Rng, prefix: str, nbytes: int = 6) -> str:
    """A random id such as ``acct_3f9a0c1b2d4e``."""
    return prefix + rng.bytes(nbytes).hex()


def _digest(*parts: object) -> bytes:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).digest()


def ja4_for(stack: str) -> str:
    """A stable JA4-shaped TLS fingerprint for a client stack: one library, one JA4."""
    d = _digest("ja4", stack)
    ciphers = 10 + d[0] % 8
    exts = 10 + d[1] % 8
    return f"t13d{ciphers:02d}{exts:02d}h2_{d[2:8].hex()}_{d[8:14].hex()}"


def asn_prefixes(asn: int, count: int = 8) -> list[tuple[int, int]]:
    """The (first, second) octets of the /16s this ASN announces in the synthetic world."""
    out = []
    for i in range(count):
        d = _digest("asn", asn, i)
        out.append((_FIRST_OCTETS[d[0] % len(_FIRST_OCTETS)], d[1]))
    return out


def random_nets(
    rng: Rng, pool: tuple[tuple[int, str], ...], n: int, v6_share: float = 0.0
) -> list[Net]:
    """``n`` client addresses drawn from networks in ``pool`` (one entry per address)."""
    nets: list[Net] = []
    picks = rng.integers(0, len(pool), size=n)
    for pick in picks.tolist():
        asn, country = pool[pick]
        if v6_share and rng.random() < v6_share:
            d = _digest("v6", asn)
            high = (0x2A00 << 112) | (int.from_bytes(d[:4], "big") << 80)
            low = int(rng.integers(0, 2**62)) << 16 | int(rng.integers(1, 2**16))
            nets.append((str(ipaddress.IPv6Address(high | low)), asn, country))
            continue
        a, b = asn_prefixes(asn)[int(rng.integers(0, 8))]
        c, d4 = rng.integers(0, 256), rng.integers(1, 255)
        nets.append((f"{a}.{b}.{c}.{d4}", asn, country))
    return nets


def subnet24(rng: Rng, pool: tuple[tuple[int, str], ...]) -> tuple[str, int, str]:
    """One /24 (as ``"a.b.c"``) inside a network from ``pool``: a proxy range."""
    asn, country = pool[int(rng.integers(0, len(pool)))]
    a, b = asn_prefixes(asn)[int(rng.integers(0, 8))]
    return f"{a}.{b}.{int(rng.integers(0, 256))}", asn, country


def nets_in_subnets(rng: Rng, subnets: list[tuple[str, int, str]], n: int) -> list[Net]:
    """``n`` addresses spread over the given /24 ranges."""
    out: list[Net] = []
    which = rng.integers(0, len(subnets), size=n).tolist()
    hosts = rng.integers(2, 254, size=n).tolist()
    for w, h in zip(which, hosts, strict=True):
        prefix, asn, country = subnets[w]
        out.append((f"{prefix}.{h}", asn, country))
    return out


def client(rng: Rng, families: tuple[str, ...]) -> Client:
    """A user agent from ``families`` with random versions, and the JA4 its stack implies."""
    family = families[int(rng.integers(0, len(families)))]
    m, p = int(rng.integers(0, 10)), int(rng.integers(0, 20))
    v = f"{int(rng.integers(0, 3))}.{int(rng.integers(0, 80))}.{p}"
    ua = family.format(v=v, m=m, p=p)
    return ua, ja4_for(family.split("/")[0] + str(m))


def custom_client(rng: Rng) -> Client:
    """A bespoke automation stack (one UA, one unusual TLS fingerprint) shared by a fleet."""
    name = rng.choice(
        ["python-httpx/0.27.2", "aiohttp/3.10.11", "Go-http-client/2.0", "okhttp/4.12.0"]
    )
    return str(name), ja4_for(hex_id(rng, "custom-"))


@dataclass(frozen=True, slots=True)
class Account:
    """The billing account fields an event carries (``account`` object plus ids)."""

    account_id: str
    org_id: str | None
    created_at: float
    tier: str
    verified: bool
    payment_fingerprint: str | None

    def as_event_field(self) -> dict[str, object]:
        return {
            "created_at": self.created_at,
            "tier": self.tier,
            "verified": self.verified,
            "payment_fingerprint": self.payment_fingerprint,
        }


def payment_fingerprint(rng: Rng) -> str:
    return hex_id(rng, "pf_", 8)
