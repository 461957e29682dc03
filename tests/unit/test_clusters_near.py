"""Near-duplicate prompts link accounts where a gateway sends the SimHash without a template."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.clusters import ClusterLinker, linking_values
from distillguard.models.clusters.values import NEAR_PREFIX, template_share
from distillguard.models.codec import event_records
from distillguard.models.features import fold_events
from distillguard.models.features.slices import NEAR, NEAR_BANDS
from distillguard.models.features.state import AccountState
from distillguard.models.fingerprint import hamming
from distillguard.streams.worker.linking import PairStage
from tests.unit.test_clusters_linking import NOW0, event, run
from tests.unit.test_clusters_stages import _run_stages

BASES = [0x0123456789ABCDEF, 0x7F3A19C2B4E05D68, 0xC4D2E6F8A1B3957D]


def near(base: int, rng: random.Random) -> str:
    """A use of the prompt whose SimHash is ``base``: 0-3 bits flipped (other numbers,
    another name), as for two uses of one template."""
    value = base
    for bit in rng.sample(range(64), rng.randint(0, 3)):
        value ^= 1 << bit
    return f"{value:016x}"


def without_template(ev: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    ev["prompt"] = {**ev["prompt"], "template": None, "fingerprint": fingerprint}
    return ev


def fleet_on_near_prompts(n: int, minutes: int, bases: list[int]) -> list[dict[str, Any]]:
    """New accounts, each on its own card and address, on the popular SDK on the big cloud,
    asking variations of a few prompts (no template from the gateway): only the prompts
    link them."""
    rng = random.Random(7)
    return [
        without_template(
            event(
                f"f-{i}",
                NOW0 + m * 60 + s + i * 0.1,
                ip=f"198.18.{i}.9",
                created_at=NOW0 - 3 * 3600.0 * (1 + i),  # no creation burst
                verified=False,
            ),
            near(bases[(m + i) % len(bases)], rng),
        )
        for i in range(24)
        for m in range(minutes)
        for s in (5.0, 35.0)
    ]


def test_a_prompt_without_a_template_shows_its_fingerprint_bands() -> None:
    fp = "0123456789abcdef"
    sent_both = event("a", NOW0)
    sent_both["prompt"]["fingerprint"] = fp
    with_template = fold_events(event_records([sent_both]))["a"]
    bare = without_template(event("b", NOW0), fp)
    piece = fold_events(event_records([bare]))["b"]
    (hour,) = piece.hours.values()
    assert len(hour.sketches[NEAR]) == NEAR_BANDS
    assert all(NEAR not in h.sketches for h in with_template.hours.values())
    values = linking_values(piece)
    assert sum(v.startswith(NEAR_PREFIX) for v in values) == NEAR_BANDS
    assert {v.split(":", 1)[0] for v in values} == {"prompt", "net", "client", "card", "created"}
    # for linking only: the account's own state does not keep them
    state = AccountState("b")
    state.merge(piece)
    assert all(NEAR not in h.sketches for h in state.sketches.values())


def test_near_duplicate_prompts_share_a_band_and_distant_ones_do_not() -> None:
    rng = random.Random(3)
    uses = [near(BASES[0], rng) for _ in range(20)]
    other = near(BASES[1], rng)

    def bands(fp: str) -> set[str]:
        piece = fold_events(event_records([without_template(event("a", NOW0), fp)]))["a"]
        return {v for v in linking_values(piece) if v.startswith(NEAR_PREFIX)}

    for use in uses:
        assert hamming(use, f"{BASES[0]:016x}") <= 3
        assert bands(use) & bands(f"{BASES[0]:016x}")
        assert not bands(use) & bands(other)


def test_a_fleet_asking_near_duplicates_without_templates_is_one_cluster() -> None:
    """The fleet of ``test_a_fleet_sharing_several_popular_templates_is_still_linked``
    behind a gateway that sends fingerprints only: its few prompts' bands link it."""
    linker = ClusterLinker()
    now = run(linker, fleet_on_near_prompts(24, 30, BASES))
    cids = {linker.graph.cluster_of(f"f-{i}") for i in range(24)}
    assert len(cids) == 1 and None not in cids
    assert linker.evidence("f-3", {}, now)


def test_new_users_of_one_popular_prompt_without_templates_are_not_a_fleet() -> None:
    """Thirty new accounts, each on its own card and address, on the big cloud's SDK,
    sending one framework prompt (one fingerprint, no template): its bands are one
    template, not a fleet's set of three, so the popular prompt and SDK link no one,
    however new their users are (as for a template)."""
    framework = f"{BASES[2]:016x}"
    evs = [
        without_template(
            event(
                f"n-{i}",
                NOW0 + m * 60 + i,
                ip=f"198.18.{i}.9",
                created_at=NOW0 - 3 * 3600.0 * (1 + i),
                verified=False,
            ),
            framework,
        )
        for i in range(30)
        for m in range(30)
    ]
    linker = ClusterLinker()
    run(linker, evs)
    bands = [v for v in linker.index.values if v.startswith(NEAR_PREFIX)]
    assert len(bands) == NEAR_BANDS
    assert min(map(linker.index.popularity, bands)) > linker.config.popular_members
    assert not [i for i in range(30) if linker.graph.cluster_of(f"n-{i}") is not None]


def test_the_pair_stage_counts_a_band_as_a_quarter_of_a_template() -> None:
    assert template_share(f"{NEAR_PREFIX}1") == 1 / NEAR_BANDS
    assert template_share("prompt:1") == 1.0
    pairs = PairStage()
    base = {"a": "x", "b": "y", "fa": 1.0, "fb": 2.0, "x": False, "k": "prompt", "w": 0.4}
    assert pairs.apply({**base, "ts": 9.0, "k": "client", "w": 0.25}) == {}
    bands = [f"{NEAR_PREFIX}{i}" for i in range(3 * NEAR_BANDS)]
    for i, value in enumerate(bands[:-1]):  # one band short of three templates
        assert pairs.apply({**base, "ts": 10.0 + i, "v": value}) == {}
    changed = pairs.apply({**base, "ts": 30.0, "v": bands[-1]})
    assert set(changed) == {"x", "y"}


def test_the_worker_stages_find_the_fleet_by_its_fingerprints_across_partitions() -> None:
    clusters = _run_stages(fleet_on_near_prompts(24, 30, BASES), partitions=3)
    fleet = {clusters.get(f"f-{i}") for i in range(24)}
    assert len(fleet) == 1 and None not in fleet
