"""Read models of the enrollment service: what the API shows, straight from its tables."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.enrollment.models import (
    ClassPublic,
    ClassSession,
    Enrollment,
    EnrollmentPublic,
    SessionPublic,
    TrainingClass,
)
from shared.errors import NotFound
from shared.vocabulary import category_label


async def class_view(session: AsyncSession, class_id: str) -> ClassPublic:
    training_class = await session.get(TrainingClass, class_id)
    if training_class is None:
        raise NotFound(f"class {class_id} does not exist")
    sessions = (
        await session.exec(
            select(ClassSession).where(ClassSession.class_id == class_id).order_by(col(ClassSession.starts_at))
        )
    ).all()
    return ClassPublic(
        **training_class.model_dump(),
        category_label=category_label(training_class.category),
        sessions=[SessionPublic.model_validate(s, from_attributes=True) for s in sessions],
        scheduled_hours=sum((s.hours for s in sessions), Decimal(0)),
    )


async def enrollments_view(session: AsyncSession, class_id: str) -> list[EnrollmentPublic]:
    if await session.get(TrainingClass, class_id) is None:
        raise NotFound(f"class {class_id} does not exist")
    rows = await session.exec(
        select(Enrollment).where(Enrollment.class_id == class_id).order_by(col(Enrollment.enrolled_at))
    )
    return [EnrollmentPublic.model_validate(row, from_attributes=True) for row in rows.all()]
