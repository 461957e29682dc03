"""Export: what leaves a lab, in which form, and that it is the same every time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
import stix2

from distillguard.cli import main
from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.intel.export import ExportOptions, export_bundle
from distillguard.models.intel.harvest import Harvest
from distillguard.models.intel.keys import ConsortiumKey
from distillguard.models.intel.patterns import read
from distillguard.models.intel.tlp import MARKING_IDS, SharingPolicy
from tests.unit.intel_support import (
    ATTACK_TEMPLATE,
    ATTACK_UA,
    SHARED_TEMPLATE,
    campaign_decisions,
    campaign_events,
)

KEY = ConsortiumKey(b"consortium-secret-for-tests-0001")


def _export(events: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    harvest = Harvest(KEY)
    harvest.add_decisions(campaign_decisions())
    harvest.add_events(event_records(events))
    bundle = export_bundle(harvest, ExportOptions(**options), DetectionConfig())
    document: dict[str, Any] = orjson.loads(bundle.serialize())
    return document


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    return campaign_events()


@pytest.fixture(scope="module")
def bundle(events: list[dict[str, Any]]) -> dict[str, Any]:
    return _export(events, tlp="amber")


def _indicators(bundle: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for o in bundle["objects"]:
        if o["type"] == "indicator":
            found = read(o["pattern_type"], o["pattern"])
            if found is not None:
                out[found] = o
    return out


def test_no_raw_identifier_of_any_event_appears_in_the_export(
    events: list[dict[str, Any]], bundle: dict[str, Any]
) -> None:
    text = orjson.dumps(bundle).decode()
    raw: set[str] = set()
    for e in events:
        raw |= {e["account_id"], e["api_key_id"], e["event_id"], e["ip"]}
        raw |= {e["org_id"]} if e.get("org_id") else set()
        raw |= {e["account"]["payment_fingerprint"]}
    assert len(raw) > 500
    for value in sorted(raw):
        if ":" in value or re.fullmatch(r"[\d.]+", value):
            # an address may only appear as the network part of a shared prefix
            assert re.search(re.escape(value) + r"(?![\d/a-f:])", text) is None, value
        else:
            assert value not in text, value
    # and the account-level kinds did go out, as pseudonyms
    kinds = {kind for kind, _ in _indicators(bundle)}
    assert {"account", "api_key", "org", "payment"} <= kinds


def test_pseudonyms_match_what_a_partner_computes_for_the_same_identifier(
    bundle: dict[str, Any],
) -> None:
    found = _indicators(bundle)
    assert ("account", KEY.pseudonym("account", "acct_atk_3")) in found
    assert ("payment", KEY.pseudonym("payment", "pf_shared_card")) in found
    other = ConsortiumKey(b"another-consortium-secret-000001")
    assert ("account", other.pseudonym("account", "acct_atk_3")) not in found


def test_campaign_infrastructure_is_shared_and_benign_twins_are_not(
    bundle: dict[str, Any],
) -> None:
    found = _indicators(bundle)
    assert ("template", ATTACK_TEMPLATE) in found
    assert ("user_agent", ATTACK_UA) in found
    assert ("ip_prefix", "203.0.113.0/24") in found
    assert ("asn", "64666") in found
    # used by the fleet too, but mostly by honest customers: low specificity
    assert ("template", SHARED_TEMPLATE) not in found
    assert not any(kind == "ip_prefix" and v.startswith("198.51.100") for kind, v in found)
    # one attacker alone behind the IPv6 /48: not shared (k-anonymity)
    assert ("ip_prefix", "2001:db8:77::/48") not in found
    # the honest account that was only monitored contributes nothing
    assert ("account", KEY.pseudonym("account", "acct_legit_0")) not in found


def test_bundle_structure_markings_and_relationships(bundle: dict[str, Any]) -> None:
    parsed = stix2.parse(bundle, allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])
    types = {o["type"] for o in bundle["objects"]}
    assert {"indicator", "sighting", "campaign", "intrusion-set", "infrastructure"} <= types
    assert {"course-of-action", "relationship", "identity", "marking-definition"} <= types
    for o in bundle["objects"]:
        if o["type"] != "marking-definition":
            assert o["object_marking_refs"] == [MARKING_IDS["amber"]], o["id"]
    rels = {o["relationship_type"] for o in bundle["objects"] if o["type"] == "relationship"}
    assert {"attributed-to", "uses", "indicates", "mitigates"} <= rels
    sightings = [o for o in bundle["objects"] if o["type"] == "sighting"]
    assert all(s["count"] > 0 and s["first_seen"] <= s["last_seen"] for s in sightings)
    rules = [o for o in bundle["objects"] if o.get("pattern_type") == "distillguard-rule"]
    assert [r["x_distillguard_rule"]["reason"] for r in rules] == ["cot.elicitation"]
    for o in bundle["objects"]:
        if o["type"] == "indicator":
            assert o["valid_from"] < o["valid_until"] and 0 <= o["confidence"] <= 100


def test_re_export_is_identical_so_partners_dedupe(
    events: list[dict[str, Any]], bundle: dict[str, Any]
) -> None:
    again = _export(list(reversed(events)), tlp="amber")
    assert again == bundle


def test_tlp_level_decides_which_kinds_leave(events: list[dict[str, Any]]) -> None:
    green = _indicators(_export(events, tlp="green"))
    kinds = {kind for kind, _ in green}
    assert "template" in kinds
    assert not kinds & {"account", "api_key", "org", "payment", "ip_prefix"}
    clear = _export(events, tlp="clear")
    assert {kind for kind, _ in _indicators(clear)} == set()
    assert any(o.get("pattern_type") == "distillguard-rule" for o in clear["objects"])
    strict = SharingPolicy.parse({"template": "red"})
    amber = _indicators(_export(events, tlp="amber", sharing=strict))
    assert not any(kind == "template" for kind, _ in amber)


def test_min_confidence_filters(events: list[dict[str, Any]]) -> None:
    assert not _indicators(_export(events, min_confidence=100))


def test_export_without_a_consortium_key_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISTILLGUARD_CONSORTIUM_KEY", raising=False)
    events = tmp_path / "e.jsonl"
    events.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in campaign_events()))
    decisions = tmp_path / "d.jsonl"
    decisions.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in campaign_decisions()))
    out = tmp_path / "bundle.json"
    argv = ["intel", "export", "--events", str(events), "--decisions", str(decisions),
            "--out", str(out)]  # fmt: skip
    assert main(argv) != 0
    assert "no consortium key" in capsys.readouterr().err and not out.exists()
    short = tmp_path / "short.key"
    short.write_bytes(b"tiny")
    assert main([*argv, "--consortium-key-file", str(short)]) != 0
    assert "too short" in capsys.readouterr().err and not out.exists()
    monkeypatch.setenv("DISTILLGUARD_CONSORTIUM_KEY", "consortium-secret-for-tests-0001")
    assert main(argv) == 0
    assert orjson.loads(out.read_bytes()) == _export(campaign_events())
