"""A plain aiokafka client, as an outside system would use one: no dangxiao code on this side."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from shared.events.envelope import CloudEvent
from tests.support import ROOT

KAFKA_LIBS = Path(os.environ.get("KAFKA_HOME") or ROOT / ".cache" / "kafka") / "libs"


@asynccontextmanager
async def producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    client = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


async def send_structured(client: AIOKafkaProducer, topic: str, event: CloudEvent, key: str) -> None:
    await client.send_and_wait(
        topic, event.to_json(), key=key.encode(), headers=[("content-type", b"application/cloudevents+json")]
    )


async def send_binary(client: AIOKafkaProducer, topic: str, event: CloudEvent, key: str) -> None:
    attributes = event.model_dump(mode="json", exclude_none=True, exclude={"data", "datacontenttype"})
    headers = [(f"ce_{name}", str(value).encode()) for name, value in attributes.items()]
    headers.append(("content-type", b"application/json"))
    await client.send_and_wait(topic, json.dumps(event.data).encode(), key=key.encode(), headers=headers)


async def send_raw(client: AIOKafkaProducer, topic: str, value: bytes, key: str, **headers: str) -> None:
    await client.send_and_wait(topic, value, key=key.encode(), headers=[(k, v.encode()) for k, v in headers.items()])


async def records_until(
    bootstrap: str,
    topic: str,
    matches: Callable[[ConsumerRecord[bytes, bytes]], bool],
    *,
    count: int = 1,
    timeout: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read ``topic`` from the beginning until ``count`` records match, or fail at the deadline."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    found: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(found) < count:
            batches = await consumer.getmany(timeout_ms=500)
            found.extend(record for records in batches.values() for record in records if matches(record))
    finally:
        await consumer.stop()
    if len(found) < count:
        raise AssertionError(f"found {len(found)} of {count} matching records on {topic} within {timeout} s")
    return found


async def all_records(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record on ``topic`` up to its end right now."""
    # Without a group, a consumer subscribed to a topic is assigned all of its partitions at start.
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = list(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batches = await consumer.getmany(timeout_ms=500)
            records.extend(record for batch in batches.values() for record in batch)
        return records
    finally:
        await consumer.stop()


def cloudevent_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(record.value or b"{}")
    return document


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return value.decode()
    return None


@asynccontextmanager
async def dedicated_broker(workdir: Path) -> AsyncIterator[str]:
    """A broker of its own (fresh topics, offsets and groups) on free ports, for a test whose assertions cover
    everything on a topic; yields its bootstrap address and stops it afterwards."""
    ports = [_free_port(), _free_port()]
    environment = {
        **os.environ,
        "KAFKA_PORT": str(ports[0]),
        "KAFKA_CONTROLLER_PORT": str(ports[1]),
        "KAFKA_HOME": str(workdir / "kafka"),
    }
    # The jars are fetched once, into the project's cache; this broker only keeps its data elsewhere.
    (workdir / "kafka").mkdir(parents=True, exist_ok=True)
    (workdir / "kafka" / "libs").symlink_to(KAFKA_LIBS)
    script = str(ROOT / "deploy" / "kafka" / "kafka.sh")
    await asyncio.to_thread(subprocess.run, [script, "start"], env=environment, check=True, capture_output=True)
    try:
        yield f"127.0.0.1:{ports[0]}"
    finally:
        await asyncio.to_thread(subprocess.run, [script, "stop"], env=environment, check=False, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
