"""The register's rows as the state-carrying events that announce them (one per change, the whole state)."""

from __future__ import annotations

from services.enrollment.models import ClassSession, Enrollment, Person, TrainingClass
from shared.events.contracts.register import (
    ClassChanged,
    CompletionCriteria,
    EnrollmentChanged,
    PersonChanged,
    SessionChanged,
)


def class_changed(row: TrainingClass) -> ClassChanged:
    return ClassChanged.model_validate(
        {
            **row.model_dump(),
            "completion": CompletionCriteria.model_validate(row, from_attributes=True),
        }
    )


def session_changed(row: ClassSession) -> SessionChanged:
    return SessionChanged.model_validate(row, from_attributes=True)


def person_changed(row: Person) -> PersonChanged:
    return PersonChanged.model_validate(row.model_dump())


def enrollment_changed(row: Enrollment) -> EnrollmentChanged:
    return EnrollmentChanged.model_validate(row, from_attributes=True)
