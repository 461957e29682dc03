"""Coordinated account fleets: link accounts by shared values, cluster, testify.

See ``docs/clusters.md`` for the design and its cost per event.
"""

from __future__ import annotations

from distillguard.models.clusters.config import LinkingConfig
from distillguard.models.clusters.coordination import ClusterRisk, assess
from distillguard.models.clusters.graph import ClusterGraph, cluster_id
from distillguard.models.clusters.index import LinkIndex
from distillguard.models.clusters.linker import ClusterLinker
from distillguard.models.clusters.values import linking_values

__all__ = [
    "ClusterGraph",
    "ClusterLinker",
    "ClusterRisk",
    "LinkIndex",
    "LinkingConfig",
    "assess",
    "cluster_id",
    "linking_values",
]
