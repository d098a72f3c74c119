"""The hours service's handlers, driven through the shared consumer path (parse, inbox, apply, commit)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from services.hours import handlers
from services.hours.configuration import BUILT_IN, HoursRules
from services.hours.domain.requirements import BUILT_IN_REQUIREMENTS
from services.hours.domain.rules import parse_rulebook
from services.hours.handlers.ingest import ingest_attendance
from services.hours.models import Attendance, IngestOutcome, LedgerEntry, PlatformYear
from services.hours.views import person_hours_view
from shared.auth import Principal, Role
from shared.consumer import EventConsumer, InboundRecord, Outcome
from shared.db import Database
from shared.events.contracts import CONTRACTS
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceRecorded, AttendanceVoided
from shared.events.contracts.hours import HoursCredited, HoursReversed, SessionAttendanceChanged
from shared.events.envelope import STRUCTURED_CONTENT_TYPE, CloudEvent
from shared.outbox import OutboxMessage
from shared.unit_of_work import InboxRecord, ParkedEvent
from tests.support import (
    DeadLetterBox,
    a_class,
    a_person,
    a_session,
    binary_record,
    consumer_for,
    event_of,
    outbox_events,
    structured_record,
    unique,
    unit_of_work_factory,
)
from tests.unit.test_hours_rules import BOOK

DOOR = "urn:dangxiao:door:building-3"
TABLET = "urn:dangxiao:tablet:class-manager"
ENROLLMENT = "urn:dangxiao:enrollment"
SPRING_LECTURE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


@dataclass
class HoursService:
    database: Database
    consumer: EventConsumer
    dead_letters: DeadLetterBox

    async def deliver(
        self, event: CloudEvent, record: Callable[[CloudEvent, str], InboundRecord] = structured_record
    ) -> Outcome:
        return await self.consumer.consume(record(event, CONTRACTS[event.type].topic))

    async def ledger(self, person_id: str) -> list[LedgerEntry]:
        async with self.database.sessions() as session:
            query = select(LedgerEntry).where(LedgerEntry.person_id == person_id)
            order = (col(LedgerEntry.posted_at), col(LedgerEntry.kind).desc(), col(LedgerEntry.entry_id))
            return list((await session.exec(query.order_by(*order))).all())

    async def total(self, person_id: str, year: int = 2026) -> Decimal:
        async with self.database.sessions() as session:
            return (await person_hours_view(session, person_id, year)).total_hours

    async def parked(self) -> list[ParkedEvent]:
        async with self.database.sessions() as session:
            return list((await session.exec(select(ParkedEvent).order_by(col(ParkedEvent.parked_at)))).all())

    async def schedule(self, session_id: str, class_id: str, **session: Any) -> Outcome:
        """The class (if new) and the session, as enrollment announces them; the session's outcome."""
        await self.deliver(event_of(a_class(class_id), source=ENROLLMENT))
        return await self.deliver(scheduled(session_id, class_id, **session))


def hours_service(database: Database, rules: HoursRules = BUILT_IN) -> HoursService:
    consumer, dead_letters = consumer_for(handlers.handlers_for(rules), database, service="hours")
    return HoursService(database, consumer, dead_letters)


@pytest.fixture
async def hours(sqlite_database) -> HoursService:
    return hours_service(await sqlite_database("hours"))


def registered(person_id: str) -> CloudEvent:
    return event_of(a_person(person_id, name="张三"), source=ENROLLMENT)


def scheduled(
    session_id: str,
    class_id: str,
    *,
    hours: str = "4",
    minutes: int = 180,
    starts_at: datetime = SPRING_LECTURE,
    version: int = 1,
) -> CloudEvent:
    return event_of(
        a_session(session_id, class_id, starts_at=starts_at, minutes=minutes, hours=hours, version=version),
        source=ENROLLMENT,
    )


def attended(person_id: str, session_id: str | None = None, *, source: str = DOOR, **data: Any) -> CloudEvent:
    """An attendance as an outside system sends it: raw JSON data, the person as subject."""
    body = {"person_id": person_id, **data} | ({"session_id": session_id} if session_id else {})
    return event_of(
        body, event_type=AttendanceRecorded.event_type, source=source, subject=person_id, id=unique("swipe")
    )


def voided(attendance: CloudEvent, reason: str = "card reader fault") -> CloudEvent:
    return event_of(
        {"voids": {"source": attendance.source, "id": attendance.id}, "reason": reason},
        event_type=AttendanceVoided.event_type,
        source=TABLET,
        subject=attendance.subject,
    )


