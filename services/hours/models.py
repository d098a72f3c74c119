"""Tables of the hours service and the schemas of its API.

The hours service keeps projections of the register's persons, classes and sessions (``shared.projection``), every
attendance it has applied (also those earning nothing), the voids, the ledger, and per person and thing studied
the state a settlement needs (``LedgerItem``), so that no event ever scans the ledger.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime
from sqlalchemy import JSON, Column, Index, Numeric, String, Text
from sqlmodel import Field, SQLModel

from services.hours.domain.ledger import EntryKind
from shared.db import UTCDateTime
from shared.events.contracts.common import EventReference

# ── projections of the register ──────────────────────────────────────────────────────────────────────


class ProjectedPerson(SQLModel, table=True):
    """A person, as far as 学时 rules need them (no name: personal data stays in the register)."""

    __tablename__ = "hours_person"

    person_id: str = Field(primary_key=True, max_length=64)
    version: int
    unit_id: str | None = Field(default=None, max_length=64)
    branch_id: str | None = Field(default=None, max_length=64)
    statuses: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    positions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    active: bool = True


class ProjectedClass(SQLModel, table=True):
    """A training class (培训班): what the crediting rules and requirements need of it."""

    __tablename__ = "hours_class"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    year: int
    required_hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")
    crediting_rule: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=64)


class ProjectedSession(SQLModel, table=True):
    """A session of a class: what the crediting rule needs of it."""

    __tablename__ = "hours_session"

    session_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(index=True, max_length=64)
    teaching_mode: str = Field(max_length=64)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int
    hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 for full attendance")
    year: int = Field(description="the ledger year of its start, in Beijing time")
    status: str = Field(max_length=64)


# ── what the ledger has seen and posted ──────────────────────────────────────────────────────────────


class Attendance(SQLModel, table=True):
    """An applied attendance event and what it earns, whether or not the ledger holds that credit."""

    __tablename__ = "attendance"
    __table_args__ = (Index("ix_attendance_person_item", "person_id", "item"),)

    source: str = Field(primary_key=True, max_length=255)
    event_id: str = Field(primary_key=True, max_length=255)
    person_id: str = Field(max_length=64)
    item: str = Field(max_length=300, description="what was studied: session:… or activity:…:…")
    session_id: str | None = Field(default=None, max_length=64)
    activity_id: str | None = Field(default=None, max_length=64)
    activity_platform: str | None = Field(default=None, max_length=100)
    class_id: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=64, description="of the class, for a session")
    year: int
    trained_on: date = Field(description="the day of the training, in Beijing time")
    status: str = Field(max_length=20)
    channel: str = Field(max_length=10)
    minutes: int | None = None
    reported_hours: Decimal | None = Field(default=None, sa_type=Numeric(4, 2))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    credit_hours: Decimal = Field(sa_type=Numeric(6, 2))
    rule: str = Field(max_length=64)
    reason: str = Field(sa_column=Column(Text, nullable=False))


class AttendanceVoid(SQLModel, table=True):
    """An attendance taken back; kept even before that attendance arrives, so that it then earns nothing."""

    __tablename__ = "attendance_void"

    voided_source: str = Field(primary_key=True, max_length=255)
    voided_event_id: str = Field(primary_key=True, max_length=255)
    void_source: str = Field(max_length=255)
    void_event_id: str = Field(max_length=255)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    voided_at: datetime = Field(sa_type=UTCDateTime, description="the time of the void event")


class LedgerEntry(SQLModel, table=True):
    """One line of a person's 学时 ledger; never edited, only reversed by a later line."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_person_year", "person_id", "year"),)

    entry_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(max_length=64)
    year: int
    kind: EntryKind = Field(sa_type=String(10))
    hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时, positive for both kinds")
    item: str = Field(max_length=300)
    class_id: str | None = Field(default=None, max_length=64)
    session_id: str | None = Field(default=None, max_length=64)
    activity_id: str | None = Field(default=None, max_length=64)
    channel: str = Field(max_length=10, description="offline (concentrated, 集中) or online (网络)")
    category: str | None = Field(default=None, max_length=64)
    trained_on: date = Field(description="the day of the training, in Beijing time")
    rule: str | None = Field(default=None, max_length=64, description="the crediting rule; credits only")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    # The attendance a credit is for; a reversal names the same attendance as the credit it takes back.
    attendance_source: str = Field(max_length=255)
    attendance_event_id: str = Field(max_length=255)
    # Unique: a credit is taken back at most once, even when two instances race to do it.
    reverses_entry_id: str | None = Field(default=None, unique=True, max_length=64)
    # When the fact that posted the line happened (the attendance, or the void): replaying reproduces it.
    posted_at: datetime = Field(sa_type=UTCDateTime)

    @property
    def attendance(self) -> EventReference:
        return EventReference(source=self.attendance_source, id=self.attendance_event_id)


class LedgerItem(SQLModel, table=True):
    """Per person and thing studied: the credit the ledger holds for it now (if any). A settlement reads this and
    the item's few attendances, never the ledger."""

    __tablename__ = "ledger_item"

    person_id: str = Field(primary_key=True, max_length=64)
    item: str = Field(primary_key=True, max_length=300)
    standing_entry_id: str | None = Field(default=None, max_length=64)
    standing_hours: Decimal | None = Field(default=None, sa_type=Numeric(6, 2))
    standing_source: str | None = Field(default=None, max_length=255)
    standing_event_id: str | None = Field(default=None, max_length=255)


# ── API schemas ───────────────────────────────────────────────────────────────────────────────────────


class LedgerEntryPublic(SQLModel):
    entry_id: str
    kind: EntryKind
    hours: Decimal
    class_id: str | None
    session_id: str | None
    activity_id: str | None
    rule: str | None
    reason: str
    posted_at: AwareDatetime
    reverses_entry_id: str | None


class ClassSummary(SQLModel):
    class_id: str
    title: str
    required_hours: Decimal


class PersonHoursPublic(SQLModel):
    """A person's 学时 ledger for one year: its entries and what they add up to."""

    person_id: str
    year: int
    total_hours: Decimal = Field(description="学时: credits minus reversals")
    by_class: dict[str, Decimal] = Field(description="学时 per class; study outside classes counts only in the total")
    entries: list[LedgerEntryPublic]
    classes: list[ClassSummary] = Field(description="the classes named in by_class, as far as they are known")


class IngestOutcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # same (source, id), same content: no further effect
    REJECTED = "rejected"


class IngestResult(SQLModel):
    source: str | None = Field(description="as sent; null when the event did not name one")
    id: str | None = Field(description="as sent; null when the event did not name one")
    outcome: IngestOutcome
    reason: str | None = Field(default=None, description="why it was rejected: a refusal code (docs/events.md)")
    detail: str | None = Field(default=None, description="the refusal in words")


class IngestReport(SQLModel):
    results: list[IngestResult]
    counts: dict[IngestOutcome, int]

    @classmethod
    def of(cls, results: list[IngestResult]) -> IngestReport:
        counts = dict.fromkeys(IngestOutcome, 0)
        for result in results:
            counts[result.outcome] += 1
        return cls(results=results, counts=counts)
