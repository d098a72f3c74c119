"""What planning's API takes and gives.

Requests take the parts of the office's records as the contract defines them (``shared.events.contracts.planning``):
days and money as strings, whole numbers and booleans as JSON types only. Answers give 学时 and money as decimal
strings too, and every decision with its rule and its reason in words.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from shared.events.contracts.common import Code, Day, Hours, Identifier
from shared.events.contracts.planning import (
    ApproverNote,
    BudgetLine,
    Counting,
    Eligibility,
    PlannedClass,
    PracticeActivity,
    Standard,
    SurveyLink,
    Talk,
    TaskNominee,
)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    pass


# ── the annual plan ──────────────────────────────────────────────────────────────────────────────────


class PlanPut(Request):
    year: StrictInt = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    classes: list[PlannedClass] = Field(default_factory=list, max_length=500)
    fed_by: list[SurveyLink] = Field(default_factory=list, max_length=100)


class SurveyLinkPublic(Answer):
    form_id: str
    note: str
    class_id: str | None
    respondents: int = Field(description="people who answered it, as evaluation announced")
    purposes: list[str] = Field(description="what the form was for, e.g. pre_class (训前), annual_needs")


class PlanPublic(Answer):
    plan_id: str
    version: int
    year: int
    title: str
    classes: list[PlannedClass]
    fed_by: list[SurveyLinkPublic]


class GroupExecutionPublic(Answer):
    category: str
    label: str
    planned_classes: int
    classes_opened: int
    classes_held: int
    classes_cancelled: int
    unplanned_classes: int
    target_learners: int
    enrolled: int
    passed: int
    completed: int = Field(description="holding a valid 结业证书")
    certificates_revoked: int
    budget: Decimal
    enrolled_share: Decimal | None = Field(description="enrolled of the target, in percent")


class PlanExecutionPublic(Answer):
    plan_id: str
    year: int
    as_of: date
    groups: list[GroupExecutionPublic]
    overall: GroupExecutionPublic
    fed_by: list[SurveyLinkPublic]


# ── rotation ─────────────────────────────────────────────────────────────────────────────────────────


class RotationPublic(Answer):
    on: date
    rule: str
    reason: str


class RotationStatusPublic(Answer):
    person_id: str
    name: str
    branch_id: str | None
    unit_id: str | None
    probationary: bool = Field(description="预备党员 on the day")
    member_since: date
    last_rotation: RotationPublic | None
    next_due: date
    coverage: str = Field(description="covered, overdue or never_rotated")
    rule: str
    reason: str


class DueListPublic(Answer):
    year: int
    as_of: date
    rule: str
    members: list[RotationStatusPublic] = Field(description="预备党员 first, then the longest overdue")


class CoverageRowPublic(Answer):
    org_id: str | None
    name: str | None
    members: int
    covered: int
    overdue: int
    never_rotated: int
    covered_share: Decimal | None


class CoveragePublic(Answer):
    as_of: date
    rule: str
    by_branch: list[CoverageRowPublic]
    by_unit: list[CoverageRowPublic]
    by_organisation: list[CoverageRowPublic] = Field(description="each 党支部 and every organisation above it")
    never_rotated: list[RotationStatusPublic]
    overdue: list[RotationStatusPublic]


# ── tasks from above ─────────────────────────────────────────────────────────────────────────────────


class TaskCreate(Request):
    task_id: Identifier | None = Field(default=None, description="default: one minted")
    issuer: Code = Field(
        description="municipal_party_school (市委党校), municipal_education_committee (市教卫工作党委) or "
        "national_academy_online (国家教育行政学院 online platform)"
    )
    title: str = Field(min_length=1, max_length=200)
    quota: StrictInt = Field(ge=1, le=10_000)
    assigned_on: Day
    deadline: Day
    required_hours: Hours
    counting: Counting
    eligibility: Eligibility = Field(default_factory=Eligibility)


class TaskPublic(Answer):
    task_id: str
    version: int
    issuer: str
    issuer_label: str
    title: str
    quota: int
    assigned_on: date
    deadline: date
    required_hours: Decimal
    counting: Counting
    counting_rule: str = Field(description="the counting rule in words")
    eligibility: Eligibility
    nominees: list[TaskNominee]


class Nominate(Request):
    person_ids: list[Identifier] = Field(min_length=1, max_length=500, description="in the office's order")


class NominationPublic(Answer):
    person_id: str
    accepted: bool
    rule: str
    reason: str


class NominationsPublic(Answer):
    decisions: list[NominationPublic]
    task: TaskPublic


class NomineeFulfilmentPublic(Answer):
    person_id: str
    name: str | None
    unit_id: str | None
    hours: Decimal
    met_on: date | None
    state: str = Field(description="done, in_progress, not_started or late")
    rule: str
    reason: str


class FulfilmentPublic(Answer):
    task_id: str
    issuer: str
    issuer_label: str
    title: str
    as_of: date
    quota: int
    quota_used: str
    nominated: int
    done: int
    in_progress: int
    not_started: int
    late: int
    nominees: list[NomineeFulfilmentPublic]


# ── officers elected → trained ───────────────────────────────────────────────────────────────────────


class OfficerTermPublic(Answer):
    person_id: str
    name: str | None
    position: str
    elected_on: date
    role: str
    level: str
    org_id: str | None
    unit_id: str | None
    outcome: str = Field(description="nominated, pending or already_on_the_way")
    class_id: str | None
    rule: str
    reason: str


# ── cultivation ──────────────────────────────────────────────────────────────────────────────────────


class TrainingLinePublic(Answer):
    class_id: str | None
    title: str
    category: str | None
    hours: Decimal
    days: list[date]
    certificate_number: str | None


class CheckPublic(Answer):
    condition: str
    met: bool
    reason: str


class ReadinessPublic(Answer):
    stage: str = Field(description="activist (入党积极分子) or development_target (发展对象)")
    ready: bool
    rule: str
    checks: list[CheckPublic]


class CultivationPublic(Answer):
    person_id: str
    name: str
    branch_id: str | None
    as_of: date
    status: str | None
    activist_since: date | None
    development_target_since: date | None
    training: list[TrainingLinePublic]
    activities: list[PracticeActivity]
    talks: list[Talk]
    contacts: list[str] = Field(description="the 培养联系人 who held talks")
    readiness: ReadinessPublic | None = Field(description="null unless an activist or development target on the day")


# ── budgets ──────────────────────────────────────────────────────────────────────────────────────────


class StandardsPublish(Request):
    name: str = Field(
        pattern=r"^[a-z][a-z0-9-]*/v[1-9][0-9]*$", max_length=64, description="e.g. spending-standards/v1"
    )
    standards: list[Standard] = Field(min_length=1, max_length=500)


class StandardsPublic(Answer):
    name: str
    published_at: datetime
    standards: list[Standard]


class BudgetPut(Request):
    lines: list[BudgetLine] = Field(max_length=20)
    standards: str | None = Field(default=None, max_length=64, description="default: the newest published")
    learners: StrictInt | None = Field(default=None, ge=1, le=100_000, description="default: the enrolled")
    days: StrictInt | None = Field(default=None, ge=1, le=366, description="default: the days of its sessions")


class NoteCreate(Request):
    flag_key: str = Field(min_length=1, max_length=64, description="e.g. over_standard:venue, over_budget")
    note: str = Field(min_length=1, max_length=1000)


class BudgetLinePublic(Answer):
    kind: str
    label: str
    planned: Decimal
    spent: Decimal
    per_person_day: Decimal | None = Field(description="the standard, where one applies")
    limit: Decimal | None = Field(description="the standard × person-days")


class FlagPublic(Answer):
    key: str
    kind: str
    limit: Decimal
    spent: Decimal
    reason: str
    awaiting_note: bool


class BudgetPublic(Answer):
    class_id: str
    title: str
    category: str
    year: int
    version: int
    standards: str
    learners: int | None
    days: int | None
    person_days: int | None
    planned: Decimal
    spent: Decimal
    lines: list[BudgetLinePublic]
    flags: list[FlagPublic]
    accepted: bool | None = Field(description="every flag covered by a note; null while it cannot be measured")
    reason: str
    notes: list[ApproverNote]


class GroupSpendingPublic(Answer):
    category: str
    label: str
    classes: int
    planned: Decimal
    spent: Decimal
    lines_over_standard: int
    classes_over_budget: int
    classes_awaiting_note: int


# ── the training record (信息沟通机制) ─────────────────────────────────────────────────────────────────


class ClassRecordPublic(Answer):
    class_id: str
    title: str
    category: str
    year: int
    enrolled: bool
    hours: Decimal
    passed: bool | None
    grade: str | None
    certificate_number: str | None
    certificate_valid: bool | None


class YearHoursPublic(Answer):
    year: int
    total: Decimal
    offline: Decimal
    online: Decimal


class StandingPublic(Answer):
    requirement: str
    title: str
    window_start: date
    window_end: date | None
    required_hours: Decimal
    credited_hours: Decimal
    standing: str
    met_on: date | None
    as_of: date = Field(description="the day the ledger last judged the standing: its credited 学时 are as of then")


class TrainingRecordPublic(Answer):
    person_id: str
    name: str
    unit_id: str | None
    as_of: date
    status: str | None
    positions: list[str]
    classes: list[ClassRecordPublic]
    hours_by_year: list[YearHoursPublic]
    requirements: list[StandingPublic]


class UnitYearRowPublic(Answer):
    person_id: str
    name: str
    status: str | None
    positions: list[str]
    classes: int
    certificates: int
    hours: Decimal
    offline: Decimal
    online: Decimal
    requirements_met: list[str]
    requirements_not_met: list[str]


class SpendingPublic(Answer):
    year: int
    groups: list[GroupSpendingPublic] = Field(description="by training group, then the total (category overall)")
    unmeasured: dict[str, str] = Field(description="classes whose budget cannot be measured yet, and why")
