"""Versioned event contracts: one topic per domain, one pydantic model per event type.

The JSON Schemas in ``docs/events/`` are exported from these models (``python -m shared.events.export``)
and a test keeps them in sync. A breaking change is a new type (``….v2``), never an edit of a ``v1``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.envelope import EventData, Moment

ENROLLMENT_TOPIC = "dangxiao.enrollment.v1"
ATTENDANCE_TOPIC = "dangxiao.attendance.v1"
HOURS_TOPIC = "dangxiao.hours.v1"
EVALUATION_TOPIC = "dangxiao.evaluation.v1"
CERTIFICATES_TOPIC = "dangxiao.certificates.v1"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
# A 学时 (training hour) is one class period (课时) of 45 minutes.
MINUTES_PER_TRAINING_HOUR = 45
# 学时 (training hours): non-negative, at most two decimals.
Hours = Annotated[Decimal, Field(ge=0, le=1000, max_digits=6, decimal_places=2)]


class ClassCategory(StrEnum):
    """The layers and groups the Party school trains (分层分类培训)."""

    DIVISION_CADRES = "division_cadres"  # 处级干部
    PARTY_AFFAIRS_CADRES = "party_affairs_cadres"  # 党务干部 (支部书记、支委)
    YOUNG_BACKBONE = "young_backbone"  # 青年骨干
    MEMBER_ROTATION = "member_rotation"  # 党员轮训
    ACTIVISTS = "activists"  # 入党积极分子
    DEVELOPMENT_TARGETS = "development_targets"  # 发展对象
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪检委员
    UNITED_FRONT = "united_front"  # 统战干部


CATEGORY_LABELS: dict[ClassCategory, str] = {
    ClassCategory.DIVISION_CADRES: "处级干部培训",
    ClassCategory.PARTY_AFFAIRS_CADRES: "党务干部培训",
    ClassCategory.YOUNG_BACKBONE: "青年骨干培训",
    ClassCategory.MEMBER_ROTATION: "党员轮训",
    ClassCategory.ACTIVISTS: "入党积极分子培训",
    ClassCategory.DEVELOPMENT_TARGETS: "发展对象培训",
    ClassCategory.DISCIPLINE_INSPECTION: "纪检委员培训",
    ClassCategory.UNITED_FRONT: "统战干部培训",
}


class SessionKind(StrEnum):
    LECTURE = "lecture"  # 专题讲授
    SEMINAR = "seminar"  # 研讨
    CASE = "case"  # 案例教学
    SCENARIO = "scenario"  # 情景模拟
    EXPERIENTIAL = "experiential"  # 体验式教学
    ONLINE = "online"  # 线上学习
    PRACTICE = "practice"  # 实践教学


# ── dangxiao.enrollment.v1 ────────────────────────────────────────────────────────────────────────────


class ClassCreated(EventData):
    """A training class (培训班) was opened."""

    event_type = "dangxiao.enrollment.class_created.v1"
    topic = ENROLLMENT_TOPIC
    key_field = "class_id"

    class_id: Identifier
    title: str = Field(min_length=1, max_length=200)
    category: ClassCategory
    year: int = Field(ge=2000, le=2100)
    required_hours: Hours


class SessionScheduled(EventData):
    """A session of a class was scheduled, worth ``hours`` 学时 for full attendance."""

    event_type = "dangxiao.enrollment.session_scheduled.v1"
    topic = ENROLLMENT_TOPIC
    key_field = "class_id"

    session_id: Identifier
    class_id: Identifier
    title: str = Field(min_length=1, max_length=200)
    kind: SessionKind
    starts_at: Moment
    duration_minutes: int = Field(gt=0, le=1440)
    hours: Hours


class PersonRegistered(EventData):
    """A person (staff or student number, 工号/学号) became known to the school."""

    event_type = "dangxiao.enrollment.person_registered.v1"
    topic = ENROLLMENT_TOPIC
    key_field = "person_id"

    person_id: Identifier
    name: str = Field(min_length=1, max_length=100)
    unit: str | None = Field(default=None, max_length=200)


class PersonEnrolled(EventData):
    """A person was enrolled in a class."""

    event_type = "dangxiao.enrollment.person_enrolled.v1"
    topic = ENROLLMENT_TOPIC
    key_field = "class_id"

    enrollment_id: Identifier
    class_id: Identifier
    person_id: Identifier


# ── dangxiao.attendance.v1 (the contract with outside systems) ─────────────────────────────────────


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"


class Channel(StrEnum):
    OFFLINE = "offline"
    ONLINE = "online"


class Activity(BaseModel):
    """Study outside a scheduled session, e.g. a course on the city's cadre e-learning site."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    platform: str = Field(min_length=1, max_length=100)


