"""Requirements as the ledger changes, as persons' statuses change and as days end: the progress kept per person,
requirement and window, and RequirementStandingChanged announced once per change, through the consumer path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from services.hours.domain.requirements import BUILT_IN_REQUIREMENTS
from services.hours.handlers.reviews import day_ended, review_each_day_once_it_ends
from services.hours.handlers.reviews import review as reviewed
from services.hours.models import RequirementProgress
from shared.consumer import Outcome
from shared.db import Database
from shared.errors import CommandRejected
from shared.events.contracts.common import Period
from shared.events.contracts.hours import HOURS_TOPIC, RequirementStandingChanged
from shared.events.envelope import CloudEvent
from tests.support import (
    a_class,
    a_person,
    a_session,
    event_of,
    migrated_database,
    outbox_events,
    structured_record,
    unique,
    unit_of_work_factory,
)
from tests.unit.test_hours_handlers import ENROLLMENT, HoursService, attended, hours_service, voided

MEMBER = Period(code="full_member", since=date(2010, 7, 1))
HOURS_SOURCE = "urn:dangxiao:hours"


@pytest.fixture
async def hours(sqlite_database) -> HoursService:
    return hours_service(await sqlite_database("hours"))


def beijing_morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, tzinfo=UTC)  # 09:00 in Beijing


async def a_member(hours: HoursService, *positions: Period, version: int = 1, at: datetime | None = None) -> str:
    person_id = unique("person")
    await register(hours, person_id, positions, version=version, at=at)
    return person_id


async def register(
    hours: HoursService, person_id: str, positions: tuple[Period, ...], *, version: int, at: datetime | None
) -> None:
    person = a_person(person_id, statuses=[MEMBER], positions=list(positions), version=version)
    event = event_of(person, source=ENROLLMENT, time=at or beijing_morning(date(2026, 1, 5)))
    assert await hours.deliver(event) is Outcome.APPLIED


async def a_day_of_training(hours: HoursService, day: date, class_id: str | None = None) -> str:
    """A full-day session (8 学时) of a Party-member rotation class on ``day``; its id."""
    class_id = class_id or unique("class")
    session_id = unique("session")
    await hours.deliver(event_of(a_class(class_id, category="member_rotation"), source=ENROLLMENT))
    session = a_session(session_id, class_id, starts_at=beijing_morning(day), minutes=360, hours="8")
    assert await hours.deliver(event_of(session, source=ENROLLMENT)) is Outcome.APPLIED
    return session_id


async def trained(hours: HoursService, person_id: str, day: date) -> CloudEvent:
    """The person attended a full day on ``day``, reported that evening."""
    attendance = attended(person_id, await a_day_of_training(hours, day))
    attendance = attendance.model_copy(update={"time": beijing_morning(day) + timedelta(hours=9)})
    assert await hours.deliver(attendance) is Outcome.APPLIED
    return attendance


async def announced(hours: HoursService, person_id: str) -> list[dict[str, Any]]:
    return [
        event.data
        for event in await outbox_events(hours.database, RequirementStandingChanged.event_type)
        if event.data["person_id"] == person_id
    ]


def summary(announcements: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str | None, int]]:
    """(requirement, standing, as of, credited, met on, revision) of each announcement."""
    return [
        (a["requirement"], a["standing"], a["as_of"], a["credited_hours"], a["met_on"], a["revision"])
        for a in announcements
    ]


async def progress(database: Database, person_id: str) -> list[RequirementProgress]:
    async with database.sessions() as session:
        query = select(RequirementProgress).where(RequirementProgress.person_id == person_id)
        return list((await session.exec(query.order_by(col(RequirementProgress.requirement)))).all())


# ── As the ledger changes ──────────────────────────────────────────────────────────────────────────────────


async def test_meeting_a_requirement_is_announced_once_and_a_correction_undoing_it_too(hours: HoursService) -> None:
    person_id = await a_member(hours)
    days = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    attendances = [await trained(hours, person_id, day) for day in days]
    assert await announced(hours, person_id) == []  # 24 of 32 by March, on track: not news

    await trained(hours, person_id, date(2026, 3, 5))
    void = voided(attendances[1]).model_copy(update={"time": beijing_morning(date(2026, 3, 10))})
    await hours.deliver(void)
    await trained(hours, person_id, date(2026, 4, 1))

    assert summary(await announced(hours, person_id)) == [
        ("party-member-study/v1", "met", "2026-03-05", "32.00", "2026-03-05", 1),
        ("party-member-study/v1", "no_longer_met", "2026-03-10", "24.00", None, 2),
        ("party-member-study/v1", "met", "2026-04-01", "32.00", "2026-04-01", 3),
    ]
    [first, *_] = await announced(hours, person_id)
    assert (first["window_start"], first["window_end"], first["required_hours"]) == (
        "2026-01-01",
        "2026-12-31",
        "32.00",
    )
    assert first["title"] == "党员集中学习培训" and "第二十条" in first["source"]
    assert first["reason"] == "32 of 32 学时 (32 学时): met"
    [member] = await progress(hours.database, person_id)
    assert (member.credited, member.standing, member.met_on, member.announcements) == (
        Decimal(32),
        "met",
        date(2026, 4, 1),
        3,
    )


async def test_more_training_after_meeting_it_is_not_news(hours: HoursService) -> None:
    person_id = await a_member(hours)
    for day in range(2, 8):
        await trained(hours, person_id, date(2026, 3, day))
    assert [a["standing"] for a in await announced(hours, person_id)] == ["met"]


async def test_online_study_and_lines_of_other_years_do_not_count_toward_concentrated_study(
    hours: HoursService,
) -> None:
    person_id = await a_member(hours)
    await trained(hours, person_id, date(2025, 12, 31))
    study = attended(person_id, activity={"id": "c-1", "title": "党史", "platform": "学习强国"}, hours="8")
    await hours.deliver(study.model_copy(update={"time": beijing_morning(date(2026, 3, 2))}))
    await trained(hours, person_id, date(2026, 3, 3))

    rows = {(row.window_start.year, row.credited) for row in await progress(hours.database, person_id)}
    assert rows == {(2025, Decimal(8)), (2026, Decimal(8))}


async def test_people_under_no_requirement_are_not_tracked(hours: HoursService) -> None:
    person_id = unique("person")
    await hours.deliver(event_of(a_person(person_id), source=ENROLLMENT))  # 群众: no status a requirement names
    await trained(hours, person_id, date(2026, 3, 2))
    assert await progress(hours.database, person_id) == []


# ── As statuses and positions change ───────────────────────────────────────────────────────────────────────


async def test_a_position_taken_up_mid_year_is_owed_pro_rata_and_counts_only_from_that_day(hours: HoursService) -> None:
    secretary = Period(code="branch_secretary", since=date(2026, 7, 1))
    person_id = await a_member(hours)
    await trained(hours, person_id, date(2026, 6, 30))

    await register(hours, person_id, (secretary,), version=2, at=beijing_morning(date(2026, 7, 2)))
    await trained(hours, person_id, date(2026, 7, 3))

    rows = {
        row.requirement: (row.required, row.credited, row.standing) for row in await progress(hours.database, person_id)
    }
    assert rows == {
        "party-member-study": (Decimal(32), Decimal(16), "on_track"),
        # 56 × 6/12 for July to December; the June day was a member's, not a secretary's.
        "branch-leader-study": (Decimal(28), Decimal(8), "on_track"),
    }


async def test_a_status_taken_back_in_time_recounts_and_forgets_what_no_longer_applies(hours: HoursService) -> None:
    person_id = await a_member(hours, Period(code="branch_secretary", since=date(2025, 1, 1)))
    await trained(hours, person_id, date(2026, 3, 2))
    assert {row.requirement for row in await progress(hours.database, person_id)} == {
        "party-member-study",
        "branch-leader-study",
    }

    await register(hours, person_id, (), version=2, at=beijing_morning(date(2026, 3, 9)))  # recorded in error

    assert [row.requirement for row in await progress(hours.database, person_id)] == ["party-member-study"]


# ── As days end ────────────────────────────────────────────────────────────────────────────────────────────


async def review(hours: HoursService, day: date) -> list[dict[str, Any]]:
    """The review of ``day`` as the service runs it the morning after: the data of what it announces."""
    async with unit_of_work_factory(hours.database, HOURS_SOURCE)() as uow:
        records = await reviewed(
            uow, BUILT_IN_REQUIREMENTS, day, source=HOURS_SOURCE, now=beijing_morning(day + timedelta(days=1))
        )
    return [json.loads(value)["data"] for _, value in records]


async def test_falling_behind_pace_is_announced_by_the_review_of_the_day_it_happens(hours: HoursService) -> None:
    person_id = await a_member(hours)
    await trained(hours, person_id, date(2026, 1, 5))  # 8 of 32: on track until pace passes it

    assert await review(hours, date(2026, 3, 30)) == []  # Jan, Feb over: 5.34 expected
    assert await review(hours, date(2026, 3, 31)) == []  # March over: 8 expected, 8 held
    [behind] = await review(hours, date(2026, 4, 30))  # April over: 10.67 expected
    assert await review(hours, date(2026, 5, 31)) == []  # still behind: not news again

    assert (behind["person_id"], behind["standing"], behind["as_of"], behind["credited_hours"]) == (
        person_id,
        "behind",
        "2026-04-30",
        "8.00",
    )
    assert "behind pace (10.67 学时 expected by 2026-04-30)" in behind["reason"]
    assert await announced(hours, person_id) == []  # the ledger announced nothing: its line changed nothing


async def test_a_review_changes_nothing_and_announces_the_same_again_with_its_time_the_end_of_the_day(
    hours: HoursService,
) -> None:
    person_id = await a_member(hours)
    before = await progress(hours.database, person_id)

    async with unit_of_work_factory(hours.database, HOURS_SOURCE)() as uow:
        first = await reviewed(
            uow, BUILT_IN_REQUIREMENTS, date(2026, 1, 31), source=HOURS_SOURCE, now=datetime.now(UTC)
        )
        again = await reviewed(
            uow, BUILT_IN_REQUIREMENTS, date(2026, 1, 31), source=HOURS_SOURCE, now=datetime.now(UTC)
        )

    assert first == again and len(first) == 1  # the very same record: consumers recognise the repeat
    key, value = first[0]
    event = CloudEvent.model_validate_json(value)
    assert (key, event.type, event.data["standing"]) == (person_id, RequirementStandingChanged.event_type, "behind")
    assert event.time == day_ended(date(2026, 1, 31)).time  # 23:59:59 in Beijing: the end of the day
    assert await progress(hours.database, person_id) == before  # a review writes nothing


async def test_a_day_not_over_yet_cannot_be_reviewed(hours: HoursService) -> None:
    async with unit_of_work_factory(hours.database, HOURS_SOURCE)() as uow:
        with pytest.raises(CommandRejected, match="is not over yet in Beijing"):
            # 23:30 on 1 March in Beijing.
            await reviewed(
                uow,
                BUILT_IN_REQUIREMENTS,
                date(2026, 3, 1),
                source=HOURS_SOURCE,
                now=datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
            )


async def test_out_of_reach_is_announced_when_eight_a_day_cannot_make_it_up(hours: HoursService) -> None:
    person_id = await a_member(hours)
    await trained(hours, person_id, date(2026, 6, 1))  # 8 of 32, with 13.34 expected: behind, but not by the line

    announced_by_time = [
        (a["standing"], a["as_of"])
        for day in (date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 31))
        for a in await review(hours, day)
    ]

    # 28 Dec: 24 to go in 3 days, still possible; 29 Dec: 24 in 2 days; 31 Dec: closed short, out of reach already.
    assert announced_by_time == [("out_of_reach", "2026-12-29")]
    assert await announced(hours, person_id) == []


async def test_a_window_is_announced_as_it_stands_when_a_status_brings_someone_under_it(hours: HoursService) -> None:
    person_id = unique("person")
    await hours.deliver(event_of(a_person(person_id), source=ENROLLMENT, time=beijing_morning(date(2026, 1, 5))))
    await register(hours, person_id, (), version=2, at=beijing_morning(date(2026, 5, 4)))  # a member all year

    [behind] = await announced(hours, person_id)
    assert (behind["requirement"], behind["standing"], behind["as_of"]) == (
        "party-member-study/v1",
        "behind",
        "2026-05-04",
    )
    assert await review(hours, date(2026, 5, 4)) == []  # the review does not announce it again


async def test_the_service_reviews_yesterday_once_and_hands_what_it_announces_to_the_broker(
    hours: HoursService,
) -> None:
    person_id = await a_member(hours)
    sent: list[tuple[str, bytes, bytes]] = []

    async def send(topic: str, key: bytes, value: bytes, headers: Mapping[str, str]) -> Awaitable[object]:
        sent.append((topic, key, value))
        acknowledged: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        acknowledged.set_result(None)
        return acknowledged

    reviewing = asyncio.create_task(
        review_each_day_once_it_ends(
            unit_of_work_factory(hours.database, HOURS_SOURCE),
            send,
            BUILT_IN_REQUIREMENTS,
            source=HOURS_SOURCE,
            check_every_seconds=0.01,
        )
    )
    try:
        await asyncio.sleep(0.3)
    finally:
        reviewing.cancel()
    yesterday = (datetime.now(UTC) + timedelta(hours=8)).date() - timedelta(days=1)
    async with unit_of_work_factory(hours.database, HOURS_SOURCE)() as uow:
        expected = await reviewed(uow, BUILT_IN_REQUIREMENTS, yesterday, source=HOURS_SOURCE, now=datetime.now(UTC))
    assert [(key.decode(), value) for _, key, value in sent] == expected  # once, however often it looked
    assert {topic for topic, _, _ in sent} <= {HOURS_TOPIC}
    assert all(json.loads(value)["data"]["person_id"] == person_id for _, _, value in sent)


async def test_two_versions_of_a_person_in_one_batch_are_judged_as_one_after_the_other(tmp_path) -> None:
    """Each change is judged by the state it carried: batching does not change what is announced."""
    secretary = Period(code="branch_secretary", since=date(2026, 1, 1))
    first = a_person("p-1", statuses=[MEMBER], version=1)
    second = a_person("p-1", statuses=[MEMBER], positions=[secretary], version=2)
    events = [
        event_of(first, source=ENROLLMENT, time=beijing_morning(date(2026, 6, 1))),
        event_of(second, source=ENROLLMENT, time=beijing_morning(date(2026, 6, 2))),
    ]
    announcements = []
    for batched in (False, True):
        hours = hours_service(await migrated_database(f"sqlite:///{tmp_path / str(batched)}.db", "hours"))
        records = [structured_record(event, first.topic, n) for n, event in enumerate(events)]
        if batched:
            await hours.consumer.consume_batch(records)
        else:
            for record in records:
                await hours.consumer.consume(record)
        announcements.append(summary(await announced(hours, "p-1")))
        await hours.database.dispose()

    assert (
        announcements[0]
        == announcements[1]
        == [
            ("party-member-study/v1", "behind", "2026-06-01", "0.00", None, 1),
            ("branch-leader-study/v1", "behind", "2026-06-02", "0.00", None, 1),
        ]
    )
