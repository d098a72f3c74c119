"""Certificates' tables and API schemas.

Classes, persons, enrollments and sessions are projections of the register; attendance, ledger lines, assessments,
surveys and requirement standings are the facts certificates has heard from the ledger and from evaluation, kept
just as needed to judge completion and to state a year's 学时; ``certificate`` and ``hours_statement`` are what it
issued. Facts arrive in any order, so none of them refers to another by key.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import StrictInt
from sqlalchemy import JSON, Index, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.vocabulary import category_label

# ── projections of the register ──────────────────────────────────────────────────────────────────────


class CertificateClass(SQLModel, table=True):
    """A training class (培训班), projected from the register: what its certificate says and what completing it
    takes (its completion criteria, 结业条件)."""

    __tablename__ = "certificate_class"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    year: int
    starts_on: date | None = None
    ends_on: date | None = None
    manager_ids: list[str] = Field(default_factory=list, sa_type=JSON, description="class managers (跟班管理人员)")
    required_hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")
    max_absence_share: Decimal | None = Field(default=None, sa_type=Numeric(5, 4), description="of scheduled 学时")
    assessment_required: bool = Field(description="结业考核 passed")
    survey_required: bool = Field(description="the after-class survey (训后调研) answered")
    reissue_after_revocation: bool = Field(description="a new number rather than reinstating the revoked one")
    certificate: bool = Field(default=True, description="a 结业证书 on completion (not for a 党支部's own study)")


class CertificatePerson(SQLModel, table=True):
    """A person (工号/学号) and the name their certificates carry, projected from the register."""

    __tablename__ = "certificate_person"

    person_id: str = Field(primary_key=True, max_length=64)
    version: int
    name: str = Field(max_length=100)


class CertificateEnrollment(SQLModel, table=True):
    """A person's enrollment in a class, projected from the register: only an approved one is enrolled."""

    __tablename__ = "certificate_enrollment"
    __table_args__ = (Index("ix_certificate_enrollment_learner", "person_id", "class_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64)
    status: str = Field(max_length=64)


class CertificateSession(SQLModel, table=True):
    """A session of a class (课次), projected from the register: the 学时 it schedules, unless cancelled."""

    __tablename__ = "certificate_session"

    session_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64, index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 scheduled")
    status: str = Field(max_length=64, description="scheduled or cancelled")


# ── facts heard from the ledger and from evaluation ──────────────────────────────────────────────────


class CertificateProgress(SQLModel, table=True):
    """One learner in one class, from the first fact heard about them: the final assessment (结业考核) that stands
    and whether they answered the after-class survey. Every decision about a learner in a class is taken holding
    a named lock on the pair, so two events about them are decided one after the other."""

    __tablename__ = "certificate_progress"

    person_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(primary_key=True, max_length=64, index=True)
    assessment_id: str | None = Field(default=None, max_length=64)
    assessment_passed: bool | None = None
    assessment_grade: str | None = Field(default=None, max_length=64)
    assessed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    survey_answered: bool = False


class SessionAttendance(SQLModel, table=True):
    """A learner's attendance at one session as the ledger judges it (``none`` once voided); the newest revision."""

    __tablename__ = "certificate_session_attendance"
    __table_args__ = (Index("ix_certificate_session_attendance_learner", "person_id", "class_id"),)

    person_id: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(max_length=64)
    status: str = Field(max_length=64)
    revision: int


class HoursEntry(SQLModel, table=True):
    """A 学时 ledger entry, by its entry id so a replayed entry counts once: toward a class's certificate, and
    toward the person's annual 学时 statement by channel and category."""

    __tablename__ = "certificate_hours_entry"
    __table_args__ = (
        Index("ix_certificate_hours_entry_learner", "person_id", "class_id"),
        Index("ix_certificate_hours_entry_year", "person_id", "year"),
    )

    entry_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(max_length=64)
    class_id: str | None = Field(default=None, max_length=64)
    year: int
    hours: Decimal = Field(sa_type=Numeric(7, 2), description="学时: positive when credited, negative when reversed")
    replaced_by_entry_id: str | None = Field(default=None, max_length=64, description="a correction's new credit")
    channel: str | None = Field(default=None, max_length=64, description="offline (集中) or online (网络)")
    category: str | None = Field(default=None, max_length=64)
    trained_on: date | None = None


class RequirementStanding(SQLModel, table=True):
    """How a person stands against an annual 学时 requirement, as the ledger last announced it."""

    __tablename__ = "certificate_requirement_standing"

    person_id: str = Field(primary_key=True, max_length=64)
    requirement: str = Field(primary_key=True, max_length=100)
    window_start: date = Field(primary_key=True)
    window_end: date | None = Field(default=None, description="null while the window has no end yet")
    title: str = Field(max_length=200)
    required_hours: Decimal = Field(sa_type=Numeric(8, 2))
    credited_hours: Decimal = Field(sa_type=Numeric(8, 2))
    standing: str = Field(max_length=64)
    as_of: date
    revision: int = Field(description="the ledger's count of announcements for this window; the highest stands")


# ── what certificates issued ─────────────────────────────────────────────────────────────────────────


class CertificateStatus(StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"


class CertificateBase(SQLModel):
    certificate_number: str = Field(primary_key=True, max_length=32, description="证书编号, e.g. DX2026-7KQ0M3XH9RV2")
    person_id: str = Field(max_length=64, index=True)
    class_id: str = Field(max_length=64, index=True)
    # What the certificate says, as it was when issued.
    holder_name: str = Field(max_length=100)
    class_title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    hours: Decimal = Field(sa_type=Numeric(7, 2), description="学时 credited when the certificate was issued")
    required_hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 the class required")
    criteria: str = Field(max_length=500, description="the class's completion criteria in words")
    starts_on: date
    ends_on: date
    issued_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revocation_reason: str | None = Field(default=None, max_length=500)
    reinstated_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="when last reinstated")
    revision: int = Field(default=1, description="counts the certificate's changes; issuing is the first")


class Certificate(CertificateBase, table=True):
    """A training certificate (结业证书). Revoked ones are kept: their numbers stay verifiable."""

    __tablename__ = "certificate"
    __table_args__ = (
        # At most one valid certificate per learner and class, even when two events race to issue it.
        Index(
            "uq_certificate_valid_per_learner",
            "person_id",
            "class_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        UniqueConstraint("person_id", "class_id", "ordinal", name="uq_certificate_ordinal"),
        UniqueConstraint("status_list", "status_index", name="uq_certificate_status_index"),
    )

    ordinal: int = Field(description="which of the learner's certificates for the class: 0 for the first")
    status_list: str = Field(max_length=32, description="the Bitstring Status List its revocation bit is in")
    status_index: int = Field(description="its bit in that list")
    changed_at: datetime = Field(sa_type=UTCDateTime, description="when last issued, revoked or reinstated")

    @property
    def status(self) -> CertificateStatus:
        return CertificateStatus.ISSUED if self.revoked_at is None else CertificateStatus.REVOKED

    @property
    def category_label(self) -> str:
        return category_label(self.category)


class HoursStatement(SQLModel, table=True):
    """An annual 学时 statement (年度学时证明) as issued: the ledger's figures of the year on that day."""

    __tablename__ = "hours_statement"
    __table_args__ = (UniqueConstraint("person_id", "year", "ordinal", name="uq_hours_statement_ordinal"),)

    statement_number: str = Field(primary_key=True, max_length=32, description="学时证明编号, e.g. XS2026-…")
    person_id: str = Field(max_length=64, index=True)
    holder_name: str = Field(max_length=100)
    year: int
    ordinal: int
    by_channel: dict[str, Any] = Field(sa_type=JSON, description="学时 by channel code, as decimal strings")
    by_category: dict[str, Any] = Field(sa_type=JSON, description="学时 earned in classes by category code")
    requirements: list[dict[str, Any]] = Field(sa_type=JSON, description="the requirements' figures")
    issued_at: datetime = Field(sa_type=UTCDateTime)


# ── API schemas ──────────────────────────────────────────────────────────────────────────────────────


class CertificatePublic(CertificateBase):
    status: CertificateStatus
    category_label: str


class CriterionPublic(SQLModel):
    criterion: str = Field(description="enrolled, hours, absence, assessment or survey")
    met: bool
    figures: str = Field(description='e.g. "22.5 of 24 学时"')


class CompletionPublic(SQLModel):
    """A learner's standing against the class's completion criteria, each with its figures."""

    person_id: str
    class_id: str
    rule: str = Field(description="the rule that judged it, e.g. class-criteria/v1")
    completed: bool
    criteria: list[CriterionPublic]
    summary: str = Field(description="every criterion's figures in one line")
    certificate_number: str | None = Field(default=None, description="the learner's latest certificate, if any")
    certificate_status: CertificateStatus | None = None


class ClassCompletionPublic(SQLModel):
    class_id: str
    title: str
    learners: list[CompletionPublic]


class VerificationPublic(SQLModel):
    """What anyone may learn from a number: valid, revoked (and when) or unknown; the name masked (张*)."""

    valid: bool
    status: str = Field(description="issued, revoked, unknown, or mistyped (caught by the check symbols)")
    number: str
    kind: str | None = Field(default=None, description="certificate (结业证书) or hours_statement (学时证明)")
    masked_name: str | None = None
    title: str | None = Field(default=None, description="the class, or e.g. 2026年度学时证明")
    hours: Decimal | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    issued_on: date | None = None
    revoked_on: date | None = None
    detail: str | None = None


class HoursStatementRequest(SQLModel):
    # A JSON integer only, as the OpenAPI document says: neither 2026.0 nor "2026" is a year.
    year: StrictInt = Field(ge=2000, le=2100)


class HoursLinePublic(SQLModel):
    label: str
    hours: Decimal


class HoursStatementPublic(SQLModel):
    statement_number: str
    person_id: str
    holder_name: str
    year: int
    total_hours: Decimal
    by_channel: list[HoursLinePublic]
    by_category: list[HoursLinePublic]
    conclusion: str
    issued_at: datetime
    pdf_url: str
    credential_url: str
    verification_url: str
