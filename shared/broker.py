"""Kafka wiring: one FastStream broker per service, typed publishers per topic, the dead-letter path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Union

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.publisher.usecase import DefaultPublisher
from faststream.kafka.subscriber.usecase import DefaultSubscriber as KafkaSubscriber

from shared.consumer import EventConsumer, InboundRecord
from shared.db import utcnow
from shared.events.contracts import dead_letter_topic
from shared.events.envelope import EventData
from shared.logging import get_logger
from shared.metrics import REGISTRY
from shared.outbox import UndeliverableRecord
from shared.settings import ServiceSettings

log = get_logger(__name__)

DEFAULT_PARTITIONS = 3


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
        # Per-message lines at DEBUG: the consumer path logs each event once, with its outcome.
        log_level=logging.DEBUG,
    )


class Publishers:
    """A documented publisher per topic a service produces; the outbox relay sends through them."""

    def __init__(self, broker: KafkaBroker, produces: Mapping[str, Sequence[type[EventData]]]) -> None:
        self._by_topic: dict[str, DefaultPublisher] = {}
        for topic, models in produces.items():
            self._by_topic[topic] = broker.publisher(
                topic,
                title=f"{topic}:publish",
                description="CloudEvents 1.0, structured mode; `data` is one of: "
                + ", ".join(f"`{model.event_type}`" for model in models),
                schema=Union[tuple(models)] if len(models) > 1 else models[0],  # noqa: UP007 - a Union built at runtime
            )

    @property
    def topics(self) -> list[str]:
        return list(self._by_topic)

    async def send(self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]) -> Awaitable[object]:
        publisher = self._by_topic.get(topic)
        if publisher is None:
            raise UndeliverableRecord(f"this service does not publish to {topic!r}")
        future: asyncio.Future[Any] = await publisher.publish(value, key=key, headers=dict(headers), no_confirm=True)
        return future


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
    broker: KafkaBroker, consumer: EventConsumer, topic: str, group_id: str, description: str
) -> KafkaSubscriber:
    """Consume ``topic`` in the service's group; offsets are committed only after ``consume`` returned."""
    subscriber = broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{topic}:consume",
        description=description,
    )

    @subscriber
    async def consume_record(message: KafkaMessage) -> None:
        raw = message.raw_message
        assert not isinstance(raw, tuple)  # not a batch subscriber
        await consumer.consume(
            InboundRecord(
                topic=raw.topic,
                partition=raw.partition,
                offset=raw.offset,
                key=raw.key,
                value=raw.value,
                headers=list(raw.headers or ()),
            )
        )

    return subscriber


async def ensure_topics(
    bootstrap_servers: str, topics: Sequence[str], partitions: int = DEFAULT_PARTITIONS, replication_factor: int = 1
) -> None:
    """Create the topics (and their dead-letter twins) a service uses, if the cluster lacks them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [name for topic in topics for name in (topic, dead_letter_topic(topic)) if name not in existing]
        if wanted:
            # Another instance may have created them first.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(name, partitions, replication_factor) for name in wanted])
    finally:
        await admin.close()
