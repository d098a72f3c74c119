"""The register's facts evaluation needs, kept by the shared projection helper: classes (group, year, managers),
sessions (teachers, course), enrollments (who is enrolled), teachers and courses (names in reports)."""

from __future__ import annotations

from collections.abc import Sequence

from services.evaluation.models import (
    EvaluationClass,
    EvaluationCourse,
    EvaluationEnrollment,
    EvaluationSession,
    EvaluationTeacher,
)
from shared.consumer import Delivery
from shared.events.contracts.register import (
    ClassChanged,
    CourseChanged,
    EnrollmentChanged,
    SessionChanged,
    TeacherChanged,
)
from shared.projection import Projection, Projections, reference
from shared.unit_of_work import UnitOfWork


def class_reference(class_id: str) -> str:
    """What a command about a class waits for, and the lock every command about the class takes."""
    return reference("class", class_id)


def learner_reference(class_id: str, person_id: str) -> str:
    """What a command about a learner waits for: their enrollment in the class, whatever its id
    (``learner:2026-FZDX-01/20260001``)."""
    return reference("learner", f"{class_id}/{person_id}")


async def _release_learners(uow: UnitOfWork, deliveries: Sequence[Delivery[EnrollmentChanged]]) -> None:
    """A changed enrollment may end the wait of commands about its learner: they are applied if it is approved,
    refused if it ended otherwise, parked again if it is still undecided."""
    # Commands about a class take its lock while they look for the enrollment: taking turns with them, an
    # enrollment is either seen by a command, or releases it once parked.
    await uow.lock(*{class_reference(delivery.data.class_id) for delivery in deliveries})
    uow.release(learner_reference(delivery.data.class_id, delivery.data.person_id) for delivery in deliveries)


PROJECTIONS = Projections(
    Projection(ClassChanged, EvaluationClass),
    Projection(SessionChanged, EvaluationSession),
    Projection(EnrollmentChanged, EvaluationEnrollment, on_change=_release_learners),
    Projection(TeacherChanged, EvaluationTeacher),
    Projection(CourseChanged, EvaluationCourse),
)
