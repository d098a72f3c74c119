"""The planning service's topics: the school office's year's work (年度工作).

``dangxiao.planning.v1`` is public: what follows from the facts for others to act on — an officer elected and
nominated for (or waiting for) a Party-affairs class, a nominee's progress in a task from above, a member's
five-year rotation, a person's training record of a year for the organisation department's systems. Each is
announced when it changes, with a ``revision`` that grows with each announcement of the same thing.

``dangxiao.planning.office.v1`` (log-compacted) holds the office's own records, each the whole current state of
one record with a ``version``: the annual plan, a task from above and its nominees, a person's cultivation record,
a class's budget, the spending standards. Planning alone reads it, so that a rebuild restores what the office
wrote; it holds personal notes (talks of cultivation), so it is not for other consumers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from shared.events.contracts.common import Code, Day, Hours, Identifier, StateEvent, decimal_text
from shared.events.envelope import EventData

PLANNING_TOPIC = "dangxiao.planning.v1"
PLANNING_OFFICE_TOPIC = "dangxiao.planning.office.v1"

if TYPE_CHECKING:  # to the type checker, decimals; to pydantic, decimals written as strings
    Money = Decimal
    TotalHours = Decimal
else:
    # Yuan to the cent (预算 and 支出), never a float.
    Money = decimal_text(r"^\d{1,10}(\.\d{1,2})?$", ge=0, le=9_999_999_999, places=2, examples=["36000.00", "150"])
    # 学时 summed over a year or a requirement's window, which may run past what one line holds.
    TotalHours = decimal_text(r"^\d{1,6}(\.\d{1,2})?$", ge=0, le=999_999, places=2, examples=["32", "120.5"])


class _Part(BaseModel):
    """A part of a record; the API takes the same shape (whole numbers as JSON integers only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# ── the office's records (dangxiao.planning.office.v1) ───────────────────────────────────────────────


class PlannedClass(_Part):
    """A class the plan provides for (计划班次)."""

    planned_id: Identifier
    category: Code = Field(description="the training group (培训类别)")
    title: str = Field(min_length=1, max_length=200)
    target_learners: StrictInt = Field(ge=1, le=100_000, description="计划人数")
    starts_on: Day
    ends_on: Day
    budget: Money
    class_id: Identifier | None = Field(default=None, description="the register's class, once the office opened it")


class SurveyLink(_Part):
    """A needs survey (需求调研, an evaluation form) whose results fed the plan."""

    form_id: Identifier
    note: str = Field(min_length=1, max_length=1000, description="what the plan took from it")
    class_id: Identifier | None = Field(default=None, description="the class the survey was run in, if any")


class AnnualPlanChanged(StateEvent):
    """The annual training plan (年度培训计划) of a year, as the office keeps it."""

    event_type = "dangxiao.planning.annual_plan_changed.v1"
    topic = PLANNING_OFFICE_TOPIC
    key_field = "plan_id"
    entity = "plan"

    plan_id: Identifier
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    classes: list[PlannedClass] = Field(default_factory=list, max_length=500)
    fed_by: list[SurveyLink] = Field(default_factory=list, max_length=100)


class ActivityRef(_Part):
    """An activity of an outside platform; its id is unique on that platform only."""

    platform: str = Field(min_length=1, max_length=100)
    activity_id: Identifier


class Counting(_Part):
    """Which 学时 count toward a task: of these classes, categories or activities, trained since it was assigned."""

    class_ids: list[Identifier] = Field(default_factory=list, max_length=100)
    categories: list[Code] = Field(default_factory=list, max_length=50)
    activities: list[ActivityRef] = Field(default_factory=list, max_length=500)


class Eligibility(_Part):
    """Who may be nominated, judged by the register on the day of nomination; an empty list asks nothing."""

    statuses: list[Code] = Field(default_factory=list, max_length=20, description="political statuses (政治面貌)")
    positions: list[Code] = Field(default_factory=list, max_length=20)
    unit_ids: list[Identifier] = Field(default_factory=list, max_length=500)


class TaskNominee(_Part):
    person_id: Identifier
    nominated_on: Day
    rule: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500, description="why they were eligible, in words")


