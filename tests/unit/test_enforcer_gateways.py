"""The shipped gateway examples and benchmark data agree with what the enforcer expects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from distillguard.streams.bench.enforcer import check_mix, decision_records, in_process
from distillguard.streams.enforcer import DecisionCache
from distillguard.streams.enforcer.answer import ACTION_HEADER, DECISION_HEADER, STATUS_HEADER

GATEWAYS = Path(__file__).resolve().parents[2] / "docs" / "gateways"


def _find(node: Any, key: str) -> Any:
    """The first value under ``key`` anywhere in a parsed YAML tree."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        children = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find(child, key)
        if found is not None:
            return found
    return None


def _exact(matchers: dict[str, Any]) -> set[str]:
    return {pattern["exact"] for pattern in matchers["patterns"]}


def test_envoy_example_sends_what_the_enforcer_reads_and_passes_back_its_headers() -> None:
    config = yaml.safe_load((GATEWAYS / "envoy.yaml").read_text())
    ext_authz = _find(config, "http_service")
    assert ext_authz["path_prefix"] == "/ext_authz"
    assert _exact(_find(config, "allowed_headers")) >= {
        "x-account-id",
        "x-api-key-id",
        "x-forwarded-for",
    }
    assert "x-real-ip" not in _exact(_find(config, "allowed_headers"))  # clients could spoof it
    response = ext_authz["authorization_response"]
    to_client = _exact(response["allowed_client_headers"])
    assert {"retry-after", ACTION_HEADER.lower(), DECISION_HEADER.lower()} <= to_client
    assert ACTION_HEADER.lower() in _exact(response["allowed_upstream_headers"])
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    assert ext_authz["server_uri"]["cluster"] in clusters


def test_nginx_example_maps_every_status_the_enforcer_asks_for() -> None:
    text = (GATEWAYS / "nginx.conf").read_text()
    assert "proxy_pass http://distillguard_enforcer/auth_request;" in text
    header_var = "$upstream_http_" + STATUS_HEADER.lower().replace("-", "_")
    assert header_var in text
    mapped = set(re.findall(r"if \(\$dg_status = (\d+)\)", text))
    assert mapped == {"429", "401", "503"}  # 403 is the fall-through
    assert "proxy_set_header X-Real-IP $remote_addr;" in text


def test_benchmark_decisions_are_contract_valid_and_distinct() -> None:
    cache = DecisionCache()
    records = list(decision_records(2000))
    for key, value in records:
        assert cache.apply(key.decode(), value)
    assert len(cache) == 2000 and not cache.malformed
    assert set(cache.counts().values()) >= {200}
    assert len(check_mix(100, 2000)) == 100


def test_in_process_benchmark_reports_its_measurements() -> None:
    result = in_process(list(decision_records(1000)), checks=500, repeats=1)
    assert result["enforcer_index_decisions"] == 1000
    assert 0 < result["enforcer_check_enforced_share"] < 1
    assert result["enforcer_check_p99_us"] >= result["enforcer_check_p50_us"] > 0
