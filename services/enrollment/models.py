"""Enrollment's tables and API schemas (Base -> Create -> table -> Public).

Every table the register publishes has a ``version`` that grows with each change: the state event of a row
carries the whole row and that version (``services.enrollment.events``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow
from shared.events.contracts.common import Hours, Identifier, Period
from shared.events.envelope import Moment


class ClassCategory(StrEnum):
    """The training groups (分层分类培训)."""

    DIVISION_CADRES = "division_cadres"  # 处级干部专题培训
    PARTY_AFFAIRS = "party_affairs"  # 党务干部培训
    YOUNG_BACKBONE = "young_backbone"  # 青年骨干培训
    MEMBER_ROTATION = "member_rotation"  # 党员集中轮训
    ACTIVISTS = "activists"  # 入党积极分子培训
    DEVELOPMENT_TARGETS = "development_targets"  # 发展对象培训
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪检监察员培训
    UNITED_FRONT = "united_front"  # 统战"两支队伍"培训


class TeachingMode(StrEnum):
    LECTURE = "lecture"  # 专题讲授
    SEMINAR = "seminar"  # 研讨式
    CASE = "case"  # 案例式
    SCENARIO = "scenario"  # 情景模拟
    EXPERIENTIAL = "experiential"  # 体验式
    ON_SITE = "on_site"  # 现场教学
    ONLINE = "online"  # 网络学习
    PRACTICE = "practice"  # 实践


class Versioned(SQLModel):
    version: int = Field(default=1, ge=1)
    changed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


# ── sessions ──────────────────────────────────────────────────────────────────────────────────────────


class SessionBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    teaching_mode: TeachingMode = Field(sa_type=String(40))
    starts_at: Moment = Field(sa_type=UTCDateTime)
    ends_at: Moment = Field(sa_type=UTCDateTime)
    hours: Hours = Field(sa_type=Numeric(6, 2), description="学时 credited for full attendance")
    place: str | None = Field(default=None, max_length=200)


class SessionCreate(SessionBase):
    # The timetable's own code, when it has one (door readers and platforms report it); else generated.
    session_id: Identifier | None = None


class ClassSession(SessionBase, Versioned, table=True):
    __tablename__ = "class_session"

    session_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    status: str = Field(default="scheduled", max_length=20)


class SessionPublic(SessionBase):
    session_id: str
    class_id: str
    status: str
    version: int


# ── classes ───────────────────────────────────────────────────────────────────────────────────────────


class ClassBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    category: ClassCategory = Field(sa_type=String(64))
    year: int = Field(ge=2000, le=2100)
    required_hours: Hours = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")
    max_absence_share: Decimal | None = Field(
        default=None, ge=0, le=1, decimal_places=4, sa_type=Numeric(5, 4), description="of the scheduled 学时"
    )
    assessment_required: bool = True
    survey_required: bool = False


class ClassCreate(ClassBase):
    class_id: Identifier | None = None
    sessions: list[SessionCreate] = Field(default_factory=list)


class TrainingClass(ClassBase, Versioned, table=True):
    """A training class (培训班)."""

    __tablename__ = "training_class"

    class_id: str = Field(primary_key=True, max_length=64)
    status: str = Field(default="open", max_length=20)


class ClassPublic(ClassBase):
    class_id: str
    category_label: str
    status: str
    version: int
    sessions: list[SessionPublic]
    scheduled_hours: Decimal


# ── persons ───────────────────────────────────────────────────────────────────────────────────────────


class PersonBase(SQLModel):
    person_id: Identifier = Field(primary_key=True, max_length=64, description="工号/学号")
    name: str = Field(min_length=1, max_length=100)
    unit_id: Identifier | None = Field(default=None, max_length=64)
    branch_id: Identifier | None = Field(default=None, max_length=64)


class PersonCreate(PersonBase):
    statuses: list[Period] = Field(default_factory=list, description="political status (政治面貌) over time")
    positions: list[Period] = Field(default_factory=list)


class Person(PersonBase, Versioned, table=True):
    __tablename__ = "person"

    statuses: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    positions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    active: bool = True


class PersonPublic(PersonBase):
    statuses: list[Period]
    positions: list[Period]
    version: int


# ── enrollments ───────────────────────────────────────────────────────────────────────────────────────


class EnrollmentCreate(SQLModel):
    person_id: Identifier


class Enrollment(Versioned, table=True):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("class_id", "person_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    person_id: str = Field(foreign_key="person.person_id", index=True, max_length=64)
    status: str = Field(default="approved", max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    enrolled_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class EnrollmentPublic(SQLModel):
    enrollment_id: str
    class_id: str
    person_id: str
    status: str
    version: int
    enrolled_at: datetime
