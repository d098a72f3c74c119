"""Read models of the enrollment service: what the API shows, straight from its tables, and the workbooks it
hands out (templates, rosters, 签到表)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.enrollment import records
from services.enrollment.domain import organisation, people
from services.enrollment.domain.classes import SCHOOL_TIMEZONE
from services.enrollment.domain.errors import SessionError
from services.enrollment.domain.vocabulary import (
    ClassDelivery,
    ClassStatus,
    EnrollmentRoute,
    EnrollmentStatus,
    Labelled,
    PartyAffairsLevel,
    PersonKind,
    PoliticalStatus,
    Position,
    SessionStatus,
    TeachingMode,
    TrainingCategory,
    UnitKind,
)
from services.enrollment.models import (
    ClassPublic,
    ClassSession,
    ClassSummary,
    Course,
    CoursePublic,
    Enrollment,
    EnrollmentPublic,
    Organisation,
    OrganisationPublic,
    Person,
    PersonAsOf,
    PersonDetail,
    PersonPublic,
    SessionPublic,
    Teacher,
    TeacherPublic,
    TrainingClass,
    VocabularyEntry,
)
from services.enrollment.spreadsheets import writing
from shared.db import utcnow
from shared.errors import CommandRejected, NotFound
from shared.vocabulary import (
    CATEGORY_LABELS,
    CLASS_STATUS_LABELS,
    ENROLLMENT_STATUS_LABELS,
    ORGANISATION_KIND_LABELS,
    PERSON_KIND_LABELS,
    TEACHING_MODE_LABELS,
    label,
)

Row = TypeVar("Row", Organisation, Person, Course, Teacher, TrainingClass, ClassSession, Enrollment)
VOCABULARIES: dict[str, type[Labelled]] = {
    "training_categories": TrainingCategory,
    "party_affairs_levels": PartyAffairsLevel,
    "teaching_modes": TeachingMode,
    "class_deliveries": ClassDelivery,
    "class_statuses": ClassStatus,
    "political_statuses": PoliticalStatus,
    "positions": Position,
    "person_kinds": PersonKind,
    "unit_kinds": UnitKind,
    "session_statuses": SessionStatus,
    "enrollment_routes": EnrollmentRoute,
    "enrollment_statuses": EnrollmentStatus,
}


def vocabularies() -> dict[str, list[VocabularyEntry]]:
    return {
        name: [VocabularyEntry(code=member.value, label=member.label) for member in vocabulary]
        for name, vocabulary in VOCABULARIES.items()
    }


def school_today() -> date:
    return utcnow().astimezone(SCHOOL_TIMEZONE).date()


# ── organisation ──────────────────────────────────────────────────────────────────────────────────────


def organisation_public(row: Organisation) -> OrganisationPublic:
    return OrganisationPublic.model_validate(
        {**row.model_dump(), "kind_label": label(ORGANISATION_KIND_LABELS, row.kind)}
    )


async def organisations_view(session: AsyncSession, on: date | None) -> list[OrganisationPublic]:
    """Every unit and Party organisation, or those that exist on ``on``, by code."""
    rows = (await session.exec(select(Organisation).order_by(col(Organisation.org_id)))).all()
    return [
        organisation_public(row)
        for row in rows
        if on is None or (row.valid_from <= on and (row.valid_until is None or on < row.valid_until))
    ]


async def organisation_view(session: AsyncSession, org_id: str) -> OrganisationPublic:
    return organisation_public(await _found(session, Organisation, org_id, "unit or Party organisation"))


# ── persons ───────────────────────────────────────────────────────────────────────────────────────────


def person_public(row: Person) -> PersonPublic:
    return PersonPublic.model_validate(
        {**row.model_dump(), "kind_label": label(PERSON_KIND_LABELS, row.kind) if row.kind else None}
    )


def person_detail(row: Person, on: date) -> PersonDetail:
    held = people.as_of(records.person_of(row), on)
    return PersonDetail.model_validate(
        {
            **person_public(row).model_dump(),
            "as_of": PersonAsOf(
                on=on,
                status=held.status.status.value if held.status else None,
                status_label=held.status.status.label if held.status else None,
                positions=sorted(position.value for position in held.positions),
            ),
        }
    )


async def persons_view(session: AsyncSession, units: Sequence[str] | None) -> list[PersonPublic]:
    """Everyone, or the people of ``units``, by 工号/学号."""
    query = select(Person).order_by(col(Person.person_id))
    if units is not None:
        query = query.where(col(Person.unit_id).in_(units))
    return [person_public(row) for row in (await session.exec(query)).all()]


async def person_row(session: AsyncSession, person_id: str) -> Person:
    return await _found(session, Person, person_id, "person")


async def managed_classes_of(session: AsyncSession, person_id: str, manager: str) -> set[str]:
    """The classes ``manager`` manages that the person has an enrollment in."""
    query = select(TrainingClass).join(Enrollment).where(Enrollment.person_id == person_id)
    return {row.class_id for row in (await session.exec(query)).all() if manager in row.manager_ids}


# ── courses and teachers ──────────────────────────────────────────────────────────────────────────────


async def courses_view(session: AsyncSession) -> list[CoursePublic]:
    rows = await session.exec(select(Course).order_by(col(Course.course_id)))
    return [CoursePublic.model_validate(row, from_attributes=True) for row in rows.all()]


async def course_view(session: AsyncSession, course_id: str) -> CoursePublic:
    return CoursePublic.model_validate(await _found(session, Course, course_id, "course"), from_attributes=True)


async def teachers_view(session: AsyncSession) -> list[TeacherPublic]:
    rows = await session.exec(select(Teacher).order_by(col(Teacher.teacher_id)))
    return [TeacherPublic.model_validate(row, from_attributes=True) for row in rows.all()]


async def teacher_view(session: AsyncSession, teacher_id: str) -> TeacherPublic:
    return TeacherPublic.model_validate(await _found(session, Teacher, teacher_id, "teacher"), from_attributes=True)


# ── classes and sessions ──────────────────────────────────────────────────────────────────────────────


def session_public(row: ClassSession) -> SessionPublic:
    return SessionPublic.model_validate(
        {**row.model_dump(), "teaching_mode_label": label(TEACHING_MODE_LABELS, row.teaching_mode)}
    )


async def class_row(session: AsyncSession, class_id: str) -> TrainingClass:
    return await _found(session, TrainingClass, class_id, "class")


async def session_row(session: AsyncSession, session_id: str) -> ClassSession:
    return await _found(session, ClassSession, session_id, "session")


async def class_view(session: AsyncSession, class_id: str) -> ClassPublic:
    training_class = await class_row(session, class_id)
    sessions = await _sessions(session, class_id)
    return ClassPublic.model_validate(
        {
            **training_class.model_dump(),
            "category_label": label(CATEGORY_LABELS, training_class.category),
            "status_label": label(CLASS_STATUS_LABELS, training_class.status),
            "sessions": [session_public(s) for s in sessions],
            "scheduled_hours": sum(
                (s.hours for s in sessions if s.status == SessionStatus.SCHEDULED.value), Decimal(0)
            ),
        }
    )


async def classes_view(session: AsyncSession, year: int | None, manager: str | None) -> list[ClassSummary]:
    """The school's classes (its training plan), of one year or all, or those ``manager`` manages."""
    query = select(TrainingClass).order_by(
        col(TrainingClass.year), col(TrainingClass.starts_on), col(TrainingClass.class_id)
    )
    if year is not None:
        query = query.where(TrainingClass.year == year)
    rows = (await session.exec(query)).all()
    return [
        ClassSummary.model_validate({**row.model_dump(), "category_label": label(CATEGORY_LABELS, row.category)})
        for row in rows
        if manager is None or manager in row.manager_ids
    ]


