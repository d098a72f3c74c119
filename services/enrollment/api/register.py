"""HTTP routes of the register's reference data: vocabularies, units and the Party tree, persons, the course
catalogue (课程库) and the teachers (师资库)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BeforeValidator
from sqlmodel.ext.asyncio.session import AsyncSession

from services.enrollment import views
from services.enrollment.access import check_person, is_admin, is_self, speaks_for
from services.enrollment.api.dependencies import Admin, ClassStaff, Member, Organisers, Registering, Registrar
from services.enrollment.handlers import catalogue, organisation, persons
from services.enrollment.models import (
    CourseCreate,
    CoursePublic,
    CourseUpdate,
    EnrollmentPublic,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    PersonCreate,
    PersonDetail,
    PersonPublic,
    PersonUpdate,
    PositionLeft,
    PositionTaken,
    StatusChange,
    TeacherCreate,
    TeacherPublic,
    TeacherUpdate,
    VocabularyEntry,
)
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.service import Runtime, execute

router = APIRouter()
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value: object) -> object:
    """A query's day as the schema documents it, YYYY-MM-DD (pydantic would read "0" as 1970-01-01)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_written_as_a_day),
    Query(description="the day to judge by (Beijing time), YYYY-MM-DD; default today"),
]


@router.get("/vocabularies", tags=["register"])
async def list_vocabularies(_: Member) -> dict[str, list[VocabularyEntry]]:
    """Every code the register accepts, with its Chinese label (a label is accepted wherever its code is)."""
    return views.vocabularies()


# ── organisation ──────────────────────────────────────────────────────────────────────────────────────


@router.get("/organisations", tags=["organisation"])
async def list_organisations(runtime: Runtime, _: Organisers, on: AsOf = None) -> list[OrganisationPublic]:
    """Units and Party organisations, all or those that exist ``on`` a day."""
    async with runtime.database.sessions() as session:
        return await views.organisations_view(session, on)


@router.post("/organisations", status_code=status.HTTP_201_CREATED, tags=["organisation"])
async def create_organisation(command: OrganisationCreate, runtime: Runtime, _: Admin) -> OrganisationPublic:
    """A unit (``kind`` unit, with its ``unit_kind``) or a Party organisation under its ``parent_id``."""
    return views.organisation_public(await execute(runtime, organisation.create_organisation, command))


@router.get("/organisations/{org_id}", tags=["organisation"])
async def get_organisation(org_id: str, runtime: Runtime, _: Organisers) -> OrganisationPublic:
    async with runtime.database.sessions() as session:
        return await views.organisation_view(session, org_id)


@router.patch("/organisations/{org_id}", tags=["organisation"])
async def update_organisation(
    org_id: str, update: OrganisationUpdate, runtime: Runtime, _: Admin
) -> OrganisationPublic:
    """Rename, or close (``valid_until``: refused while anything under it stays open)."""
    return views.organisation_public(await execute(runtime, organisation.update_organisation, org_id, update))


# ── persons ───────────────────────────────────────────────────────────────────────────────────────────


@router.get("/persons", tags=["persons"])
async def list_persons(runtime: Runtime, principal: Registrar) -> list[PersonPublic]:
    """Everyone (an admin), or the people of the units a nominator speaks for."""
    async with runtime.database.sessions() as session:
        return await views.persons_view(session, None if is_admin(principal) else principal.units)


@router.post("/persons", status_code=status.HTTP_201_CREATED, tags=["persons"])
async def register_person(command: PersonCreate, runtime: Runtime, principal: Registering) -> PersonPublic:
    return views.person_public(await execute(runtime, persons.register_person, command, principal))


@router.get("/persons/{person_id}", tags=["persons"])
async def get_person(person_id: str, runtime: Runtime, principal: Member, as_of: AsOf = None) -> PersonDetail:
    """The person, and what they were ``as_of`` a day (political status, positions): what training rules judge."""
    async with runtime.database.sessions() as session:
        row = await views.person_row(session, person_id)
        if not (principal.has_any(Role.CLASS_MANAGER) and await _managed_learner(session, principal, person_id)):
            check_person(principal, row, "see")
    return views.person_detail(row, as_of or views.school_today())


@router.patch("/persons/{person_id}", tags=["persons"])
async def update_person(person_id: str, update: PersonUpdate, runtime: Runtime, principal: Registrar) -> PersonPublic:
    """Corrections: whatever is sent replaces what the register has (histories as a whole)."""
    return views.person_public(await execute(runtime, persons.update_person, person_id, update, principal))


