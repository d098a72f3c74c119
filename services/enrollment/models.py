"""Enrollment's tables and API schemas (Base -> Create -> table -> Public).

Every table the register publishes has a ``version`` that grows with each change: the state event of a row
carries the whole row and that version (``services.enrollment.events``). Codes of vocabularies are stored as
codes; the handlers check them against the domain's vocabularies (which also read their Chinese labels).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictBool, WithJsonSchema, model_validator
from sqlalchemy import JSON, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow
from shared.events.contracts.common import Code, Day, Hours, Identifier, Period
from shared.events.contracts.register import Phase
from shared.events.envelope import Moment, as_text

# Free text a person writes: a reason, a note.
REASON_LENGTH = 500
# A share from 0 to 1 with at most four decimals, written as a string like every decimal the API takes: of the
# scheduled 学时, how much a learner may miss.
Share = Annotated[
    Decimal,
    BeforeValidator(as_text("a share such as '0.2'")),
    Field(ge=0, le=1, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$", "examples": ["0.2"]}),
]


class Versioned(SQLModel):
    version: int = Field(default=1, ge=1)
    changed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class Update(BaseModel):
    """A PATCH body: only the fields sent change (``model_dump(exclude_unset=True)``); a null clears an optional
    field, and is refused for one the record cannot be without (``not_null``)."""

    model_config = ConfigDict(extra="forbid")
    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_where_a_value_is_needed(self) -> Self:
        cleared = sorted(name for name in self.model_fields_set & self.not_null if getattr(self, name) is None)
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be null: leave it out to keep it as it is")
        return self


# ── organisation: units and the Party tree ────────────────────────────────────────────────────────────


class OrganisationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    valid_from: Day = Field(description="成立日期: it exists from this day")
    valid_until: Day | None = Field(default=None, description="撤销日期: closed from this day on")


class OrganisationCreate(OrganisationBase):
    org_id: Identifier = Field(description="the code, e.g. MARX or MARX-B1; never changes")
    kind: Code = Field(description="unit, party_committee (党委), general_branch (党总支) or branch (党支部)")
    unit_kind: Code | None = Field(default=None, description="of a unit: college, department, branch_school…")
    parent_id: Identifier | None = Field(default=None, description="of a Party organisation: the one above it")
    unit_id: Identifier | None = Field(default=None, description="of a Party organisation: the unit it is set up in")


class Organisation(OrganisationBase, Versioned, table=True):
    """A unit (单位) or a Party organisation (党委, 党总支, 党支部): one table, as their events share one topic."""

    __tablename__ = "organisation"

    org_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=40)
    unit_kind: str | None = Field(default=None, max_length=40)
    parent_id: str | None = Field(default=None, max_length=64, index=True)
    unit_id: str | None = Field(default=None, max_length=64)


class OrganisationUpdate(Update):
    """A new name, or closing (撤销) from a day. A Party organisation keeps its parent for life: a reorganisation
    closes it and opens another under the new parent."""

    not_null = frozenset({"name"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    valid_until: Day | None = None


class OrganisationPublic(OrganisationCreate):
    kind_label: str
    version: int
    changed_at: datetime


# ── persons ───────────────────────────────────────────────────────────────────────────────────────────


class StatusHeld(BaseModel):
    """A political status (政治面貌) from ``since`` until (not including) ``until``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    since: Day
    until: Day | None = None
    admission_date: Day | None = Field(default=None, description="入党日期, for 预备党员 and 正式党员")


class PersonBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    kind: Code | None = Field(default=None, max_length=40, description="staff (教职工) or student (学生)")
    unit_id: Identifier | None = Field(default=None, max_length=64, index=True)
    branch_id: Identifier | None = Field(default=None, max_length=64, description="the person's 党支部")


class PersonCreate(PersonBase):
    person_id: Identifier = Field(description="工号/学号")
    statuses: list[StatusHeld] = Field(default_factory=list, description="political status (政治面貌) over time")
    positions: list[Period] = Field(default_factory=list, description="positions (职务/身份) over time")


class Person(PersonBase, Versioned, table=True):
    __tablename__ = "person"

    person_id: str = Field(primary_key=True, max_length=64)
    statuses: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    positions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    active: StrictBool = True


