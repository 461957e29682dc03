"""A minimal Faust app for the broker-compatibility test: a table fed through ``group_by``.

Run as ``python -m tests.integration.faust_app worker``; topic names come from the
environment so every test run has its own.
"""

from __future__ import annotations

import os
from typing import Any

import faust

UID = os.environ["FAUST_TEST_UID"]
app = faust.App(
    f"faust-compat-{UID}",
    broker=f"kafka://{os.environ['FAUST_TEST_BOOTSTRAP']}",
    store="memory://",
    topic_partitions=2,
    web_enabled=False,
    web_host="127.0.0.1",
    web_port=int(os.environ["FAUST_TEST_WEB_PORT"]),
    datadir=os.environ["FAUST_TEST_DATADIR"],
)


class Request(faust.Record, serializer="json"):
    account_id: str
    template: str


requests = app.topic(os.environ["FAUST_TEST_TOPIC"], value_type=Request)
per_template = app.Table(f"per-template-{UID}", default=int, partitions=2)


@app.agent(requests)
async def count_templates(stream: Any) -> None:
    async for request in stream.group_by(Request.template, name=f"by-template-{UID}"):
        per_template[request.template] += 1


if __name__ == "__main__":
    app.main()
