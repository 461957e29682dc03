"""Every Prometheus metric distillguard exports, in one place, so names stay stable.

Names follow Prometheus conventions: ``distillguard_`` prefix, ``_total`` for counters,
units in the name. Dashboards and alerts in ``helm/`` depend on these names.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge, Histogram, Info

# --- worker -------------------------------------------------------------------------------
EVENTS: Final = Counter("distillguard_events_total", "API events read and decoded", ["topic"])
DEADLETTERED: Final = Counter(
    "distillguard_deadletter_total", "Records routed to the dead-letter topic", ["reason"]
)
PROCESSING_LATENCY: Final = Histogram(
    "distillguard_processing_latency_seconds",
    "Wall-clock time from an event's broker timestamp to the end of its processing",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CONSUMER_LAG: Final = Gauge(
    "distillguard_consumer_lag_records", "Records behind the high watermark", ["topic", "partition"]
)
ACTIVE_ACCOUNTS: Final = Gauge(
    "distillguard_active_accounts", "Accounts with activity inside the longest feature window"
)
DECISIONS: Final = Counter(
    "distillguard_decisions_total", "Decision records emitted", ["action", "origin", "mode"]
)
TOMBSTONES: Final = Counter(
    "distillguard_decision_tombstones_total", "Decisions lifted or expired", ["cause"]
)
RISK: Final = Histogram(
    "distillguard_risk",
    "Risk scores computed at each scoring tick",
    buckets=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
)
MODEL_UPDATES: Final = Counter(
    "distillguard_model_updates_total", "Online model updates", ["model"]
)
CONFIG_INFO: Final = Info("distillguard_config", "The configuration version in force")
CONFIG_REJECTED: Final = Counter(
    "distillguard_config_rejected_total", "Configuration records rejected", ["section"]
)
INPUT_FIELD_SHARE: Final = Gauge(
    "distillguard_input_field_share",
    "Share of recent account activity whose events carried an optional contract field "
    "(expected=false: fields only some accounts have, such as org_id)",
    ["field", "expected"],
)
LAST_PROGRESS: Final = Gauge(
    "distillguard_last_progress_timestamp_seconds",
    "Wall-clock time at which the worker last committed consumer offsets",
)

# --- enforcer -----------------------------------------------------------------------------
ENFORCER_CHECKS: Final = Counter(
    "distillguard_enforcer_checks_total", "Checks answered by the enforcer", ["answer"]
)
ENFORCER_CHECK_LATENCY: Final = Histogram(
    "distillguard_enforcer_check_latency_seconds",
    "Time to answer a check",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05),
)
ENFORCER_DECISIONS: Final = Gauge(
    "distillguard_enforcer_decisions", "Decisions held in the enforcer's index", ["scope"]
)
ENFORCER_MALFORMED: Final = Counter(
    "distillguard_enforcer_malformed_total", "Malformed decision records skipped"
)
ENFORCER_STALE: Final = Gauge(
    "distillguard_enforcer_stale", "1 when the decision stream has not been read recently"
)
ENFORCER_LAST_READ_AGE: Final = Gauge(
    "distillguard_enforcer_last_read_age_seconds", "Seconds since the decision stream was read"
)
ENFORCER_FAILMODE_ANSWERS: Final = Counter(
    "distillguard_enforcer_failmode_answers_total",
    "Checks answered by the failure mode while stale",
    ["mode"],
)
ENFORCER_WOULD_HAVE: Final = Counter(
    "distillguard_enforcer_would_have_total",
    "Checks where a shadow or monitor decision stricter than the answer matched (not enforced)",
    ["action"],
)
ENFORCER_READY: Final = Gauge(
    "distillguard_enforcer_ready", "1 once the enforcer has read the decision topic up to its start"
)

# --- intel --------------------------------------------------------------------------------
INTEL_BUNDLES: Final = Counter(
    "distillguard_intel_bundles_total",
    "Partner STIX bundles read from the intel-in topic",
    ["result"],  # merged | rejected
)

# --- operator control ---------------------------------------------------------------------
LABELS: Final = Counter(
    "distillguard_labels_total",
    "Analyst verdicts and appeals read from the labels topic",
    ["outcome", "status"],  # abuse|legit|opened|upheld|denied|invalid; handled|ignored
)
