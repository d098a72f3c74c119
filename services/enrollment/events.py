"""The register's rows as the state-carrying events that announce them (one per change, the whole state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import SQLModel

from services.enrollment.models import (
    ClassSession,
    Course,
    Enrollment,
    Organisation,
    Person,
    Teacher,
    TrainingClass,
)
from shared.events.contracts.register import (
    ClassChanged,
    CompletionCriteria,
    CourseChanged,
    EnrollmentChanged,
    OrganisationChanged,
    PersonChanged,
    SessionChanged,
    TeacherChanged,
)
from shared.events.envelope import EventData


def organisation_changed(row: Organisation) -> OrganisationChanged:
    return OrganisationChanged.model_validate(row, from_attributes=True)


def person_changed(row: Person) -> PersonChanged:
    # The 入党日期 stays in the register: other services' rules do not ask for it.
    statuses = [{key: held[key] for key in ("code", "since", "until")} for held in row.statuses]
    return PersonChanged.model_validate({**row.model_dump(), "statuses": statuses})


def course_changed(row: Course) -> CourseChanged:
    return CourseChanged.model_validate(row, from_attributes=True)


def teacher_changed(row: Teacher) -> TeacherChanged:
    return TeacherChanged.model_validate(row, from_attributes=True)


def class_changed(row: TrainingClass) -> ClassChanged:
    return ClassChanged.model_validate(
        {
            **row.model_dump(),
            "completion": CompletionCriteria.model_validate(row, from_attributes=True),
        }
    )


def session_changed(row: ClassSession) -> SessionChanged:
    return SessionChanged.model_validate(row, from_attributes=True)


def enrollment_changed(row: Enrollment) -> EnrollmentChanged:
    return EnrollmentChanged.model_validate(row, from_attributes=True)


_ANNOUNCED_BY: dict[type[SQLModel], Callable[[Any], EventData]] = {
    Organisation: organisation_changed,
    Person: person_changed,
    Course: course_changed,
    Teacher: teacher_changed,
    TrainingClass: class_changed,
    ClassSession: session_changed,
    Enrollment: enrollment_changed,
}


def state_of(row: SQLModel) -> EventData:
    """The event announcing a row's current state."""
    return _ANNOUNCED_BY[type(row)](row)
