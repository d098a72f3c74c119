"""Enrollment commands: each changes state and records the state event of what it changed, in the caller's unit of
work. A change of a row grows its version by one; its event carries the whole row."""

from __future__ import annotations

from sqlmodel import select

from services.enrollment.domain.sessions import session_hours_problem
from services.enrollment.events import class_changed, enrollment_changed, person_changed, session_changed
from services.enrollment.models import (
    ClassCreate,
    ClassSession,
    Enrollment,
    EnrollmentCreate,
    Person,
    PersonCreate,
    SessionCreate,
    TrainingClass,
)
from shared.errors import CommandRejected, Conflict, NotFound
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork


async def create_class(uow: UnitOfWork, command: ClassCreate) -> TrainingClass:
    class_id = command.class_id or new_id("class")
    if await uow.session.get(TrainingClass, class_id) is not None:
        raise Conflict(f"class {class_id} already exists")
    training_class = TrainingClass(class_id=class_id, **command.model_dump(exclude={"sessions", "class_id"}))
    uow.session.add(training_class)
    await uow.session.flush()  # the class row before its sessions' rows (foreign key)
    uow.emit(class_changed(training_class))
    for session in command.sessions:
        await _schedule(uow, training_class.class_id, session)
    return training_class


async def schedule_session(uow: UnitOfWork, class_id: str, command: SessionCreate) -> ClassSession:
    await _get_class(uow, class_id)
    return await _schedule(uow, class_id, command)


async def _schedule(uow: UnitOfWork, class_id: str, command: SessionCreate) -> ClassSession:
    if command.ends_at <= command.starts_at:
        raise CommandRejected(f"session {command.title!r}: it must end after it starts")
    minutes = int((command.ends_at - command.starts_at).total_seconds() // 60)
    problem = session_hours_problem(minutes, command.hours)
    if problem:
        raise CommandRejected(f"session {command.title!r}: {problem}")
    session_id = command.session_id or new_id("session")
    if await uow.session.get(ClassSession, session_id) is not None:
        raise Conflict(f"session {session_id} already exists")
    session = ClassSession(session_id=session_id, class_id=class_id, **command.model_dump(exclude={"session_id"}))
    uow.session.add(session)
    uow.emit(session_changed(session))
    return session


async def register_person(uow: UnitOfWork, command: PersonCreate) -> Person:
    if await uow.session.get(Person, command.person_id) is not None:
        raise Conflict(f"person {command.person_id} is already registered")
    person = Person.model_validate(command.model_dump(mode="json"))
    uow.session.add(person)
    uow.emit(person_changed(person))
    return person


async def enroll_person(uow: UnitOfWork, class_id: str, command: EnrollmentCreate) -> Enrollment:
    await _get_class(uow, class_id)
    if await uow.session.get(Person, command.person_id) is None:
        raise NotFound(f"person {command.person_id} is not registered; register them first (POST /persons)")
    existing = await uow.session.exec(
        select(Enrollment).where(Enrollment.class_id == class_id, Enrollment.person_id == command.person_id)
    )
    if existing.first() is not None:
        raise Conflict(f"person {command.person_id} is already enrolled in class {class_id}")
    enrollment = Enrollment(enrollment_id=new_id("enrollment"), class_id=class_id, person_id=command.person_id)
    uow.session.add(enrollment)
    uow.emit(enrollment_changed(enrollment))
    return enrollment


async def _get_class(uow: UnitOfWork, class_id: str) -> TrainingClass:
    training_class = await uow.session.get(TrainingClass, class_id)
    if training_class is None:
        raise NotFound(f"class {class_id} does not exist")
    return training_class
