"""Which decided IP prefixes contain an address, checking only prefixes that exist.

A prefix table groups the decided prefixes by IP version and length; an address is
masked once per length present, so the cost grows with the number of distinct prefix
lengths, not with the number of prefixes. Answers are cached per address string and list
the longest prefix first, the order in which a gateway picks the decision that applies.

>>> table = PrefixTable()
>>> table.add("ip_prefix:203.0.113.0/24")
>>> table.add("ip_prefix:2001:db8::/32")
>>> table.add("ip_prefix:203.0.113.128/25")
>>> table.match("203.0.113.200"), table.match("2001:db8::1"), table.match("198.51.100.1")
(('ip_prefix:203.0.113.128/25', 'ip_prefix:203.0.113.0/24'), ('ip_prefix:2001:db8::/32',), ())
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


@dataclass(slots=True)
class PrefixTable:
    """Decision keys ``ip_prefix:<CIDR>`` indexed by (version, length, network)."""

    _by_length: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, key: str) -> None:
        """Index ``key``; its value must be a CIDR prefix (host bits are ignored)."""
        network = ipaddress.ip_network(key.removeprefix("ip_prefix:"), strict=False)
        slot = (network.version, network.prefixlen)
        if slot not in self._by_length:
            self._by_length[slot] = {}
            ordered = sorted(self._by_length.items(), key=lambda item: -item[0][1])
            self._by_length = dict(ordered)
        self._by_length[slot][int(network.network_address)] = key
        self._cache.clear()

    def __len__(self) -> int:
        return sum(len(networks) for networks in self._by_length.values())

    def match(self, ip: str) -> tuple[str, ...]:
        """Keys of every indexed prefix that contains ``ip``, longest prefix first.

        A bad address matches nothing.
        """
        cached = self._cache.get(ip)
        if cached is not None:
            return cached
        found: list[str] = []
        if self._by_length:
            try:
                address = ipaddress.ip_address(ip)
            except ValueError:
                address = None
            if address is not None:
                value, bits = int(address), address.max_prefixlen
                for (version, length), networks in self._by_length.items():
                    if version != address.version:
                        continue
                    mask = ((1 << length) - 1) << (bits - length)
                    key = networks.get(value & mask)
                    if key is not None:
                        found.append(key)
        result = tuple(found)
        self._cache[ip] = result
        return result
