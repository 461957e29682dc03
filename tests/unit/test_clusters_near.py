"""Prompts link accounts by their fingerprint where a gateway sends no template."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.clusters import ClusterLinker, linking_values
from distillguard.models.codec import event_records
from distillguard.models.features import fold_events
from tests.unit.test_clusters_linking import NOW0, event, run
from tests.unit.test_clusters_stages import _run_stages

PROMPTS = [f"{random.Random(i).getrandbits(64):016x}" for i in range(6)]


def without_template(ev: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    ev["prompt"] = {**ev["prompt"], "template": None, "fingerprint": fingerprint}
    return ev


def fleet_on_untemplated_prompts(n: int, minutes: int, prompts: list[str]) -> list[dict[str, Any]]:
    """New accounts, each on its own card and address, on the popular SDK on the big cloud,
    sending a few prompts (no template from the gateway): only the prompts link them."""
    return [
        without_template(
            event(
                f"f-{i}",
                NOW0 + m * 60 + s + i * 0.1,
                ip=f"198.18.{i}.9",
                created_at=NOW0 - 3 * 3600.0 * (1 + i),  # no creation burst
                verified=False,
            ),
            prompts[(2 * m + int(s) + i) % len(prompts)],
        )
        for i in range(n)
        for m in range(minutes)
        for s in (0.0, 1.0)
    ]


def test_a_prompt_without_a_template_links_by_its_fingerprint() -> None:
    fp = PROMPTS[0]
    sent_both = event("a", NOW0)
    sent_both["prompt"]["fingerprint"] = fp
    with_template = linking_values(fold_events(event_records([sent_both]))["a"])
    bare = fold_events(event_records([without_template(event("b", NOW0), fp)]))["b"]
    without = linking_values(bare)
    assert {v.split(":", 1)[0] for v in without} == {"prompt", "net", "client", "card", "created"}
    # the template when there is one, else the fingerprint; never both
    assert len([v for v in with_template if v.startswith("prompt:")]) == 1
    assert [v for v in with_template if v.startswith("prompt:")] != [
        v for v in without if v.startswith("prompt:")
    ]


def test_a_fleet_sending_its_prompts_without_templates_is_one_cluster() -> None:
    """The fleet of ``test_a_fleet_sharing_several_popular_templates_is_still_linked``
    behind a gateway that sends fingerprints only: its prompts link it."""
    linker = ClusterLinker()
    now = run(linker, fleet_on_untemplated_prompts(24, 30, PROMPTS))
    cids = {linker.graph.cluster_of(f"f-{i}") for i in range(24)}
    assert len(cids) == 1 and None not in cids
    assert linker.evidence("f-3", {}, now)


def test_new_users_of_one_popular_prompt_without_templates_are_not_a_fleet() -> None:
    """Thirty new accounts, each on its own card and address, on the big cloud's SDK,
    sending one framework prompt without a template: as with a template, one popular
    prompt and the popular SDK name no common operator, however new their users are."""
    linker = ClusterLinker()
    run(linker, fleet_on_untemplated_prompts(30, 30, PROMPTS[:1]))
    prompts = [v for v in linker.index.values if v.startswith("prompt:")]
    assert len(prompts) == 1
    assert linker.index.popularity(prompts[0]) > linker.config.popular_members
    assert not [i for i in range(30) if linker.graph.cluster_of(f"f-{i}") is not None]


def test_the_worker_stages_find_the_fleet_by_its_fingerprints_across_partitions() -> None:
    clusters = _run_stages(fleet_on_untemplated_prompts(24, 30, PROMPTS), partitions=3)
    fleet = {clusters.get(f"f-{i}") for i in range(24)}
    assert len(fleet) == 1 and None not in fleet