# ── enrollments ───────────────────────────────────────────────────────────────────────────────────────


def enrollment_public(row: Enrollment) -> EnrollmentPublic:
    return EnrollmentPublic.model_validate(
        {**row.model_dump(), "status_label": label(ENROLLMENT_STATUS_LABELS, row.status)}
    )


async def enrollment_row(session: AsyncSession, enrollment_id: str) -> Enrollment:
    return await _found(session, Enrollment, enrollment_id, "enrollment")


async def enrollments_view(
    session: AsyncSession, class_id: str, units: Sequence[str] | None = None
) -> list[EnrollmentPublic]:
    """The class's enrollments in the order people came; with ``units``, only those of their people or by them."""
    await class_row(session, class_id)
    query = select(Enrollment, Person).join(Person).where(Enrollment.class_id == class_id)
    rows = (await session.exec(query.order_by(col(Enrollment.enrolled_at)))).all()
    return [
        enrollment_public(enrollment)
        for enrollment, person in rows
        if units is None or person.unit_id in units or enrollment.nominated_by in units
    ]


async def person_enrollments_view(
    session: AsyncSession, person_id: str, classes_of: set[str] | None = None
) -> list[EnrollmentPublic]:
    """The person's enrollments; with ``classes_of``, only in those classes."""
    query = select(Enrollment).where(Enrollment.person_id == person_id).order_by(col(Enrollment.enrolled_at))
    return [
        enrollment_public(row)
        for row in (await session.exec(query)).all()
        if classes_of is None or row.class_id in classes_of
    ]


