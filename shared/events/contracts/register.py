"""The register (enrollment service): who trains in what. One log-compacted topic per kind of entity.

Each event is the entity's whole current state (``StateEvent``); consumers keep a projection of the fields their
rules need (``shared.projection``). Personal data stays in the register: persons travel with their name (for
certificates) and only the attributes training rules depend on.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.contracts.common import Code, Day, Hours, Identifier, Period, StateEvent
from shared.events.envelope import Moment

ORGANISATIONS_TOPIC = "dangxiao.enrollment.organisations.v1"
PERSONS_TOPIC = "dangxiao.enrollment.persons.v1"
COURSES_TOPIC = "dangxiao.enrollment.courses.v1"
TEACHERS_TOPIC = "dangxiao.enrollment.teachers.v1"
CLASSES_TOPIC = "dangxiao.enrollment.classes.v1"
SESSIONS_TOPIC = "dangxiao.enrollment.sessions.v1"
ENROLLMENTS_TOPIC = "dangxiao.enrollment.enrollments.v1"


class OrganisationChanged(StateEvent):
    """A unit (部门/学院) or Party organisation (党委, 党总支, 党支部) and where it hangs in its tree."""

    event_type = "dangxiao.enrollment.organisation_changed.v1"
    topic = ORGANISATIONS_TOPIC
    key_field = "org_id"
    entity = "organisation"

    org_id: Identifier
    kind: Code = Field(description="unit, party_committee (党委), general_branch (党总支) or branch (党支部)")
    name: str = Field(min_length=1, max_length=200)
    parent_id: Identifier | None = None
    valid_from: Day
    valid_until: Day | None = Field(default=None, description="closed from this day on; null while it exists")
    unit_kind: Code | None = Field(default=None, description="of a unit: college, department, branch_school…")
    unit_id: Identifier | None = Field(default=None, description="of a Party organisation: the unit it is set up in")


class PersonChanged(StateEvent):
    """A person known to the school (工号/学号) and what training rules need of them, effective-dated."""

    event_type = "dangxiao.enrollment.person_changed.v1"
    topic = PERSONS_TOPIC
    key_field = "person_id"
    entity = "person"

    person_id: Identifier
    name: str = Field(min_length=1, max_length=100, description="as certificates print it")
    unit_id: Identifier | None = None
    branch_id: Identifier | None = Field(default=None, description="the 党支部 of a Party member or applicant")
    statuses: list[Period] = Field(default_factory=list, description="political status (政治面貌) over time")
    positions: list[Period] = Field(default_factory=list, description="positions training rules depend on")
    active: bool = Field(default=True, description="false once the person has left the school")


class CourseChanged(StateEvent):
    """A course of the catalogue (课程库): a topic the school teaches again and again."""

    event_type = "dangxiao.enrollment.course_changed.v1"
    topic = COURSES_TOPIC
    key_field = "course_id"
    entity = "course"

    course_id: Identifier
    title: str = Field(min_length=1, max_length=200)
    teaching_modes: list[Code] = Field(default_factory=list)
    usual_hours: Hours | None = None
    place: str | None = Field(default=None, max_length=200, description="for on-site teaching (现场教学)")
    active: bool = True


class TeacherChanged(StateEvent):
    """A teacher or outside expert (师资库); ``teacher_id`` is also the subject of their token."""

    event_type = "dangxiao.enrollment.teacher_changed.v1"
    topic = TEACHERS_TOPIC
    key_field = "teacher_id"
    entity = "teacher"

    teacher_id: Identifier
    name: str = Field(min_length=1, max_length=100)
    internal: bool = Field(description="on the school's staff, or an outside expert")
    subjects: list[str] = Field(default_factory=list)
    active: bool = True


class Phase(BaseModel):
    """A segment of segmented training (分段式培训)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    starts_on: Day
    ends_on: Day


