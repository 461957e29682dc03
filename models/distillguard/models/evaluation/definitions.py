"""Short metric definitions printed in the HTML report (docs/metrics.md has the long form)."""

from __future__ import annotations

from typing import Final

DEFINITIONS: Final[tuple[tuple[str, str], ...]] = (
    (
        "enforcing decision",
        "A decision with action degrade, throttle, challenge or suspend (monitor only records). "
        "Under the enforce lens only mode=enforce decisions count; under the shadow lens only "
        "mode=shadow decisions count, as if they had been enforced.",
    ),
    (
        "decision interval",
        "A decision holds for its key from issued_at (inclusive) until the earlier of expires_at "
        "and the next record for the same key (replacement or tombstone), exclusive. Records of "
        "a key are taken in file order, as a compacted topic replays them.",
    ),
    (
        "covered event",
        "An event whose ts falls in an enforcing decision interval of its account "
        "(account:<account_id>), its API key (api_key:<api_key_id>) or any IP prefix that "
        "contains its ip (ip_prefix:<CIDR>, IPv4 or IPv6). Its action is what a gateway "
        "applies: the strongest of the account, API-key and longest holding IP-prefix decisions.",
    ),
    (
        "enforced account",
        "With events: an account with at least one covered event. Without events: an account "
        "with an enforcing account-scope decision interval of positive length.",
    ),
    (
        "flagged account",
        "Enforced, or the subject of an enforcing account-scope decision even if none of its "
        "events was covered (for example a decision issued after its last event).",
    ),
    ("recall", "Attack accounts enforced / attack accounts in the truth file."),
    ("false-positive rate", "Legitimate accounts enforced / legitimate accounts."),
    ("precision", "Attack accounts enforced / all accounts enforced."),
    (
        "leak share",
        "Output (completion) tokens of attack events that were not covered / all output tokens "
        "of attack events: the share of harvested output served before (or despite) enforcement.",
    ),
    (
        "time to enforce",
        "Per attack account with events: ts of its first covered event minus ts of its first "
        "event, in seconds. p50/p90 interpolate linearly between closest ranks. Attack accounts "
        "never enforced, and those without events, are listed separately, not averaged in.",
    ),
    (
        "legitimate tokens covered",
        "Output tokens of covered events of legitimate accounts, by the strongest covering action.",
    ),
    (
        "max risk",
        "Per account, the highest risk of any account-scope decision for it (any mode, any "
        "action, including monitor); accounts without one are counted apart.",
    ),
)
