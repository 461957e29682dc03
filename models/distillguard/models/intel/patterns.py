"""Indicator patterns for each kind, in both directions (build on export, read on import).

Standard STIX patterns where STIX has an object for the thing (IP ranges, autonomous
systems, user agents, user accounts holding a keyed hash), ``pattern_type: distillguard``
otherwise (``template = '…'``, ``lsh_band = '…'``, ``ja4 = '…'``, ``api_key = '…'``, …).
Only the shapes built here are read back; anything else is skipped on import.

>>> build("ip_prefix", "198.51.100.0/24")
('stix', "[ipv4-addr:value ISSUBSET '198.51.100.0/24']")
>>> read("stix", "[ipv4-addr:value ISSUBSET '198.51.100.0/24']")
('ip_prefix', '198.51.100.0/24')
>>> read(*build("template", "00112233445566ff"))
('template', '00112233445566ff')
"""

from __future__ import annotations

import re
from typing import Final

from distillguard.models.intel.identifiers import KINDS

CUSTOM: Final = "distillguard"
RULE: Final = "distillguard-rule"
_UA: Final = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"
_STIX_PATHS: Final = {
    "ipv4": "ipv4-addr:value",
    "ipv6": "ipv6-addr:value",
    "asn": "autonomous-system:number",
    "user_agent": _UA,
    "account": "user-account:user_id",
}
_STIX_READ: Final = re.compile(
    r"^\[(?P<path>[^=]+?) (?P<op>=|ISSUBSET) (?P<value>'(?:[^'\\]|\\.)*'|\d+)\]$"
)
_CUSTOM_READ: Final = re.compile(r"^(?P<kind>[a-z_]+) = '(?P<value>(?:[^'\\]|\\.)*)'$")


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def build(kind: str, value: str) -> tuple[str, str]:
    """``(pattern_type, pattern)`` for one shared identifier."""
    if kind == "ip_prefix":
        path = _STIX_PATHS["ipv6" if ":" in value else "ipv4"]
        return "stix", f"[{path} ISSUBSET {_quote(value)}]"
    if kind == "asn":
        return "stix", f"[{_STIX_PATHS['asn']} = {int(value)}]"
    if kind in ("user_agent", "account"):
        return "stix", f"[{_STIX_PATHS[kind]} = {_quote(value)}]"
    return CUSTOM, f"{kind} = {_quote(value)}"


def read(pattern_type: str, pattern: str) -> tuple[str, str] | None:
    """The ``(kind, value)`` a pattern built by :func:`build` stands for, else ``None``."""
    if pattern_type == CUSTOM:
        m = _CUSTOM_READ.match(pattern)
        if m is None or m["kind"] not in KINDS:
            return None
        return m["kind"], _unquote(f"'{m['value']}'")
    if pattern_type != "stix":
        return None
    m = _STIX_READ.match(pattern)
    if m is None:
        return None
    path, op, raw = m["path"], m["op"], m["value"]
    value = _unquote(raw) if raw.startswith("'") else raw
    if op == "ISSUBSET" and path in (_STIX_PATHS["ipv4"], _STIX_PATHS["ipv6"]):
        return "ip_prefix", value
    if op != "=":
        return None
    for kind in ("asn", "user_agent", "account"):
        if path == _STIX_PATHS[kind]:
            return kind, value
    return None
