"""``python -m services.<name> rebuild``: drop a service's state and replay its input topics from the beginning.

The records of every input partition are merged in the order the broker appended them (record timestamp, then
topic, partition and offset), which is the order the live service consumed them in, and applied by the very
consumer path the live service uses, in batches. Ids, times and certificate numbers derive from their causes,
so the rebuilt tables and the events in the rebuilt outbox are those of the live service; the outbox publishes
them again, and consumers downstream recognise every one of them as a repeat.
"""

from __future__ import annotations

import asyncio
import heapq
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from shared.broker import append_order, inbound, partitions_of
from shared.consumer import InboundRecord
from shared.logging import get_logger
from shared.migrations import downgrade_to_base, upgrade

log = get_logger(__name__)

FETCH_RECORDS = 5000


class ServiceStillRunning(RuntimeError):
    """The service's consumer group has active members: rebuilding under a running service would race it."""


class NotRebuildable(RuntimeError):
    """The service keeps facts first-hand: dropping its tables would lose what no topic can give back."""


@dataclass
class Progress:
    """A progress line on a terminal: how many records of how many, and how fast."""

    total: int
    out: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    _shown: float = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._shown >= 0.5 or self.done >= self.total:
            self._shown = now
            self.out.write(f"\r{self.line()}")
            self.out.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        share = self.done / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        return f"[{bar:<30}] {self.done:,}/{self.total:,} records  {self.done / elapsed:,.0f}/s"

    def finish(self) -> None:
        self.out.write(f"\r{self.line()}\n")
        self.out.flush()


async def refuse_if_running(bootstrap_servers: str, group_id: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        [described] = await admin.describe_consumer_groups([group_id])
        for group in described.groups:
            _, _, state, _, _, members, *_ = group
            if members:
                raise ServiceStillRunning(
                    f"consumer group {group_id} has {len(members)} active member(s) ({state}): "
                    "stop every instance of the service before rebuilding it"
                )
    finally:
        await admin.close()


class TopicReplay:
    """Every record of ``topics`` up to their ends as of now, merged in the order the broker appended them."""

    def __init__(self, bootstrap_servers: str, topics: Sequence[str]) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
        )
        self._bootstrap_servers = bootstrap_servers
        self._topics = topics
        self.ends: dict[TopicPartition, int] = {}
        self.total = 0

    async def __aenter__(self) -> TopicReplay:
        await self._consumer.start()
        partitions = [
            TopicPartition(topic, number)
            for topic, numbers in (await partitions_of(self._bootstrap_servers, self._topics)).items()
            for number in numbers
        ]
        if not partitions:
            self.ends = {}
            return self
        self._consumer.assign(partitions)
        await self._consumer.seek_to_beginning(*partitions)
        beginnings = await self._consumer.beginning_offsets(partitions)
        self.ends = {tp: end for tp, end in (await self._consumer.end_offsets(partitions)).items()}
        self.total = sum(self.ends[tp] - beginnings[tp] for tp in partitions)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()

    async def batches(self, size: int) -> AsyncIterator[list[InboundRecord]]:
        buffers: dict[TopicPartition, deque[ConsumerRecord[bytes, bytes]]] = {tp: deque() for tp in self.ends}
        heads: list[tuple[int, str, int, int, TopicPartition]] = []
        pending = {tp for tp, end in self.ends.items() if await self._consumer.position(tp) < end}

        async def refill(partition: TopicPartition) -> None:
            """Fetch until ``partition`` has a record buffered, or is at its end."""
            while not buffers[partition] and partition in pending:
                fetched = await self._consumer.getmany(partition, timeout_ms=1000, max_records=FETCH_RECORDS)
                for tp, records in fetched.items():
                    buffers[tp].extend(record for record in records if record.offset < self.ends[tp])
                if await self._consumer.position(partition) >= self.ends[partition]:
                    pending.discard(partition)

        def push(partition: TopicPartition) -> None:
            if buffers[partition]:
                record = buffers[partition][0]
                heapq.heappush(heads, (*append_order(record), partition))

        for partition in list(self.ends):
            await refill(partition)
            push(partition)
        batch: list[InboundRecord] = []
        while heads:
            *_, partition = heapq.heappop(heads)
            batch.append(inbound(buffers[partition].popleft()))
            await refill(partition)
            push(partition)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def commit_ends_for(self, bootstrap_servers: str, group_id: str) -> None:
        """Let the service's consumer group start where the replay ended."""
        committer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group_id, enable_auto_commit=False)
        await committer.start()
        try:
            committer.assign(list(self.ends))
            await committer.commit({tp: OffsetAndMetadata(end, "") for tp, end in self.ends.items()})
        finally:
            await committer.stop()


async def rebuild(runtime: Any, *, out: TextIO = sys.stderr) -> dict[str, int]:
    """Drop ``runtime``'s state, replay its input topics, and point its consumer group at their ends.

    Returns how many records ended in each outcome. Records that break their contract were dead-lettered when
    they first came; they are counted here, not dead-lettered a second time.
    """
    settings = runtime.settings
    first_hand = runtime.definition.keeps_first_hand
    if first_hand is not None:
        raise NotRebuildable(
            f"it keeps {first_hand} first-hand, which no topic holds: rebuilding would lose it (restore a backup of "
            "its database instead)"
        )
    await refuse_if_running(settings.kafka_bootstrap_servers, settings.consumer_group)
    out.write(f"{runtime.name}: dropping its tables and migrating afresh\n")
    migrations = runtime.definition.migrations_dir
    await asyncio.to_thread(downgrade_to_base, runtime.database.url, migrations)
    await asyncio.to_thread(upgrade, runtime.database.url, migrations)
    outcomes: dict[str, int] = {}

    async def count_dead_letter(record: InboundRecord, code: str, message: str) -> None:
        log.info("record refused again while rebuilding", reason=code, topic=record.topic, offset=record.offset)

    consumer = runtime.event_consumer(count_dead_letter)
    topics = list(runtime.definition.consumes)
    async with TopicReplay(settings.kafka_bootstrap_servers, topics) as replay:
        out.write(f"{runtime.name}: replaying {', '.join(topics)}\n")
        progress = Progress(replay.total, out)
        async for batch in replay.batches(settings.consumer_batch_size):
            for outcome in await consumer.consume_batch(batch):
                outcomes[outcome.value] = outcomes.get(outcome.value, 0) + 1
            progress.advance(len(batch))
        progress.finish()
        await replay.commit_ends_for(settings.kafka_bootstrap_servers, settings.consumer_group)
    summary = ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to replay"
    out.write(f"{runtime.name}: rebuilt ({summary})\n")
    await runtime.database.dispose()
    return outcomes
