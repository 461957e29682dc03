"""Validate rendered chart manifests offline, and hold them to the chart's own promises.

``helm/check.sh`` renders the chart with several value sets and runs this on each output:

- every Kubernetes resource against the OpenAPI schema of one Kubernetes version, strictly
  (unknown fields are errors), with the schemas that ``kubernetes-validate`` ships;
- the Prometheus Operator resources (ServiceMonitor, PrometheusRule), which no Kubernetes schema
  covers, against the small schemas below: the fields this chart uses, typed;
- every pod: a pinned image (no ``:latest``, no missing tag), non-root, read-only root
  filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp,
  resource requests and limits;
- every container that runs ``distillguard`` passes args the real command line accepts;
- every ``distillguard_*`` metric named by an alert or by the Grafana dashboard exists in
  ``streams/distillguard/streams/metrics.py`` (so a renamed metric cannot silently blank a panel).

usage: python helm/validate.py --kube-version 1.34.0 RENDERED.yaml [...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[1]
METRICS_PY = REPO / "streams" / "distillguard" / "streams" / "metrics.py"

_STR = {"type": "string", "minLength": 1}
SERVICE_MONITOR = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "spec": {
            "type": "object",
            "required": ["selector", "endpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {"type": "object", "required": ["matchLabels"]},
                "namespaceSelector": {"type": "object"},
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["port"],
                        "additionalProperties": False,
                        "properties": {
                            "port": _STR,
                            "path": _STR,
                            "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            "scrapeTimeout": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                        },
                    },
                },
            },
        }
    },
}
PROMETHEUS_RULE = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "spec": {
            "type": "object",
            "required": ["groups"],
            "additionalProperties": False,
            "properties": {
                "groups": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["name", "rules"],
                        "additionalProperties": False,
                        "properties": {
                            "name": _STR,
                            "rules": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["alert", "expr", "labels", "annotations"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "alert": {"type": "string", "pattern": "^[A-Za-z]+$"},
                                        "expr": _STR,
                                        "for": {"type": "string", "pattern": "^[0-9]+[smh]$"},
                                        "labels": {
                                            "type": "object",
                                            "required": ["severity"],
                                            "properties": {
                                                "severity": {"enum": ["warning", "critical"]}
                                            },
                                        },
                                        "annotations": {
                                            "type": "object",
                                            "required": ["summary", "description"],
                                        },
                                    },
                                },
                            },
                        },
                    },
                }
            },
        }
    },
}
CUSTOM = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
}
_METRIC = re.compile(r"\bdistillguard_[a-z0-9_]+")
_SUFFIXES = ("_bucket", "_count", "_sum", "_info")
#: The subcommands the chart runs.
CHART_COMMANDS = ("worker", "enforcer", "topics")


def defined_metrics() -> set[str]:
    """Metric names defined in metrics.py, with the series names Prometheus derives from them."""
    text = METRICS_PY.read_text()
    names = set(
        re.findall(r'(?:Counter|Gauge|Histogram|Info)\(\s*"(distillguard_[a-z0-9_]+)"', text)
    )
    return names


def known(name: str, defined: set[str]) -> bool:
    if name in defined:
        return True
    return any(name.endswith(s) and name.removesuffix(s) in defined for s in _SUFFIXES)


def pod_specs(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = doc.get("spec") or {}
    kind = doc.get("kind")
    if kind == "Pod":
        yield spec
    elif kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        yield spec["template"]["spec"]
    elif kind == "CronJob":
        yield spec["jobTemplate"]["spec"]["template"]["spec"]


def check_pod(where: str, pod: dict[str, Any]) -> list[str]:
    problems = []
    psc = pod.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True or psc.get("runAsUser", 0) == 0:
        problems.append(f"{where}: pod must set runAsNonRoot: true and a non-zero runAsUser")
    if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: pod seccompProfile must be RuntimeDefault")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: automountServiceAccountToken must be false")
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        at = f"{where} container {container.get('name')}"
        image = str(container.get("image", ""))
        reference = image.split("@", 1)[0]
        tag = reference.rsplit(":", 1)[1] if ":" in reference.rsplit("/", 1)[-1] else ""
        if not tag or tag == "latest":
            problems.append(f"{at}: image {image!r} must carry a pinned tag (not latest)")
        csc = container.get("securityContext") or {}
        expected = {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
        }
        for key, value in expected.items():
            if csc.get(key) is not value:
                problems.append(f"{at}: securityContext.{key} must be {str(value).lower()}")
        if (csc.get("capabilities") or {}).get("drop") != ["ALL"]:
            problems.append(f"{at}: securityContext.capabilities.drop must be [ALL]")
        resources = container.get("resources") or {}
        for part in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(part) or {}):
                problems.append(f"{at}: resources.{part} must set cpu and memory")
        mounts = {m.get("mountPath") for m in container.get("volumeMounts", [])}
        if "/tmp" not in mounts:  # noqa: S108 - checking a mount path, not using the directory
            problems.append(f"{at}: /tmp must be a writable volume (root filesystem is read-only)")
    return problems


def parse_cli(args: list[str]) -> argparse.Namespace:
    """Parse ``args`` with the real ``distillguard`` command line (SystemExit when refused)."""
    from distillguard import cli

    if args[0] not in cli.COMMANDS:
        print(f"distillguard: error: {args[0]!r} is not a registered command", file=sys.stderr)
        raise SystemExit(2)
    return cli.build_parser(args).parse_args(args)


def check_args(where: str, pod: dict[str, Any]) -> list[str]:
    """Every distillguard container's args must parse with the command line as it is."""
    problems = []
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        args = [str(a).replace("$(POD_NAME)", "pod-0") for a in container.get("args", [])]
        if not args or args[0] not in CHART_COMMANDS:
            continue
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                parsed = parse_cli(args)
        except SystemExit:
            last = err.getvalue().strip().splitlines()[-1:] or ["?"]
            problems.append(f"{where} container {container.get('name')}: {last[0]}")
            continue
        if args[0] == "topics":
            # The topic plan is checked without a broker: what the Job would refuse at run time.
            from distillguard.models.errors import UsageError
            from distillguard.streams.commands import topics

            try:
                topics.build_plan(parsed)
            except UsageError as exc:
                problems.append(f"{where} container {container.get('name')}: {exc}")
    return problems


