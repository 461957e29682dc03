"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def pytest_report_header(config: pytest.Config) -> str:
    """The broker the integration tests run against, at the top of every test log."""
    import subprocess

    status = subprocess.run(
        [str(REPO / "docker" / "kafka" / "kafka.sh"), "status"],
        capture_output=True,
        text=True,
        check=False,
    )
    return status.stdout.strip() or "kafka: not running (integration tests will start it)"
