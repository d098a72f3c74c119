"""The hours service's ledger rules on PostgreSQL, where concurrent writers really run side by side."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from services.hours.configuration import HoursRules
from services.hours.domain.requirements import BUILT_IN_REQUIREMENTS
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.migrations import differences
from tests.conftest import CreateDatabase
from tests.support import SERVICES, a_person, event_of, migrated_database, structured_record, unique
from tests.unit import test_hours_handlers as handler_tests
from tests.unit import test_hours_progress as progress_tests
from tests.unit import test_projection as projection_tests
from tests.unit import test_replay as replay_tests
from tests.unit.test_hours_handlers import (
    ENROLLMENT,
    attended,
    hours_service,
    race_sessions_against_attendance,
    registered,
    voided,
)
from tests.unit.test_hours_progress import MEMBER
from tests.unit.test_hours_rules import BOOK

pytestmark = pytest.mark.integration


async def test_attendance_and_its_session_handled_at_the_same_time_are_never_left_parked(
    create_postgres_database: CreateDatabase,
) -> None:
    database = await migrated_database(await create_postgres_database("hours"), "hours")
    try:
        await race_sessions_against_attendance(database, rounds=30)
    finally:
        await database.dispose()


async def test_concurrent_attendance_for_one_person_and_session_credits_the_best_once(
    create_postgres_database: CreateDatabase,
) -> None:
    database = await migrated_database(await create_postgres_database("hours"), "hours")
    consumers = [hours_service(database) for _ in range(4)]
    person_id, session_id = unique("person"), unique("session")
    try:
        await consumers[0].deliver(registered(person_id))
        await consumers[0].schedule(session_id, unique("class"))
        reports = [attended(person_id, session_id, minutes=minutes) for minutes in (60, 100, 175, 120)]
        await asyncio.gather(*(c.deliver(report) for c, report in zip(consumers, reports, strict=True)))
        assert await consumers[0].total(person_id) == Decimal(4)
    finally:
        await database.dispose()


async def test_the_migrations_build_exactly_what_the_models_describe_on_postgresql(
    create_postgres_database: CreateDatabase,
) -> None:
    for service in SERVICES:
        database = await migrated_database(await create_postgres_database(service), service)
        try:
            assert await differences(database.url, service) == [], service
        finally:
            await database.dispose()


@pytest.mark.parametrize(
    "scenario",
    [
        projection_tests.test_a_newer_state_overwrites_and_an_older_or_repeated_one_is_ignored,
        projection_tests.test_a_state_referring_to_the_unknown_waits_for_it_and_is_kept_when_it_arrives,
        projection_tests.test_a_state_and_what_it_refers_to_in_one_batch_are_both_kept_in_either_order,
        projection_tests.test_an_older_state_released_from_parking_does_not_overwrite_a_newer_one,
    ],
    ids=lambda scenario: scenario.__name__.removeprefix("test_"),
)
async def test_projections_on_postgresql(create_postgres_database: CreateDatabase, scenario) -> None:
    """The shared projection helper's upsert-if-newer and parking, on PostgreSQL's own statements."""
    databases = []

    async def migrated(service: str):
        databases.append(await migrated_database(await create_postgres_database(service), service))
        return databases[-1]

    try:
        await scenario(migrated)
    finally:
        for database in databases:
            await database.dispose()


async def test_the_attendance_path_reads_by_index_however_long_the_ledger_grows(
    create_postgres_database: CreateDatabase,
) -> None:
    """EXPLAIN every query a batch of attendance issues, against a ledger of some 20,000 lines: an index serves
    each (with sequential scans ruled out, none is left), so the cost of an event does not grow with the history
    behind it. (Whether the planner prefers the index on a table this small is its own business.)"""
    database = await migrated_database(await create_postgres_database("hours"), "hours")
    service = hours_service(database)
    people = [unique("person") for _ in range(40)]
    for person_id in people[1:]:
        await service.deliver(registered(person_id))
    # A Party member, whose requirements are judged as their lines post.
    await service.deliver(event_of(a_person(people[0], statuses=[MEMBER]), source=ENROLLMENT))
    await service.schedule("s-1", "c-1")
    history = [
        attended(
            person_id,
            source="urn:dangxiao:platform:x",
            activity={"id": f"a{n}", "title": "课", "platform": "x"},
            minutes=45,
        )
        for person_id in people
        for n in range(500)
    ]
    history += [voided(attendance) for attendance in history[::10]]  # some voids, so that table is not empty
    for start in range(0, len(history), 1000):
        await service.consumer.consume_batch(
            [
                structured_record(event, ATTENDANCE_TOPIC, offset)
                for offset, event in enumerate(history[start : start + 1000])
            ]
        )
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("ANALYZE")

    issued: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            issued.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", remember)
    batch = [attended(person_id, "s-1", minutes=170) for person_id in people]
    batch.append(
        attended(people[0], source="urn:dangxiao:platform:x", activity={"id": "a7", "title": "课", "platform": "x"})
    )
    await service.consumer.consume_batch(
        [structured_record(attendance, ATTENDANCE_TOPIC, offset) for offset, attendance in enumerate(batch)]
    )
    event.remove(database.engine.sync_engine, "before_cursor_execute", remember)

    assert len(issued) >= 6  # inbox, locks, persons, sessions, items, attendances, voids
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in issued:
            plan = "\n".join(row[0] for row in await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            scanned = set(re.findall(r"Seq Scan on (\w+)", plan)) & set(BIG_TABLES)
            assert not scanned, f"{statement}\n{plan}"
    await database.dispose()


BIG_TABLES = (
    "inbox_record",
    "attendance",
    "attendance_void",
    "ledger_entry",
    "ledger_item",
    "parked_event",
    "outbox_message",
    "hours_person",
    "platform_year",
    "requirement_progress",
    "xapi_statement",
    "session_mark",
)


async def test_the_same_events_in_other_batches_give_byte_identical_books_on_postgresql(
    create_postgres_database: CreateDatabase,
) -> None:
    """The replay of tests/unit/test_replay.py (requirements, reviews, what the doors keep) on PostgreSQL."""
    one_by_one = await migrated_database(await create_postgres_database("hours"), "hours")
    in_batches = await migrated_database(await create_postgres_database("hours"), "hours")
    try:
        events = replay_tests.realistic_run()
        await replay_tests.replay(one_by_one, events, batch=1)
        await replay_tests.replay(in_batches, events, batch=7)
        assert await replay_tests.books(one_by_one) == await replay_tests.books(in_batches)
    finally:
        await one_by_one.dispose()
        await in_batches.dispose()


@pytest.mark.parametrize(
    "scenario",
    [
        progress_tests.test_meeting_a_requirement_is_announced_once_and_a_correction_undoing_it_too,
        progress_tests.test_a_position_taken_up_mid_year_is_owed_pro_rata_and_counts_only_from_that_day,
        progress_tests.test_a_status_taken_back_in_time_recounts_and_forgets_what_no_longer_applies,
        progress_tests.test_falling_behind_pace_is_announced_by_the_review_of_the_day_it_happens,
        handler_tests.test_a_yearly_cap_per_platform_counts_what_the_ledger_holds_that_year,
    ],
    ids=lambda scenario: scenario.__name__.removeprefix("test_"),
)
async def test_requirements_and_caps_on_postgresql(create_postgres_database: CreateDatabase, scenario) -> None:
    """Progress, reviews and yearly caps kept as state, on PostgreSQL's own statements."""
    database = await migrated_database(await create_postgres_database("hours"), "hours")
    try:
        rules = HoursRules(BOOK, BUILT_IN_REQUIREMENTS)
        await scenario(hours_service(database, rules) if "cap" in scenario.__name__ else hours_service(database))
    finally:
        await database.dispose()
