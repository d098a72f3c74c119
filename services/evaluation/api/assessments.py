"""The 结业考核 (final assessment) over HTTP: a class's scheme, the parties' scores, results entered directly.

A score or result about a learner evaluation does not know as enrolled yet is accepted all the same: the answer is
202 with a ``Location`` (``/commands/{id}``) that says what it waits for, and then what became of it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from services.evaluation import views
from services.evaluation.handlers import assessments
from services.evaluation.models import (
    AssessmentCreate,
    AssessmentPublic,
    CommandPublic,
    EvaluationCommand,
    LearnerStanding,
    SchemeBody,
    SchemePublic,
    ScoreCreate,
    ScoreResult,
)
from shared.auth import Authenticated, Principal, Role, require
from shared.service import Runtime, execute

router = APIRouter(tags=["结业考核 (final assessment)"])
Manager = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER))]
Scorer = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER, Role.TEACHER, Role.LEARNER))]
Assessor = Annotated[Principal, Depends(require(Role.ADMIN, Role.TEACHER))]
Reader = Annotated[
    Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER, Role.TEACHER, Role.ORGANISATION_DEPARTMENT))
]
WAITING: dict[int | str, dict[str, Any]] = {
    status.HTTP_202_ACCEPTED: {
        "model": CommandPublic,
        "description": "accepted, waiting for the learner's enrollment (or the class) to reach evaluation; "
        "poll the Location for what became of it",
    }
}


@router.put("/classes/{class_id}/scheme", response_model=SchemePublic)
async def set_scheme(class_id: str, body: SchemeBody, runtime: Runtime, principal: Manager) -> SchemePublic:
    """The class's evaluation scheme (考核方案): parties, weights, items, thresholds; or exam only."""
    scheme = await execute(runtime, assessments.set_scheme, class_id, body, principal)
    return SchemePublic.model_validate({**scheme.definition, **scheme.model_dump(exclude={"definition"})})


@router.get("/classes/{class_id}/scheme", response_model=SchemePublic)
async def get_scheme(class_id: str, runtime: Runtime, principal: Reader) -> SchemePublic:
    async with runtime.database.sessions() as session:
        return await views.scheme_view(session, class_id, principal)


@router.post(
    "/classes/{class_id}/scores",
    status_code=status.HTTP_201_CREATED,
    response_model=ScoreResult | CommandPublic,
    responses=WAITING,
)
async def record_score(
    class_id: str, body: ScoreCreate, runtime: Runtime, principal: Scorer, response: Response
) -> ScoreResult | CommandPublic:
    """A party's scores of a learner (党校: of the class as a whole), and the 结业考核 they complete or change."""
    settled = await execute(runtime, assessments.submit_score, class_id, body, principal)
    return _waiting(settled, response) if isinstance(settled, EvaluationCommand) else settled


@router.post(
    "/classes/{class_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentPublic | CommandPublic,
    responses=WAITING,
)
async def enter_assessment(
    class_id: str, body: AssessmentCreate, runtime: Runtime, principal: Assessor, response: Response
) -> AssessmentPublic | CommandPublic:
    """A 结业考核 entered directly: an exam-only class's result, or one of a class without a scheme. A later one
    supersedes the earlier."""
    settled = await execute(runtime, assessments.enter_assessment, class_id, body, principal)
    return _waiting(settled, response) if isinstance(settled, EvaluationCommand) else settled


@router.get("/classes/{class_id}/assessments", response_model=list[AssessmentPublic])
async def list_current_assessments(class_id: str, runtime: Runtime, principal: Reader) -> list[AssessmentPublic]:
    """The 结业考核 that stands for each learner of the class."""
    async with runtime.database.sessions() as session:
        return await views.current_assessments_view(session, class_id, principal)


@router.get("/classes/{class_id}/learners/{person_id}/assessment", response_model=LearnerStanding)
async def learner_standing(
    class_id: str, person_id: str, runtime: Runtime, principal: Authenticated
) -> LearnerStanding:
    """A learner's 结业考核, or what it still waits for."""
    async with runtime.database.sessions() as session:
        return await views.learner_standing_view(session, class_id, person_id, principal)


@router.get("/commands/{command_id}", response_model=CommandPublic)
async def command_status(command_id: str, runtime: Runtime, principal: Authenticated) -> CommandPublic:
    """What became of a score or result that had to wait: pending (and for what), applied, or refused (and why)."""
    async with runtime.database.sessions() as session:
        return await views.command_view(session, command_id, principal)


def _waiting(command: EvaluationCommand, response: Response) -> CommandPublic:
    response.status_code = status.HTTP_202_ACCEPTED
    response.headers["Location"] = f"/commands/{command.command_id}"
    return CommandPublic.model_validate(command.model_dump())