@router.post("/persons/{person_id}/statuses", tags=["persons"])
async def change_status(person_id: str, change: StatusChange, runtime: Runtime, principal: Registrar) -> PersonPublic:
    """A new political status from ``since``; the one held until then ends that day."""
    return views.person_public(await execute(runtime, persons.change_status, person_id, change, principal))


@router.post("/persons/{person_id}/positions", tags=["persons"])
async def take_position(person_id: str, taken: PositionTaken, runtime: Runtime, principal: Registrar) -> PersonPublic:
    return views.person_public(await execute(runtime, persons.take_position, person_id, taken, principal))


@router.post("/persons/{person_id}/positions/{position}/end", tags=["persons"])
async def leave_position(
    person_id: str, position: str, left: PositionLeft, runtime: Runtime, principal: Registrar
) -> PersonPublic:
    """The person holds ``position`` no more from ``on``."""
    return views.person_public(await execute(runtime, persons.leave_position, person_id, position, left.on, principal))


@router.get("/persons/{person_id}/enrollments", tags=["enrollments"])
async def person_enrollments(person_id: str, runtime: Runtime, principal: Member) -> list[EnrollmentPublic]:
    """The person's ways through classes: their own (a learner), their unit's people's (a nominator), everyone's
    (an admin), those in the classes one manages (a class manager)."""
    async with runtime.database.sessions() as session:
        row = await views.person_row(session, person_id)
        if is_admin(principal) or is_self(principal, person_id) or speaks_for(principal, row.unit_id):
            return await views.person_enrollments_view(session, person_id)
        managed = await views.managed_classes_of(session, person_id, principal.subject)
        if not principal.has_any(Role.CLASS_MANAGER) or not managed:
            raise Forbidden(f"{person_id}'s enrollments are not among the records you may see")
        return await views.person_enrollments_view(session, person_id, managed)


async def _managed_learner(session: AsyncSession, principal: Principal, person_id: str) -> bool:
    return bool(await views.managed_classes_of(session, person_id, principal.subject))


# ── courses and teachers ──────────────────────────────────────────────────────────────────────────────


@router.get("/courses", tags=["catalogue"])
async def list_courses(runtime: Runtime, _: ClassStaff) -> list[CoursePublic]:
    async with runtime.database.sessions() as session:
        return await views.courses_view(session)


@router.post("/courses", status_code=status.HTTP_201_CREATED, tags=["catalogue"])
async def create_course(command: CourseCreate, runtime: Runtime, _: Admin) -> CoursePublic:
    return CoursePublic.model_validate(await execute(runtime, catalogue.create_course, command), from_attributes=True)


@router.get("/courses/{course_id}", tags=["catalogue"])
async def get_course(course_id: str, runtime: Runtime, _: ClassStaff) -> CoursePublic:
    async with runtime.database.sessions() as session:
        return await views.course_view(session, course_id)


@router.patch("/courses/{course_id}", tags=["catalogue"])
async def update_course(course_id: str, update: CourseUpdate, runtime: Runtime, _: Admin) -> CoursePublic:
    course = await execute(runtime, catalogue.update_course, course_id, update)
    return CoursePublic.model_validate(course, from_attributes=True)


@router.get("/teachers", tags=["catalogue"])
async def list_teachers(runtime: Runtime, _: ClassStaff) -> list[TeacherPublic]:
    async with runtime.database.sessions() as session:
        return await views.teachers_view(session)


@router.post("/teachers", status_code=status.HTTP_201_CREATED, tags=["catalogue"])
async def create_teacher(command: TeacherCreate, runtime: Runtime, _: Admin) -> TeacherPublic:
    teacher = await execute(runtime, catalogue.create_teacher, command)
    return TeacherPublic.model_validate(teacher, from_attributes=True)


@router.get("/teachers/{teacher_id}", tags=["catalogue"])
async def get_teacher(teacher_id: str, runtime: Runtime, _: ClassStaff) -> TeacherPublic:
    async with runtime.database.sessions() as session:
        return await views.teacher_view(session, teacher_id)


@router.patch("/teachers/{teacher_id}", tags=["catalogue"])
async def update_teacher(teacher_id: str, update: TeacherUpdate, runtime: Runtime, _: Admin) -> TeacherPublic:
    teacher = await execute(runtime, catalogue.update_teacher, teacher_id, update)
    return TeacherPublic.model_validate(teacher, from_attributes=True)
