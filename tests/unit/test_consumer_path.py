"""The one path every consumed event takes (shared.consumer), with a small handler registry of its own."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import select

from shared.consumer import EventHandlers, Outcome, is_outage
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.register import CLASSES_TOPIC, PERSONS_TOPIC, EnrollmentChanged, PersonChanged
from shared.events.envelope import EVENT_ID_NAMESPACE, CloudEvent, ContractViolation
from shared.outbox import OutboxMessage
from shared.unit_of_work import UnitOfWork
from tests.support import REGISTERED_AT, a_class, a_person, consumer_for, event_of, outbox_events, structured_record

ENROLLMENT_TOPIC = PERSONS_TOPIC  # the topic these tests' events travel on


def enrollment_of(person_id: str) -> EnrollmentChanged:
    return EnrollmentChanged(
        enrollment_id=f"e-{person_id}",
        class_id="c",
        person_id=person_id,
        status="approved",
        version=1,
        changed_at=REGISTERED_AT,
    )


@dataclass
class Script:
    """A handler that fails a set number of times, then emits an event (so effects are visible)."""

    failures_left: int = 0
    failure: Exception = field(default_factory=lambda: RuntimeError("a bug, or a race lost to another instance"))
    calls: list[str] = field(default_factory=list)

    async def __call__(self, uow: UnitOfWork, event: CloudEvent, data: PersonChanged) -> Outcome | None:
        self.calls.append(data.person_id)
        uow.emit(enrollment_of(data.person_id))
        if self.failures_left:
            self.failures_left -= 1
            raise self.failure
        if data.name == "reject me":
            raise ContractViolation("unknown-person-kind", "this handler refuses it")
        if data.name == "poison":
            raise RuntimeError("a bug this event triggers every time")
        return None


def registry(script: Script) -> EventHandlers:
    handlers = EventHandlers()
    handlers.on(PersonChanged)(script)
    return handlers


def registered(person_id: str, name: str = "李四", **attributes: object) -> CloudEvent:
    return event_of(a_person(person_id, name=name), **attributes)


async def test_an_event_is_applied_once_and_its_repeat_has_no_further_effect(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script()
    consumer, dead_letters = consumer_for(registry(script), database)
    event = registered("p1")

    assert await consumer.consume(structured_record(event, ENROLLMENT_TOPIC)) is Outcome.APPLIED
    assert await consumer.consume(structured_record(event, ENROLLMENT_TOPIC, offset=1)) is Outcome.DUPLICATE

    assert script.calls == ["p1"]
    [caused] = await outbox_events(database)
    # What an event causes continues its correlation (an event without one starts it), names it as the cause,
    # takes its time, and has an id derived from what it announces.
    assert (caused.correlationid, caused.causationid, caused.time) == (event.id, event.id, event.time)
    assert caused.id == str(uuid.uuid5(EVENT_ID_NAMESPACE, f"urn:dangxiao:test\n{caused.type}\ne-p1@1"))
    assert dead_letters.letters == []


async def test_a_repeat_with_different_content_changes_nothing_and_is_dead_lettered(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script()
    consumer, dead_letters = consumer_for(registry(script), database)
    first = registered("p1")
    altered = first.model_copy(update={"data": {**first.data, "name": "王五"}})

    await consumer.consume(structured_record(first, ENROLLMENT_TOPIC))
    assert await consumer.consume(structured_record(altered, ENROLLMENT_TOPIC)) is Outcome.DEAD_LETTERED

    assert dead_letters.codes == ["conflicting-duplicate"]
    assert script.calls == ["p1"]


async def test_transient_failures_are_retried_and_leave_no_half_done_effects(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script(failures_left=2)
    consumer, dead_letters = consumer_for(registry(script), database, max_attempts=3)

    assert await consumer.consume(structured_record(registered("p1"), ENROLLMENT_TOPIC)) is Outcome.APPLIED

    assert script.calls == ["p1", "p1", "p1"]
    # Each failed attempt emitted an event too; only the committed attempt's survives.
    assert len(await outbox_events(database)) == 1
    assert dead_letters.letters == []


async def test_an_event_that_keeps_failing_is_dead_lettered_after_the_bounded_attempts(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script(failures_left=10)
    consumer, dead_letters = consumer_for(registry(script), database, max_attempts=3)

    assert await consumer.consume(structured_record(registered("p1"), ENROLLMENT_TOPIC)) is Outcome.DEAD_LETTERED

    assert len(script.calls) == 3
    assert dead_letters.codes == ["processing-failed"]
    assert "gave up after 3 attempts" in dead_letters.letters[0][2]
    assert await outbox_events(database) == []


async def test_a_handler_rejection_is_dead_lettered_at_once_and_the_next_event_goes_through(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script()
    consumer, dead_letters = consumer_for(registry(script), database)

    rejected = await consumer.consume(structured_record(registered("p1", name="reject me"), ENROLLMENT_TOPIC))
    accepted = await consumer.consume(structured_record(registered("p2"), ENROLLMENT_TOPIC, offset=1))

    assert (rejected, accepted) == (Outcome.DEAD_LETTERED, Outcome.APPLIED)
    assert dead_letters.codes == ["unknown-person-kind"]
    assert [e.data["person_id"] for e in await outbox_events(database)] == ["p2"]


async def test_unknown_types_break_the_outside_contract_but_are_newer_versions_inside(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    consumer, dead_letters = consumer_for(registry(Script()), database)
    unknown_outside = event_of({"x": 1}, event_type="dangxiao.attendance.guessed.v1")
    newer_inside = event_of({"x": 1}, event_type="dangxiao.enrollment.class_changed.v2")
    unhandled = event_of(a_class("c"))

    assert await consumer.consume(structured_record(unknown_outside, ATTENDANCE_TOPIC)) is Outcome.DEAD_LETTERED
    assert await consumer.consume(structured_record(newer_inside, CLASSES_TOPIC)) is Outcome.IGNORED
    assert await consumer.consume(structured_record(unhandled, CLASSES_TOPIC)) is Outcome.IGNORED
    assert dead_letters.codes == ["unknown-event-type"]


async def test_an_outage_is_waited_out_however_many_attempts_it_takes(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script(failures_left=8, failure=OperationalError("SELECT 1", {}, ConnectionError("server closed")))
    consumer, dead_letters = consumer_for(registry(script), database, max_attempts=3)

    assert await consumer.consume(structured_record(registered("p1"), ENROLLMENT_TOPIC)) is Outcome.APPLIED

    assert len(script.calls) == 9
    assert dead_letters.letters == []
    assert len(await outbox_events(database)) == 1


async def test_an_outage_longer_than_the_patience_leaves_the_record_for_redelivery(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script(failures_left=10**6, failure=ConnectionRefusedError("database unreachable"))
    consumer, dead_letters = consumer_for(registry(script), database, outage_patience_seconds=0.05)

    with pytest.raises(ConnectionRefusedError):
        await consumer.consume(structured_record(registered("p1"), ENROLLMENT_TOPIC))

    assert len(script.calls) > 1
    assert dead_letters.letters == []


async def test_malformed_records_and_invalid_data_are_dead_lettered_with_their_reason(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    consumer, dead_letters = consumer_for(registry(Script()), database)
    broken = structured_record(registered("p1"), ENROLLMENT_TOPIC)
    broken = type(broken)(**{**broken.__dict__, "value": b'{"specversion": "1.0", '})
    invalid = event_of(
        {"person_id": "p1", "version": 1, "changed_at": "2026-11-02T09:00:00+08:00"},
        event_type=PersonChanged.event_type,
    )

    assert await consumer.consume(broken) is Outcome.DEAD_LETTERED
    assert await consumer.consume(structured_record(invalid, ENROLLMENT_TOPIC)) is Outcome.DEAD_LETTERED
    assert dead_letters.codes == ["malformed-json", "invalid-data"]
    assert "name" in dead_letters.letters[1][2]


async def test_units_of_work_on_sqlite_never_interleave_a_read_and_a_write(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    handlers = EventHandlers()

    @handlers.on(PersonChanged)
    async def number_the_next(uow: UnitOfWork, event: CloudEvent, data: PersonChanged) -> None:
        numbered = len((await uow.session.exec(select(OutboxMessage))).all())
        await asyncio.sleep(0.001)  # another unit of work runs here, if it can
        uow.emit(enrollment_of(f"n{numbered}"))

    consumers = [consumer_for(handlers, database)[0] for _ in range(4)]
    records = [structured_record(registered(f"p{n}"), ENROLLMENT_TOPIC, offset=n) for n in range(20)]
    await asyncio.gather(*(consumers[n % 4].consume(record) for n, record in enumerate(records)))

    numbers = sorted(event.data["person_id"] for event in await outbox_events(database))
    assert numbers == sorted(f"n{n}" for n in range(20))


class PostgresError(Exception):
    """Stands in for asyncpg's error as SQLAlchemy hands it over: it carries the SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "outage"),
    [
        ("57P03", True),  # the database system is starting up
        ("57P01", True),  # admin shutdown
        ("53300", True),  # too many connections
        ("08006", True),  # connection failure
        ("25006", True),  # read-only transaction: a replica after failover
        ("40P01", True),  # deadlock detected: another transaction won
        ("42P01", False),  # undefined table: a bug, not an outage
        ("23505", False),  # unique violation: a race the next attempt resolves, counted
        ("22003", False),  # numeric value out of range: the event's own fault
    ],
)
def test_postgresql_errors_are_told_apart_by_their_sqlstate(sqlstate: str, outage: bool) -> None:
    assert is_outage(DBAPIError("SELECT 1", {}, PostgresError(sqlstate))) is outage