async def known_person_and_session(hours: HoursService, **session: Any) -> tuple[str, str, str]:
    person_id, session_id, class_id = unique("person"), unique("session"), unique("class")
    assert await hours.deliver(registered(person_id)) is Outcome.APPLIED
    assert await hours.schedule(session_id, class_id, **session) is Outcome.APPLIED
    return person_id, session_id, class_id


@pytest.mark.parametrize("record", [structured_record, binary_record], ids=["structured", "binary"])
async def test_attendance_at_a_known_session_is_credited_and_announced(hours: HoursService, record) -> None:
    person_id, session_id, class_id = await known_person_and_session(hours)
    attendance = attended(person_id, session_id, status="late", minutes=170)

    assert await hours.deliver(attendance, record) is Outcome.APPLIED

    [entry] = await hours.ledger(person_id)
    assert (entry.kind, entry.hours, entry.year, entry.class_id) == ("credit", Decimal(4), 2026, class_id)
    assert entry.rule == "session-tolerance/v1"
    assert entry.reason == "attended 170 of 180 min, within 15 min tolerance"
    [credited] = await outbox_events(hours.database, HoursCredited.event_type)
    assert credited.data == {
        "entry_id": entry.entry_id,
        "person_id": person_id,
        "year": 2026,
        "hours": "4.00",
        "class_id": class_id,
        "session_id": session_id,
        "activity_id": None,
        "platform": None,  # of an activity on an outside platform
        "rule": "session-tolerance/v1",
        "reason": entry.reason,
        "attendance": {"source": DOOR, "id": attendance.id},
        "channel": "offline",
        "category": "development_targets",
        "trained_on": "2026-03-02",
    }
    # What the attendance caused names it as its cause.
    assert credited.causationid == attendance.id


