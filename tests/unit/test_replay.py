"""Replaying the same events gives the same books: ids, times and payloads derive from their causes, not from
when or in which batches the events were applied."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from services.hours.handlers import handlers as hours_handlers
from services.hours.models import LedgerEntry, RequirementProgress, SessionMark, XapiStatement
from shared.db import Database, table_of
from shared.events.contracts import CONTRACTS
from shared.events.contracts.common import Period
from shared.events.contracts.hours import RequirementStandingChanged
from shared.events.envelope import CloudEvent
from shared.migrations import metadata_of
from shared.outbox import OutboxMessage
from tests.support import (
    a_class,
    a_person,
    a_session,
    consumer_for,
    event_of,
    migrated_database,
    outbox_events,
    structured_record,
)

MONDAY = datetime(2026, 3, 2, 1, tzinfo=UTC)
DOOR, TABLET = "urn:dangxiao:door:building-3", "urn:dangxiao:tablet:class-manager"


MEMBER = Period(code="full_member", since=date(2010, 7, 1))
STATEMENT = {
    "id": "0b5e6f4c-3c1d-4f6e-9a3b-1d2c3e4f5a6b",
    "actor": {"objectType": "Agent", "account": {"homePage": "https://sso.example.cn", "name": "p1"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "https://study.example.cn/courses/7", "definition": {"name": {"zh-CN": "党章"}}},
    "result": {"duration": "PT90M"},
    "timestamp": "2026-03-03T20:00:00.000Z",
    "stored": "2026-03-03T20:00:01.000Z",
    "authority": {"objectType": "Agent", "account": {"homePage": "urn:dangxiao", "name": "platform-7"}},
    "version": "1.0.0",
}


def realistic_run() -> list[CloudEvent]:
    """A week of a class: attendance before its session is known, corrections, voids, online study, Party members
    whose requirements are judged as lines come, a position taken up, what the doors forward."""
    events = [event_of(a_person(f"p{n}", statuses=[MEMBER] if n < 2 else [])) for n in range(3)]
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
    secretary = Period(code="branch_secretary", since=date(2026, 3, 1))
    events.append(event_of(a_person("p0", statuses=[MEMBER], positions=[secretary], version=2)))
    events.append(
        event_of(
            {"person_id": "p1", "activity": {"id": "xapi-7", "title": "党章", "platform": "platform-7"}, "minutes": 90},
            event_type="dangxiao.attendance.recorded.v1",
            source="urn:dangxiao:xapi:platform-7",
            id=STATEMENT["id"],
            xapistatement=json.dumps(STATEMENT),
        )
    )
    events.append(
        event_of(
            {"person_id": "p0", "session_id": "s2", "status": "left_early", "minutes": 150},
            event_type="dangxiao.attendance.recorded.v1",
            source="urn:dangxiao:hours:marks",
            id="s2/p0/1",
            markedby="manager-1",
        )
    )
    return events


# What a service records about its own processing (when, in which order), not what the facts are.
OPERATIONAL_TABLES = {"inbox_record", "outbox_message", "parked_event"}


async def books(database: Database) -> str:
    """A digest of every table the service keeps (the ledger, its state, projections, what the doors keep) and of
    the events it recorded for publication."""
    digest = hashlib.sha256()
    async with database.sessions() as session:
        connection = await session.connection()
        for table in metadata_of("hours").sorted_tables:
            if table.name in OPERATIONAL_TABLES:
                continue
            for row in await connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr((table.name, tuple(row))).encode())
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
        progress = (await session.exec(select(RequirementProgress))).scalars().all()
        kept_by_doors = [(await session.exec(select(model))).all() for model in (XapiStatement, SessionMark)]
    assert len(lines) > 9  # credits, a correction and a void: the books are not trivially empty
    assert {row.requirement for row in progress} == {"party-member-study", "branch-leader-study"}
    assert [len(rows) for rows in kept_by_doors] == [1, 1]
    standings = await outbox_events(one_by_one, RequirementStandingChanged.event_type)
    assert {(e.data["person_id"], e.data["requirement"], e.data["standing"]) for e in standings} >= {
        ("p0", "branch-leader-study/v1", "behind")  # 56 × 10/12 owed from March: behind at first sight
    }
    await in_batches.dispose()
