"""The hours service's ledger rules on PostgreSQL, where concurrent writers really run side by side."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.conftest import CreateDatabase
from tests.support import migrated_database, unique
from tests.unit.test_hours_handlers import (
    attended,
    hours_service,
    race_sessions_against_attendance,
    registered,
    scheduled,
)

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
        await consumers[0].deliver(scheduled(session_id, unique("class")))
        reports = [attended(person_id, session_id, minutes=minutes) for minutes in (60, 100, 175, 120)]
        await asyncio.gather(*(c.deliver(report) for c, report in zip(consumers, reports, strict=True)))
        assert await consumers[0].total(person_id) == Decimal(4)
    finally:
        await database.dispose()