class PersonUpdate(Update):
    """Corrections: whatever is sent replaces what the register has (histories as a whole)."""

    not_null = frozenset({"name", "statuses", "positions", "active"})

    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: Code | None = None
    unit_id: Identifier | None = None
    branch_id: Identifier | None = None
    statuses: list[StatusHeld] | None = None
    positions: list[Period] | None = None
    active: StrictBool | None = None


class StatusChange(BaseModel):
    """From ``since`` the person is ``status``; the status held until then ends that day."""

    model_config = ConfigDict(extra="forbid")

    status: Code
    since: Day
    admission_date: Day | None = Field(default=None, description="入党日期, on becoming 预备党员")


class PositionTaken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: Code
    since: Day


class PositionLeft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: Day = Field(description="免职日期: the first day the person no longer holds the position")


class PersonPublic(PersonBase):
    person_id: str
    kind_label: str | None
    statuses: list[StatusHeld]
    positions: list[Period]
    active: StrictBool
    version: int
    changed_at: datetime


class PersonAsOf(BaseModel):
    """What the person was on one day: what training rules judge."""

    on: Day
    status: Code | None
    status_label: str | None
    positions: list[Code]


class PersonDetail(PersonPublic):
    as_of: PersonAsOf


# ── courses and teachers (课程库, 师资库) ───────────────────────────────────────────────────────────────


class CourseBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    usual_hours: Hours | None = Field(default=None, sa_type=Numeric(6, 2), description="学时 it usually takes")
    place: str | None = Field(default=None, max_length=200, description="of on-site teaching (现场教学)")
    active: StrictBool = True


class CourseCreate(CourseBase):
    course_id: Identifier | None = None
    teaching_modes: list[Code] = Field(default_factory=list)


class Course(CourseBase, Versioned, table=True):
    """A course of the catalogue (课程库)."""

    __tablename__ = "course"

    course_id: str = Field(primary_key=True, max_length=64)
    teaching_modes: list[str] = Field(default_factory=list, sa_type=JSON)


class CourseUpdate(Update):
    not_null = frozenset({"title", "active", "teaching_modes"})

    title: str | None = Field(default=None, min_length=1, max_length=200)
    usual_hours: Hours | None = None
    place: str | None = Field(default=None, max_length=200)
    active: StrictBool | None = None
    teaching_modes: list[Code] | None = None


class CoursePublic(CourseBase):
    course_id: str
    teaching_modes: list[str]
    version: int


class TeacherBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    internal: StrictBool = Field(description="on the school's staff, or an outside expert (外聘专家)")
    active: StrictBool = True


class TeacherCreate(TeacherBase):
    teacher_id: Identifier | None = Field(default=None, description="also the subject of the teacher's token")
    subjects: list[str] = Field(default_factory=list)


class Teacher(TeacherBase, Versioned, table=True):
    """A teacher or outside expert (师资库)."""

    __tablename__ = "teacher"

    teacher_id: str = Field(primary_key=True, max_length=64)
    subjects: list[str] = Field(default_factory=list, sa_type=JSON)


class TeacherUpdate(Update):
    not_null = frozenset({"name", "internal", "active", "subjects"})

    name: str | None = Field(default=None, min_length=1, max_length=100)
    internal: StrictBool | None = None
    active: StrictBool | None = None
    subjects: list[str] | None = None


class TeacherPublic(TeacherBase):
    teacher_id: str
    subjects: list[str]
    version: int


# ── sessions ──────────────────────────────────────────────────────────────────────────────────────────


class SessionBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    teaching_mode: Code = Field(max_length=40, description="e.g. lecture (专题讲授), on_site (现场教学)")
    course_id: Identifier | None = Field(default=None, max_length=64, description="the course it teaches (课程库)")
    starts_at: Moment = Field(sa_type=UTCDateTime, index=True)
    ends_at: Moment = Field(sa_type=UTCDateTime)
    hours: Hours = Field(sa_type=Numeric(6, 2), description="学时 credited for full attendance")
    place: str | None = Field(default=None, max_length=200, description="room or site; none for 网络学习")
    phase: str | None = Field(default=None, max_length=100, description="the phase of a class trained in segments")


class SessionCreate(SessionBase):
    # The timetable's own code, when it has one (door readers and platforms report it); else generated.
    session_id: Identifier | None = None
    teacher_ids: list[Identifier] = Field(default_factory=list)


