"""The shared messaging mechanisms against a real Kafka broker and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from faststream.kafka import KafkaBroker
from sqlmodel import col, select

from shared.broker import Publishers, dead_letter_sender, ensure_topics, subscribe
from shared.consumer import EventConsumer, EventHandlers, InboundRecord
from shared.db import Database
from shared.events.contracts import ENROLLMENT_TOPIC, PersonRegistered
from shared.events.envelope import CloudEvent
from shared.outbox import OutboxMessage, OutboxRelay
from shared.unit_of_work import InboxRecord, UnitOfWork
from tests.conftest import CreateDatabase
from tests.kafka import cloudevent_of, header, producer, records_until, send_raw, send_structured
from tests.support import event_of, eventually, migrated_database, unique, unit_of_work_factory

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(create_postgres_database: CreateDatabase) -> AsyncIterator[Database]:
    # Any service's schema has the outbox and inbox; enrollment's is the smallest.
    database = await migrated_database(await create_postgres_database("messaging"), "enrollment")
    yield database
    await database.dispose()


async def test_a_malformed_record_is_dead_lettered_with_its_reason_and_the_next_is_processed(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.people")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    seen: list[str] = []
    handlers = EventHandlers()

    @handlers.on(PersonRegistered)
    async def remember(uow: UnitOfWork, event: CloudEvent, data: PersonRegistered) -> None:
        seen.append(data.person_id)

    broker = KafkaBroker(kafka_bootstrap)
    consumer = EventConsumer(
        service="test",
        handlers=handlers,
        unit_of_work=unit_of_work_factory(database),
        dead_letters=dead_letter_sender(broker, "test"),
        max_attempts=3,
    )
    subscribe(broker, consumer, topic, group_id=unique("group"), description="test")
    good = event_of(PersonRegistered(person_id="p-after", name="赵六"))
    async with producer(kafka_bootstrap) as client:
        await send_raw(client, topic, b"{this is not json", key="p", **{"content-type": "application/cloudevents+json"})
        await send_structured(client, topic, good, key="p")
        await send_structured(client, topic, good, key="p")  # redelivered duplicate
    await broker.start()
    try:
        [letter] = await records_until(kafka_bootstrap, f"{topic}.dlq", lambda r: True)
        await eventually(lambda: asyncio.sleep(0, result=seen or None), what="the next record to be processed")
    finally:
        await broker.stop()

    assert letter.value == b"{this is not json"
    assert header(letter, "dlq-reason") == "malformed-json"
    assert "not valid JSON" in (header(letter, "dlq-message") or "")
    assert header(letter, "dlq-original-topic") == topic
    assert header(letter, "content-type") == "application/cloudevents+json"
    assert seen == ["p-after"]
    async with database.sessions() as session:
        assert await session.get(InboxRecord, (good.source, good.id)) is not None


async def test_two_relays_publish_every_committed_event_exactly_once(kafka_bootstrap: str, database: Database) -> None:
    await ensure_topics(kafka_bootstrap, [ENROLLMENT_TOPIC])
    marker = unique("relay")
    people = [PersonRegistered(person_id=f"{marker}-{n}", name="学员") for n in range(300)]
    async with unit_of_work_factory(database)() as uow:
        for person in people:
            uow.emit(person)
        await uow.commit()

    brokers = [KafkaBroker(kafka_bootstrap, enable_idempotence=True, acks="all") for _ in range(2)]
    relays = []
    for broker in brokers:
        publishers = Publishers(broker, {ENROLLMENT_TOPIC: (PersonRegistered,)})
        await broker.start()
        relays.append(OutboxRelay(database, publishers.send, "test", poll_seconds=0.1, batch_size=50))
    try:
        # Both drain the same outbox at once; row locks (SKIP LOCKED) keep them off each other's rows.
        async def drain(relay: OutboxRelay) -> int:
            published = 0
            while count := await relay.publish_pending():
                published += count
            return published

        counts = await asyncio.gather(*(drain(relay) for relay in relays))
    finally:
        for broker in brokers:
            await broker.stop()

    assert sum(counts) == len(people)
    records = await records_until(
        kafka_bootstrap,
        ENROLLMENT_TOPIC,
        lambda r: str(cloudevent_of(r)["data"].get("person_id", "")).startswith(marker),
        count=len(people),
    )
    ids = [cloudevent_of(r)["data"]["person_id"] for r in records]
    assert sorted(ids) == sorted(p.person_id for p in people)
    async with database.sessions() as session:
        unpublished = await session.exec(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None)))
        assert unpublished.all() == []


async def test_two_instances_in_one_group_share_the_partitions_and_apply_each_event_once(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.shared")
    await ensure_topics(kafka_bootstrap, [topic], partitions=3)
    group = unique("group")
    applied_by: dict[str, list[str]] = {"first": [], "second": []}
    brokers, subscribers = [], []
    for instance in applied_by:
        handlers = EventHandlers()

        async def remember(uow: UnitOfWork, event: CloudEvent, data: PersonRegistered, name: str = instance) -> None:
            applied_by[name].append(data.person_id)

        handlers.on(PersonRegistered)(remember)
        broker = KafkaBroker(kafka_bootstrap)
        consumer = EventConsumer(
            service=instance,
            handlers=handlers,
            unit_of_work=unit_of_work_factory(database),
            dead_letters=dead_letter_sender(broker, instance),
            max_attempts=3,
        )
        subscribers.append(subscribe(broker, consumer, topic, group_id=group, description="test"))
        brokers.append(broker)

    for broker in brokers:
        await broker.start()
    try:

        async def both_assigned() -> bool:
            assignments = [s.consumer.assignment() if s.consumer else set() for s in subscribers]
            return all(assignments) and len(set().union(*assignments)) == 3

        await eventually(both_assigned, what="the group to split the three partitions between both instances")
        people = [f"p-{n}" for n in range(60)]
        async with producer(kafka_bootstrap) as client:
            for person in people:
                registered = event_of(PersonRegistered(person_id=person, name="学员"))
                await send_structured(client, topic, registered, key=person)

        async def all_applied() -> bool:
            return len(applied_by["first"]) + len(applied_by["second"]) >= len(people)

        await eventually(all_applied, what="every event to be applied by one of the two instances")
    finally:
        for broker in brokers:
            await broker.stop()

    assert sorted(applied_by["first"] + applied_by["second"]) == sorted(people)
    assert applied_by["first"] and applied_by["second"], f"one instance did all the work: {applied_by}"


async def test_a_record_is_not_committed_past_until_it_was_handled_even_when_dead_lettering_fails(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.retry")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    attempts: list[str] = []
    seen: list[str] = []
    handlers = EventHandlers()

    @handlers.on(PersonRegistered)
    async def remember(uow: UnitOfWork, event: CloudEvent, data: PersonRegistered) -> None:
        seen.append(data.person_id)

    broker = KafkaBroker(kafka_bootstrap)
    send_to_dead_letter_topic = dead_letter_sender(broker, "test")

    async def dead_letters_down_once(record: InboundRecord, code: str, message: str) -> None:
        attempts.append(code)
        if len(attempts) == 1:
            raise ConnectionError("the dead-letter topic is unreachable")
        await send_to_dead_letter_topic(record, code, message)

    consumer = EventConsumer(
        service="test",
        handlers=handlers,
        unit_of_work=unit_of_work_factory(database),
        dead_letters=dead_letters_down_once,
        max_attempts=3,
    )
    subscribe(broker, consumer, topic, group_id=unique("group"), description="test")
    async with producer(kafka_bootstrap) as client:
        await send_raw(client, topic, b"\x00 not an event", key="p", **{"content-type": "application/cloudevents+json"})
        await send_structured(client, topic, event_of(PersonRegistered(person_id="p-next", name="钱七")), key="p")
    await broker.start()
    try:
        [letter] = await records_until(kafka_bootstrap, f"{topic}.dlq", lambda r: True)
        await eventually(lambda: asyncio.sleep(0, result=seen or None), what="the record after it to be processed")
    finally:
        await broker.stop()

    # The failed dead-lettering left the offset where it was: the record came again and was dead-lettered.
    assert attempts == ["malformed-json", "malformed-json"]
    assert letter.value == b"\x00 not an event"
    assert seen == ["p-next"]
