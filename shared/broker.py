"""Kafka wiring: one FastStream broker per service, typed publishers per topic, batch subscribers, the dead-letter
path, and the topics themselves (created by the project, never by auto-creation)."""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any, Union

from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CoordinatorNotAvailableError, TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import KafkaAckableMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.publisher.usecase import DefaultPublisher
from faststream.kafka.subscriber.usecase import BatchSubscriber

from shared.consumer import EventConsumer, InboundRecord
from shared.db import utcnow
from shared.events.contracts import dead_letter_topic, topic_spec
from shared.events.envelope import EventData
from shared.logging import get_logger
from shared.metrics import REGISTRY
from shared.outbox import UndeliverableRecord
from shared.settings import ServiceSettings

log = get_logger(__name__)

# Compacted topics keep the newest state per key for good; the dirty ratio and lag keep compaction prompt enough
# that a new consumer reads little more than the current states.
COMPACTED_TOPIC_CONFIG = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1", "segment.ms": "3600000"}


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"dangxiao-{settings.service_name}",
        # The outbox relay's producer: no duplicates from producer retries, durable once acknowledged.
        enable_idempotence=True,
        acks="all",
        middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=f"dangxiao-{settings.service_name}")],
        # A plain standard-library logger: its lines go through the JSON handler like every other library's.
        logger=logging.getLogger("dangxiao.broker"),
        # Per-message lines at DEBUG: the consumer path logs each batch once, with its outcomes.
        log_level=logging.DEBUG,
    )


class Publishers:
    """What a service publishes: a documented FastStream publisher per topic (its AsyncAPI document), and the
    producer the outbox relay sends through, tuned for batches (idempotent, acks=all, records gathered per
    partition for a few milliseconds)."""

    def __init__(
        self, broker: KafkaBroker, produces: Mapping[str, Sequence[type[EventData]]], settings: ServiceSettings
    ) -> None:
        self._documented: dict[str, DefaultPublisher] = {}
        for topic, models in produces.items():
            self._documented[topic] = broker.publisher(
                topic,
                title=f"{topic}:publish",
                description="CloudEvents 1.0, structured mode; `data` is one of: "
                + ", ".join(f"`{model.event_type}`" for model in models),
                schema=Union[tuple(models)] if len(models) > 1 else models[0],  # noqa: UP007 - a Union built at runtime
            )
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None

    @property
    def topics(self) -> list[str]:
        return list(self._documented)

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            client_id=f"dangxiao-{self._settings.service_name}-outbox",
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            max_batch_size=512 * 1024,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def send(self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]) -> Awaitable[object]:
        """Hand one record to the producer; the awaitable completes once the broker acknowledged it."""
        if topic not in self._documented:
            raise UndeliverableRecord(f"this service does not publish to {topic!r}")
        assert self._producer is not None, "Publishers.start() first"
        delivery: Awaitable[object] = await self._producer.send(
            topic, value, key=key, headers=[(name, text.encode()) for name, text in headers.items()]
        )
        return delivery


def append_order(record: ConsumerRecord[bytes, bytes]) -> tuple[int, str, int, int]:
    """Where the broker put a record among all it appended: its timestamp, then topic, partition and offset."""
    return record.timestamp, record.topic, record.partition, record.offset


def in_append_order(records: Iterable[ConsumerRecord[bytes, bytes]]) -> list[ConsumerRecord[bytes, bytes]]:
    """A polled batch in the order the broker appended it, as a rebuild replays the topics: the partitions merged
    by ``append_order``, each partition's records kept in offset order (order per key holds)."""
    partitions: dict[tuple[str, int], list[ConsumerRecord[bytes, bytes]]] = {}
    for record in records:
        partitions.setdefault((record.topic, record.partition), []).append(record)
    return list(heapq.merge(*partitions.values(), key=append_order))


def inbound(record: ConsumerRecord[bytes, bytes]) -> InboundRecord:
    return InboundRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=list(record.headers or ()),
    )


def dead_letter_sender(broker: KafkaBroker, service: str) -> Any:
    async def send_to_dead_letter_topic(record: InboundRecord, code: str, message: str) -> None:
        # Header values may be null, or bytes that are not text: neither may stop a record's way out.
        headers = {name: (raw or b"").decode(errors="replace") for name, raw in record.headers}
        headers.update(
            {
                "dlq-reason": code,
                "dlq-message": message[:2000],
                "dlq-service": service,
                "dlq-original-topic": record.topic,
                "dlq-original-partition": str(record.partition),
                "dlq-original-offset": str(record.offset),
                "dlq-failed-at": utcnow().isoformat(),
            }
        )
        await broker.publish(record.value or b"", dead_letter_topic(record.topic), key=record.key, headers=headers)

    return send_to_dead_letter_topic