def test_sqlite_errors_are_told_apart_by_their_result_code(tmp_path) -> None:
    path = tmp_path / "codes.db"
    holder, waiter = sqlite3.connect(path, timeout=0), sqlite3.connect(path, timeout=0)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("INSERT INTO t VALUES (1)")  # holds the write lock, uncommitted
    with pytest.raises(sqlite3.OperationalError) as locked:
        waiter.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(sqlite3.OperationalError) as missing:
        waiter.execute("SELECT * FROM no_such_table")
    holder.close()
    waiter.close()

    assert is_outage(OperationalError("INSERT", {}, locked.value))
    assert not is_outage(OperationalError("SELECT", {}, missing.value))


def test_a_refused_connection_or_an_exhausted_pool_is_an_outage_and_a_bug_is_not() -> None:
    assert is_outage(ConnectionRefusedError(111, "Connection refused"))
    assert is_outage(PoolTimeoutError("QueuePool limit reached"))
    assert not is_outage(KeyError("session_id"))


# ── batches ───────────────────────────────────────────────────────────────────────────────────────────


def batch(*events: CloudEvent | bytes) -> list:
    """Records of one poll, in order; bytes stand for a record that is not even JSON."""
    records = []
    for offset, event in enumerate(events):
        record = structured_record(registered("x") if isinstance(event, bytes) else event, ENROLLMENT_TOPIC, offset)
        if isinstance(event, bytes):
            record = type(record)(**{**record.__dict__, "value": event})
        records.append(record)
    return records


