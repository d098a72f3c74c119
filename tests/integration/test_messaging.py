"""The shared messaging mechanisms against a real Kafka broker and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import BatchSubscriber
from sqlmodel import col, select

from shared.broker import Publishers, dead_letter_sender, ensure_topics, subscribe
from shared.consumer import DeadLetters, EventConsumer, EventHandlers, InboundRecord
from shared.db import Database
from shared.events.contracts.register import PERSONS_TOPIC, PersonChanged
from shared.events.envelope import CloudEvent
from shared.outbox import OutboxMessage, OutboxRelay
from shared.settings import ServiceSettings
from shared.unit_of_work import InboxRecord, UnitOfWork
from tests.conftest import CreateDatabase
from tests.kafka import cloudevent_of, header, producer, records_until, send_raw, send_structured
from tests.support import a_person, event_of, eventually, migrated_database, unique, unit_of_work_factory

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(create_postgres_database: CreateDatabase) -> AsyncIterator[Database]:
    # Any service's schema has the outbox and inbox; enrollment's is the smallest.
    database = await migrated_database(await create_postgres_database("messaging"), "enrollment")
    yield database
    await database.dispose()


@dataclass
class Instance:
    """One service instance as far as consuming goes: a broker subscribed in a group, and what it applied."""

    broker: KafkaBroker
    subscriber: BatchSubscriber
    applied: list[str] = field(default_factory=list)


def instance_consuming(
    kafka_bootstrap: str,
    database: Database,
    topic: str,
    group: str,
    dead_letters: Callable[[KafkaBroker], DeadLetters] = lambda broker: dead_letter_sender(broker, "test"),
) -> Instance:
    """Subscribes a handler that records the person ids of PersonChanged events; start its broker to run."""
    broker = KafkaBroker(kafka_bootstrap)
    applied: list[str] = []
    handlers = EventHandlers()

    @handlers.on(PersonChanged)
    async def remember(uow: UnitOfWork, event: CloudEvent, data: PersonChanged) -> None:
        if data.name == "poison":
            raise RuntimeError("a bug this event triggers every time")
        applied.append(data.person_id)

    consumer = EventConsumer(
        service="test",
        handlers=handlers,
        unit_of_work=unit_of_work_factory(database),
        dead_letters=dead_letters(broker),
        max_attempts=3,
    )
    return Instance(broker, subscribe(broker, consumer, {topic: "test"}, group_id=group), applied)


async def test_a_malformed_record_is_dead_lettered_with_its_reason_and_the_next_is_processed(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.people")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    instance = instance_consuming(kafka_bootstrap, database, topic, unique("group"))
    good = event_of(a_person("p-after", name="赵六"))
    async with producer(kafka_bootstrap) as client:
        await send_raw(client, topic, b"{this is not json", key="p", **{"content-type": "application/cloudevents+json"})
        await send_structured(client, topic, good, key="p")
        await send_structured(client, topic, good, key="p")  # redelivered duplicate
    await instance.broker.start()
    try:
        [letter] = await records_until(kafka_bootstrap, f"{topic}.dlq", lambda r: True)
        await eventually(
            lambda: asyncio.sleep(0, result=instance.applied or None), what="the next record to be processed"
        )
    finally:
        await instance.broker.stop()

    assert letter.value == b"{this is not json"
    assert header(letter, "dlq-reason") == "malformed-json"
    assert "not valid JSON" in (header(letter, "dlq-message") or "")
    assert header(letter, "dlq-original-topic") == topic
    assert header(letter, "content-type") == "application/cloudevents+json"
    assert instance.applied == ["p-after"]
    async with database.sessions() as session:
        assert await session.get(InboxRecord, (good.source, good.id)) is not None


async def test_two_relays_publish_every_committed_event_once_and_in_commit_order(
    kafka_bootstrap: str, database: Database
) -> None:
    await ensure_topics(kafka_bootstrap, [PERSONS_TOPIC], partitions=6)
    person_id = unique("relay-person")
    # One person: one key, one partition, where the order of the 300 versions must survive.
    versions = [a_person(person_id, version=n, name=f"学员{n}") for n in range(1, 301)]
    async with unit_of_work_factory(database)() as uow:
        for version in versions:
            uow.emit(version)
        await uow.commit()

    async def pending() -> int:
        async with database.sessions() as session:
            query = select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
            return len((await session.exec(query)).all())

    brokers = [KafkaBroker(kafka_bootstrap) for _ in range(2)]
    relays, all_publishers = [], []
    for broker in brokers:
        publishers = Publishers(
            broker, {PERSONS_TOPIC: (PersonChanged,)}, ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap)
        )
        await publishers.start()
        all_publishers.append(publishers)
        relays.append(OutboxRelay(database, publishers.send, "test", poll_seconds=0.1, batch_size=50))
    try:
        # Both drain the same outbox at once; whichever holds the relay lock publishes, the other waits.
        async def drain(relay: OutboxRelay) -> int:
            published = 0
            while await pending():
                published += await relay.publish_pending()
            return published

        counts = await asyncio.gather(*(drain(relay) for relay in relays))
    finally:
        for publishers in all_publishers:
            await publishers.stop()

    assert sum(counts) == len(versions)
    records = await records_until(
        kafka_bootstrap,
        PERSONS_TOPIC,
        lambda r: cloudevent_of(r)["data"].get("person_id") == person_id,
        count=len(versions),
    )
    assert [cloudevent_of(r)["data"]["version"] for r in records] == list(range(1, 301))
    assert len({record.partition for record in records}) == 1


async def test_two_instances_in_one_group_share_six_partitions_and_apply_each_event_once(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.shared")
    await ensure_topics(kafka_bootstrap, [topic], partitions=6)
    group = unique("group")
    first, second = (instance_consuming(kafka_bootstrap, database, topic, group) for _ in range(2))
    for instance in (first, second):
        await instance.broker.start()
    try:

        async def both_assigned() -> bool:
            consumers = [instance.subscriber.consumer for instance in (first, second)]
            assignments = [consumer.assignment() if consumer else set() for consumer in consumers]
            return all(assignments) and len(set().union(*assignments)) == 6

        await eventually(both_assigned, what="the group to split the six partitions between both instances")
        people = [f"p-{n}" for n in range(120)]
        async with producer(kafka_bootstrap) as client:
            for person in people:
                await send_structured(client, topic, event_of(a_person(person, name="学员")), key=person)

        async def all_applied() -> bool:
            return len(first.applied) + len(second.applied) >= len(people)

        await eventually(all_applied, what="every event to be applied by one of the two instances")
    finally:
        for instance in (first, second):
            await instance.broker.stop()

    assert sorted(first.applied + second.applied) == sorted(people)
    assert first.applied and second.applied, f"one instance did all the work: {first.applied} / {second.applied}"


async def test_a_record_is_not_committed_past_until_it_was_handled_even_when_dead_lettering_fails(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.retry")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    attempts: list[str] = []

    def down_once(broker: KafkaBroker) -> DeadLetters:
        send_to_dead_letter_topic = dead_letter_sender(broker, "test")

        async def dead_letters_down_once(record: InboundRecord, code: str, message: str) -> None:
            attempts.append(code)
            if len(attempts) == 1:
                raise ConnectionError("the dead-letter topic is unreachable")
            await send_to_dead_letter_topic(record, code, message)

        return dead_letters_down_once

    instance = instance_consuming(kafka_bootstrap, database, topic, unique("group"), dead_letters=down_once)
    async with producer(kafka_bootstrap) as client:
        await send_raw(client, topic, b"\x00 not an event", key="p", **{"content-type": "application/cloudevents+json"})
        await send_structured(client, topic, event_of(a_person("p-next", name="钱七")), key="p")
    await instance.broker.start()
    try:
        [letter] = await records_until(kafka_bootstrap, f"{topic}.dlq", lambda r: True)
        await eventually(
            lambda: asyncio.sleep(0, result=instance.applied or None), what="the record after it to be processed"
        )
    finally:
        await instance.broker.stop()

    # The failed dead-lettering left the offset where it was: the record came again and was dead-lettered.
    assert attempts == ["malformed-json", "malformed-json"]
    assert letter.value == b"\x00 not an event"
    assert instance.applied == ["p-next"]


async def test_a_poisoned_event_in_the_middle_of_a_polled_batch_is_dead_lettered_and_the_rest_applied_once(
    kafka_bootstrap: str, database: Database
) -> None:
    topic = unique("test.batch")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    instance = instance_consuming(kafka_bootstrap, database, topic, unique("group"))
    people = [a_person(f"p-{n}", name="poison" if n == 25 else "学员") for n in range(50)]
    async with producer(kafka_bootstrap) as client:  # all there before the consumer polls: one batch
        for person in people:
            await send_structured(client, topic, event_of(person), key="same-key")
    await instance.broker.start()
    try:
        [letter] = await records_until(kafka_bootstrap, f"{topic}.dlq", lambda r: True)
        await eventually(
            lambda: asyncio.sleep(0, result=len(instance.applied) >= 49 or None), what="the other 49 to be applied"
        )
    finally:
        await instance.broker.stop()

    assert header(letter, "dlq-reason") == "processing-failed"
    assert cloudevent_of(letter)["data"]["person_id"] == "p-25"
    # Applied once each, in order (the first attempt at the whole batch was rolled back).
    expected = [person.person_id for person in people if person.name != "poison"]
    assert instance.applied[-49:] == expected
    async with database.sessions() as session:
        inbox = (await session.exec(select(InboxRecord))).all()
    assert sorted(record.outcome for record in inbox) == ["applied"] * 49