class TrainingTaskChanged(StateEvent):
    """A training task assigned from above (上级调训任务) and the people the school nominated for it."""

    event_type = "dangxiao.planning.training_task_changed.v1"
    topic = PLANNING_OFFICE_TOPIC
    key_field = "task_id"
    entity = "task"

    task_id: Identifier
    issuer: Code = Field(
        description="municipal_party_school (市委党校), municipal_education_committee (市教卫工作党委) or "
        "national_academy_online (国家教育行政学院 online platform)"
    )
    title: str = Field(min_length=1, max_length=200)
    quota: StrictInt = Field(ge=1, le=10_000, description="places (名额)")
    assigned_on: Day
    deadline: Day = Field(description="the last day")
    required_hours: Hours
    counting: Counting
    eligibility: Eligibility = Field(default_factory=Eligibility)
    nominees: list[TaskNominee] = Field(default_factory=list, max_length=10_000)


class PracticeActivity(_Part):
    kind: Code = Field(description="social_practice (社会实践) or volunteer_service (志愿服务)")
    on: Day
    description: str = Field(min_length=1, max_length=1000)
    duration_hours: Hours | None = Field(default=None, description="clock hours of service, not 学时")


class Talk(_Part):
    """A talk (谈心谈话) and the 培养联系人 who held it and vouches for it."""

    on: Day
    content: str = Field(min_length=1, max_length=2000)
    contact_id: Identifier


class CultivationRecordChanged(StateEvent):
    """The cultivation record (培养考察) of an activist or development target, as the branch keeps it."""

    event_type = "dangxiao.planning.cultivation_record_changed.v1"
    topic = PLANNING_OFFICE_TOPIC
    key_field = "person_id"
    entity = "cultivation"

    person_id: Identifier
    activities: list[PracticeActivity] = Field(default_factory=list, max_length=500)
    talks: list[Talk] = Field(default_factory=list, max_length=500)


class BudgetLine(_Part):
    kind: Code = Field(description="teachers_fees, venue, materials, board_and_lodging, transport or other")
    planned: Money
    spent: Money


class ApproverNote(_Part):
    """An approver accepts a flag up to what was spent when they looked."""

    flag_key: str = Field(min_length=1, max_length=64, description="e.g. over_standard:venue, over_budget")
    approver_id: str = Field(min_length=1, max_length=128)
    note: str = Field(min_length=1, max_length=1000)
    approved_spent: Money
    on: Day


class ClassBudgetChanged(StateEvent):
    """A class's budget (规范经费使用): lines planned and spent, and the approvers' notes on what is flagged."""

    event_type = "dangxiao.planning.class_budget_changed.v1"
    topic = PLANNING_OFFICE_TOPIC
    key_field = "class_id"
    entity = "budget"

    class_id: Identifier
    standards: str = Field(min_length=1, max_length=64, description="the spending standards it is measured by")
    learners: StrictInt | None = Field(
        default=None, ge=1, le=100_000, description="null: the class's enrolled learners"
    )
    days: StrictInt | None = Field(default=None, ge=1, le=366, description="null: the days of the class's sessions")
    lines: list[BudgetLine] = Field(default_factory=list, max_length=20)
    notes: list[ApproverNote] = Field(default_factory=list, max_length=200)


class Standard(_Part):
    category: Code = Field(description="the class type (培训类别)")
    line: Code = Field(description="the budget line it limits")
    per_person_day: Money = Field(description="yuan per person-day")


class SpendingStandardsPublished(StateEvent):
    """Spending standards per person-day by class type; a published version never changes (a change is a new one)."""

    event_type = "dangxiao.planning.spending_standards_published.v1"
    topic = PLANNING_OFFICE_TOPIC
    key_field = "name"
    entity = "standards"

    name: str = Field(
        pattern=r"^[a-z][a-z0-9-]*/v[1-9][0-9]*$", max_length=64, description="e.g. spending-standards/v1"
    )
    standards: list[Standard] = Field(max_length=500)


# ── what follows from the facts (dangxiao.planning.v1) ──────────────────────────────────────────────


class OfficerTermEvent(EventData):
    """About one new officer's term (an officer position the register records with a new ``since``)."""

    topic = PLANNING_TOPIC
    key_field = "person_id"

    person_id: Identifier
    position: Code = Field(description="the register's position, e.g. branch_secretary (党支部书记)")
    elected_on: Day = Field(description="the position's since: the day of the election (换届)")
    role: Code = Field(description="secretary (书记), deputy_secretary (副书记) or committee_member (委员)")
    level: Code = Field(description="the Party-affairs class level (党务干部培训层次) the office calls for")
    org_id: Identifier | None = Field(default=None, description="the 党支部 or 党总支 that elected them")
    unit_id: Identifier | None = Field(default=None, description="their unit, which sees the nomination")
    rule: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=1000)
    revision: int = Field(ge=1, description="grows with each announcement about this term")

    def identity(self) -> str:
        return f"{self.person_id}/{self.position}/{self.elected_on}#{self.revision}"


