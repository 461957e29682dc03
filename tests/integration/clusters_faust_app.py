"""A Faust app running the worker's cluster linking on its own topics (names from env).

Run as ``python -m tests.integration.clusters_faust_app worker``.
"""

from __future__ import annotations

import os
from typing import Any

import faust
import orjson

from distillguard.models.features import AccountSlice
from distillguard.streams.worker.linking import Linking

UID = os.environ["CLUSTERS_TEST_UID"]
app = faust.App(
    f"clusters-{UID}",
    broker=f"kafka://{os.environ['CLUSTERS_TEST_BOOTSTRAP']}",
    store="memory://",
    topic_partitions=2,
    web_enabled=False,
    web_host="127.0.0.1",
    web_port=int(os.environ["FAUST_TEST_WEB_PORT"]),
    datadir=os.environ["CLUSTERS_TEST_DATADIR"],
    consumer_auto_offset_reset="earliest",
)
slices = app.topic(os.environ["CLUSTERS_TEST_SLICES"], key_serializer="raw", value_serializer="raw")
linking = Linking(
    app,
    by_value_topic=f"clusters-{UID}-by-value",
    clustering_topic=f"clusters-{UID}-clustering",
    verdicts_topic=os.environ["CLUSTERS_TEST_ALERTS"],
    partitions=2,
)


@app.agent(slices)
async def merge(stream: Any) -> None:
    async for event in stream.events():
        batch = orjson.loads(event.value)
        pieces = {d["account_id"]: AccountSlice.from_dict(d) for d in batch["slices"]}
        await linking.publish(pieces, float(batch["max_ts"]))


if __name__ == "__main__":
    app.main()
