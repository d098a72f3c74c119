"""The outbox relay: commit order, and one undeliverable row does not hold back the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from sqlmodel import col, select

from shared.db import Database
from shared.outbox import OutboxMessage, OutboxRelay
from tests.support import a_person, unit_of_work_factory


class FakeKafka:
    """Acknowledges what it is sent, except records it was told to refuse."""

    def __init__(self, refuse: Mapping[bytes, Exception]) -> None:
        self.refuse = refuse
        self.sent: list[bytes] = []

    async def send(self, topic: str, key: bytes, value: bytes, headers: Mapping[str, str]) -> Awaitable[object]:
        if key in self.refuse:
            raise self.refuse[key]
        self.sent.append(key)
        return asyncio.sleep(0)


async def commit_people(database: Database, *people: str) -> None:
    async with unit_of_work_factory(database)() as uow:
        for person in people:
            uow.emit(a_person(person, name="学员"))
        await uow.commit()


async def rows(database: Database) -> list[OutboxMessage]:
    async with database.sessions() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def test_rows_leave_in_commit_order_and_are_marked_published(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    await commit_people(database, "p1", "p2", "p3")
    kafka = FakeKafka({})

    assert await OutboxRelay(database, kafka.send, "test", poll_seconds=1).publish_pending() == 3

    assert kafka.sent == [b"p1", b"p2", b"p3"]
    assert all(row.published_at is not None for row in await rows(database))


async def test_a_row_kafka_refuses_for_good_is_kept_aside_and_the_rest_still_leave(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    await commit_people(database, "p1", "too-large", "p3")
    kafka = FakeKafka({b"too-large": MessageSizeTooLargeError("1.5 MB")})
    relay = OutboxRelay(database, kafka.send, "test", poll_seconds=1)

    assert await relay.publish_pending() == 3
    assert await relay.publish_pending() == 0

    assert kafka.sent == [b"p1", b"p3"]
    refused = next(row for row in await rows(database) if row.key == "too-large")
    assert refused.published_at is None and refused.failed_at is not None
    assert "MessageSizeTooLargeError" in (refused.failure or "")


async def test_a_broker_that_goes_away_leaves_the_rest_of_the_batch_to_be_sent_again_in_order(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    await commit_people(database, "p1", "p2", "p3")
    kafka = FakeKafka({b"p2": KafkaConnectionError("broker away")})

    with pytest.raises(KafkaConnectionError):
        await OutboxRelay(database, kafka.send, "test", poll_seconds=1).publish_pending()

    # What the broker acknowledged before the failure is marked; from the failed row on, nothing is.
    assert [(row.key, row.published_at is not None, row.failed_at) for row in await rows(database)] == [
        ("p1", True, None),
        ("p2", False, None),
        ("p3", False, None),
    ]
