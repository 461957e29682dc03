"""DecisionCache: what a gateway enforces for which request, and what it refuses to hold."""

from __future__ import annotations

import ipaddress
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.streams.enforcer import DecisionCache
from distillguard.streams.enforcer.cache import LADDER

NOW = 1_800_000_000.0


def decision(scope: str, value: str, action: str = "suspend", **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "decision_id": f"{scope}:{value}:{action}",
        "subject": {"scope": scope, "value": value},
        "action": action,
        "rate_limit_rpm": None,
        "risk": 0.9,
        "reasons": [{"code": "rule.x", "detail": "why", "weight": 1.0}],
        "cluster_id": None,
        "mode": "enforce",
        "origin": "rule",
        "issued_at": NOW - 10,
        "expires_at": NOW + 600,
        "detector_version": "1",
        "config_version": "1",
    }
    record.update(overrides)
    return record


def put(cache: DecisionCache, scope: str, value: str, action: str = "suspend", **kw: Any) -> bool:
    return cache.apply(f"{scope}:{value}", orjson.dumps(decision(scope, value, action, **kw)))


def test_no_decisions_allows() -> None:
    verdict = DecisionCache().check("a", "k", "192.0.2.1", now=NOW)
    assert verdict.action == "allow" and verdict.decision_id is None and not verdict.enforced


def test_account_decision_carries_its_fields() -> None:
    cache = DecisionCache()
    assert put(cache, "account", "a1", "throttle", rate_limit_rpm=30)
    verdict = cache.check("a1", None, None, now=NOW)
    assert verdict.action == "throttle"
    assert verdict.decision_id == "account:a1:throttle"
    assert verdict.subject == "account:a1"
    assert verdict.rate_limit_rpm == 30
    assert verdict.retry_after == 2  # one request per 60/30 seconds
    assert cache.check("a2", None, None, now=NOW).action == "allow"


def test_retry_after_without_rate_is_time_to_expiry() -> None:
    cache = DecisionCache()
    put(cache, "api_key", "k1", "suspend", expires_at=NOW + 90.2)
    assert cache.check(None, "k1", None, now=NOW).retry_after == 91


def test_expired_decision_is_not_enforced() -> None:
    cache = DecisionCache()
    put(cache, "api_key", "k1", expires_at=NOW + 5)
    assert cache.check(None, "k1", None, now=NOW + 4.9).action == "suspend"
    assert cache.check(None, "k1", None, now=NOW + 5).action == "allow"


def test_tombstone_lifts_only_its_key() -> None:
    cache = DecisionCache()
    put(cache, "account", "a1")
    put(cache, "account", "a2")
    put(cache, "ip_prefix", "10.0.0.0/8")
    assert cache.apply("account:a1", None)
    assert cache.apply("ip_prefix:10.0.0.0/8", None)
    assert cache.check("a1", None, "10.1.1.1", now=NOW).action == "allow"
    assert cache.check("a2", None, None, now=NOW).action == "suspend"
    assert cache.apply("account:never-held", None)  # lifting nothing is fine
    assert cache.counts() == {"account": 1, "api_key": 0, "ip_prefix": 0}


def test_newer_record_replaces_older_for_the_same_key() -> None:
    cache = DecisionCache()
    put(cache, "account", "a1", "suspend")
    put(cache, "account", "a1", "degrade")
    assert cache.check("a1", None, None, now=NOW).action == "degrade"
    assert len(cache) == 1


@pytest.mark.parametrize("action", LADDER)
def test_shadow_is_never_enforced(action: str) -> None:
    cache = DecisionCache()
    put(cache, "account", "a1", action, mode="shadow")
    verdict = cache.check("a1", None, None, now=NOW)
    assert verdict.action == "allow"
    assert verdict.would_have == action
    assert verdict.would_have_decision_id == f"account:a1:{action}"


def test_monitor_is_never_enforced_but_reported() -> None:
    cache = DecisionCache()
    put(cache, "api_key", "k1", "monitor")
    verdict = cache.check(None, "k1", None, now=NOW)
    assert (verdict.action, verdict.would_have) == ("allow", "monitor")


