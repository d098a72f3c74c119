"""Certificates' tables and API schemas.

Classes, persons and enrollments are projections of the register; progress and hours entries are the facts
certificates has heard from evaluation and the ledger, kept just as needed to decide completion; the
``certificate`` table is what it decided. Facts arrive in any order, so none of them refers to another by key.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from sqlalchemy import Index, Numeric, text
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.vocabulary import category_label


class CertificateClass(SQLModel, table=True):
    """A training class (培训班), projected from the register: what its certificate says and what it takes."""

    __tablename__ = "certificate_class"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    year: int
    required_hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")


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


class CertificateProgress(SQLModel, table=True):
    """One learner in one class: the final assessment (结业考核) that stands.

    Every decision about a learner in a class is taken holding a lock on this row, so two events about the same
    learner and class are decided one after the other, the second seeing the facts of the first.
    """

    __tablename__ = "certificate_progress"

    person_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(primary_key=True, max_length=64, index=True)
    assessment_id: str | None = Field(default=None, max_length=64)
    assessment_passed: bool | None = None
    assessed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HoursEntry(SQLModel, table=True):
    """A 学时 ledger entry toward a class, by its entry id so a replayed entry counts once."""

    __tablename__ = "certificate_hours_entry"
    __table_args__ = (Index("ix_certificate_hours_entry_learner", "person_id", "class_id"),)

    entry_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(max_length=64)
    class_id: str = Field(max_length=64)
    hours: Decimal = Field(sa_type=Numeric(7, 2), description="学时: positive when credited, negative when reversed")
    replaced_by_entry_id: str | None = Field(default=None, max_length=64, description="a correction's new credit")


class CertificateStatus(StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"


class CertificateBase(SQLModel):
    certificate_number: str = Field(primary_key=True, max_length=32, description="证书编号, e.g. DX2026-7KQ0M3XH9RV2")
    person_id: str = Field(max_length=64, index=True)
    class_id: str = Field(max_length=64)
    # What the certificate says, as it was when issued.
    holder_name: str = Field(max_length=100)
    class_title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    hours: Decimal = Field(sa_type=Numeric(7, 2), description="学时 credited when the certificate was issued")
    issued_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revocation_reason: str | None = Field(default=None, max_length=500)
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
    )

    @property
    def status(self) -> CertificateStatus:
        return CertificateStatus.ISSUED if self.revoked_at is None else CertificateStatus.REVOKED

    @property
    def category_label(self) -> str:
        return category_label(self.category)


class CertificatePublic(CertificateBase):
    status: CertificateStatus
    category_label: str


class ValidCertificate(SQLModel):
    """What anyone may learn from the number of a valid certificate."""

    valid: Literal[True] = True
    status: Literal[CertificateStatus.ISSUED] = CertificateStatus.ISSUED
    number: str
    holder_name: str
    class_title: str
    category_label: str
    hours: Decimal
    issued_at: datetime


class RevokedCertificate(SQLModel):
    """What anyone may learn from the number of a revoked certificate."""

    valid: Literal[False] = False
    status: Literal[CertificateStatus.REVOKED] = CertificateStatus.REVOKED
    number: str
    revoked_at: datetime
    reason: str


class UnknownCertificate(SQLModel):
    valid: Literal[False] = False
    detail: str