class CompletionCriteria(BaseModel):
    """What completing the class (结业) takes; the certificates service applies it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    required_hours: Hours
    max_absence_share: Decimal | None = Field(
        default=None, ge=0, le=1, decimal_places=4, description="of the scheduled 学时; null: no limit"
    )
    assessment_required: bool = Field(default=True, description="结业考核 passed")
    survey_required: bool = Field(default=False, description="after-class survey (训后调研) answered")
    reissue_after_revocation: bool = Field(
        default=False, description="a new number when completing again after a revocation, instead of reinstating"
    )
    certificate: bool = Field(
        default=True,
        description="a 结业证书 on completion (a 党支部's own study, 支部组织学习, issues none by default)",
    )


class ClassChanged(StateEvent):
    """A training class (培训班)."""

    event_type = "dangxiao.enrollment.class_changed.v1"
    topic = CLASSES_TOPIC
    key_field = "class_id"
    entity = "class"

    class_id: Identifier
    title: str = Field(min_length=1, max_length=200)
    category: Code = Field(description="the training group, e.g. development_targets (发展对象培训)")
    level: Code | None = Field(default=None, description="of a Party-affairs class: whose officers it trains")
    year: int = Field(ge=2000, le=2100)
    starts_on: Day | None = None
    ends_on: Day | None = None
    phases: list[Phase] = Field(default_factory=list)
    delivery: Code = Field(default="on_site", description="on_site, online or blended")
    place: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=1)
    organiser_id: Identifier | None = Field(default=None, description="the unit or Party organisation running it")
    manager_ids: list[Identifier] = Field(default_factory=list, description="class managers (跟班管理人员)")
    completion: CompletionCriteria
    crediting_rule: str | None = Field(default=None, max_length=64, description="overrides the default 学时 rule")
    status: Code = Field(default="open", description="planned, open, closed or cancelled")

    @model_validator(mode="after")
    def _dates_in_order(self) -> ClassChanged:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class SessionChanged(StateEvent):
    """A session of a class (课次), worth ``hours`` 学时 for full attendance."""

    event_type = "dangxiao.enrollment.session_changed.v1"
    topic = SESSIONS_TOPIC
    key_field = "session_id"
    entity = "session"

    session_id: Identifier
    class_id: Identifier
    title: str = Field(min_length=1, max_length=200)
    teaching_mode: Code = Field(description="e.g. lecture (专题讲授), seminar (研讨式), online (网络学习)")
    course_id: Identifier | None = None
    teacher_ids: list[Identifier] = Field(default_factory=list)
    starts_at: Moment
    ends_at: Moment
    place: str | None = Field(default=None, max_length=200)
    hours: Hours
    status: Code = Field(default="scheduled", description="scheduled or cancelled")
    phase: str | None = Field(default=None, max_length=100, description="the class's phase (分段式) it belongs to")
    cancel_reason: str | None = Field(default=None, max_length=500, description="why it was cancelled")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> SessionChanged:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class EnrollmentChanged(StateEvent):
    """A person's way through a class: nominated, applied, approved, waitlisted, rejected, withdrawn, transferred."""

    event_type = "dangxiao.enrollment.enrollment_changed.v1"
    topic = ENROLLMENTS_TOPIC
    key_field = "enrollment_id"
    entity = "enrollment"

    enrollment_id: Identifier
    class_id: Identifier
    person_id: Identifier
    status: Code = Field(description="only approved counts as enrolled")
    nominated_by: Identifier | None = Field(default=None, description="the unit that nominated (选派) the person")
    reason: str | None = Field(default=None, max_length=500, description="of a rejection or withdrawal")
    transferred_to: Identifier | None = Field(default=None, description="the class a transfer moved them to")
    route: Code | None = Field(
        default=None, description="nomination (单位选派), application (个人报名) or branch_entry (支部登记)"
    )
    transferred_from: Identifier | None = Field(default=None, description="the class a transfer brought them from")

    @property
    def enrolled(self) -> bool:
        return self.status == "approved"


REGISTER_EVENTS = (
    OrganisationChanged,
    PersonChanged,
    CourseChanged,
    TeacherChanged,
    ClassChanged,
    SessionChanged,
    EnrollmentChanged,
)