def test_would_have_only_when_stricter_than_the_answer() -> None:
    cache = DecisionCache()
    put(cache, "account", "a1", "throttle", rate_limit_rpm=10)
    put(cache, "api_key", "k1", "suspend", mode="shadow")
    put(cache, "api_key", "k2", "degrade", mode="shadow")
    stricter = cache.check("a1", "k1", None, now=NOW)
    assert (stricter.action, stricter.would_have) == ("throttle", "suspend")
    milder = cache.check("a1", "k2", None, now=NOW)
    assert (milder.action, milder.would_have) == ("throttle", None)


def test_strictest_action_wins_across_subjects() -> None:
    cache = DecisionCache()
    put(cache, "account", "a1", "degrade")
    put(cache, "api_key", "k1", "challenge")
    put(cache, "ip_prefix", "203.0.113.0/24", "throttle", rate_limit_rpm=5)
    verdict = cache.check("a1", "k1", "203.0.113.50", now=NOW)
    assert (verdict.action, verdict.subject) == ("challenge", "api_key:k1")
    assert cache.check("a1", "k9", "203.0.113.50", now=NOW).action == "throttle"
    assert cache.check("a1", "k9", "198.51.100.1", now=NOW).action == "degrade"


def test_longest_prefix_wins_among_ip_prefixes_v4() -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "10.0.0.0/8", "suspend")
    put(cache, "ip_prefix", "10.1.0.0/16", "throttle", rate_limit_rpm=60)
    put(cache, "ip_prefix", "10.1.2.3/32", "degrade")
    assert cache.check(None, None, "10.1.2.3", now=NOW).subject == "ip_prefix:10.1.2.3/32"
    assert cache.check(None, None, "10.1.2.4", now=NOW).subject == "ip_prefix:10.1.0.0/16"
    assert cache.check(None, None, "10.2.0.1", now=NOW).subject == "ip_prefix:10.0.0.0/8"
    assert cache.check(None, None, "11.0.0.1", now=NOW).action == "allow"


def test_longest_prefix_wins_among_ip_prefixes_v6() -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "2001:db8::/32", "challenge")
    put(cache, "ip_prefix", "2001:db8:abcd::/48", "degrade")
    assert cache.check(None, None, "2001:db8:abcd:1::7", now=NOW).action == "degrade"
    assert cache.check(None, None, "2001:db8:1::7", now=NOW).action == "challenge"
    assert cache.check(None, None, "2001:db9::1", now=NOW).action == "allow"
    assert cache.check(None, None, "fe80::1%eth0", now=NOW).action == "allow"


def test_expired_or_shadow_specific_prefix_falls_back_to_the_shorter_one() -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "10.0.0.0/8", "suspend")
    put(cache, "ip_prefix", "10.1.0.0/16", "degrade", expires_at=NOW - 1)
    put(cache, "ip_prefix", "10.2.0.0/16", "degrade", mode="shadow")
    assert cache.check(None, None, "10.1.0.1", now=NOW).action == "suspend"
    assert cache.check(None, None, "10.2.0.1", now=NOW).action == "suspend"


def test_ipv4_and_ipv6_do_not_mix_but_mapped_addresses_count_as_ipv4() -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "0.0.0.0/0", "degrade")
    assert cache.check(None, None, "::ffff:192.0.2.1", now=NOW).action == "degrade"
    assert cache.check(None, None, "2001:db8::1", now=NOW).action == "allow"


@pytest.mark.parametrize("ip", ["", "not-an-ip", "300.1.1.1", "1.2.3", "::g"])
def test_unparsable_ip_matches_no_prefix(ip: str) -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "0.0.0.0/0")
    put(cache, "ip_prefix", "::/0")
    assert cache.check(None, None, ip, now=NOW).action == "allow"