class ClassSession(SessionBase, Versioned, table=True):
    __tablename__ = "class_session"

    session_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    teacher_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="scheduled", max_length=20)
    cancel_reason: str | None = Field(default=None, max_length=REASON_LENGTH)


class SessionUpdate(Update):
    """Rescheduling: whatever is sent changes, the rest stays."""

    not_null = frozenset({"title", "teaching_mode", "teacher_ids", "starts_at", "ends_at", "hours"})

    title: str | None = Field(default=None, min_length=1, max_length=200)
    teaching_mode: Code | None = None
    course_id: Identifier | None = None
    teacher_ids: list[Identifier] | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    hours: Hours | None = None
    place: str | None = Field(default=None, max_length=200)
    phase: str | None = Field(default=None, max_length=100)


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_LENGTH)


class SessionPublic(SessionBase):
    session_id: str
    class_id: str
    teaching_mode_label: str
    teacher_ids: list[str]
    status: str
    cancel_reason: str | None
    version: int


# ── classes ───────────────────────────────────────────────────────────────────────────────────────────


class ClassBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    category: Code = Field(max_length=64, description="the training group, e.g. development_targets (发展对象培训)")
    level: Code | None = Field(default=None, max_length=64, description="of a 党务干部培训 class: whose officers")
    year: int = Field(ge=2000, le=2100, description="培训年度")
    starts_on: Day | None = Field(default=None, description="the first day; none while the class is planned")
    ends_on: Day | None = Field(default=None, description="the last day")
    delivery: Code = Field(default="on_site", max_length=20, description="on_site (集中面授), online or blended")
    place: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=1, description="seats; none: no limit")
    organiser_id: Identifier | None = Field(
        default=None,
        max_length=64,
        description="主办单位: a unit's or Party organisation's code; of a 支部组织学习 class, its 党支部",
    )
    # What completing the class (结业) takes; certificates applies it.
    required_hours: Hours = Field(sa_type=Numeric(6, 2), description="学时 a learner needs to complete the class")
    max_absence_share: Share | None = Field(default=None, sa_type=Numeric(5, 4), description="of the scheduled 学时")
    assessment_required: StrictBool = Field(default=True, description="结业考核 passed")
    survey_required: StrictBool = Field(default=False, description="after-class survey (训后调研) answered")
    reissue_after_revocation: StrictBool = False
    certificate: StrictBool | None = Field(
        default=None,
        description="a 结业证书 on completion; by default yes, but not for a 党支部's own study (支部组织学习)",
    )
    crediting_rule: str | None = Field(default=None, max_length=64, description="overrides the default 学时 rule")
    status: Code = Field(default="open", max_length=20, description="planned, open, closed or cancelled")


class ClassCreate(ClassBase):
    class_id: Identifier | None = None
    phases: list[Phase] = Field(default_factory=list, description="segments of a class trained in segments (分段式)")
    manager_ids: list[Identifier] = Field(default_factory=list, description="class managers (跟班管理人员)")
    unit_quotas: dict[Identifier, int] = Field(default_factory=dict, description="选派名额 per unit code")
    sessions: list[SessionCreate] = Field(default_factory=list)


class TrainingClass(ClassBase, Versioned, table=True):
    """A training class (培训班)."""

    __tablename__ = "training_class"

    class_id: str = Field(primary_key=True, max_length=64)
    phases: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    manager_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    unit_quotas: dict[str, int] = Field(default_factory=dict, sa_type=JSON)


class ClassUpdate(Update):
    """Whatever is sent changes (a null clears an optional field), the rest stays."""

    not_null = frozenset(
        {
            "title",
            "category",
            "year",
            "phases",
            "delivery",
            "manager_ids",
            "unit_quotas",
            "required_hours",
            "assessment_required",
            "survey_required",
            "reissue_after_revocation",
            "status",
        }
    )

    title: str | None = Field(default=None, min_length=1, max_length=200)
    category: Code | None = None
    level: Code | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    starts_on: Day | None = None
    ends_on: Day | None = None
    phases: list[Phase] | None = None
    delivery: Code | None = None
    place: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=1)
    organiser_id: Identifier | None = None
    manager_ids: list[Identifier] | None = None
    unit_quotas: dict[Identifier, int] | None = None
    required_hours: Hours | None = None
    max_absence_share: Share | None = None
    assessment_required: StrictBool | None = None
    survey_required: StrictBool | None = None
    reissue_after_revocation: StrictBool | None = None
    certificate: StrictBool | None = Field(default=None, description="null: the category's default")
    crediting_rule: str | None = Field(default=None, max_length=64)
    status: Code | None = None


