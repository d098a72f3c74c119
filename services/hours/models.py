"""Tables of the hours service and the schemas of its API.

The hours service keeps projections of the register's organisations, persons, classes, sessions and enrollments
(``shared.projection``), every attendance it has applied (also those earning nothing), the voids, the ledger, and
the state the rules need, so that no event ever scans the ledger: per person and thing studied the credit that
stands and the attendance announced (``LedgerItem``), per person, platform and year the 学时 credited (for yearly
caps), per person, requirement and window the 学时 that count (``RequirementProgress``). What the doors keep
(xAPI statements, a class manager's marks) is kept again from the events they forward, so replaying the topics
rebuilds every table.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, StrictInt
from sqlalchemy import JSON, Column, Index, Numeric, String, Text
from sqlmodel import Field, SQLModel

from services.hours.domain.ledger import EntryKind
from shared.api import WrittenDay
from shared.db import UTCDateTime
from shared.events.contracts.attendance import AttendanceStatus
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


class ProjectedOrganisation(SQLModel, table=True):
    """A unit (单位) or Party organisation (党委, 党总支, 党支部): names for compliance by unit and branch."""

    __tablename__ = "hours_organisation"

    org_id: str = Field(primary_key=True, max_length=64)
    version: int
    kind: str = Field(max_length=64)
    name: str = Field(max_length=200)
    parent_id: str | None = Field(default=None, max_length=64)


class ProjectedClass(SQLModel, table=True):
    """A training class (培训班): what the crediting rules, completion and access need of it."""

    __tablename__ = "hours_class"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=64)
    year: int
    required_hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")
    max_absence_share: Decimal | None = Field(
        default=None, sa_type=Numeric(5, 4), description="of the scheduled 学时; null: no limit"
    )
    crediting_rule: str | None = Field(default=None, max_length=64)
    manager_ids: list[str] = Field(default_factory=list, sa_type=JSON, description="class managers (跟班管理人员)")
    status: str = Field(max_length=64)


class ProjectedSession(SQLModel, table=True):
    """A session of a class: what the crediting rule needs of it."""

    __tablename__ = "hours_session"

    session_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(index=True, max_length=64)
    title: str = Field(max_length=200)
    teaching_mode: str = Field(max_length=64)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int
    hours: Decimal = Field(sa_type=Numeric(6, 2), description="学时 for full attendance")
    year: int = Field(description="the ledger year of its start, in Beijing time")
    status: str = Field(max_length=64)


class ProjectedEnrollment(SQLModel, table=True):
    """A person's way through a class: whose learners a class manager sees and marks, who may check in."""

    __tablename__ = "hours_enrollment"
    __table_args__ = (Index("ix_hours_enrollment_class", "class_id", "person_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64)
    person_id: str = Field(index=True, max_length=64)
    status: str = Field(max_length=64, description="only approved counts as enrolled")


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
    # Of a session: the attendance last announced (SessionAttendanceChanged) and how often it was.
    attendance_status: str | None = Field(default=None, max_length=20, description="present … excused, or none")
    attendance_minutes: int | None = None
    attendance_revision: int = 0


class PlatformYear(SQLModel, table=True):
    """学时 the ledger holds from one platform for one person in one (Beijing) calendar year: what a yearly cap
    per platform is measured against, kept as the credits are posted."""

    __tablename__ = "platform_year"

    person_id: str = Field(primary_key=True, max_length=64)
    platform: str = Field(primary_key=True, max_length=100)
    year: int = Field(primary_key=True)
    hours: Decimal = Field(sa_type=Numeric(7, 2))


class RequirementProgress(SQLModel, table=True):
    """Where one person stands on one requirement in one window: the 学时 that count toward it, kept as lines are
    posted, and the standing last judged (a change of it is announced as RequirementStandingChanged)."""

    __tablename__ = "requirement_progress"

    person_id: str = Field(primary_key=True, max_length=64)
    requirement: str = Field(primary_key=True, max_length=100, description="the requirement without its version")
    window_start: date = Field(primary_key=True)
    window_end: date | None = Field(default=None, description="its last day; null while a tenure has no end")
    version: str = Field(max_length=100, description="the version that governs the window, e.g. …/v1")
    credited: Decimal = Field(sa_type=Numeric(8, 2))
    required: Decimal = Field(sa_type=Numeric(8, 2))
    standing: str = Field(max_length=20)
    met_on: date | None = None
    as_of: date = Field(description="the day the standing was judged as of (the last change of its 学时 or rules)")
    announcements: int = Field(default=0, description="how many changes of it the ledger and statuses announced")


class RequirementPerson(SQLModel, table=True):
    """The statuses and positions a person's requirement windows were last counted by: when they change, what the
    change changed is told from what they were."""

    __tablename__ = "requirement_person"

    person_id: str = Field(primary_key=True, max_length=64)
    tenures: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


# ── what the doors keep ──────────────────────────────────────────────────────────────────────────────────────


class XapiStatement(SQLModel, table=True):
    """A statement the xAPI door accepted, as GET /xapi/statements returns it."""

    __tablename__ = "xapi_statement"
    __table_args__ = (Index("ix_xapi_statement_stored", "stored", "statement_id"),)

    statement_id: str = Field(primary_key=True, max_length=36, description="lowercase UUID")
    person_id: str = Field(index=True, max_length=64, description="actor.account.name")
    verb: str = Field(max_length=300)
    object_id: str = Field(max_length=300, description="the activity IRI, or the statement a void names")
    sender: str = Field(max_length=128, description="the subject of the token that sent it (its authority)")
    statement: str = Field(sa_column=Column(Text, nullable=False), description="as stored: JSON")
    stored: datetime = Field(sa_type=UTCDateTime)
    voided_by: str | None = Field(default=None, max_length=36, description="the statement that voided it")


class SessionMark(SQLModel, table=True):
    """What a class manager marked a learner with at a session (the latest mark; earlier ones were voided)."""

    __tablename__ = "session_mark"

    session_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(primary_key=True, max_length=64)
    revision: int
    event_id: str = Field(max_length=255, description="the attendance event of the mark")
    status: str = Field(max_length=20)
    minutes: int | None = None
    marked_by: str = Field(max_length=128)
    marked_at: datetime = Field(sa_type=UTCDateTime)


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


# ── transcripts, requirements, compliance, pending ──────────────────────────────────────────────────────────


class TranscriptLine(SQLModel):
    entry_id: str
    kind: EntryKind
    hours: Decimal
    trained_on: date
    recorded_at: AwareDatetime
    channel: str = Field(description="offline (concentrated, 集中) or online (网络)")
    category: str | None
    category_label: str | None = Field(description="e.g. 发展对象培训")
    class_id: str | None
    item: str = Field(description="what was studied: session:… or activity:<platform>:…")
    rule: str | None = Field(description="the crediting rule and its version")
    reason: str
    source: str = Field(description="the system the attendance came from")


class CategoryHours(SQLModel):
    category: str | None = Field(description="null: study outside any class")
    label: str
    hours: Decimal


class YearHours(SQLModel):
    year: int
    total: Decimal
    concentrated: Decimal = Field(description="offline, 集中")
    online: Decimal = Field(description="网络")
    by_category: list[CategoryHours]


class TranscriptPublic(SQLModel):
    """A person's 学时档案 as of the end of a day (Beijing time): every line, and what they add up to."""

    person_id: str
    as_of: date
    total: Decimal
    years: list[YearHours]
    lines: list[TranscriptLine]


class StandingPublic(SQLModel):
    """Where a person stands on one requirement in one window."""

    requirement: str = Field(description="the rule and its version")
    label: str
    source: str
    window_start: date
    window_end: date | None
    required: Decimal
    credited: Decimal
    shortfall: Decimal
    standing: str = Field(description="met, on_track, behind, out_of_reach, missed or in_progress")
    met_on: date | None
    pace: Decimal | None = Field(description="学时 expected by the day judged")
    deadline: date | None
    explanation: str


class RequirementsPublic(SQLModel):
    person_id: str
    as_of: date
    standings: list[StandingPublic]


class AnnualHoursPublic(SQLModel):
    """What a 学时证明 (annual hours certificate) states for one person and year."""

    person_id: str
    year: int
    as_of: date = Field(description="the end of the year, or the day asked for while it is under way")
    totals: YearHours
    standings: list[StandingPublic]


class ComplianceRowPublic(SQLModel):
    person_id: str
    standing: StandingPublic


class TallyPublic(SQLModel):
    requirement: str
    label: str
    under: int
    by_standing: dict[str, int]
    shortfall: Decimal = Field(description="what those who have not met it still owe, together")


class BranchCompliancePublic(SQLModel):
    branch_id: str | None
    branch: str = Field(description="the 党支部's name")
    rows: list[ComplianceRowPublic]
    behind: list[ComplianceRowPublic] = Field(description="behind pace, out of reach or past the deadline")
    tallies: list[TallyPublic]


class UnitCompliancePublic(SQLModel):
    unit_id: str | None
    unit: str = Field(description="the unit's (单位) name")
    branches: list[BranchCompliancePublic]
    tallies: list[TallyPublic]


class CompliancePublic(SQLModel):
    as_of: date
    units: list[UnitCompliancePublic]


class PendingAttendance(SQLModel):
    """Attendance kept until the person or session it names becomes known."""

    source: str
    id: str
    person_id: str | None
    session_id: str | None
    waiting_for: list[str] = Field(description="e.g. session:2026-FZDX-01-03")
    parked_at: AwareDatetime
    age_seconds: float


class PendingPublic(SQLModel):
    count: int
    oldest_age_seconds: float
    attendance: list[PendingAttendance]


class LearnerProgress(SQLModel):
    """Where one learner stands in a class (结业要求): 学时 credited, absence excused and not, the standing."""

    person_id: str
    credited: Decimal
    shortfall: Decimal
    excused_absence: Decimal = Field(description="请假, in 学时")
    unexcused_absence: Decimal = Field(description="缺勤, late or left early, or nothing recorded, in 学时")
    standing: str = Field(description="complete, in_progress, out_of_reach or over_absence")
    explanation: str


class ClassProgressPublic(SQLModel):
    class_id: str
    title: str
    required_hours: Decimal
    max_absence_hours: Decimal | None = Field(description="the class's maximum share of the scheduled 学时")
    scheduled_hours: Decimal
    held_hours: Decimal = Field(description="of the sessions that have ended by now")
    learners: list[LearnerProgress]


class ReviewRequest(SQLModel):
    day: WrittenDay = Field(description="a day that has ended (Beijing time): judged as of its end")


class ReviewRequested(SQLModel):
    day: date
    announced: int = Field(description="changes of standing that time made that day, announced on the hours topic")


# ── a class manager's marks, check-in ────────────────────────────────────────────────────────────────────


class Mark(SQLModel):
    person_id: str = Field(min_length=1, max_length=64)
    status: AttendanceStatus
    minutes: StrictInt | None = Field(default=None, ge=0, le=1440, description="minutes attended, if counted")


class SessionMarks(SQLModel):
    """A class manager's marks for a session: every learner at once, or some."""

    marks: list[Mark] = Field(min_length=1, max_length=500)


class MarkOutcome(StrEnum):
    RECORDED = "recorded"  # forwarded as attendance (voiding the learner's mark before it, if any)
    UNCHANGED = "unchanged"  # the learner's last mark says the same


class MarkResult(SQLModel):
    person_id: str
    outcome: MarkOutcome
    id: str = Field(description="the attendance event of the mark that stands")


class CheckInCode(SQLModel):
    """What the class manager's screen shows: a code that changes every 30 seconds."""

    session_id: str
    code: str
    changes_at: AwareDatetime


class CheckIn(SQLModel):
    code: str = Field(max_length=20, description="the six digits the class manager's screen shows")


class CheckInAccepted(SQLModel):
    id: str = Field(description="the attendance event of the check-in")
    status: AttendanceStatus
    minutes: int | None = Field(description="minutes left of the session, if the learner came late")
    explanation: str


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
