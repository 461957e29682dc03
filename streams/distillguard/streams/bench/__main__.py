"""``python -m distillguard.streams.bench``: run every benchmark, write JSON, print a summary line.

Each benchmark module in this package exposes ``run(**kwargs) -> dict``. Results go to
``<out>/<name>.json``; the last line printed is one JSON object with every headline number.
Benchmarks that need Kafka take ``bootstrap``; ``make bench`` starts the local broker first.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import platform
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from distillguard.streams.settings import default_bootstrap

#: Run in this order; modules that do not exist (yet) are reported, not faked.
BENCHMARKS = ("codec", "replay", "clusters", "evaluate", "worker", "enforcer")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m distillguard.streams.bench")
    parser.add_argument("--out", type=Path, default=Path(".bench"))
    parser.add_argument("--bootstrap-servers", default=default_bootstrap())
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {
        "host": platform.node(),
        "python": platform.python_version(),
        "started_at": time.time(),
    }
    for name in args.only or BENCHMARKS:
        try:
            module = importlib.import_module(f"distillguard.streams.bench.{name}")
        except ModuleNotFoundError:
            summary[f"{name}_status"] = "not available"
            continue
        kwargs: dict[str, Any] = {}
        if "bootstrap" in inspect.signature(module.run).parameters:
            kwargs["bootstrap"] = args.bootstrap_servers
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        result = module.run(**kwargs)
        (args.out / f"{name}.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
        summary.update({k: v for k, v in result.items() if not isinstance(v, list | dict)})
    (args.out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    print(orjson.dumps(summary).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