class AttendanceRecorded(EventData):
    """A person attended a session or finished a piece of study."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type = "dangxiao.attendance.recorded.v1"
    topic = ATTENDANCE_TOPIC
    key_field = "person_id"

    person_id: Identifier
    session_id: Identifier | None = None
    activity: Activity | None = None
    status: AttendanceStatus = AttendanceStatus.PRESENT
    minutes: int | None = Field(default=None, ge=0, le=1440)
    hours: Decimal | None = Field(default=None, ge=0, le=24, decimal_places=2)
    channel: Channel | None = None

    @model_validator(mode="after")
    def _session_xor_activity(self) -> AttendanceRecorded:
        if (self.session_id is None) == (self.activity is None):
            raise ValueError("exactly one of session_id and activity is required")
        return self

    @property
    def effective_channel(self) -> Channel:
        if self.channel is not None:
            return self.channel
        return Channel.OFFLINE if self.session_id is not None else Channel.ONLINE


class EventReference(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    id: str = Field(min_length=1)


class AttendanceVoided(EventData):
    """Takes back whatever the named attendance event credited."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type = "dangxiao.attendance.voided.v1"
    topic = ATTENDANCE_TOPIC
    key_field = "voids"

    voids: EventReference
    reason: str = Field(min_length=1, max_length=500)

    def key(self) -> str:
        return f"{self.voids.source}/{self.voids.id}"


# ── dangxiao.hours.v1 ─────────────────────────────────────────────────────────────────────────────────


class HoursCredited(EventData):
    """A credit entry was posted to a person's 学时 ledger."""

    event_type = "dangxiao.hours.credited.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    entry_id: Identifier
    person_id: Identifier
    year: int
    hours: Hours
    class_id: Identifier | None = None
    session_id: Identifier | None = None
    activity_id: Identifier | None = None
    rule: str
    reason: str
    attendance: EventReference


class HoursReversed(EventData):
    """An earlier credit was taken back by a reversing entry (hours are never edited in place).

    A correction is a reversal followed by a new credit; ``replaced_by_entry_id`` names that credit, so a
    consumer can judge the person's hours once both have arrived rather than in between.
    """

    event_type = "dangxiao.hours.reversed.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    entry_id: Identifier
    reverses_entry_id: Identifier
    replaced_by_entry_id: Identifier | None = None
    person_id: Identifier
    year: int
    hours: Hours
    class_id: Identifier | None = None
    session_id: Identifier | None = None
    activity_id: Identifier | None = None
    reason: str


# ── dangxiao.evaluation.v1 ────────────────────────────────────────────────────────────────────────────


class AssessmentRecorded(EventData):
    """A final assessment (结业考核) of a learner in a class was recorded.

    The assessment that stands is the one with the latest ``assessed_at``; ties go to the greater
    ``assessment_id``.
    """

    event_type = "dangxiao.evaluation.assessment_recorded.v1"
    topic = EVALUATION_TOPIC
    key_field = "class_id"

    assessment_id: Identifier
    class_id: Identifier
    person_id: Identifier
    passed: bool
    score: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    assessed_by: str
    assessed_at: Moment


# ── dangxiao.certificates.v1 ──────────────────────────────────────────────────────────────────────────


class CertificateIssued(EventData):
    """A training certificate (结业证书) was issued."""

    event_type = "dangxiao.certificates.issued.v1"
    topic = CERTIFICATES_TOPIC
    key_field = "person_id"

    certificate_number: str
    person_id: Identifier
    class_id: Identifier
    hours: Hours
    issued_at: Moment


class CertificateRevoked(EventData):
    """A certificate was revoked because the facts behind it changed."""

    event_type = "dangxiao.certificates.revoked.v1"
    topic = CERTIFICATES_TOPIC
    key_field = "person_id"

    certificate_number: str
    person_id: Identifier
    class_id: Identifier
    reason: str
    revoked_at: Moment


ALL_EVENTS: tuple[type[EventData], ...] = (
    ClassCreated,
    SessionScheduled,
    PersonRegistered,
    PersonEnrolled,
    AttendanceRecorded,
    AttendanceVoided,
    HoursCredited,
    HoursReversed,
    AssessmentRecorded,
    CertificateIssued,
    CertificateRevoked,
)
CONTRACTS: dict[str, type[EventData]] = {model.event_type: model for model in ALL_EVENTS}


def contracts_on(topic: str) -> dict[str, type[EventData]]:
    return {event_type: model for event_type, model in CONTRACTS.items() if model.topic == topic}