def check_metrics(where: str, text: str, defined: set[str]) -> list[str]:
    used = set(_METRIC.findall(text))
    return [f"{where}: unknown metric {n}" for n in sorted(used) if not known(n, defined)]


def validate_file(path: Path, kube_version: str) -> tuple[int, list[str]]:
    # Installed by helm/check.sh, not by `make install`: imported only where it is needed.
    import kubernetes_validate

    problems: list[str] = []
    defined = defined_metrics()
    count = 0
    for doc in yaml.safe_load_all(path.read_text()):
        if not doc:
            continue
        count += 1
        kind, api = doc.get("kind"), doc.get("apiVersion")
        where = f"{path.name}: {kind}/{doc.get('metadata', {}).get('name')}"
        custom = CUSTOM.get((api, kind))
        try:
            if custom is not None:
                jsonschema.validate(doc, custom)
            else:
                kubernetes_validate.validate(doc, kube_version, strict=True)
        except (jsonschema.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
            problems.append(f"{where}: {getattr(exc, 'message', exc)}")
        for pod in pod_specs(doc):
            problems.extend(check_pod(where, pod))
            problems.extend(check_args(where, pod))
        if kind == "PrometheusRule":
            exprs = [r["expr"] for g in doc["spec"]["groups"] for r in g["rules"]]
            problems.extend(check_metrics(where, "\n".join(exprs), defined))
        if kind == "ConfigMap":
            for key, value in (doc.get("data") or {}).items():
                if key.endswith(".json") and "distillguard_" in value:
                    dashboard = json.loads(value)
                    exprs = json.dumps(dashboard.get("panels", []))
                    problems.extend(check_metrics(f"{where} {key}", exprs, defined))
    return count, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kube-version", required=True)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = False
    for path in args.files:
        count, problems = validate_file(path, args.kube_version)
        for problem in problems:
            print(f"FAIL {problem}")
        failed = failed or bool(problems)
        verdict = "FAIL" if problems else "ok  "
        print(f"{verdict} {path.name}: {count} resources, {len(problems)} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