def subscribe(
    broker: KafkaBroker,
    consumer: EventConsumer,
    topics: Mapping[str, str],
    group_id: str,
    *,
    max_records: int = 500,
    batch_timeout_ms: int = 100,
) -> BatchSubscriber:
    """Consume ``topics`` (name -> what the service does with it) in the service's group, a batch at a time.

    One subscriber for all of a service's topics: one member of the group per instance (no rebalance as each of
    several would join), and one stream of batches, each applied in the order the broker appended its records, as
    a rebuild replays them (a fact from one topic and what it refers to on another are taken alike both times). A
    batch's offsets are committed only once ``consume_batch`` returned (its effects committed), and rewound when it
    raised.
    """
    subscriber = broker.subscriber(
        # Not declared: topics are the project's to create, with their partitions (python -m services.X topics).
        *(Topic(topic, declare=False) for topic in topics),
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        description="; ".join(f"`{topic}`: {purpose}" for topic, purpose in topics.items()),
    )

    async def raw_records(records: tuple[ConsumerRecord[bytes, bytes], ...]) -> KafkaAckableMessage:
        # FastStream's own parser decodes every header as UTF-8 and fails on one that is not; the consumer path
        # reads the records itself and dead-letters such a record with its reason.
        values = [record.value or b"" for record in records]  # what FastStream's metrics measure
        return KafkaAckableMessage(raw_message=records, body=values, consumer=subscriber.consumer)

    @subscriber(parser=raw_records, decoder=lambda message: message.body)
    async def consume(message: KafkaMessage) -> None:
        records = message.raw_message
        assert isinstance(records, tuple)  # a batch subscriber
        await consumer.consume_batch([inbound(record) for record in in_append_order(records)])

    return subscriber


def topic_names(topics: Iterable[str]) -> list[str]:
    """The topics and their dead-letter twins."""
    return [name for topic in topics for name in (topic, dead_letter_topic(topic))]


async def ensure_topics(
    bootstrap_servers: str,
    topics: Sequence[str],
    partitions: int,
    replication_factor: int = 1,
    group_id: str | None = None,
) -> list[str]:
    """Create the topics (and their dead-letter twins) the cluster lacks, with ``partitions`` each and compaction
    where the catalogue asks for it; returns the names it created. Existing topics are left as they are.

    With ``group_id``, also wait until the cluster can coordinate that consumer group: on a fresh cluster the
    offsets topic is created on the first request for a coordinator, and a consumer asking before it exists
    logs an error nobody need act on.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        if group_id is not None:
            await _coordinator_ready(admin, group_id)
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name,
                partitions,
                replication_factor,
                topic_configs=COMPACTED_TOPIC_CONFIG if topic_spec(name).compacted else {},
            )
            for name in topic_names(topics)
            if name not in existing
        ]
        created = []
        if wanted:
            response = await admin.create_topics(wanted)
            for topic, code, *message in response.topic_errors:
                if code == 0:
                    created.append(topic)
                elif code != TopicAlreadyExistsError.errno:  # another instance created it first: fine
                    raise RuntimeError(f"Kafka refused to create topic {topic}: error {code} {''.join(message)}")
        # Created is not yet usable: wait until every partition has a leader, so that no client's first request
        # finds a topic missing from the metadata (and logs about it).
        await _leaders_elected(admin, topic_names(topics))
        return created
    finally:
        await admin.close()


async def _leaders_elected(admin: AIOKafkaAdminClient, topics: list[str], patience_seconds: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + patience_seconds
    while True:
        described = await admin.describe_topics(topics)
        ready = {
            topic["topic"]
            for topic in described
            if topic["error_code"] == 0
            and topic["partitions"]
            and all(partition["leader"] >= 0 for partition in topic["partitions"])
        }
        if ready >= set(topics):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"topics without leaders after {patience_seconds} s: {sorted(set(topics) - ready)}")
        await asyncio.sleep(0.2)


async def _coordinator_ready(admin: AIOKafkaAdminClient, group_id: str, patience_seconds: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + patience_seconds
    while True:
        try:
            await admin.find_coordinator(group_id)
            return
        except CoordinatorNotAvailableError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def partitions_of(bootstrap_servers: str, topics: Sequence[str]) -> dict[str, list[int]]:
    """The partition numbers of each of ``topics`` that exists (a missing one is left out)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return {
        topic["topic"]: sorted(partition["partition"] for partition in topic["partitions"])
        for topic in described
        if topic["error_code"] == 0
    }
