"""The Dockerfile's promises that no container engine is needed to check."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "docker" / "Dockerfile").read_text()


def admitted(path: str) -> bool:
    """Whether ``.dockerignore`` (last matching rule wins) lets ``path`` into the context."""
    keep = True
    for line in (REPO / ".dockerignore").read_text().splitlines():
        rule = line.strip()
        if not rule or rule.startswith("#"):
            continue
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) for p in prefixes):
            keep = negate
    return keep


def copied_sources() -> list[str]:
    sources = []
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources.extend(line.split()[1:-1])
    mounts = re.findall(r"--mount=type=bind,source=([^,\s]+)", DOCKERFILE)
    return sources + [m for m in mounts if not m.startswith("/")]


def test_everything_the_build_copies_is_in_the_context() -> None:
    sources = copied_sources()
    assert "docker/install-wheel.sh" in sources
    for source in sources:
        assert (REPO / source).exists(), source
        assert admitted(source), f".dockerignore keeps {source} out of the build context"


def test_the_context_leaves_out_local_state() -> None:
    for path in (".venv/bin/python", ".kafka/data", ".git/HEAD", ".tools/bin/helm", "tests/x.py"):
        assert not admitted(path), path


def test_base_image_is_pinned_to_a_patch_version_and_both_stages_share_it() -> None:
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert base is not None
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base.group(1))
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, re.M) == ["${PYTHON_IMAGE}"] * 2


def test_runs_as_the_unprivileged_uid_the_chart_expects() -> None:
    user = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    values = yaml.safe_load((REPO / "helm" / "distillguard" / "values.yaml").read_text())
    uid = values["securityContext"]["runAsUser"]
    assert user == [f"{uid}:{values['securityContext']['runAsGroup']}"]
    assert uid != 0
    assert f"--uid {uid}" in DOCKERFILE


def test_one_entrypoint_for_every_command_with_a_healthcheck() -> None:
    assert re.search(r'^ENTRYPOINT \["distillguard"\]$', DOCKERFILE, re.M)
    assert re.search(r"^HEALTHCHECK ", DOCKERFILE, re.M)
    final = DOCKERFILE.split("AS builder", 1)[1]
    assert "build-essential" not in final and "gcc" not in final
