from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.enrollment import handlers
from services.enrollment.domain import max_hours_for, session_hours_problem
from services.enrollment.models import (
    ClassCategory,
    ClassCreate,
    EnrollmentCreate,
    PersonCreate,
    SessionCreate,
    TeachingMode,
)
from shared.errors import CommandRejected, Conflict, NotFound
from tests.support import outbox_events, unit_of_work_factory


def session(hours: str = "4", minutes: int = 180) -> SessionCreate:
    starts_at = datetime(2026, 12, 1, 1, tzinfo=UTC)
    return SessionCreate(
        title="党章学习",
        teaching_mode=TeachingMode.LECTURE,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        hours=Decimal(hours),
    )


def development_targets_class(*sessions: SessionCreate) -> ClassCreate:
    return ClassCreate(
        title="2026年发展对象培训班",
        category=ClassCategory.DEVELOPMENT_TARGETS,
        year=2026,
        required_hours=Decimal(24),
        sessions=list(sessions),
    )


@pytest.mark.parametrize(
    ("minutes", "expected"), [(45, "1"), (90, "2"), (100, "2.5"), (180, "4"), (181, "4.5"), (20, "0.5")]
)
def test_a_session_is_worth_at_most_its_class_periods_rounded_up_to_a_half(minutes: int, expected: str) -> None:
    assert max_hours_for(minutes) == Decimal(expected)


def test_a_session_worth_more_than_its_length_allows_names_the_limit() -> None:
    assert session_hours_problem(90, Decimal(2)) is None
    problem = session_hours_problem(90, Decimal(3))
    assert problem is not None and "at most 2" in problem


async def test_creating_a_class_records_it_and_its_sessions_as_events(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    async with unit_of_work_factory(database)() as uow:
        created = await handlers.create_class(uow, development_targets_class(session(), session("2", 90)))
        await uow.commit()

    events = await outbox_events(database)
    assert [e.type for e in events] == [
        "dangxiao.enrollment.class_changed.v1",
        "dangxiao.enrollment.session_changed.v1",
        "dangxiao.enrollment.session_changed.v1",
    ]
    assert (events[0].data["class_id"], events[0].data["version"]) == (created.class_id, 1)
    assert events[0].data["completion"]["required_hours"] == "24"
    assert {e.data["hours"] for e in events[1:]} == {"4", "2"}
    assert events[0].subject == created.class_id  # each entity's events are keyed by its own id
    assert [e.subject for e in events[1:]] == [e.data["session_id"] for e in events[1:]]


async def test_a_rejected_command_leaves_no_class_and_no_event(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    async with unit_of_work_factory(database)() as uow:
        with pytest.raises(CommandRejected, match="at most 2"):
            await handlers.create_class(uow, development_targets_class(session("3", 90)))
    assert await outbox_events(database) == []


async def test_enrolling_needs_a_known_class_and_person_and_happens_once(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    uow_for = unit_of_work_factory(database)
    async with uow_for() as uow:
        created = await handlers.create_class(uow, development_targets_class())
        await handlers.register_person(uow, PersonCreate(person_id="20260001", name="张三"))
        await uow.commit()

    async with uow_for() as uow:
        with pytest.raises(NotFound, match="class nope"):
            await handlers.enroll_person(uow, "nope", EnrollmentCreate(person_id="20260001"))
        with pytest.raises(NotFound, match="not registered"):
            await handlers.enroll_person(uow, created.class_id, EnrollmentCreate(person_id="unknown"))
        await handlers.enroll_person(uow, created.class_id, EnrollmentCreate(person_id="20260001"))
        await uow.commit()

    async with uow_for() as uow:
        with pytest.raises(Conflict, match="already enrolled"):
            await handlers.enroll_person(uow, created.class_id, EnrollmentCreate(person_id="20260001"))
        with pytest.raises(Conflict, match="already registered"):
            await handlers.register_person(uow, PersonCreate(person_id="20260001", name="张三"))

    enrolled = await outbox_events(database, "dangxiao.enrollment.enrollment_changed.v1")
    assert [(e.data["class_id"], e.data["person_id"], e.data["status"]) for e in enrolled] == [
        (created.class_id, "20260001", "approved")
    ]


async def test_the_timetable_may_name_classes_and_sessions_once(sqlite_database) -> None:
    database = await sqlite_database("enrollment")
    timetabled = session().model_copy(update={"session_id": "2026-FZDX-01-01"})
    command = development_targets_class(timetabled).model_copy(update={"class_id": "2026-FZDX-01"})
    async with unit_of_work_factory(database)() as uow:
        created = await handlers.create_class(uow, command)
        await uow.commit()
    assert created.class_id == "2026-FZDX-01"
    [scheduled] = await outbox_events(database, "dangxiao.enrollment.session_changed.v1")
    assert scheduled.data["session_id"] == "2026-FZDX-01-01"

    async with unit_of_work_factory(database)() as uow:
        with pytest.raises(Conflict, match="class 2026-FZDX-01 already exists"):
            await handlers.create_class(uow, command)
        with pytest.raises(Conflict, match="session 2026-FZDX-01-01 already exists"):
            await handlers.schedule_session(uow, "2026-FZDX-01", timetabled)