# ── workbooks ─────────────────────────────────────────────────────────────────────────────────────────


async def roster_workbook(session: AsyncSession, class_id: str) -> bytes:
    """The class's 花名册 (.xlsx): everyone taking part, seated first, by unit; then the waitlist in order."""
    training_class = records.class_of(await class_row(session, class_id))
    enrollments = [records.enrollment_of(row) for row in await _enrollments(session, class_id)]
    return writing.roster_workbook(
        training_class,
        enrollments,
        await _people(session, [e.person_id for e in enrollments]),
        await _organisation(session),
    )


async def sign_in_workbook(session: AsyncSession, class_id: str) -> bytes:
    """签到表 (.xlsx): one printable sheet per scheduled session, listing the learners who hold a seat."""
    training_class = records.class_of(await class_row(session, class_id))
    sessions = [records.session_of(row) for row in await _sessions(session, class_id)]
    enrollments = [records.enrollment_of(row) for row in await _enrollments(session, class_id)]
    teachers = (await session.exec(select(Teacher))).all()
    try:
        return writing.sign_in_workbook(
            training_class,
            sessions,
            enrollments=enrollments,
            people=await _people(session, [e.person_id for e in enrollments]),
            organisation=await _organisation(session),
            teacher_names={teacher.teacher_id: teacher.name for teacher in teachers},
        )
    except SessionError as error:  # no scheduled session to sign in to
        raise CommandRejected(str(error)) from error


async def _sessions(session: AsyncSession, class_id: str) -> Sequence[ClassSession]:
    query = select(ClassSession).where(ClassSession.class_id == class_id).order_by(col(ClassSession.starts_at))
    return (await session.exec(query)).all()


async def _enrollments(session: AsyncSession, class_id: str) -> Sequence[Enrollment]:
    query = select(Enrollment).where(Enrollment.class_id == class_id).order_by(col(Enrollment.enrolled_at))
    return (await session.exec(query)).all()


async def _people(session: AsyncSession, person_ids: Sequence[str]) -> dict[str, people.Person]:
    rows = (await session.exec(select(Person).where(col(Person.person_id).in_(person_ids)))).all()
    return {row.person_id: records.person_of(row) for row in rows}


async def _organisation(session: AsyncSession) -> organisation.Organisation:
    return records.organisation_of((await session.exec(select(Organisation))).all())


async def _found(session: AsyncSession, model: type[Row], key: str, what: str) -> Row:
    row = await session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} does not exist")
    return row