BAD_RECORDS = [
    ("account:a1", b"{not json", "not_json"),
    ("account:a1", b"[1, 2]", "not_object"),
    ("account:a1", orjson.dumps(decision("account", "a1", "ban")), "invalid_value"),
    ("account:a1", orjson.dumps(decision("account", "a1", risk=1.5)), "invalid_value"),
    ("account:a1", orjson.dumps(decision("account", "other")), "key_mismatch"),
    ("api_key:a1", orjson.dumps(decision("account", "a1")), "key_mismatch"),
    ("a1", orjson.dumps(decision("account", "a1")), "invalid_key"),
    ("user:a1", orjson.dumps(decision("account", "a1")), "invalid_key"),
    ("account:", orjson.dumps(decision("account", "")), "invalid_key"),
    ("ip_prefix:10.0.0.1/8", orjson.dumps(decision("ip_prefix", "10.0.0.1/8")), "invalid_cidr"),
    ("ip_prefix:10.0.0.0/33", orjson.dumps(decision("ip_prefix", "10.0.0.0/33")), "invalid_cidr"),
    ("ip_prefix:example.org", orjson.dumps(decision("ip_prefix", "example.org")), "invalid_cidr"),
]


@pytest.mark.parametrize(("key", "value", "reason"), BAD_RECORDS)
def test_malformed_record_is_counted_and_skipped(key: str, value: bytes, reason: str) -> None:
    cache = DecisionCache()
    assert not cache.apply(key, value)
    assert cache.malformed == {reason: 1}
    assert len(cache) == 0
    assert cache.check("a1", "a1", "10.0.0.1", now=NOW).action == "allow"


def test_malformed_record_keeps_the_decision_already_held() -> None:
    cache = DecisionCache()
    put(cache, "account", "a1", "suspend")
    assert not cache.apply("account:a1", b"\x00garbage")
    assert cache.check("a1", None, None, now=NOW).action == "suspend"
    assert sum(cache.malformed.values()) == 1 and cache.applied == 1


def test_tombstone_with_a_malformed_key_is_counted() -> None:
    cache = DecisionCache()
    assert not cache.apply("ip_prefix:nope", None)
    assert cache.malformed == {"invalid_cidr": 1}


def test_bare_address_is_a_host_prefix() -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "192.0.2.7")
    assert cache.check(None, None, "192.0.2.7", now=NOW).action == "suspend"
    assert cache.check(None, None, "192.0.2.8", now=NOW).action == "allow"


def test_tombstone_for_another_spelling_keeps_the_held_network() -> None:
    cache = DecisionCache()
    put(cache, "ip_prefix", "2001:db8::/32")
    assert cache.apply("ip_prefix:2001:DB8::/32", None)
    assert cache.check(None, None, "2001:db8::1", now=NOW).action == "suspend"


networks = st.one_of(
    st.builds(
        lambda n, length: ipaddress.ip_network((n, length), strict=False),
        st.integers(0, 2**32 - 1),
        st.integers(0, 32),
    ),
    st.builds(
        lambda n, length: ipaddress.ip_network((n, length), strict=False),
        st.integers(0, 2**128 - 1),
        st.integers(0, 128),
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    prefixes=st.lists(networks, min_size=1, max_size=12, unique=True),
    probes=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=20),
)
def test_longest_prefix_match_agrees_with_brute_force(
    prefixes: list[ipaddress.IPv4Network | ipaddress.IPv6Network], probes: list[int]
) -> None:
    cache = DecisionCache()
    for network in prefixes:
        assert put(cache, "ip_prefix", str(network), "degrade")
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [
        ipaddress.IPv4Address(p) for p in probes
    ]
    addresses += [n.network_address for n in prefixes] + [n.broadcast_address for n in prefixes]
    for address in addresses:
        seen = address  # the cache reads IPv4-mapped IPv6 addresses as IPv4
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            seen = address.ipv4_mapped
        inside = [n for n in prefixes if n.version == seen.version and seen in n]
        expected = f"ip_prefix:{max(inside, key=lambda n: n.prefixlen)}" if inside else None
        assert cache.check(None, None, str(address), now=NOW).subject == expected
