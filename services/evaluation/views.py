"""Read models of the evaluation service: what the API shows, straight from its tables."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evaluation.models import Assessment, AssessmentPublic, EvaluationClass
from shared.errors import NotFound


async def current_assessments_view(session: AsyncSession, class_id: str) -> list[AssessmentPublic]:
    """The assessment that stands for each learner of the class: their latest (ties go to the larger id)."""
    if await session.get(EvaluationClass, class_id) is None:
        raise NotFound(f"class {class_id} is not known to evaluation (yet)")
    rows = await session.exec(
        select(Assessment)
        .where(Assessment.class_id == class_id)
        .order_by(col(Assessment.person_id), col(Assessment.assessed_at), col(Assessment.assessment_id))
    )
    # Rows come oldest first per learner, so the last one kept for each learner is the one that stands.
    current = {row.person_id: row for row in rows.all()}
    return [AssessmentPublic.model_validate(row, from_attributes=True) for row in current.values()]
