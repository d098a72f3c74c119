"""Evaluation's tables and API schemas (Base -> Create -> table -> Public).

Classes and enrollments are projections of the register (``shared.projection``): just enough to know who may be
assessed in which class. Assessments are the facts evaluation owns.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Index, Numeric
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow
from shared.events.contracts.common import Identifier


class EvaluationClass(SQLModel, table=True):
    """A training class (培训班), projected from the register: who manages it, whether it runs."""

    __tablename__ = "evaluation_class"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    manager_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(max_length=64)


class EvaluationEnrollment(SQLModel, table=True):
    """A person's enrollment in a class, projected from the register: only the approved can be assessed."""

    __tablename__ = "evaluation_enrollment"
    __table_args__ = (Index("ix_evaluation_enrollment_learner", "class_id", "person_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64)
    status: str = Field(max_length=64)


class AssessmentBase(SQLModel):
    person_id: Identifier = Field(max_length=64, description="工号/学号 of the learner assessed")
    passed: bool = Field(description="whether the learner passed the final assessment (结业考核)")
    score: Decimal | None = Field(
        default=None, ge=0, le=100, max_digits=5, decimal_places=2, sa_type=Numeric(5, 2), description="0-100"
    )
    comment: str | None = Field(default=None, max_length=1000)


class AssessmentCreate(AssessmentBase):
    pass


class Assessment(AssessmentBase, table=True):
    """A final assessment (结业考核). Every one is kept; the latest for a learner in a class stands."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_class_person", "class_id", "person_id", "assessed_at"),)

    assessment_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(max_length=64)
    assessed_by: str = Field(max_length=200, description="subject of the token that recorded it")
    assessed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class AssessmentPublic(AssessmentBase):
    assessment_id: str
    class_id: str
    assessed_by: str
    assessed_at: datetime