async def test_a_redelivered_attendance_is_credited_once(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    attendance = attended(person_id, session_id)

    assert await hours.deliver(attendance) is Outcome.APPLIED
    assert await hours.deliver(attendance, binary_record) is Outcome.DUPLICATE

    assert len(await hours.ledger(person_id)) == 1
    assert len(await outbox_events(hours.database, HoursCredited.event_type)) == 1


async def test_a_repeat_with_different_content_is_dead_lettered_and_changes_nothing(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    attendance = attended(person_id, session_id, minutes=100)
    altered = attendance.model_copy(update={"data": {**attendance.data, "minutes": 180}})

    await hours.deliver(attendance)
    assert await hours.deliver(altered) is Outcome.DEAD_LETTERED

    assert hours.dead_letters.codes == ["conflicting-duplicate"]
    [entry] = await hours.ledger(person_id)
    assert entry.hours == Decimal(2)


async def test_a_record_breaking_the_contract_is_dead_lettered_and_the_next_is_processed(
    hours: HoursService,
) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    truncated = InboundRecord(
        topic=ATTENDANCE_TOPIC,
        partition=0,
        offset=7,
        key=person_id.encode(),
        value=b'{"specversion": "1.0", "id": ',
        headers=[("content-type", STRUCTURED_CONTENT_TYPE.encode())],
    )
    both_session_and_activity = attended(
        person_id, session_id, activity={"id": "course-1", "title": "党史", "platform": "干部网络学院"}
    )

    assert await hours.consumer.consume(truncated) is Outcome.DEAD_LETTERED
    assert await hours.deliver(both_session_and_activity) is Outcome.DEAD_LETTERED
    assert await hours.deliver(attended(person_id, session_id)) is Outcome.APPLIED

    assert hours.dead_letters.codes == ["malformed-json", "invalid-data"]
    assert "exactly one of session_id and activity" in hours.dead_letters.letters[1][2]
    assert [entry.hours for entry in await hours.ledger(person_id)] == [Decimal(4)]


async def test_attendance_before_its_session_is_parked_then_credited_once_the_session_is_scheduled(
    hours: HoursService,
) -> None:
    person_id, session_id, class_id = unique("person"), unique("session"), unique("class")
    await hours.deliver(registered(person_id))
    attendance = attended(person_id, session_id, minutes=150)

    assert await hours.deliver(attendance) is Outcome.PARKED
    assert await hours.deliver(attendance) is Outcome.DUPLICATE
    assert await hours.ledger(person_id) == []
    assert [(p.source, p.event_id, p.waiting_for) for p in await hours.parked()] == [
        (DOOR, attendance.id, f"session:{session_id}")
    ]

    assert await hours.schedule(session_id, class_id) is Outcome.APPLIED
    [entry] = await hours.ledger(person_id)
    assert (entry.hours, entry.class_id, entry.attendance_event_id) == (Decimal(3), class_id, attendance.id)
    assert await hours.parked() == []

    # The session changed again (a newer version) finds nothing parked: still one credit.
    assert await hours.deliver(scheduled(session_id, class_id, version=2)) is Outcome.APPLIED
    assert len(await hours.ledger(person_id)) == 1


async def test_attendance_waits_for_both_its_person_and_its_session(hours: HoursService) -> None:
    person_id, session_id, class_id = unique("person"), unique("session"), unique("class")
    at_session = attended(person_id, session_id)
    online = attended(
        person_id,
        source="urn:dangxiao:platform:gbwx",
        activity={"id": "c-1", "title": "党史", "platform": "干部网络学院"},
        minutes=90,
    )
    other_person_id = unique("person")
    other = attended(other_person_id, session_id)

    for attendance in (at_session, online, other):
        assert await hours.deliver(attendance) is Outcome.PARKED
    assert await hours.schedule(session_id, class_id) is Outcome.APPLIED
    # The session is known now, but none of their persons.
    assert {p.event_id for p in await hours.parked()} == {at_session.id, online.id, other.id}

    assert await hours.deliver(registered(person_id)) is Outcome.APPLIED
    assert sorted(e.item for e in await hours.ledger(person_id)) == [
        "activity:干部网络学院:c-1",
        f"session:{session_id}",
    ]
    assert [(p.event_id, p.waiting_for) for p in await hours.parked()] == [(other.id, f"person:{other_person_id}")]


async def race_sessions_against_attendance(database: Database, rounds: int) -> None:
    """Each round handles a person's attendance and its session at the same time, as the two topics are
    consumed concurrently; asserts that none was left parked and every attendance was credited."""
    attendance_consumer, enrollment_consumer = hours_service(database), hours_service(database)
    people = [unique("person") for _ in range(rounds)]
    for person_id in people:
        session_id, class_id = unique("session"), unique("class")
        await enrollment_consumer.deliver(registered(person_id))
        await enrollment_consumer.deliver(event_of(a_class(class_id), source=ENROLLMENT))
        await asyncio.gather(
            attendance_consumer.deliver(attended(person_id, session_id)),
            enrollment_consumer.deliver(scheduled(session_id, class_id)),
        )

    assert await attendance_consumer.parked() == []
    assert [await attendance_consumer.total(person_id) for person_id in people] == [Decimal(4)] * len(people)


async def test_attendance_and_its_session_handled_at_the_same_time_are_never_left_parked(sqlite_database) -> None:
    """The two topics are consumed concurrently; without the locks nearly every round strands one."""
    await race_sessions_against_attendance(await sqlite_database("hours"), rounds=10)


async def test_a_better_attendance_reverses_the_credit_and_is_credited_a_worse_one_changes_nothing(
    hours: HoursService,
) -> None:
    person_id, session_id, class_id = await known_person_and_session(hours)
    swipe = attended(person_id, session_id, status="left_early", minutes=100)
    corrected = attended(person_id, session_id, source=TABLET, minutes=175)

    await hours.deliver(swipe)
    assert await hours.deliver(corrected) is Outcome.APPLIED
    assert await hours.deliver(attended(person_id, session_id, minutes=120)) is Outcome.APPLIED

    first, reversal, second = await hours.ledger(person_id)
    assert (first.kind, first.hours, first.attendance_event_id) == ("credit", Decimal(2), swipe.id)
    assert (reversal.kind, reversal.hours, reversal.reverses_entry_id) == ("reversal", Decimal(2), first.entry_id)
    assert (second.kind, second.hours, second.attendance_event_id) == ("credit", Decimal(4), corrected.id)
    [reversed_event] = await outbox_events(hours.database, HoursReversed.event_type)
    assert reversed_event.data["reverses_entry_id"] == first.entry_id
    assert reversed_event.data["replaced_by_entry_id"] == second.entry_id  # a correction: judge after both
    assert reversed_event.data["class_id"] == class_id
    assert f"superseded by attendance ({TABLET}, {corrected.id})" in reversed_event.data["reason"]
    assert await hours.total(person_id) == Decimal(4)


async def test_a_void_reverses_what_the_attendance_credited(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    attendance = attended(person_id, session_id)
    await hours.deliver(attendance)

    assert await hours.deliver(voided(attendance, "swiped for a colleague")) is Outcome.APPLIED
    assert await hours.deliver(voided(attendance, "voided twice")) is Outcome.IGNORED  # nothing more to take back

    credit, reversal = await hours.ledger(person_id)
    assert reversal.reverses_entry_id == credit.entry_id
    assert reversal.reason == f"attendance ({DOOR}, {attendance.id}) voided: swiped for a colleague"
    [reversed_event] = await outbox_events(hours.database, HoursReversed.event_type)
    assert reversed_event.data["replaced_by_entry_id"] is None  # nothing takes its place
    assert await hours.total(person_id) == 0


async def test_voiding_the_better_attendance_credits_the_earlier_one_again(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    partial = attended(person_id, session_id, minutes=100)
    full = attended(person_id, session_id, source=TABLET, minutes=180)
    await hours.deliver(partial)
    await hours.deliver(full)

    await hours.deliver(voided(full))

    entries = await hours.ledger(person_id)
    assert [(e.kind, e.hours) for e in entries] == [
        ("credit", Decimal(2)),
        ("reversal", Decimal(2)),
        ("credit", Decimal(4)),
        ("reversal", Decimal(4)),
        ("credit", Decimal(2)),
    ]
    assert entries[-1].attendance_event_id == partial.id
    assert await hours.total(person_id) == Decimal(2)
    reversals = await outbox_events(hours.database, HoursReversed.event_type)
    assert [r.data["replaced_by_entry_id"] for r in reversals] == [entries[2].entry_id, entries[4].entry_id]


async def test_a_credit_toward_another_class_replaces_no_reversal(hours: HoursService) -> None:
    person_id, session_id, class_id = await known_person_and_session(hours)
    await hours.deliver(attended(person_id, session_id, minutes=100))
    other_class = unique("class")
    await hours.deliver(event_of(a_class(other_class), source=ENROLLMENT))
    await hours.deliver(scheduled(session_id, other_class, version=2))  # the session moved to another class

    await hours.deliver(attended(person_id, session_id, source=TABLET, minutes=180))

    _, reversal, credit = await hours.ledger(person_id)
    assert (reversal.class_id, credit.class_id) == (class_id, other_class)
    [reversed_event] = await outbox_events(hours.database, HoursReversed.event_type)
    assert reversed_event.data["replaced_by_entry_id"] is None


async def test_a_void_arriving_before_its_attendance_keeps_it_from_earning_anything(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    attendance = attended(person_id, session_id)

    assert await hours.deliver(voided(attendance)) is Outcome.PARKED
    assert await hours.deliver(attendance) is Outcome.APPLIED

    assert await hours.ledger(person_id) == []
    async with hours.database.sessions() as session:
        kept = await session.get(Attendance, (DOOR, attendance.id))
    assert kept is not None and kept.credit_hours == Decimal(4)  # what it would have earned, for the record


async def test_a_void_of_parked_attendance_holds_when_it_is_applied(hours: HoursService) -> None:
    person_id, session_id, class_id = unique("person"), unique("session"), unique("class")
    await hours.deliver(registered(person_id))
    attendance = attended(person_id, session_id)
    await hours.deliver(attendance)

    assert await hours.deliver(voided(attendance)) is Outcome.PARKED
    await hours.schedule(session_id, class_id)

    assert await hours.ledger(person_id) == []
    assert await hours.parked() == []


@pytest.mark.parametrize("status", ["absent", "excused"])
async def test_absence_is_kept_but_credits_nothing(hours: HoursService, status: str) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    attendance = attended(person_id, session_id, status=status)

    assert await hours.deliver(attendance) is Outcome.APPLIED

    assert await hours.ledger(person_id) == []
    assert await outbox_events(hours.database, HoursCredited.event_type) == []
    async with hours.database.sessions() as session:
        kept = await session.get(Attendance, (DOOR, attendance.id))
    assert kept is not None and (kept.status, kept.credit_hours, kept.reason) == (status, 0, f"{status}: no 学时")


async def test_study_outside_a_session_counts_in_the_year_it_happened_in_beijing(hours: HoursService) -> None:
    person_id = unique("person")
    await hours.deliver(registered(person_id))
    new_years_eve = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 January in Beijing
    study = attended(person_id, activity={"id": "c-7", "title": "新时代党的建设", "platform": "学习强国"}, minutes=100)

    assert await hours.deliver(study.model_copy(update={"time": new_years_eve})) is Outcome.APPLIED

    [entry] = await hours.ledger(person_id)
    assert (entry.year, entry.hours, entry.class_id, entry.activity_id) == (2026, Decimal(2), None, "c-7")
    assert entry.rule == "activity/v1"
    [credited] = await outbox_events(hours.database, HoursCredited.event_type)
    assert (credited.data["activity_id"], credited.data["platform"]) == ("c-7", "学习强国")  # ids are the platform's


async def test_the_ledger_view_totals_a_year_by_class(hours: HoursService) -> None:
    person_id, spring, class_id = await known_person_and_session(hours)
    autumn_2025 = unique("session")
    await hours.deliver(scheduled(autumn_2025, class_id, starts_at=datetime(2025, 10, 9, 6, tzinfo=UTC)))
    await hours.deliver(attended(person_id, spring, minutes=130))
    await hours.deliver(attended(person_id, autumn_2025))
    online = attended(person_id, activity={"id": "c-9", "title": "党纪", "platform": "学习强国"}, hours=1.5)
    await hours.deliver(online.model_copy(update={"time": SPRING_LECTURE}))

    async with hours.database.sessions() as session:
        view = await person_hours_view(session, person_id, 2026)
        earlier = await person_hours_view(session, person_id, 2025)
        nobody = await person_hours_view(session, unique("person"), 2026)

    assert (view.total_hours, view.by_class) == (Decimal("4.00"), {class_id: Decimal("2.50")})
    assert [(c.class_id, c.required_hours) for c in view.classes] == [(class_id, Decimal(24))]
    assert [e.session_id for e in earlier.entries] == [autumn_2025]
    assert (nobody.entries, nobody.total_hours, nobody.by_class) == ([], 0, {})


# ── POST /attendance's handler: receipts and forwarding ────────────────────────────────────────────────────


def document(event: CloudEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude_none=True)


# The campus attendance gateway: it relays the door readers and the class managers' tablets.
GATEWAY = Principal("door-3", frozenset({Role.INGEST}), sources=("urn:dangxiao:door:*", TABLET))


async def ingest(
    database: Database, documents: list[Any], sender: Principal = GATEWAY
) -> list[tuple[str | None, IngestOutcome, str | None]]:
    async with unit_of_work_factory(database)() as uow:
        report = await ingest_attendance(uow, documents, ATTENDANCE_TOPIC, sender)
        await uow.commit()
    assert sum(report.counts.values()) == len(documents)
    return [(result.id, result.outcome, result.reason) for result in report.results]


async def outbox_rows(database: Database) -> list[OutboxMessage]:
    async with database.sessions() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def test_ingest_forwards_each_valid_new_event_once_and_names_every_outcome(sqlite_database) -> None:
    database = await sqlite_database("hours")
    person_id = unique("person")
    swipe = attended(person_id, unique("session"), minutes=170)
    void = voided(attended(person_id, unique("session")))
    altered = document(swipe) | {"data": {**swipe.data, "minutes": 180}}
    enrollment_event = registered(person_id)
    no_person = attended(person_id, unique("session")).model_copy(update={"data": {"session_id": "s-1"}})

    outcomes = await ingest(
        database,
        [
            document(swipe),
            document(void),
            document(swipe),
            altered,
            document(enrollment_event),
            document(no_person),
            42,
        ],
    )

    assert [(event_id, outcome) for event_id, outcome, _ in outcomes] == [
        (swipe.id, "accepted"),
        (void.id, "accepted"),
        (swipe.id, "duplicate"),
        (swipe.id, "rejected"),
        (enrollment_event.id, "rejected"),
        (no_person.id, "rejected"),
        (None, "rejected"),
    ]
    # The refusal codes are those the Kafka door dead-letters with (docs/events.md).
    assert [reason for _, _, reason in outcomes] == [
        None,
        None,
        None,
        "conflicting-duplicate",
        "unknown-event-type",
        "invalid-data",
        "not-a-cloudevent",
    ]

    rows = await outbox_rows(database)
    assert [(row.topic, row.key, row.event_id) for row in rows] == [
        (ATTENDANCE_TOPIC, person_id, swipe.id),
        (ATTENDANCE_TOPIC, person_id, void.id),  # keyed by its subject: behind the attendance it voids
    ]
    # Forwarded unchanged, id and all: it takes effect through the consumer like any Kafka record.
    assert CloudEvent.model_validate_json(rows[0].payload).digest() == swipe.digest()
    # The inbox remembers what the door accepted: the consumer will still apply it, once.
    async with database.sessions() as session:
        received = (await session.exec(select(InboxRecord))).all()
    assert {(r.source, r.event_id, r.outcome) for r in received} == {
        (DOOR, swipe.id, "forwarded"),
        (TABLET, void.id, "forwarded"),
    }

    # Sent again later: a duplicate, nothing forwarded again.
    assert await ingest(database, [document(swipe)]) == [(swipe.id, "duplicate", None)]
    assert len(await outbox_rows(database)) == 2


async def test_ids_are_unique_per_source_so_two_senders_may_use_the_same_one(sqlite_database) -> None:
    database = await sqlite_database("hours")
    person_id = unique("person")
    door = attended(person_id, unique("session"))
    tablet = attended(person_id, unique("session"), source=TABLET).model_copy(update={"id": door.id})

    outcomes = await ingest(database, [document(door), document(tablet)])

    assert [outcome for _, outcome, _ in outcomes] == ["accepted", "accepted"]
    assert [row.event_id for row in await outbox_rows(database)] == [door.id, door.id]


async def test_an_event_received_over_http_takes_effect_through_the_consumer(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    swipe = attended(person_id, session_id)
    await ingest(hours.database, [document(swipe)])
    assert await hours.ledger(person_id) == []  # the door credits nothing itself

    [forwarded] = [row for row in await outbox_rows(hours.database) if row.event_id == swipe.id]
    relayed = InboundRecord(
        topic=forwarded.topic,
        partition=0,
        offset=0,
        key=forwarded.key.encode(),
        value=forwarded.payload.encode(),
        headers=[("content-type", STRUCTURED_CONTENT_TYPE.encode())],
    )
    assert await hours.consumer.consume(relayed) is Outcome.APPLIED
    assert await hours.deliver(swipe) is Outcome.DUPLICATE  # the same event sent to Kafka directly as well
    assert [entry.hours for entry in await hours.ledger(person_id)] == [Decimal(4)]


async def test_a_system_sends_only_as_itself_and_takes_back_only_its_own_attendance(sqlite_database) -> None:
    database = await sqlite_database("hours")
    door_only = Principal("door-7", frozenset({Role.INGEST}), sources=(DOOR,))
    person_id = unique("person")
    own = attended(person_id, unique("session"))
    the_tablets = attended(person_id, unique("session"), source=TABLET)
    own_void = voided(own).model_copy(update={"source": DOOR})
    void_of_the_tablets = voided(the_tablets).model_copy(update={"source": DOOR})

    outcomes = await ingest(
        database, [document(e) for e in (own, the_tablets, own_void, void_of_the_tablets)], sender=door_only
    )

    assert [outcome for _, outcome, _ in outcomes] == ["accepted", "rejected", "accepted", "rejected"]
    assert [reason for _, _, reason in outcomes] == [None, "source-not-allowed", None, "source-not-allowed"]
    admin = Principal("admin-1", frozenset({Role.ADMIN}))
    assert [o for _, o, _ in await ingest(database, [document(the_tablets)], sender=admin)] == ["accepted"]


# ── Crediting by the rulebook ──────────────────────────────────────────────────────────────────────────────────

SEPTEMBER_1 = datetime(2026, 9, 1, 1, tzinfo=UTC)  # 09:00 in Beijing: v2 of the default session rule from today
AUGUST_31 = datetime(2026, 8, 31, 1, tzinfo=UTC)


@pytest.fixture
async def ruled(sqlite_database) -> HoursService:
    """The hours service crediting by the rulebook of test_hours_rules (categories, teaching modes, versions)."""
    return hours_service(await sqlite_database("hours"), HoursRules(BOOK, BUILT_IN_REQUIREMENTS))


async def credited_rule(hours: HoursService, starts_at: datetime, minutes: int, **klass: Any) -> tuple[str, str, str]:
    """(hours, rule, reason) credited for ``minutes`` of a 180-minute, 4-学时 session of a class like ``klass``."""
    person_id, session_id, class_id = unique("person"), unique("session"), unique("class")
    await hours.deliver(registered(person_id))
    await hours.deliver(event_of(a_class(class_id, **klass), source=ENROLLMENT))
    teaching_mode = klass.pop("teaching_mode", "lecture")
    await hours.deliver(
        event_of(a_session(session_id, class_id, starts_at=starts_at, teaching_mode=teaching_mode), source=ENROLLMENT)
    )
    assert await hours.deliver(attended(person_id, session_id, minutes=minutes)) is Outcome.APPLIED
    [entry] = await hours.ledger(person_id)
    return str(entry.hours), entry.rule or "", entry.reason


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        (AUGUST_31, ("3.50", "session-tolerance/v1", "attended 160 of 180 min, more than 15 min short")),
        (SEPTEMBER_1, ("4.00", "session-tolerance/v2", "attended 160 of 180 min, within 20 min tolerance")),
    ],
)
async def test_the_rule_in_force_on_the_day_of_the_session_credits_it(
    ruled: HoursService, starts_at: datetime, expected: tuple[str, str, str]
) -> None:
    hours, rule, reason = await credited_rule(ruled, starts_at, 160, category="member_rotation")
    assert (hours, rule) == expected[:2]
    assert reason.startswith(expected[2])


@pytest.mark.parametrize(
    ("klass", "rule"),
    [
        ({"category": "development_targets"}, "session-lenient/v1"),  # the category's own rule
        ({"category": "member_rotation", "teaching_mode": "on_site"}, "session-field/v1"),  # on-site teaching
        ({"category": "development_targets", "crediting_rule": "session-field/v1"}, "session-field/v1"),
    ],
)
async def test_category_teaching_mode_and_the_class_own_choice_pick_the_rule(
    ruled: HoursService, klass: dict[str, Any], rule: str
) -> None:
    assert (await credited_rule(ruled, SEPTEMBER_1, 180, **klass))[1] == rule


async def test_a_class_naming_a_rule_the_rulebook_lacks_is_credited_by_its_default_and_the_reason_says_so(
    ruled: HoursService,
) -> None:
    _, rule, reason = await credited_rule(ruled, SEPTEMBER_1, 180, crediting_rule="session-strict/v9")
    assert rule == "session-lenient/v1"  # the rulebook's choice for a development targets class
    assert reason.endswith("(the class names session-strict/v9, which the rulebook lacks: its default applies)")


async def test_attendance_no_rule_is_in_force_for_is_dead_lettered_and_the_rest_goes_on(sqlite_database) -> None:
    too_late = parse_rulebook(
        {
            "entries": [
                {"rule": "session-tolerance/v1", "from": "2027-01-01"},
                {"rule": "activity/v1", "from": "2000-01-01"},
            ]
        }
    )
    hours = hours_service(await sqlite_database("hours"), HoursRules(too_late, BUILT_IN_REQUIREMENTS))
    person_id, session_id, _ = await known_person_and_session(hours)
    study = attended(person_id, activity={"id": "c-1", "title": "党史", "platform": "学习强国"}, minutes=90)

    assert await hours.deliver(attended(person_id, session_id)) is Outcome.DEAD_LETTERED
    assert await hours.deliver(study) is Outcome.APPLIED

    assert hours.dead_letters.codes == ["no-crediting-rule"]
    assert "no session rule is in force on 2026-03-02" in hours.dead_letters.letters[0][2]


# ── Yearly caps per platform: kept as state ──────────────────────────────────────────────────────────────────


def online_study(person_id: str, course: str, reported: str, when: datetime) -> CloudEvent:
    """Online study of a course on 学习强国, which reports its own 学时 (capped at 20 a year by the rulebook)."""
    event = attended(
        person_id,
        source="urn:dangxiao:platform:xxqg",
        activity={"id": course, "title": "党史学习", "platform": "学习强国"},
        hours=reported,
        minutes=60,
    )
    return event.model_copy(update={"time": when})


async def test_a_yearly_cap_per_platform_counts_what_the_ledger_holds_that_year(ruled: HoursService) -> None:
    person_id = unique("person")
    await ruled.deliver(registered(person_id))
    studies = [online_study(person_id, f"c-{n}", "6", SEPTEMBER_1 + timedelta(days=n)) for n in range(5)]
    for study in studies:
        await ruled.deliver(study)

    assert [(entry.hours, entry.rule) for entry in await ruled.ledger(person_id)] == [
        (Decimal(6), "academy-online/v1"),
        (Decimal(6), "academy-online/v1"),
        (Decimal(6), "academy-online/v1"),
        (Decimal(2), "academy-online/v1"),  # 18 held: 2 left under the cap of 20
    ]
    async with ruled.database.sessions() as session:
        fifth = await session.get(Attendance, (studies[4].source, studies[4].id))
    assert fifth is not None and fifth.credit_hours == 0
    assert "yearly cap of 20 学时 on 学习强国 reached (20 already credited this year): no 学时" in fifth.reason

    # Taking back the first frees its 6 学时; the next course has room again, and a new year starts afresh.
    await ruled.deliver(voided(studies[0]).model_copy(update={"time": SEPTEMBER_1 + timedelta(days=29)}))
    await ruled.deliver(online_study(person_id, "c-late", "6", SEPTEMBER_1 + timedelta(days=30)))
    await ruled.deliver(online_study(person_id, "c-2027", "6", datetime(2027, 1, 1, 1, tzinfo=UTC)))
    assert [(e.kind, e.hours, e.year) for e in (await ruled.ledger(person_id))[-3:]] == [
        ("reversal", Decimal(6), 2026),
        ("credit", Decimal(6), 2026),
        ("credit", Decimal(6), 2027),
    ]
    async with ruled.database.sessions() as session:
        held = {(row.year, row.hours) for row in (await session.exec(select(PlatformYear))).all()}
    assert held == {(2026, Decimal(20)), (2027, Decimal(6))}


async def test_a_cap_holds_within_one_batch_as_it_does_one_event_at_a_time(ruled: HoursService) -> None:
    person_id = unique("person")
    await ruled.deliver(registered(person_id))
    studies = [online_study(person_id, f"c-{n}", "8", SEPTEMBER_1 + timedelta(days=n)) for n in range(3)]

    await ruled.consumer.consume_batch(
        [structured_record(study, ATTENDANCE_TOPIC, n) for n, study in enumerate(studies)]
    )

    assert [entry.hours for entry in await ruled.ledger(person_id)] == [Decimal(8), Decimal(8), Decimal(4)]


async def test_a_better_report_of_the_same_course_is_measured_without_its_own_earlier_credit(
    ruled: HoursService,
) -> None:
    person_id = unique("person")
    await ruled.deliver(registered(person_id))
    for n in range(3):
        await ruled.deliver(online_study(person_id, f"c-{n}", "5", SEPTEMBER_1 + timedelta(days=n)))
    corrected = online_study(person_id, "c-2", "8", SEPTEMBER_1 + timedelta(days=3))

    await ruled.deliver(corrected.model_copy(update={"source": TABLET}))

    # 10 held by the other two courses: course c-2 may hold 10 of the cap, so 8 replace its 5.
    assert [(e.kind, e.hours) for e in (await ruled.ledger(person_id))[-2:]] == [
        ("reversal", Decimal(5)),
        ("credit", Decimal(8)),
    ]


async def test_a_reversal_names_the_rule_of_the_credit_it_takes_back(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    attendance = attended(person_id, session_id)
    await hours.deliver(attendance)
    await hours.deliver(voided(attendance))

    credit, reversal = await hours.ledger(person_id)
    assert reversal.rule == credit.rule == "session-tolerance/v1"


# ── What a learner's record of a session shows ──────────────────────────────────────────────────────────────


async def shown(hours: HoursService, person_id: str) -> list[tuple[int, str, int | None, str]]:
    """(revision, status, minutes, 学时) of every SessionAttendanceChanged of the person, in order."""
    return [
        (event.data["revision"], event.data["status"], event.data["minutes"], event.data["hours"])
        for event in await outbox_events(hours.database, SessionAttendanceChanged.event_type)
        if event.data["person_id"] == person_id
    ]


async def test_each_change_of_what_a_session_record_shows_is_announced_with_a_growing_revision(
    hours: HoursService,
) -> None:
    person_id, session_id, class_id = await known_person_and_session(hours)
    swipe = attended(person_id, session_id, status="late", minutes=100)
    tablet = attended(person_id, session_id, source=TABLET, minutes=180)

    await hours.deliver(swipe)
    await hours.deliver(tablet)
    await hours.deliver(attended(person_id, session_id, minutes=120))  # earns less: the record shows the same
    await hours.deliver(voided(tablet))
    await hours.deliver(voided(swipe))  # not what stands: the record shows the same

    assert await shown(hours, person_id) == [
        (1, "late", 100, "2.00"),
        (2, "present", 180, "4.00"),
        (3, "present", 120, "2.50"),  # the tablet's report taken back: the next best stands
    ]
    [first, *_] = await outbox_events(hours.database, SessionAttendanceChanged.event_type)
    assert (first.data["session_id"], first.data["class_id"], first.causationid) == (session_id, class_id, swipe.id)


async def test_an_absence_is_announced_and_so_is_a_record_with_every_report_voided(hours: HoursService) -> None:
    person_id, session_id, _ = await known_person_and_session(hours)
    absent = attended(person_id, session_id, status="excused")

    await hours.deliver(absent)
    await hours.deliver(voided(absent))

    assert await shown(hours, person_id) == [(1, "excused", None, "0.00"), (2, "none", None, "0.00")]


async def test_a_platform_capped_by_a_newer_rulebook_counts_what_it_credited_before(sqlite_database) -> None:
    """Yearly totals are kept only for capped platforms; one capped later is counted once from the ledger."""
    database = await sqlite_database("hours")
    person_id = unique("person")
    uncapped = hours_service(database)  # the built-in rules cap no platform
    await uncapped.deliver(registered(person_id))
    for n in range(2):
        await uncapped.deliver(online_study(person_id, f"c-{n}", "6", SEPTEMBER_1 + timedelta(days=n)))
    async with database.sessions() as session:
        assert (await session.exec(select(PlatformYear))).all() == []

    capped = hours_service(database, HoursRules(BOOK, BUILT_IN_REQUIREMENTS))  # 20 a year on 学习强国
    await capped.deliver(online_study(person_id, "c-2", "6", SEPTEMBER_1 + timedelta(days=2)))
    await capped.deliver(online_study(person_id, "c-3", "6", SEPTEMBER_1 + timedelta(days=3)))

    assert [entry.hours for entry in await capped.ledger(person_id)] == [6, 6, 6, Decimal(2)]
    async with database.sessions() as session:
        [held] = (await session.exec(select(PlatformYear))).all()
    assert (held.platform, held.year, held.hours) == ("学习强国", 2026, Decimal(20))
