"""Planning's tables.

Three kinds: projections of the register (organisations, persons, classes, sessions, enrollments); the facts heard
from the ledger, evaluation and certificates, each kept by its own id so a repeat counts once; and the office's
records (plans, tasks, cultivation records, budgets, spending standards), kept from the office topic as the
register's entities are kept from theirs. Last, what planning decided and announced: officers' terms, each task's
nominees, and the digest of every announcement (so that it announces only what changed).

Facts arrive in any order, so none refers to another by key. The API's schemas are in ``schemas``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Numeric
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime

# ── projections of the register ──────────────────────────────────────────────────────────────────────


class PlanningOrganisation(SQLModel, table=True):
    """A unit or Party organisation (党委, 党总支, 党支部) and where it hangs in its tree."""

    __tablename__ = "planning_organisation"

    org_id: str = Field(primary_key=True, max_length=64)
    version: int
    kind: str = Field(max_length=64)
    name: str = Field(max_length=200)
    parent_id: str | None = Field(default=None, max_length=64)


class PlanningPerson(SQLModel, table=True):
    """A person: their name for the files the office keeps, and what the year's rules judge them by."""

    __tablename__ = "planning_person"

    person_id: str = Field(primary_key=True, max_length=64)
    version: int
    name: str = Field(max_length=100)
    unit_id: str | None = Field(default=None, max_length=64, index=True)
    branch_id: str | None = Field(default=None, max_length=64, index=True)
    statuses: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    positions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    active: bool


class PlanningClass(SQLModel, table=True):
    """A training class: its group, level, dates and places."""

    __tablename__ = "planning_class"
    __table_args__ = (Index("ix_planning_class_group", "category", "level"),)

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    level: str | None = Field(default=None, max_length=64)
    year: int = Field(index=True)
    starts_on: date | None = None
    ends_on: date | None = None
    capacity: int | None = None
    status: str = Field(max_length=64)


class PlanningSession(SQLModel, table=True):
    """A session of a class: its days are the days a budget's person-days count."""

    __tablename__ = "planning_session"

    session_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64, index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(max_length=64)


