"""What ``GET /clusters/{id}`` shows: members, links and the evidence, as plain JSON."""

from __future__ import annotations

from typing import Any

from distillguard.models.clusters.linker import ClusterLinker


def cluster_view(linker: ClusterLinker, cid: str, now: float) -> dict[str, Any] | None:
    """Members, links and risk of cluster ``cid`` at event time ``now``; ``None`` if unknown."""
    members = sorted(linker.graph.members(cid))
    if not members:
        return None
    risk, _ = linker.cluster_risk(cid, now)
    rows = []
    for account_id in members:
        p = linker.profiles.get(account_id)
        rows.append(
            {
                "account_id": account_id,
                "first_seen": p.first_seen if p else None,
                "last_seen": p.last_seen if p else None,
                "new_or_unverified": p.is_new(now) if p else None,
                "enforced_at": linker.enforced.get(account_id),
                "refused_at": p.refused_at if p else None,
                # the cluster's risk as it testifies about this member: a group its
                # failover does not reach is judged on its own members
                "risk": linker.member_risk(account_id, cid, now)[0].risk,
            }
        )
    links = [
        {"a": a, "b": b, "strength": strength, "kinds": list(kinds), "confirmed_at": at}
        for a in members
        for b, (strength, kinds, at) in sorted(linker.graph.neighbours(a).items())
        if a < b
    ]
    return {
        "cluster_id": cid,
        "risk": risk.risk,
        "reasons": [{"code": c, "detail": d, "weight": w} for c, d, w in risk.reasons],
        "active_members": risk.active,
        "stats": {k: round(v, 4) for k, v in risk.stats.items()},
        "members": rows,
        "links": links,
    }
