"""A cluster enforces on its own only when its members act as one: a class is many new
accounts on one network and one narrow workload, just like a fleet's first accounts."""

from __future__ import annotations

import random

from distillguard.models.clusters import ClusterLinker, LinkingConfig
from distillguard.models.clusters.coordination import ALONE_RISK, ClusterRisk, assess, synchrony
from distillguard.models.clusters.profile import Profile
from distillguard.models.config import DetectionConfig
from distillguard.models.detectors.evidence import Evidence, fuse
from tests.unit.test_clusters_linking import fleet_events, run
from tests.unit.test_clusters_payers import MINUTE, NOW, member

DEGRADE = DetectionConfig().policy.thresholds.degrade
SCALE = LinkingConfig().evidence_scale


def students(n: int, *, card: str | None = None, org: str | None = None) -> list[Profile]:
    """New accounts at a person's pace, each paying with its own card unless ``card``,
    all on the homework (coding and reasoning, a third of it step by step)."""
    return [
        member(f"s{i}", card=card or f"card-{i}", org=org, pace=2.0, cot=0.3, minutes=20)
        for i in range(n)
    ]


def test_a_class_without_an_organisation_is_evidence_but_enforces_no_one_alone() -> None:
    r = assess(students(30), NOW, failover_joins=0, infra_share=1.0)
    codes = {c for c, _, _ in r.reasons}
    assert {"cluster.new_accounts", "cluster.fleet_size"} <= codes
    assert r.stats["acting"] == 0.0
    assert 0.4 <= r.risk <= ALONE_RISK
    assert r.risk * SCALE < DEGRADE


def test_the_same_accounts_on_one_card_act_as_one_payer() -> None:
    r = assess(students(30, card="card-x"), NOW, failover_joins=0, infra_share=1.0)
    assert "cluster.shared_payment" in {c for c, _, _ in r.reasons}
    assert r.stats["acting"] == 1.0
    assert r.risk * SCALE >= DEGRADE


def test_a_company_card_is_no_acting_together() -> None:
    """Half the class in the organiser's organisation, on its card; the rest on their own:
    colleagues on a company card, not one payer behind many customers."""
    course = students(10, card="org-card", org="org-course") + students(20)[10:]
    r = assess(course, NOW, failover_joins=0, infra_share=1.0)
    assert r.stats["company_card_share"] > 0.0 and r.stats["card_share"] == 0.0
    assert r.risk <= ALONE_RISK


def test_failover_makes_the_same_cluster_enforce() -> None:
    r = assess(students(30), NOW, failover_joins=3, infra_share=1.0)
    assert r.stats["acting"] == 1.0
    assert r.risk * SCALE >= DEGRADE


def session(name: str, counts: dict[int, float]) -> Profile:
    """Watched for an hour; ``counts`` requests in the minutes before ``NOW`` (0: the one in
    progress, which synchrony leaves out; 1: the last complete one)."""
    return Profile(
        name,
        NOW - 3600.0,
        NOW,
        minutes={MINUTE - m: [k, 900.0 * k, 0.0, k, k] for m, k in counts.items() if k},
    )


def test_a_class_that_starts_and_ends_together_is_not_synchronized() -> None:
    """Every student works from minute 21 to minute 8 before now, each at their own minutes:
    their raw minute series correlate at 0.7 through the shared start and end alone."""
    rng = random.Random(7)
    cls = [
        session(f"s{i}", {m: float(rng.random() < 0.6) for m in range(8, 22)}) for i in range(12)
    ]
    assert synchrony(cls, NOW) < 0.45


def test_a_fleet_firing_waves_at_the_same_minutes_is_synchronized() -> None:
    rng = random.Random(7)
    fleet = [
        session(f"f{i}", {m: (5.0 + rng.random()) if m % 4 == 0 else 0.0 for m in range(30)})
        for i in range(8)
    ]
    assert synchrony(fleet, NOW) >= 0.8


def test_a_few_questions_at_the_end_of_a_lab_are_no_timing() -> None:
    """Five students of a course (an independent generator's), each with three or four
    questions in the last six minutes of a lab that ended 24 minutes ago: their series
    correlated at 0.53 through the lab's end alone, over the synchronized threshold, and
    degraded 5 of the class. A slow fleet's seven waves in the half hour still count."""
    rows = ("010011", "010101", "100020", "010120", "020010")
    cls = [
        session(f"s{i}", {30 - j: float(c) for j, c in enumerate(row)})
        for i, row in enumerate(rows)
    ]
    assert synchrony(cls, NOW) < 0.45
    slow = [
        session(f"f{i}", {m: 1.0 for m in range(2, 30, 4)} | {1: float(i % 2)}) for i in range(5)
    ]
    assert synchrony(slow, NOW) >= 0.8


def test_the_minute_in_progress_is_no_dip_members_share() -> None:
    """Three colleagues' sessions over the last half hour (a team of `teams-harsh`; each
    digit a minute's requests, up to the minute before the one in progress): none of them
    has a request in the new minute yet, and with that minute counted their series
    correlated at 0.70, over the synchronized threshold."""
    rows = (
        "...................5756666799",
        ".........12277474638775624136",
        "865542.....................38",
    )
    team = [
        session(f"t{i}", {len(row) - j: float(c) for j, c in enumerate(row) if c != "."})
        for i, row in enumerate(rows)
    ]
    assert synchrony(team, NOW) < 0.45


def _member_evidence(acting: bool) -> Evidence:
    """A member's cluster evidence when its cluster, at the highest risk a cluster that
    does not act as one can have, acts as one or not."""
    linker = ClusterLinker()
    now = run(linker, fleet_events(12, 40))
    risk = ClusterRisk(ALONE_RISK, (), 12, now, {"acting": float(acting)})
    linker.cluster_risk = lambda cid, now: (risk, [])  # type: ignore[method-assign]
    (piece,) = linker.evidence("fleet-3", {}, now)
    return piece


def test_a_cluster_that_does_not_act_as_one_does_not_count_twice_with_being_new() -> None:
    """Who the members are (new, unverified, on one workload) is what a member's own
    ``account`` evidence says of it: the two count once. Beside what it does (reasoning at
    volume), or in a cluster acting as one, the cluster's evidence counts in full."""
    new = Evidence("rule", "account.new_unverified_eliciting", "new", 0.35, "account")
    volume = Evidence("rule", "cot.elicitation", "reasoning at volume", 0.25, "elicit")
    alone, acting = _member_evidence(False), _member_evidence(True)
    assert alone.weight == acting.weight == round(ALONE_RISK * SCALE, 6)
    assert (alone.family, acting.family) == ("account", "cluster")
    assert fuse([alone, new], {}).risk == alone.weight < DEGRADE
    assert fuse([acting, new], {}).risk >= DEGRADE
    assert fuse([alone, volume], {}).risk >= DEGRADE