class ClassPublic(ClassBase):
    class_id: str
    category_label: str
    status_label: str
    phases: list[Phase]
    manager_ids: list[str]
    unit_quotas: dict[str, int]
    version: int
    sessions: list[SessionPublic]
    scheduled_hours: Decimal = Field(description="学时 of the sessions that take place")


class ClassSummary(ClassBase):
    class_id: str
    category_label: str
    version: int


# ── enrollments ───────────────────────────────────────────────────────────────────────────────────────


class EnrollmentCreate(BaseModel):
    """A way into the class: a unit's nomination (选派) or the person's own application (报名)."""

    model_config = ConfigDict(extra="forbid")

    person_id: Identifier
    route: Code | None = Field(
        default=None, description="nomination or application; by default a learner applies and anyone else nominates"
    )
    nominated_by: Identifier | None = Field(default=None, description="the nominating unit; default the person's")


class Enrollment(Versioned, table=True):
    """A person's way through a class: one per person and class (coming back continues it)."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("class_id", "person_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    person_id: str = Field(foreign_key="person.person_id", index=True, max_length=64)
    route: str = Field(max_length=20)
    status: str = Field(max_length=20)
    reason: str = Field(max_length=REASON_LENGTH, description="why it stands where it stands")
    nominated_by: str | None = Field(default=None, max_length=64)
    eligibility_rule: str = Field(max_length=64, description="the policy that let the person in")
    eligibility_reason: str = Field(sa_type=String(1000))
    waitlisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    transferred_from: str | None = Field(default=None, max_length=64, description="the class they came from")
    transferred_to: str | None = Field(default=None, max_length=64, description="the class they went to")
    enrolled_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow, description="when they first came")


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_LENGTH)


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=REASON_LENGTH)


class TransferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    class_id: Identifier = Field(description="the class to move to")


class EnrollmentPublic(SQLModel):
    enrollment_id: str
    class_id: str
    person_id: str
    route: str
    status: str
    status_label: str
    reason: str
    nominated_by: str | None
    eligibility_rule: str
    eligibility_reason: str
    waitlisted_at: datetime | None
    transferred_from: str | None
    transferred_to: str | None
    version: int
    enrolled_at: datetime
    changed_at: datetime


class EnrollmentSteps(BaseModel):
    """What one command did: the enrollment it was about, and any it moved up from the waitlist meanwhile."""

    enrollment: EnrollmentPublic
    promoted: list[EnrollmentPublic] = Field(default_factory=list)
    joined: EnrollmentPublic | None = Field(default=None, description="of a transfer: the enrollment in the new class")


# ── class affairs (班务): groups, committee, duty roster, notices ───────────────────────────────────────
# The register's own: no other service asks for them, so no event announces them.

NOTICE_LENGTH = 4000


class Learner(BaseModel):
    """A learner of the class, by 工号/学号 and name."""

    person_id: str
    name: str


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: Identifier | None = None
    name: str = Field(min_length=1, max_length=100, description="e.g. 第一组")
    member_ids: list[Identifier] = Field(default_factory=list, description="admitted learners (已录取) of the class")
    leader_id: Identifier | None = Field(default=None, description="组长, one of the members")


class ClassGroup(SQLModel, table=True):
    """A group (小组) of a class's learners."""

    __tablename__ = "class_group"
    __table_args__ = (UniqueConstraint("class_id", "name"),)

    group_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    name: str = Field(max_length=100)
    member_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    leader_id: str | None = Field(default=None, max_length=64)
    changed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class GroupUpdate(Update):
    """Whatever is sent changes: the members as a whole; a null leader leaves the group without one."""

    not_null = frozenset({"name", "member_ids"})

    name: str | None = Field(default=None, min_length=1, max_length=100)
    member_ids: list[Identifier] | None = None
    leader_id: Identifier | None = None


