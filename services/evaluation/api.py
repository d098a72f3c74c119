"""Evaluation HTTP API: final assessments (结业考核) of learners in a class."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.evaluation import handlers, views
from services.evaluation.models import AssessmentCreate, AssessmentPublic
from shared.auth import Staff
from shared.service import Runtime, execute

router = APIRouter()


@router.post(
    "/classes/{class_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentPublic,
    tags=["assessments"],
)
async def record_assessment(
    class_id: str, command: AssessmentCreate, runtime: Runtime, principal: Staff
) -> AssessmentPublic:
    assessment = await execute(runtime, handlers.record_assessment, class_id, command, principal.subject)
    return AssessmentPublic.model_validate(assessment, from_attributes=True)


@router.get("/classes/{class_id}/assessments", response_model=list[AssessmentPublic], tags=["assessments"])
async def list_current_assessments(class_id: str, runtime: Runtime, _: Staff) -> list[AssessmentPublic]:
    async with runtime.database.sessions() as session:
        return await views.current_assessments_view(session, class_id)
