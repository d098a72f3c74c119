"""Planning on PostgreSQL: its bulk statements and locks as PostgreSQL runs them, instances deciding side by side,
and a replay that gives the same books."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from services.planning.app import app
from services.planning.settings import Settings
from shared.events.contracts.planning import OfficerNominated, OfficerNominationPending, TrainingRecordChanged
from tests.conftest import CreateDatabase
from tests.support import a_class, a_person, an_enrollment, event_of, migrated_database
from tests.unit.test_planning_handlers import (
    ELECTION_DAY,
    Planning,
    at,
    credited,
    officer,
    party_affairs_class,
    replaying_gives_the_same,
)

pytestmark = pytest.mark.integration


async def on_postgresql(create_postgres_database: CreateDatabase) -> AsyncIterator[Planning]:
    database = await migrated_database(await create_postgres_database("planning"), "planning")
    application = app(Settings(database_url=database.url))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://planning") as client:
        try:
            yield Planning(client, database)
        finally:
            await application.state.runtime.database.dispose()
            await database.dispose()


@pytest.fixture
async def planning(create_postgres_database: CreateDatabase) -> AsyncIterator[Planning]:
    async for opened in on_postgresql(create_postgres_database):
        yield opened


async def test_officers_decided_by_instances_side_by_side_never_overfill_a_class(planning: Planning) -> None:
    await planning.deliver(
        party_affairs_class("PA-1", "committee_member", date(2026, 4, 1), capacity=2), on=ELECTION_DAY
    )
    instances = [Planning(planning.client, planning.database) for _ in range(4)]
    elected = [
        event_of(officer(f"o{n}", "branch_committee_member", ELECTION_DAY), time=at(ELECTION_DAY)) for n in range(6)
    ]

    await asyncio.gather(*(instances[n % 4].deliver_event(event) for n, event in enumerate(elected)))

    nominated = await planning.announced(OfficerNominated)
    pending = await planning.announced(OfficerNominationPending)
    assert (len(nominated), len(pending)) == (2, 4)
    assert {n["class_id"] for n in nominated} == {"PA-1"}


async def test_announcements_about_one_person_from_instances_side_by_side_get_revisions_in_turn(
    planning: Planning,
) -> None:
    await planning.deliver(
        a_person("r1"), a_class("K1", category="activists"), an_enrollment("K1", "r1"), on=date(2026, 3, 1)
    )
    instances = [Planning(planning.client, planning.database) for _ in range(4)]
    credits = [
        event_of(credited("r1", "2", date(2026, 3, 2), class_id="K1", category="activists"), time=at(date(2026, 3, 2)))
        for _ in range(8)
    ]

    await asyncio.gather(*(instances[n % 4].deliver_event(event) for n, event in enumerate(credits)))

    records = await planning.announced(TrainingRecordChanged)
    assert [r["revision"] for r in records] == list(range(1, 9))  # each credit (the enrollment is no training)
    assert records[-1]["hours"] == "16.00"


async def test_replaying_on_postgresql_gives_the_same_tables_and_announcements(
    planning: Planning, create_postgres_database: CreateDatabase
) -> None:
    replayed = await migrated_database(await create_postgres_database("planning"), "planning")
    try:
        await replaying_gives_the_same(planning, replayed)
    finally:
        await replayed.dispose()
