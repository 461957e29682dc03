"""Import: bad bundles are refused with a one-line reason and change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.cli import main
from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.intel.export import ExportOptions, export_bundle
from distillguard.models.intel.harvest import Harvest
from distillguard.models.intel.keys import ConsortiumKey
from distillguard.models.intel.signing import sign
from distillguard.models.intel.watch import load_watch
from tests.unit.intel_support import campaign_decisions, campaign_events

PARTNER_SECRET = "lab-a-to-lab-b-secret-000000001"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    harvest = Harvest(ConsortiumKey(b"consortium-secret-for-tests-0001"))
    harvest.add_decisions(campaign_decisions())
    harvest.add_events(event_records(campaign_events()))
    bundle = export_bundle(harvest, ExportOptions(producer="lab-a"), DetectionConfig())
    doc: dict[str, Any] = orjson.loads(bundle.serialize())
    return doc


@pytest.fixture
def lab(tmp_path: Path, document: dict[str, Any]) -> Path:
    """A lab with a watch file already holding one good import."""
    (tmp_path / "keys.yaml").write_text(f"lab-a: {PARTNER_SECRET}\n")
    good = tmp_path / "good.json"
    good.write_bytes(orjson.dumps(document))
    assert main(["intel", "import", str(good), "--out", str(tmp_path / "watch.json")]) == 0
    return tmp_path


def _import(lab: Path, doc: Any, *extra: str, raw: bytes | None = None) -> int:
    path = lab / "partner.json"
    path.write_bytes(raw if raw is not None else orjson.dumps(doc))
    return main(["intel", "import", str(path), "--out", str(lab / "watch.json"), *extra])


def _mutated(document: dict[str, Any], index: int, **change: Any) -> dict[str, Any]:
    doc = orjson.loads(orjson.dumps(document))
    doc["objects"][index].update(change)
    for key, value in change.items():
        if value is None:
            del doc["objects"][index][key]
    return doc  # type: ignore[no-any-return]


def _first(document: dict[str, Any], kind: str) -> int:
    return next(i for i, o in enumerate(document["objects"]) if o["type"] == kind)


BAD: list[tuple[str, Any, str]] = [
    ("not-json", b"{not json", "not JSON"),
    ("not-bundle", {"type": "report"}, "not a STIX bundle"),
    ("no-objects", {"type": "bundle", "id": "bundle--x"}, "no objects list"),
]


@pytest.mark.parametrize(("name", "payload", "reason"), BAD, ids=[b[0] for b in BAD])
def test_malformed_bundles_are_rejected_and_change_nothing(
    lab: Path, capsys: pytest.CaptureFixture[str], name: str, payload: Any, reason: str
) -> None:
    before = (lab / "watch.json").read_bytes()
    raw = payload if isinstance(payload, bytes) else None
    assert _import(lab, payload, raw=raw) != 0
    err = capsys.readouterr().err.strip()
    assert reason in err and "\n" not in err and "Traceback" not in err
    assert (lab / "watch.json").read_bytes() == before


def test_invalid_objects_are_rejected_and_change_nothing(
    lab: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    before = (lab / "watch.json").read_bytes()
    ind = _first(document, "indicator")
    cases = [
        (_mutated(document, ind, spec_version="2.0"), "not spec_version 2.1"),
        (_mutated(document, ind, object_marking_refs=None), "carries no TLP marking"),
        (_mutated(document, ind, pattern=None), "not valid STIX 2.1"),
        (_mutated(document, ind, pattern="[ipv4-addr:value = ", pattern_type="stix"), "STIX"),
        (_mutated(document, ind, confidence=400), "confidence outside 0-100"),
    ]
    for doc, reason in cases:
        assert _import(lab, doc) != 0
        err = capsys.readouterr().err.strip()
        assert reason in err and "\n" not in err, err
    assert (lab / "watch.json").read_bytes() == before


def test_oversized_bundles_are_rejected(
    lab: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    before = (lab / "watch.json").read_bytes()
    assert _import(lab, document, "--max-bytes", "1000") != 0
    assert "over the limit of 1000" in capsys.readouterr().err
    assert _import(lab, document, "--max-objects", "10") != 0
    assert "objects, over the limit of 10" in capsys.readouterr().err
    assert (lab / "watch.json").read_bytes() == before


def test_signatures_required_verified_and_tamper_evident(
    lab: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    keys = ["--partner-keys", str(lab / "keys.yaml")]
    before = (lab / "watch.json").read_bytes()
    assert _import(lab, document, "--require-signature", *keys) != 0
    assert "not signed and a signature is required" in capsys.readouterr().err
    sig = lab / "partner.json.sig"
    sig.write_bytes(orjson.dumps(sign(document, "lab-a", PARTNER_SECRET.encode())))
    tampered = _mutated(document, _first(document, "indicator"), confidence=99)
    assert _import(lab, tampered, "--require-signature", *keys) != 0
    assert "does not match the bundle" in capsys.readouterr().err
    forged = sign(document, "lab-a", b"not-the-partner-secret-00000001")
    sig.write_bytes(orjson.dumps(forged))
    assert _import(lab, document, "--require-signature", *keys) != 0
    assert (lab / "watch.json").read_bytes() == before
    sig.write_bytes(orjson.dumps(sign(document, "lab-a", PARTNER_SECRET.encode())))
    assert _import(lab, document, "--require-signature", *keys) == 0
    assert "signature verified" in capsys.readouterr().err
    assert all(r.verified and r.partner == "lab-a" for r in load_watch(lab / "watch.json").rules)


def test_reimport_dedupes_and_keeps_provenance(lab: Path, document: dict[str, Any]) -> None:
    first = load_watch(lab / "watch.json")
    assert _import(lab, document) == 0
    again = load_watch(lab / "watch.json")
    assert again.rules == first.rules and len(again.bundles) == 1
    rule = next(r for r in first.rules if r.kind == "template")
    assert rule.partner == "lab-a" and not rule.verified and rule.tlp == "amber"
    assert rule.valid_until is not None and rule.valid_until > rule.valid_from


def test_feedback_by_account_retires_what_it_matched_at_the_partner(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.intel_support import fresh_accounts

    key = tmp_path / "consortium.key"
    key.write_bytes(b"consortium-secret-for-tests-0001")
    events = list(fresh_accounts(campaign_events(), "lab-b", 86400.0))
    wronged = next(e["account_id"] for e in events if e["ip"].startswith("203.0.113."))
    events_path = tmp_path / "b-events.jsonl"
    events_path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    out = tmp_path / "feedback.json"
    argv = ["intel", "feedback", "--watch", str(lab / "watch.json"), "--account", wronged,
            "--events", str(events_path), "--consortium-key-file", str(key),
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    opinion = next(o for o in orjson.loads(out.read_bytes())["objects"] if o["type"] == "opinion")
    assert opinion["opinion"] == "strongly-disagree" and len(opinion["object_refs"]) >= 3
    assert main(["intel", "import", str(out), "--out", str(lab / "watch.json")]) == 0
    retired = {r.id for r in load_watch(lab / "watch.json").rules if r.retired}
    assert retired == set(opinion["object_refs"])
    capsys.readouterr()
    assert main([*argv[:3], str(lab / "watch.json"), "--indicator", "indicator--nope",
                 "--out", str(out)]) != 0  # fmt: skip
    assert "not in the watch file" in capsys.readouterr().err