class GroupPublic(BaseModel):
    group_id: str
    class_id: str
    name: str
    members: list[Learner]
    leader_id: str | None


class CommitteeSeatGiven(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Code = Field(description="e.g. class_monitor (班长), study_officer (学习委员)")
    person_id: Identifier


class CommitteeGiven(BaseModel):
    """The class committee (班委) as a whole: it replaces the one the class had."""

    model_config = ConfigDict(extra="forbid")

    seats: list[CommitteeSeatGiven]


class CommitteeSeat(SQLModel, table=True):
    """A role on a class's committee (班委) and the learner who holds it."""

    __tablename__ = "committee_seat"

    class_id: str = Field(foreign_key="training_class.class_id", primary_key=True, max_length=64)
    role: str = Field(primary_key=True, max_length=40)
    person_id: str = Field(foreign_key="person.person_id", max_length=64)


class CommitteeSeatPublic(BaseModel):
    role: str
    role_label: str
    person_id: str
    name: str


class DutyShiftGiven(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Day
    manager_id: Identifier = Field(description="one of the class's managers (manager_ids)")


class DutyRosterGiven(BaseModel):
    """The class managers' duty roster (值班表) as a whole: it replaces the one the class had."""

    model_config = ConfigDict(extra="forbid")

    shifts: list[DutyShiftGiven]


class DutyShift(SQLModel, table=True):
    """A class manager on duty (值班) on a day of the class."""

    __tablename__ = "duty_shift"

    class_id: str = Field(foreign_key="training_class.class_id", primary_key=True, max_length=64)
    day: Day = Field(primary_key=True)
    manager_id: str = Field(primary_key=True, max_length=64)


class DutyShiftPublic(BaseModel):
    day: Day
    manager_id: str


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=NOTICE_LENGTH)
    group_id: Identifier | None = Field(default=None, description="to one group; none: to the whole class")


class Notice(SQLModel, table=True):
    """A notice (通知) to a class or to one of its groups."""

    __tablename__ = "class_notice"

    notice_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(foreign_key="training_class.class_id", index=True, max_length=64)
    group_id: str | None = Field(default=None, foreign_key="class_group.group_id", max_length=64)
    title: str = Field(max_length=200)
    body: str = Field(sa_type=String(NOTICE_LENGTH))
    posted_by: str = Field(max_length=128)
    posted_at: datetime = Field(sa_type=UTCDateTime)


class NoticeRead(SQLModel, table=True):
    """A learner has read a notice: when they first marked it read."""

    __tablename__ = "notice_read"

    notice_id: str = Field(foreign_key="class_notice.notice_id", primary_key=True, max_length=64)
    person_id: str = Field(primary_key=True, max_length=64)
    read_at: datetime = Field(sa_type=UTCDateTime)


class NoticePublic(BaseModel):
    notice_id: str
    class_id: str
    group_id: str | None = Field(description="the group it is addressed to; null: the whole class")
    title: str
    body: str
    posted_by: str
    posted_at: datetime
    read_at: datetime | None = Field(default=None, description="when the learner asking read it; null: not yet")


class NoticeReader(Learner):
    read_at: datetime


class NoticeReceipts(BaseModel):
    """Who of those the notice reaches (the class's admitted learners, or its group's) has read it."""

    notice_id: str
    reached: int
    read: list[NoticeReader]
    unread: list[Learner]


# ── spreadsheets ──────────────────────────────────────────────────────────────────────────────────────


class ImportProblem(BaseModel):
    sheet: str
    line: int | None
    column: str | None
    reason: str


class ImportedRecords(BaseModel):
    """The ids of the records an import creates, changes, and finds as they are."""

    created: list[str]
    changed: list[str]
    unchanged: list[str]


class RegisterImportReport(BaseModel):
    applied: StrictBool = Field(description="false for a dry run")
    problems: list[ImportProblem]
    units: ImportedRecords
    party_organisations: ImportedRecords
    persons: ImportedRecords


class RosterImportReport(BaseModel):
    applied: StrictBool = Field(description="false for a dry run")
    problems: list[ImportProblem]
    nominated: list[str] = Field(description="工号/学号 of the people the roster nominates")
    already_enrolled: list[str] = Field(description="工号/学号 of the people the class has already: left as they are")


class VocabularyEntry(BaseModel):
    code: str
    label: str
