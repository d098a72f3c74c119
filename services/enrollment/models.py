"""Enrollment's tables and API schemas (Base -> Create -> table -> Public)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow
from shared.events.contracts import ClassCategory, Hours, Identifier, SessionKind
from shared.events.envelope import Moment


class SessionBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    kind: SessionKind = Field(sa_type=String(20))
    starts_at: Moment = Field(sa_type=UTCDateTime)
    duration_minutes: int = Field(gt=0, le=1440)
    hours: Hours = Field(sa_type=Numeric(6, 2), description="学时 credited for full attendance")


class SessionCreate(SessionBase):
    # The timetable's own code, when it has one (door readers and platforms report it); else generated.
    session_id: Identifier | None = None


class ClassSession(SessionBase, table=True):
    __tablename__ = "class_session"

    session_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)


class SessionPublic(SessionBase):
    session_id: str
    class_id: str


class ClassBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    category: ClassCategory = Field(sa_type=String(40))
    year: int = Field(ge=2000, le=2100)
    required_hours: Hours = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")


class ClassCreate(ClassBase):
    class_id: Identifier | None = None
    sessions: list[SessionCreate] = Field(default_factory=list)


class TrainingClass(ClassBase, table=True):
    """A training class (培训班)."""

    __tablename__ = "training_class"

    class_id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class ClassPublic(ClassBase):
    class_id: str
    category_label: str
    sessions: list[SessionPublic]
    scheduled_hours: Decimal


class PersonBase(SQLModel):
    person_id: Identifier = Field(primary_key=True, max_length=64, description="工号/学号")
    name: str = Field(min_length=1, max_length=100)
    unit: str | None = Field(default=None, max_length=200)


class PersonCreate(PersonBase):
    pass


class Person(PersonBase, table=True):
    __tablename__ = "person"

    registered_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class PersonPublic(PersonBase):
    pass


class EnrollmentCreate(SQLModel):
    person_id: Identifier


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("class_id", "person_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    person_id: str = Field(foreign_key="person.person_id", index=True, max_length=64)
    enrolled_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class EnrollmentPublic(SQLModel):
    enrollment_id: str
    class_id: str
    person_id: str
    enrolled_at: datetime
