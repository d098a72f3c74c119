"""Replaying the same events gives the same books: ids, times and payloads derive from their causes, not from
when or in which batches the events were applied."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.hours.handlers import handlers as hours_handlers
from services.hours.models import Attendance, AttendanceVoid, LedgerEntry, LedgerItem
from shared.db import Database, table_of
from shared.events.contracts import CONTRACTS
from shared.events.envelope import CloudEvent
from shared.outbox import OutboxMessage
from tests.support import a_class, a_person, a_session, consumer_for, event_of, migrated_database, structured_record

MONDAY = datetime(2026, 3, 2, 1, tzinfo=UTC)
DOOR, TABLET = "urn:dangxiao:door:building-3", "urn:dangxiao:tablet:class-manager"


def realistic_run() -> list[CloudEvent]:
    """A week of a class: attendance before its session is known, corrections, voids, online study."""
    events = [event_of(a_person(f"p{n}")) for n in range(3)]
    events.append(
        event_of(
            {"person_id": "p0", "session_id": "s0", "minutes": 170},
            event_type="dangxiao.attendance.recorded.v1",
            source=DOOR,
            id="early",
        )
    )
    events.append(event_of(a_class("c1")))
    for day in range(3):
        starts = MONDAY + timedelta(days=day)
        events.append(event_of(a_session(f"s{day}", "c1", starts_at=starts)))
        for person in range(3):
            events.append(
                event_of(
                    {"person_id": f"p{person}", "session_id": f"s{day}", "minutes": 100 + 30 * person},
                    event_type="dangxiao.attendance.recorded.v1",
                    source=DOOR,
                    id=f"swipe-{day}-{person}",
                    time=starts + timedelta(hours=3),
                )
            )
    events.append(
        event_of(
            {"person_id": "p1", "session_id": "s1", "minutes": 180},
            event_type="dangxiao.attendance.recorded.v1",
            source=TABLET,
            id="corrected",
        )
    )
    events.append(
        event_of(
            {"voids": {"source": TABLET, "id": "corrected"}, "reason": "wrong learner"},
            event_type="dangxiao.attendance.voided.v1",
            source=TABLET,
            id="void-1",
        )
    )
    events.append(
        event_of(
            {"voids": {"source": DOOR, "id": "never-came"}, "reason": "test"},
            event_type="dangxiao.attendance.voided.v1",
            source=DOOR,
            id="void-2",
        )
    )
    events.append(
        event_of(
            {"person_id": "p2", "activity": {"id": "a1", "title": "党史", "platform": "学习强国"}, "minutes": 95},
            event_type="dangxiao.attendance.recorded.v1",
            source="urn:dangxiao:platform:xxqg",
            id="study-1",
        )
    )
    return events


async def books(database: Database) -> str:
    """A digest of the ledger's tables and of the events the service recorded for publication."""
    digest = hashlib.sha256()
    async with database.sessions() as session:
        connection = await session.connection()
        for model, order in (
            (Attendance, ("source", "event_id")),
            (AttendanceVoid, ("voided_source", "voided_event_id")),
            (LedgerEntry, ("entry_id",)),
            (LedgerItem, ("person_id", "item")),
        ):
            table = table_of(model)
            for row in await connection.execute(select(table).order_by(*(table.c[c] for c in order))):
                digest.update(repr(tuple(row)).encode())
        outbox = table_of(OutboxMessage)
        for event_id, payload in await connection.execute(
            select(outbox.c.event_id, outbox.c.payload).order_by(outbox.c.event_id)
        ):
            digest.update(f"{event_id} {payload}".encode())
    return digest.hexdigest()


async def replay(database: Database, events: list[CloudEvent], batch: int) -> None:
    consumer, dead_letters = consumer_for(hours_handlers, database, service="hours")
    records = [structured_record(event, CONTRACTS[event.type].topic, offset) for offset, event in enumerate(events)]
    for start in range(0, len(records), batch):
        await consumer.consume_batch(records[start : start + batch])
    assert dead_letters.letters == []


async def test_the_same_events_in_other_batches_give_byte_identical_books(sqlite_database, tmp_path) -> None:
    events = realistic_run()
    one_by_one = await sqlite_database("hours")
    await replay(one_by_one, events, batch=1)
    in_batches = await migrated_database(f"sqlite:///{tmp_path / 'again.db'}", "hours")
    await replay(in_batches, events, batch=7)

    assert await books(one_by_one) == await books(in_batches)
    async with one_by_one.sessions() as session:
        lines = (await session.exec(select(LedgerEntry))).all()
    assert len(lines) > 9  # credits, a correction and a void: the books are not trivially empty
    await in_batches.dispose()
