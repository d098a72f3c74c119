"""Training classes (培训班) and their sessions: opening and changing a class; scheduling, rescheduling and
cancelling sessions, never booking a teacher or a room twice at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlmodel import col, select

from services.enrollment import records
from services.enrollment.access import check_manages, is_admin
from services.enrollment.domain import classes
from services.enrollment.domain.enrollments import ACTIVE, APPROVED, fill_seats
from services.enrollment.domain.errors import SessionError
from services.enrollment.domain.vocabulary import SessionStatus
from services.enrollment.handlers.common import command, found, record
from services.enrollment.models import (
    ClassCreate,
    ClassSession,
    ClassUpdate,
    Course,
    Enrollment,
    Organisation,
    SessionCreate,
    SessionUpdate,
    Teacher,
    TrainingClass,
)
from shared.auth import Principal, Role
from shared.errors import Conflict
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork


def class_lock(class_id: str) -> str:
    """Taken by every command that judges a class with its sessions or enrollments."""
    return f"class:{class_id}"


@command
async def create_class(uow: UnitOfWork, command: ClassCreate, principal: Principal) -> TrainingClass:
    """A new class and its first sessions; a class manager who creates one manages it."""
    class_id = command.class_id or new_id("class")
    await uow.lock(class_lock(class_id))
    if await uow.session.get(TrainingClass, class_id) is not None:
        raise Conflict(f"class {class_id} already exists")
    managers = list(command.manager_ids)
    if principal.has_any(Role.CLASS_MANAGER) and not is_admin(principal) and principal.subject not in managers:
        managers.append(principal.subject)
    draft = _row({**command.model_dump(exclude={"sessions"}), "class_id": class_id, "manager_ids": managers})
    opened = classes.open_class(records.class_of(draft), await _organisation_codes(uow))
    row = record(uow, TrainingClass, None, records.class_fields(opened))
    await uow.session.flush()  # the class row before its sessions' rows (foreign key)
    for session in command.sessions:
        await _schedule(uow, opened, session)
    return row


@command
async def update_class(uow: UnitOfWork, class_id: str, update: ClassUpdate, principal: Principal) -> TrainingClass:
    """The class as revised: it stays valid with its sessions, keeps a seat for everyone approved, and seats from
    the waitlist whoever a larger capacity makes room for."""
    await uow.lock(class_lock(class_id))
    row = await found(uow, TrainingClass, class_id, "class")
    check_manages(principal, row, "change it")
    current = records.class_of(row)
    revised_draft = records.class_of(_row({**row.model_dump(), **update.model_dump(exclude_unset=True)}))
    rows = await enrollment_rows(uow, class_id)
    taking_part = [records.enrollment_of(enrollment) for enrollment in rows.values()]
    revised = classes.revise_class(
        current,
        revised_draft,
        known_organisations=await _organisation_codes(uow),
        sessions=[records.session_of(session) for session in await class_sessions(uow, class_id)],
        active_enrollments=sum(1 for e in taking_part if e.status in ACTIVE),
        confirmed_enrollments=sum(1 for e in taking_part if e.status is APPROVED),
    )
    record(uow, TrainingClass, row, records.class_fields(revised))
    for promoted in fill_seats(revised, taking_part, uow.now):
        record(uow, Enrollment, rows[promoted.enrollment_id], records.enrollment_fields(promoted))
    return row


@command
async def schedule_session(
    uow: UnitOfWork, class_id: str, command: SessionCreate, principal: Principal
) -> ClassSession:
    await uow.lock(class_lock(class_id))
    row = await found(uow, TrainingClass, class_id, "class")
    check_manages(principal, row, "schedule its sessions")
    return await _schedule(uow, records.class_of(row), command)


@command
async def reschedule_session(
    uow: UnitOfWork, session_id: str, update: SessionUpdate, principal: Principal
) -> ClassSession:
    """The session moved or changed (times, place, teachers, course…): a new state of the same session."""
    row, training_class = await _session_and_class(uow, session_id, principal, "reschedule its sessions")
    changes = update.model_dump(exclude_unset=True)
    revised = records.session_of(ClassSession.model_validate({**row.model_dump(), **changes}))
    await _check_catalogue(uow, revised.course_id, revised.teachers)
    others = await _booked_alongside(uow, revised)
    moved = classes.reschedule_session(records.session_of(row), revised, records.class_of(training_class), others)
    return record(uow, ClassSession, row, records.session_fields(moved))


@command
async def cancel_session(uow: UnitOfWork, session_id: str, reason: str, principal: Principal) -> ClassSession:
    row, _ = await _session_and_class(uow, session_id, principal, "cancel its sessions")
    cancelled = classes.cancel_session(records.session_of(row), reason)
    return record(uow, ClassSession, row, records.session_fields(cancelled))


async def class_sessions(uow: UnitOfWork, class_id: str) -> Sequence[ClassSession]:
    query = select(ClassSession).where(ClassSession.class_id == class_id).order_by(col(ClassSession.starts_at))
    return (await uow.session.exec(query)).all()


async def enrollment_rows(uow: UnitOfWork, class_id: str) -> dict[str, Enrollment]:
    """The class's enrollments by id, in the order people came."""
    query = select(Enrollment).where(Enrollment.class_id == class_id).order_by(col(Enrollment.enrolled_at))
    return {row.enrollment_id: row for row in (await uow.session.exec(query)).all()}


