"""Start and stop the worker and the enforcer as child processes, and wait until they answer."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from distillguard.models.errors import DistillguardError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes, dict[str, str]]:
    """GET ``url``; (status, body, headers); status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)
    except (urllib.error.URLError, OSError):
        return 0, b"", {}


@dataclass
class Service:
    """One child process with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]
    base_url: str

    def alive(self) -> bool:
        return self.process.poll() is None

    def get_json(self, path: str) -> Any:
        """The JSON body of a 200 answer, else ``None`` (starting, moving, unknown)."""
        status, body, _ = http_get(self.base_url + path)
        if status != 200:
            return None
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return None

    def wait_ready(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise DistillguardError(f"the {self.name} exited during start-up:\n{tail}")
            status, _, _ = http_get(self.base_url + path, timeout=1.0)
            if status == 200:
                return
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(0.3)
        raise DistillguardError(f"the {self.name} was not ready within {timeout:.0f}s")

    def stop(self, timeout: float = 20.0) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


def start(name: str, args: list[str], log_path: Path, base_url: str) -> Service:
    """Run ``distillguard <args>`` in its own process group, output to ``log_path``."""
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own entry point
        [sys.executable, "-m", "distillguard.cli", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Service(name, process, log_path, log, base_url)


def start_worker(
    bootstrap: str,
    app_id: str,
    topics: dict[str, str],
    data_dir: Path,
    log_path: Path,
    *,
    port: int | None = None,
    partitions: int = 2,
    tick_seconds: float = 0.5,
    slice_interval: float = 0.5,
    extra: tuple[str, ...] = (),
) -> Service:
    """A ``distillguard worker`` on ``topics`` (``events``, ``decisions``, ``deadletter``),
    answering on ``port`` (a free one by default); returns once ``/healthz`` answers, and
    stops it again when it does not."""
    port = port or free_port()
    worker = start(
        "worker",
        [
            "worker",
            "--bootstrap-servers", bootstrap,
            "--app-id", app_id,
            "--events-topic", topics["events"],
            "--decisions-topic", topics["decisions"],
            "--deadletter-topic", topics["deadletter"],
            "--partitions", str(partitions),
            "--data-dir", str(data_dir),
            "--web", f"127.0.0.1:{port}",
            "--tick-seconds", str(tick_seconds),
            "--slice-interval", str(slice_interval),
            *extra,
        ],
        log_path,
        f"http://127.0.0.1:{port}",
    )  # fmt: skip
    try:
        worker.wait_ready("/healthz", timeout=120)
    except DistillguardError:
        worker.stop()
        raise
    return worker
