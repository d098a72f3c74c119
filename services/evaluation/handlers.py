"""Evaluation's event and command handlers; each works in the caller's unit of work and never commits."""

from __future__ import annotations

from sqlmodel import select

from services.evaluation.models import Assessment, AssessmentCreate, EvaluationClass, EvaluationEnrollment
from shared.consumer import EventHandlers, Outcome
from shared.errors import Conflict, NotFound
from shared.events.contracts import AssessmentRecorded, ClassCreated, PersonEnrolled
from shared.events.envelope import CloudEvent
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork

handlers = EventHandlers()


@handlers.on(ClassCreated)
async def on_class_created(uow: UnitOfWork, event: CloudEvent, data: ClassCreated) -> Outcome | None:
    if await uow.session.get(EvaluationClass, data.class_id) is not None:
        return Outcome.DUPLICATE
    uow.session.add(EvaluationClass(class_id=data.class_id, title=data.title))
    return None


@handlers.on(PersonEnrolled)
async def on_person_enrolled(uow: UnitOfWork, event: CloudEvent, data: PersonEnrolled) -> Outcome | None:
    if await _enrollment(uow, data.class_id, data.person_id) is not None:
        return Outcome.DUPLICATE
    uow.session.add(
        EvaluationEnrollment(enrollment_id=data.enrollment_id, class_id=data.class_id, person_id=data.person_id)
    )
    return None


async def record_assessment(uow: UnitOfWork, class_id: str, command: AssessmentCreate, assessed_by: str) -> Assessment:
    """Record a final assessment (结业考核); it supersedes any earlier one of the same learner in the class."""
    if await uow.session.get(EvaluationClass, class_id) is None:
        raise NotFound(f"class {class_id} is not known to evaluation (yet); if it was just created, retry shortly")
    if await _enrollment(uow, class_id, command.person_id) is None:
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


async def _enrollment(uow: UnitOfWork, class_id: str, person_id: str) -> EvaluationEnrollment | None:
    query = select(EvaluationEnrollment).where(
        EvaluationEnrollment.class_id == class_id, EvaluationEnrollment.person_id == person_id
    )
    return (await uow.session.exec(query)).first()
