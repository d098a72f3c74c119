"""The shared projection helper, through the hours service's projections of the register (sessions need their
class): newer states overwrite, older ones are ignored, and what refers to the unknown waits for it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from services.hours.handlers import handlers
from services.hours.models import ProjectedClass, ProjectedSession
from shared.consumer import Outcome
from shared.db import Database
from shared.events.envelope import EventData
from shared.metrics import PARKED_EVENTS, PARKED_OLDEST_AGE_SECONDS, REGISTRY
from shared.unit_of_work import ParkedEvent, observe_parking
from tests.support import a_class, a_session, consumer_for, event_of, structured_record

MONDAY = datetime(2026, 3, 2, 1, tzinfo=UTC)


async def deliver(database: Database, *states: EventData) -> list[Outcome]:
    """One batch, in order, as one poll of the register's topics would bring it."""
    consumer, dead_letters = consumer_for(handlers, database, service="hours")
    outcomes = await consumer.consume_batch(
        [structured_record(event_of(state), state.topic, offset) for offset, state in enumerate(states)]
    )
    assert dead_letters.letters == []
    return outcomes


async def stored_session(database: Database, session_id: str) -> ProjectedSession | None:
    async with database.sessions() as session:
        return await session.get(ProjectedSession, session_id)


async def parked(database: Database) -> list[tuple[str, str]]:
    async with database.sessions() as session:
        return [(row.event_type, row.waiting_for) for row in (await session.exec(select(ParkedEvent))).all()]


async def test_a_newer_state_overwrites_and_an_older_or_repeated_one_is_ignored(sqlite_database) -> None:
    database = await sqlite_database("hours")
    await deliver(database, a_class("c1"))

    outcomes = await deliver(
        database,
        a_session("s1", "c1", starts_at=MONDAY, hours="2", minutes=90),
        a_session("s1", "c1", starts_at=MONDAY, hours="4", minutes=180, version=3),
        a_session("s1", "c1", starts_at=MONDAY, hours="3", minutes=135, version=2),  # late, and older
    )
    again = await deliver(database, a_session("s1", "c1", starts_at=MONDAY, hours="1", minutes=45, version=3))

    assert outcomes == [Outcome.APPLIED, Outcome.APPLIED, Outcome.IGNORED]
    assert again == [Outcome.IGNORED]  # the same version once more changes nothing
    kept = await stored_session(database, "s1")
    assert kept is not None and (kept.version, kept.hours, kept.duration_minutes) == (3, 4, 180)


async def test_a_state_referring_to_the_unknown_waits_for_it_and_is_kept_when_it_arrives(sqlite_database) -> None:
    database = await sqlite_database("hours")

    assert await deliver(database, a_session("s1", "c1", starts_at=MONDAY)) == [Outcome.PARKED]
    assert await stored_session(database, "s1") is None
    assert await parked(database) == [("dangxiao.enrollment.session_changed.v1", "class:c1")]
    await observe_parking(database, "hours")
    assert PARKED_EVENTS.labels("hours", "class")._value.get() == 1
    assert PARKED_OLDEST_AGE_SECONDS.labels("hours")._value.get() >= 0

    assert await deliver(database, a_class("c1")) == [Outcome.APPLIED]

    assert await stored_session(database, "s1") is not None
    assert await parked(database) == []
    await observe_parking(database, "hours")
    assert PARKED_EVENTS.labels("hours", "class")._value.get() == 0
    waited = REGISTRY.get_sample_value(
        "dangxiao_parked_seconds_count",
        {"service": "hours", "event_type": "dangxiao.enrollment.session_changed.v1"},
    )
    assert waited is not None and waited >= 1


async def test_a_state_and_what_it_refers_to_in_one_batch_are_both_kept_in_either_order(sqlite_database) -> None:
    database = await sqlite_database("hours")

    class_first = await deliver(database, a_class("c1"), a_session("s1", "c1", starts_at=MONDAY))
    session_first = await deliver(database, a_session("s2", "c2", starts_at=MONDAY), a_class("c2"))

    assert class_first == [Outcome.APPLIED, Outcome.APPLIED]
    assert session_first == [Outcome.PARKED, Outcome.APPLIED]  # waited only until later in its own batch
    assert await stored_session(database, "s1") is not None
    assert await stored_session(database, "s2") is not None
    assert await parked(database) == []


async def test_an_older_state_released_from_parking_does_not_overwrite_a_newer_one(sqlite_database) -> None:
    database = await sqlite_database("hours")
    await deliver(database, a_class("c2"))

    await deliver(database, a_session("s1", "c1", starts_at=MONDAY, hours="2", minutes=90))  # waits for c1
    await deliver(database, a_session("s1", "c2", starts_at=MONDAY, hours="4", minutes=180, version=2))
    await deliver(database, a_class("c1"))

    kept = await stored_session(database, "s1")
    assert kept is not None and (kept.version, kept.class_id, kept.hours) == (2, "c2", 4)
    async with database.sessions() as session:
        assert {row.class_id for row in (await session.exec(select(ProjectedClass))).all()} == {"c1", "c2"}
