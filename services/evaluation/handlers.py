"""Evaluation's event and command handlers; each works in the caller's unit of work and never commits."""

from __future__ import annotations

from sqlmodel import select

from services.evaluation.models import Assessment, AssessmentCreate, EvaluationClass, EvaluationEnrollment
from shared.consumer import EventHandlers
from shared.errors import Conflict, NotFound
from shared.events.contracts.evaluation import AssessmentRecorded
from shared.events.contracts.register import ClassChanged, EnrollmentChanged
from shared.ids import new_id
from shared.projection import Projection, Projections
from shared.unit_of_work import UnitOfWork

PROJECTIONS = Projections(
    Projection(ClassChanged, EvaluationClass), Projection(EnrollmentChanged, EvaluationEnrollment)
)
handlers = EventHandlers()
PROJECTIONS.install(handlers)


async def record_assessment(uow: UnitOfWork, class_id: str, command: AssessmentCreate, assessed_by: str) -> Assessment:
    """Record a final assessment (结业考核); it supersedes any earlier one of the same learner in the class."""
    if await uow.session.get(EvaluationClass, class_id) is None:
        raise NotFound(f"class {class_id} is not known to evaluation (yet); if it was just created, retry shortly")
    enrollment = (
        await uow.session.exec(
            select(EvaluationEnrollment).where(
                EvaluationEnrollment.class_id == class_id, EvaluationEnrollment.person_id == command.person_id
            )
        )
    ).first()
    if enrollment is None or enrollment.status != "approved":
        raise Conflict(
            f"person {command.person_id} is not enrolled in class {class_id} "
            "(or the enrollment has not reached evaluation yet)"
        )
    assessment = Assessment(
        assessment_id=new_id("assessment"),
        class_id=class_id,
        assessed_by=assessed_by,
        **command.model_dump(),
    )
    uow.session.add(assessment)
    uow.emit(AssessmentRecorded.model_validate(assessment, from_attributes=True))
    return assessment
