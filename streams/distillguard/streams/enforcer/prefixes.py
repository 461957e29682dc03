"""Longest-prefix match over IPv4 and IPv6 networks, tuned for a per-request lookup.

A gateway asks "which decision covers this client address?" on every request, so the
index keeps one ``dict`` per prefix length that is actually present, keyed by the
network's integer value shifted right to its length. A lookup parses the address once
(``socket.inet_pton``, much cheaper than :mod:`ipaddress`) and probes only the lengths in
use, longest first: a handful of shifts and dict probes.

>>> index: PrefixIndex[str] = PrefixIndex()
>>> index.put(parse_network("203.0.113.0/24"), "net")
>>> index.put(parse_network("203.0.113.7/32"), "host")
>>> [v for v in index.matches(parse_address("203.0.113.7"))]
['host', 'net']
>>> [v for v in index.matches(parse_address("::ffff:203.0.113.9"))]
['net']
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Generic, NamedTuple, TypeVar

V = TypeVar("V")

_V4_MAPPED = 0xFFFF


class Network(NamedTuple):
    """A parsed prefix: IP version (4 or 6), prefix length and the network bits."""

    version: int
    length: int
    bits: int  # the network address shifted right by (width - length)


#: A parsed client address: (IP version, integer value). A plain tuple: built per request.
Address = tuple[int, int]


def parse_network(text: str) -> Network:
    """Parse a CIDR (``"10.0.0.0/8"``, ``"2001:db8::/32"``; a bare address is a host route).

    Host bits set (``"10.0.0.1/8"``) are rejected: such a key names no single network and
    two spellings of one network would shadow each other in a compacted topic.
    Raises :class:`ValueError`.
    """
    network = ipaddress.ip_network(text, strict=True)
    width = network.max_prefixlen
    bits = int(network.network_address) >> (width - network.prefixlen)
    return Network(network.version, network.prefixlen, bits)


def parse_address(text: str) -> Address | None:
    """The client address as an integer, or ``None`` when ``text`` is not an IP address.

    IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``) count as IPv4, and an IPv6 zone
    (``fe80::1%eth0``) is ignored, so dual-stack listeners match IPv4 prefixes.
    """
    if not text:
        return None
    try:
        if ":" not in text:
            return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
        if "%" in text:
            text = text.split("%", 1)[0]
        value = int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
    except (OSError, ValueError):
        return None
    if value >> 32 == _V4_MAPPED:
        return 4, value & 0xFFFFFFFF
    return 6, value


class PrefixIndex(Generic[V]):
    """Values keyed by IP network, looked up by address, most specific first."""

    __slots__ = ("_tables", "_lengths", "_size")

    def __init__(self) -> None:
        # version -> length -> network bits -> value
        self._tables: dict[int, dict[int, dict[int, V]]] = {4: {}, 6: {}}
        # version -> ((shift, table), ...) longest prefix first; rebuilt when lengths change
        self._lengths: dict[int, tuple[tuple[int, dict[int, V]], ...]] = {4: (), 6: ()}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _reindex(self, version: int) -> None:
        width = 32 if version == 4 else 128
        tables = self._tables[version]
        self._lengths[version] = tuple(
            (width - length, tables[length]) for length in sorted(tables, reverse=True)
        )

    def get(self, network: Network) -> V | None:
        table = self._tables[network.version].get(network.length)
        return None if table is None else table.get(network.bits)

    def put(self, network: Network, value: V) -> None:
        tables = self._tables[network.version]
        table = tables.get(network.length)
        if table is None:
            table = tables[network.length] = {}
            self._reindex(network.version)
        if network.bits not in table:
            self._size += 1
        table[network.bits] = value

    def pop(self, network: Network) -> V | None:
        tables = self._tables[network.version]
        table = tables.get(network.length)
        if table is None or network.bits not in table:
            return None
        value = table.pop(network.bits)
        self._size -= 1
        if not table:
            del tables[network.length]
            self._reindex(network.version)
        return value

    def matches(self, address: Address) -> Iterator[V]:
        """Every value whose network contains ``address``, longest prefix first."""
        version, value = address
        for shift, table in self._lengths[version]:
            found = table.get(value >> shift)
            if found is not None:
                yield found

    def probes(self, version: int) -> tuple[tuple[int, dict[int, V]], ...]:
        """``(shift, table)`` per prefix length present, longest first: for hot loops that
        look up ``table.get(value >> shift)`` themselves instead of calling
        :meth:`matches`."""
        return self._lengths[version]

    def values(self) -> Iterator[V]:
        for tables in self._tables.values():
            for table in tables.values():
                yield from table.values()
