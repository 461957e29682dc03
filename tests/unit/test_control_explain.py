"""`distillguard explain`: fetching the worker's explanation and printing it readably."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from rich.console import Console

from distillguard.models.codec import event_records
from distillguard.models.config import DetectionConfig
from distillguard.models.engine import Engine
from distillguard.models.errors import UsageError
from distillguard.models.features import fold_events
from distillguard.models.features.state import AccountState
from distillguard.streams.commands.explain import fetch_explanation, render
from distillguard.streams.worker.scoring import Scoring
from tests.unit.detection_support import T0, stream

EXPLANATION: dict[str, Any] = {
    "account_id": "acct_7",
    "at": 1790000000.0,
    "risk": 0.9,
    "shadow_risk": 0.93,
    "reasons": [
        {
            "code": "logit.harvest",
            "detail": "100% of 40 requests combine logit_bias",
            "weight": 0.9,
        },
        {"code": "shadow.cot.burst", "detail": "70% chain-of-thought", "weight": 0.3},
    ],
    "drivers": {"harvest_share_1h": 1.0, "requests_1h": 40.0},
    "features": {"harvest_share_1h": 1.0, "requests_1h": 40.0, "rpm_10m": 4.0},
    "policy": {
        "action": "challenge",
        "mode": "enforce",
        "expires_at": 1790021600.0,
        "episode": 1,
        "offences": 0,
    },
    "events_total": 40,
    "first_seen": 1789999960.0,
    "last_seen": 1790000000.0,
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        if self.path == "/accounts/acct_7":
            body, status = orjson.dumps(EXPLANATION), 200
        elif self.path == "/accounts/broken":
            body, status = b"<html>", 200
        else:
            body, status = b'{"error": "unknown account"}', 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        del args


@pytest.fixture
def worker_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_known_unknown_and_broken(worker_url: str) -> None:
    assert fetch_explanation(worker_url, "acct_7", 5) == EXPLANATION
    assert fetch_explanation(worker_url, "acct_none", 5) is None
    with pytest.raises(UsageError, match="did not answer JSON"):
        fetch_explanation(worker_url, "broken", 5)
    with pytest.raises(UsageError, match="must be http"):
        fetch_explanation("ftp://x", "acct_7", 5)


def test_unreachable_worker_is_a_one_line_error(worker_url: str) -> None:
    dead = worker_url.rsplit(":", 1)[0] + ":1"
    with pytest.raises(UsageError, match="not reachable"):
        fetch_explanation(dead, "acct_7", 2)


def test_render_shows_risk_decision_reasons_drivers_and_labels() -> None:
    out = Console(record=True, width=200)
    labels = [
        {
            "label_id": "ap-1",
            "kind": "appeal",
            "appeal": "upheld",
            "analyst": "an-3",
            "note": "nightly evals",
            "ts": 1790000100.0,
        },
        {
            "label_id": "v-1",
            "kind": "verdict",
            "verdict": "abuse",
            "escalate": "suspend",
            "analyst": "an-4",
            "ts": 1790000200.0,
        },
    ]
    render("acct_7", EXPLANATION, labels, out)
    text = out.export_text()
    assert "risk 0.900 (with shadow evidence 0.930)" in text
    assert "decision: challenge (enforce) until 2026-09-21 20:13:20 UTC" in text
    assert "logit.harvest" in text and "shadow.cot.burst" in text
    assert "harvest_share_1h" in text and "rpm_10m" not in text
    assert "upheld" in text and "abuse → suspend" in text and "nightly evals" in text


def test_render_names_the_allowlist_entry_that_covers_the_account() -> None:
    out = Console(record=True, width=200)
    entry = {"org_id": "org_course", "expires_at": 1790000000.0, "reason": "API course"}
    render("acct_7", {**EXPLANATION, "allowlisted": entry}, [], out)
    text = out.export_text()
    assert "allowlisted (organisation org_course) until 2026-09-21" in text
    assert "API course" in text


def test_the_worker_explains_which_entry_allowlists_an_account() -> None:
    """``GET /accounts/{id}`` names the entry in force: an organisation's covers the
    account through the organisation its events name."""
    allow = {"org_id": "org-course", "expires_at": T0 + 3600, "reason": "workshop"}
    config = DetectionConfig.model_validate({"policy": {"allowlist": [allow]}})
    scoring = Scoring(Engine(config))
    for org, expected in (("org-course", allow), ("org-other", None)):
        piece = fold_events(event_records(stream(20, org_id=org)))["acct-a"]
        state = AccountState("acct-a")
        state.merge(piece)
        answer = scoring.explain(state, None, T0 + 60)
        assert answer["allowlisted"] == expected, org


def test_render_unknown_account_without_labels() -> None:
    out = Console(record=True, width=120)
    render("acct_x", None, [], out)
    text = out.export_text()
    assert "holds no state" in text and "labels and appeals: none" in text