async def emitted_for(database) -> list[str]:
    return sorted(event.data["person_id"] for event in await outbox_events(database))


async def test_a_batch_is_applied_in_one_unit_of_work_and_a_malformed_record_in_it_goes_alone(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script()
    consumer, dead_letters = consumer_for(registry(script), database)

    outcomes = await consumer.consume_batch(batch(registered("p1"), b"{not json", registered("p2")))

    assert outcomes == [Outcome.APPLIED, Outcome.DEAD_LETTERED, Outcome.APPLIED]
    assert script.calls == ["p1", "p2"]  # each applied once, in one go
    assert dead_letters.codes == ["malformed-json"]
    assert await emitted_for(database) == ["p1", "p2"]


@pytest.mark.parametrize("name", ["poison", "reject me"])
async def test_an_event_that_fails_its_batch_is_dead_lettered_and_the_rest_are_applied_once(
    sqlite_database, name: str
) -> None:
    database = await sqlite_database("enrollment")
    script = Script()
    consumer, dead_letters = consumer_for(registry(script), database, max_attempts=3)

    outcomes = await consumer.consume_batch(batch(registered("p1"), registered("p2", name=name), registered("p3")))

    assert outcomes == [Outcome.APPLIED, Outcome.DEAD_LETTERED, Outcome.APPLIED]
    # The whole batch once, then one event at a time: the bad one up to its bounded attempts (a rejection at once).
    attempts = 3 if name == "poison" else 1
    assert script.calls == ["p1", "p2", "p1", *["p2"] * attempts, "p3"]
    assert dead_letters.codes == ["processing-failed" if name == "poison" else "unknown-person-kind"]
    assert await emitted_for(database) == ["p1", "p3"]  # nothing of the failed attempts, nothing twice


async def test_duplicates_inside_a_batch_and_across_batches_count_once(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script()
    consumer, dead_letters = consumer_for(registry(script), database)
    p1, p2 = registered("p1"), registered("p2")
    p1_altered = p1.model_copy(update={"data": {**p1.data, "name": "王五"}})

    first = await consumer.consume_batch(batch(p1, p2, p1, p1_altered))
    second = await consumer.consume_batch(batch(p2, p1_altered, p1))

    assert first == [Outcome.APPLIED, Outcome.APPLIED, Outcome.DUPLICATE, Outcome.DEAD_LETTERED]
    assert second == [Outcome.DUPLICATE, Outcome.DEAD_LETTERED, Outcome.DUPLICATE]
    assert dead_letters.codes == ["conflicting-duplicate"] * 2
    assert script.calls == ["p1", "p2"]
    assert await emitted_for(database) == ["p1", "p2"]


async def test_an_outage_during_a_batch_is_waited_out_and_the_batch_applied_once(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    script = Script(failures_left=2, failure=OperationalError("COMMIT", {}, ConnectionError("server closed")))
    consumer, dead_letters = consumer_for(registry(script), database, max_attempts=1)

    outcomes = await consumer.consume_batch(batch(registered("p1"), registered("p2")))

    assert outcomes == [Outcome.APPLIED, Outcome.APPLIED]
    assert dead_letters.letters == []
    assert await emitted_for(database) == ["p1", "p2"]
