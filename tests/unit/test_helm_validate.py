"""helm/validate.py, the offline gate of the chart, catches what it promises to catch."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chart_validate", REPO / "helm" / "validate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate = load_validator()

GOOD_POD: dict[str, Any] = {
    "automountServiceAccountToken": False,
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "containers": [
        {
            "name": "worker",
            "image": "registry.example.com/distillguard:0.1.0",
            "args": ["worker", "--instance-id=$(POD_NAME)", "--web=0.0.0.0:6066"],
            "securityContext": {
                "runAsNonRoot": True,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            },
            "resources": {
                "requests": {"cpu": "1", "memory": "1Gi"},
                "limits": {"cpu": "2", "memory": "2Gi"},
            },
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        }
    ],
}


def broken(path: str, value: Any) -> dict[str, Any]:
    pod = copy.deepcopy(GOOD_POD)
    *parents, last = path.split(".")
    node: Any = pod
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[last] = value
    return pod


def test_a_hardened_pod_passes() -> None:
    assert validate.check_pod("w", GOOD_POD) == []
    assert validate.check_args("w", GOOD_POD) == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("containers.0.image", "registry.example.com/distillguard:latest", "pinned tag"),
        ("containers.0.image", "registry.example.com:5000/distillguard", "pinned tag"),
        ("securityContext.runAsUser", 0, "runAsNonRoot"),
        ("securityContext.seccompProfile", {"type": "Unconfined"}, "seccompProfile"),
        ("containers.0.securityContext.readOnlyRootFilesystem", False, "readOnlyRootFilesystem"),
        ("containers.0.securityContext.capabilities", {"drop": ["NET_RAW"]}, "capabilities"),
        (
            "containers.0.resources",
            {"requests": {"cpu": "1"}, "limits": {"cpu": "1", "memory": "1Gi"}},
            "resources.requests",
        ),
        ("containers.0.volumeMounts", [], "/tmp"),
        ("automountServiceAccountToken", True, "automountServiceAccountToken"),
    ],
)
def test_each_weakening_is_named(path: str, value: Any, message: str) -> None:
    problems = validate.check_pod("w", broken(path, value))
    assert len(problems) == 1 and message in problems[0], problems


def test_args_the_command_line_rejects_are_reported() -> None:
    pod = broken("containers.0.args", ["worker", "--no-such-flag"])
    problems = validate.check_args("w", pod)
    assert len(problems) == 1 and "--no-such-flag" in problems[0]


def test_unknown_metric_names_are_reported() -> None:
    defined = validate.defined_metrics()
    text = "rate(distillguard_events_total[5m]) + distillguard_risk_bucket + distillguard_nope"
    assert validate.check_metrics("r", text, defined) == ["r: unknown metric distillguard_nope"]


def test_a_topic_plan_the_job_would_refuse_is_reported() -> None:
    pod = broken("containers.0.args", ["topics", "--topic-config=nope:retention.ms=1"])
    problems = validate.check_args("w", pod)
    assert len(problems) == 1 and "unknown topic(s): nope" in problems[0]