class OfficerNominated(OfficerTermEvent):
    """A new officer is nominated for the next open Party-affairs class of their level (the register may turn it
    into a nomination, 选派, on behalf of their unit)."""

    event_type = "dangxiao.planning.officer_nominated.v1"

    class_id: Identifier


class OfficerNominationPending(OfficerTermEvent):
    """A new officer waits for a Party-affairs class of their level: none is open, or every open one is full. A
    reminder; they are nominated as soon as one opens or a place frees."""

    event_type = "dangxiao.planning.officer_nomination_pending.v1"


class TaskFulfilmentChanged(EventData):
    """How far a nominee has got in a task from above, judged on the day of the fact that changed it."""

    event_type = "dangxiao.planning.task_fulfilment_changed.v1"
    topic = PLANNING_TOPIC
    key_field = "person_id"

    task_id: Identifier
    issuer: Code
    person_id: Identifier
    state: Code = Field(description="not_started, in_progress, done (met by the deadline) or late")
    hours: TotalHours = Field(description="学时 counted toward the task so far")
    required_hours: Hours
    deadline: Day
    met_on: Day | None = None
    rule: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    revision: int = Field(ge=1)

    def identity(self) -> str:
        return f"{self.task_id}/{self.person_id}#{self.revision}"


class MemberRotationChanged(EventData):
    """A member's five-year rotation (党员集中轮训): when they were last rotated and when they are due again
    (overdue is ``next_due`` before one's today). ``member`` false: no longer a member of the school."""

    event_type = "dangxiao.planning.member_rotation_changed.v1"
    topic = PLANNING_TOPIC
    key_field = "person_id"

    person_id: Identifier
    member: bool
    branch_id: Identifier | None = None
    unit_id: Identifier | None = None
    member_since: Day | None = None
    last_rotated_on: Day | None = None
    next_due: Day | None = None
    rule: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=1000)
    revision: int = Field(ge=1)

    def identity(self) -> str:
        return f"{self.person_id}#{self.revision}"


class RecordedClass(_Part):
    """A class the person trained in: 学时 credited, a 结业考核 result or a certificate (enrollment is the
    register's to tell)."""

    class_id: Identifier
    title: str = Field(min_length=1, max_length=200)
    category: Code
    hours: TotalHours = Field(description="学时 that stand for the class")
    passed: bool | None = Field(default=None, description="the 结业考核 that stands; null while none")
    grade: Code | None = None
    certificate_number: str | None = Field(default=None, max_length=32)
    certificate_valid: bool | None = Field(default=None, description="false once revoked; null without one")


class RecordedRequirement(_Part):
    requirement: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    window_start: Day
    window_end: Day | None = None
    required_hours: TotalHours
    credited_hours: TotalHours
    standing: Code
    as_of: Day | None = Field(
        default=None, description="the day the ledger last judged the standing: its credited 学时 are as of then"
    )


class TrainingRecordChanged(EventData):
    """A person's training record of one year (干部教育培训记录), for cadre selection and management: classes with
    学时, results and certificates, 学时 by channel, and the requirements whose windows touch the year."""

    event_type = "dangxiao.planning.training_record_changed.v1"
    topic = PLANNING_TOPIC
    key_field = "person_id"

    person_id: Identifier
    year: int = Field(ge=2000, le=2100)
    classes: list[RecordedClass]
    hours: TotalHours
    offline_hours: TotalHours = Field(description="concentrated training (集中)")
    online_hours: TotalHours = Field(description="online study (网络)")
    requirements: list[RecordedRequirement]
    revision: int = Field(ge=1)

    @model_validator(mode="after")
    def _channels_within_total(self) -> TrainingRecordChanged:
        if self.offline_hours + self.online_hours > self.hours:
            raise ValueError("offline and online 学时 add up to more than the year's")
        return self

    def identity(self) -> str:
        return f"{self.person_id}/{self.year}#{self.revision}"


OFFICE_EVENTS = (
    AnnualPlanChanged,
    TrainingTaskChanged,
    CultivationRecordChanged,
    ClassBudgetChanged,
    SpendingStandardsPublished,
)
PLANNING_EVENTS = (
    OfficerNominated,
    OfficerNominationPending,
    TaskFulfilmentChanged,
    MemberRotationChanged,
    TrainingRecordChanged,
)