async def _schedule(uow: UnitOfWork, training_class: classes.TrainingClass, command: SessionCreate) -> ClassSession:
    session_id = command.session_id or new_id("session")
    if await uow.session.get(ClassSession, session_id) is not None:
        raise Conflict(f"session {session_id} already exists")
    draft = records.session_of(
        ClassSession.model_validate(
            {**command.model_dump(), "session_id": session_id, "class_id": training_class.class_id}
        )
    )
    await _check_catalogue(uow, draft.course_id, draft.teachers)
    scheduled = classes.schedule_session(draft, training_class, await _booked_alongside(uow, draft))
    return record(uow, ClassSession, None, records.session_fields(scheduled))


async def _session_and_class(
    uow: UnitOfWork, session_id: str, principal: Principal, doing: str
) -> tuple[ClassSession, TrainingClass]:
    session = await found(uow, ClassSession, session_id, "session")
    await uow.lock(class_lock(session.class_id))
    training_class = await found(uow, TrainingClass, session.class_id, "class")
    check_manages(principal, training_class, doing)
    return session, training_class


async def _booked_alongside(uow: UnitOfWork, session: classes.ClassSession) -> list[classes.ClassSession]:
    """The scheduled sessions of any class at the same time as ``session``: whoever books the same teacher or
    room takes turns with it (the locks), and sees what the other booked."""
    room = classes.room_key(session.place)
    await uow.lock(*(f"teacher:{teacher}" for teacher in session.teachers), *([f"room:{room}"] if room else []))
    overlapping = select(ClassSession).where(
        ClassSession.status == SessionStatus.SCHEDULED.value,
        col(ClassSession.starts_at) < session.ends_at,
        col(ClassSession.ends_at) > session.starts_at,
    )
    return [records.session_of(row) for row in (await uow.session.exec(overlapping)).all()]


async def _check_catalogue(uow: UnitOfWork, course_id: str | None, teacher_ids: Iterable[str]) -> None:
    """A session names its course and teachers from the catalogue, so evaluation can report per course and
    teacher across classes and years."""
    unknown = [f"course {course_id}"] if course_id and await uow.session.get(Course, course_id) is None else []
    unknown += [f"teacher {t}" for t in teacher_ids if await uow.session.get(Teacher, t) is None]
    if unknown:
        raise SessionError(f"unknown {', '.join(unknown)}: add them to the 课程库/师资库 first")


async def _organisation_codes(uow: UnitOfWork) -> set[str]:
    return set((await uow.session.exec(select(Organisation.org_id))).all())


def _row(fields: Mapping[str, Any]) -> TrainingClass:
    """A class row as a request lays it out, not stored: read by ``records.class_of`` like any row."""
    return TrainingClass.model_validate(fields)