class PlanningEnrollment(SQLModel, table=True):
    """A person's way into a class: only an approved one is enrolled; nominated, applied and approved take a
    place."""

    __tablename__ = "planning_enrollment"
    __table_args__ = (Index("ix_planning_enrollment_learner", "person_id", "class_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64, index=True)
    person_id: str = Field(max_length=64)
    status: str = Field(max_length=64)


# ── facts heard from the ledger, evaluation and certificates ─────────────────────────────────────────


class PlanningCredit(SQLModel, table=True):
    """A credit of the 学时 ledger."""

    __tablename__ = "planning_credit"
    __table_args__ = (
        Index("ix_planning_credit_person", "person_id", "year"),
        Index("ix_planning_credit_class", "class_id"),
    )

    entry_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(max_length=64)
    year: int
    hours: Decimal = Field(sa_type=Numeric(7, 2))
    day: date = Field(description="the day trained, or the day the ledger posted it when it did not say")
    class_id: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=64)
    channel: str | None = Field(default=None, max_length=64)
    activity_id: str | None = Field(default=None, max_length=64)
    platform: str | None = Field(default=None, max_length=100)


class PlanningReversal(SQLModel, table=True):
    """A reversal of a credit; a correction names the credit that replaces it."""

    __tablename__ = "planning_reversal"

    entry_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(max_length=64, index=True)
    reverses_entry_id: str = Field(max_length=64)
    replaced_by_entry_id: str | None = Field(default=None, max_length=64)


class PlanningAssessment(SQLModel, table=True):
    """A final assessment (结业考核); every one is kept, the latest stands."""

    __tablename__ = "planning_assessment"
    __table_args__ = (Index("ix_planning_assessment_learner", "person_id", "class_id"),)

    assessment_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(max_length=64, index=True)
    person_id: str = Field(max_length=64)
    passed: bool
    grade: str | None = Field(default=None, max_length=64)
    assessed_at: datetime = Field(sa_type=UTCDateTime)


class PlanningCertificate(SQLModel, table=True):
    """A certificate (结业证书) as its newest revision says: valid, or revoked."""

    __tablename__ = "planning_certificate"
    __table_args__ = (Index("ix_planning_certificate_learner", "person_id", "class_id"),)

    certificate_number: str = Field(primary_key=True, max_length=32)
    revision: int
    person_id: str = Field(max_length=64)
    class_id: str = Field(max_length=64, index=True)
    valid: bool
    changed_on: date = Field(description="the day of its newest change, in Beijing time")
    hours: Decimal | None = Field(default=None, sa_type=Numeric(7, 2))


class PlanningSurveyAnswer(SQLModel, table=True):
    """That a person answered a survey form (never what)."""

    __tablename__ = "planning_survey_answer"

    form_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(primary_key=True, max_length=64)
    class_id: str | None = Field(default=None, max_length=64)
    purpose: str = Field(max_length=64)
    answered_at: datetime = Field(sa_type=UTCDateTime)


class PlanningStanding(SQLModel, table=True):
    """How a person stands against a 学时 requirement in one window, as the ledger last announced it."""

    __tablename__ = "planning_standing"

    person_id: str = Field(primary_key=True, max_length=64)
    requirement: str = Field(primary_key=True, max_length=100)
    window_start: date = Field(primary_key=True)
    window_end: date | None = None
    title: str = Field(max_length=200)
    required_hours: Decimal = Field(sa_type=Numeric(9, 2))
    credited_hours: Decimal = Field(sa_type=Numeric(9, 2))
    standing: str = Field(max_length=64)
    met_on: date | None = None
    as_of: date


# ── the office's records ─────────────────────────────────────────────────────────────────────────────


class OfficePlan(SQLModel, table=True):
    """The annual training plan (年度培训计划)."""

    __tablename__ = "annual_plan"

    plan_id: str = Field(primary_key=True, max_length=64)
    version: int
    year: int = Field(index=True)
    title: str = Field(max_length=200)
    classes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    fed_by: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class OfficeTask(SQLModel, table=True):
    """A training task assigned from above (上级调训任务) and its nominees."""

    __tablename__ = "training_task"

    task_id: str = Field(primary_key=True, max_length=64)
    version: int
    issuer: str = Field(max_length=64)
    title: str = Field(max_length=200)
    quota: int
    assigned_on: date
    deadline: date
    required_hours: Decimal = Field(sa_type=Numeric(6, 2))
    counting: dict[str, Any] = Field(sa_type=JSON)
    eligibility: dict[str, Any] = Field(sa_type=JSON)
    nominees: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class TaskNominee(SQLModel, table=True):
    """A person nominated for a task: which tasks a credit of theirs may count toward."""

    __tablename__ = "task_nominee"

    person_id: str = Field(primary_key=True, max_length=64)
    task_id: str = Field(primary_key=True, max_length=64, index=True)


class OfficeCultivation(SQLModel, table=True):
    """The cultivation record (培养考察) a branch keeps of an activist or development target."""

    __tablename__ = "cultivation_record"

    person_id: str = Field(primary_key=True, max_length=64)
    version: int
    activities: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    talks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class OfficeBudget(SQLModel, table=True):
    """A class's budget lines and the approvers' notes."""

    __tablename__ = "class_budget"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    standards: str = Field(max_length=64)
    learners: int | None = None
    days: int | None = None
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    notes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class OfficeStandards(SQLModel, table=True):
    """Spending standards per person-day by class type, as published (never changed afterwards)."""

    __tablename__ = "spending_standards"

    name: str = Field(primary_key=True, max_length=64)
    version: int
    changed_at: datetime = Field(sa_type=UTCDateTime, description="when published: the newest is the default")
    standards: list[dict[str, Any]] = Field(sa_type=JSON)


# ── what planning decided and announced ──────────────────────────────────────────────────────────────


class OfficerTermRow(SQLModel, table=True):
    """A new officer's term and what became of it: nominated for a class, pending, or on the way already."""

    __tablename__ = "officer_term"
    __table_args__ = (Index("ix_officer_term_outcome", "outcome", "level"),)

    person_id: str = Field(primary_key=True, max_length=64)
    position: str = Field(primary_key=True, max_length=64)
    elected_on: date = Field(primary_key=True)
    role: str = Field(max_length=64)
    level: str = Field(max_length=64)
    org_id: str | None = Field(default=None, max_length=64)
    unit_id: str | None = Field(default=None, max_length=64, index=True)
    outcome: str = Field(max_length=64)
    class_id: str | None = Field(default=None, max_length=64, index=True)
    rule: str = Field(max_length=64)
    reason: str = Field(max_length=1000)
    revision: int = Field(description="announcements made about the term")
    decided_at: datetime = Field(sa_type=UTCDateTime, description="the time of the fact that decided it")


class Announced(SQLModel, table=True):
    """What planning last announced about one thing (``rotation:P1``, ``fulfilment:T1/P1``, ``record:P1/2026``):
    announced again only when its content changes, under the next revision."""

    __tablename__ = "planning_announced"

    subject: str = Field(primary_key=True, max_length=200)
    revision: int
    digest: str = Field(max_length=64)
