"""The annual training plan (年度培训计划): planned classes per training group, and how the year carried it out.

Execution is read from facts, never typed in: a planned class is linked to the register's class once the office
opens it, and from then on the register, evaluation and certificates say what became of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from services.planning.domain.facts import (
    CENT,
    Assessment,
    CertificateChange,
    Enrollment,
    PlanningError,
    TrainingClass,
    certificates_as_they_stand,
    percentage,
    require_money,
    standing_assessments,
)
from shared.vocabulary import category_label

OVERALL = "overall"  # the category of the row that sums every group


@dataclass(frozen=True)
class PlannedClass:
    """A class the plan provides for, with its target number of learners (计划人数), dates and budget (预算)."""

    planned_id: str
    category: str  # the training group (培训类别)
    title: str
    target_learners: int
    starts_on: date
    ends_on: date
    budget: Decimal  # yuan
    class_id: str | None = None  # the register's class, once the office has opened it

    def __post_init__(self) -> None:
        if self.target_learners < 1:
            raise PlanningError(f"planned class {self.planned_id} needs a target of at least 1 learner")
        if self.ends_on < self.starts_on:
            raise PlanningError(f"planned class {self.planned_id} ends on {self.ends_on}, before it starts")
        require_money(self.budget, f"the budget of planned class {self.planned_id}")


@dataclass(frozen=True)
class SurveyLink:
    """A needs survey (需求调研, an evaluation form) whose results fed the plan: a link, not a computation."""

    form_id: str
    note: str  # what the plan took from it, in the office's words
    class_id: str | None = None  # the class the survey was run in, if any


@dataclass(frozen=True)
class AnnualPlan:
    plan_id: str
    year: int
    title: str
    classes: tuple[PlannedClass, ...]
    fed_by: tuple[SurveyLink, ...] = ()

    def __post_init__(self) -> None:
        planned_ids = [planned.planned_id for planned in self.classes]
        if len(set(planned_ids)) != len(planned_ids):
            raise PlanningError(f"plan {self.plan_id} names a planned class twice")
        class_ids = [planned.class_id for planned in self.classes if planned.class_id is not None]
        if len(set(class_ids)) != len(class_ids):
            raise PlanningError(f"plan {self.plan_id} links one register class to two planned classes")
        for planned in self.classes:
            if planned.starts_on.year != self.year:
                raise PlanningError(
                    f"planned class {planned.planned_id} starts on {planned.starts_on}, outside the plan's year "
                    f"{self.year}"
                )
        form_ids = [link.form_id for link in self.fed_by]
        for form_id in form_ids:
            if form_ids.count(form_id) > 1:
                raise PlanningError(f"plan {self.plan_id} links survey form {form_id} more than once")


def link_survey(plan: AnnualPlan, link: SurveyLink) -> AnnualPlan:
    """The plan with one more needs survey attached to it."""
    if any(existing.form_id == link.form_id for existing in plan.fed_by):
        raise PlanningError(f"survey form {link.form_id} already fed plan {plan.plan_id}")
    return replace(plan, fed_by=(*plan.fed_by, link))


def plans_fed_by(form_id: str, plans: Iterable[AnnualPlan]) -> tuple[str, ...]:
    """The plans a needs survey fed, by id."""
    return tuple(sorted(plan.plan_id for plan in plans if any(link.form_id == form_id for link in plan.fed_by)))


@dataclass(frozen=True)
class GroupExecution:
    """How far the plan is carried out in one training group (or ``overall``), as of a day."""

    category: str
    label: str
    planned_classes: int
    classes_opened: int  # linked to a register class that is not cancelled
    classes_held: int  # of those, begun on or before the day
    classes_cancelled: int
    unplanned_classes: int  # register classes of the year the plan does not provide for, not cancelled
    target_learners: int
    enrolled: int
    passed: int  # enrolled, and their 结业考核 that stands is passed
    completed: int  # hold a valid 结业证书: the certificates service judged them complete by the class's criteria
    certificates_revoked: int
    budget: Decimal

    @property
    def enrolled_share(self) -> Decimal | None:
        """Enrolled learners as a percentage of the target, to one decimal; None where nothing was planned."""
        return percentage(self.enrolled, self.target_learners)


@dataclass(frozen=True)
class PlanExecution:
    plan_id: str
    year: int
    as_of: date
    groups: tuple[GroupExecution, ...]  # by category code
    overall: GroupExecution


@dataclass(frozen=True)
class _ClassOutcome:
    opened: bool
    held: bool
    cancelled: bool
    enrolled: int
    passed: int
    completed: int
    revoked: int


NOT_OPENED = _ClassOutcome(opened=False, held=False, cancelled=False, enrolled=0, passed=0, completed=0, revoked=0)
CANCELLED = replace(NOT_OPENED, cancelled=True)


def plan_execution(
    plan: AnnualPlan,
    *,
    classes: Iterable[TrainingClass],
    enrollments: Iterable[Enrollment],
    assessments: Iterable[Assessment],
    certificates: Iterable[CertificateChange],
    as_of: date,
) -> PlanExecution:
    """Planned against done, per training group and overall.

    A planned class linked to a class the register has not announced yet counts as not opened.
    """
    register = {training_class.class_id: training_class for training_class in classes}
    enrolled: dict[str, set[str]] = {}
    for enrollment in enrollments:
        if enrollment.enrolled:
            enrolled.setdefault(enrollment.class_id, set()).add(enrollment.person_id)
    assessed = standing_assessments(assessments)
    valid: dict[str, set[str]] = {}
    revoked: dict[str, int] = {}
    for certificate in certificates_as_they_stand(certificates).values():
        if certificate.valid:
            valid.setdefault(certificate.class_id, set()).add(certificate.person_id)
        else:
            revoked[certificate.class_id] = revoked.get(certificate.class_id, 0) + 1

    def outcome(class_id: str | None) -> _ClassOutcome:
        training_class = register.get(class_id) if class_id is not None else None
        if training_class is None:
            return NOT_OPENED
        if training_class.cancelled:
            return CANCELLED
        learners = enrolled.get(training_class.class_id, set())
        passed = {
            person_id
            for person_id in learners
            if (assessment := assessed.get((person_id, training_class.class_id))) is not None and assessment.passed
        }
        return _ClassOutcome(
            opened=True,
            held=training_class.starts_on is not None and training_class.starts_on <= as_of,
            cancelled=False,
            enrolled=len(learners),
            passed=len(passed),
            completed=len(valid.get(training_class.class_id, set())),
            revoked=revoked.get(training_class.class_id, 0),
        )

    linked = {planned.class_id for planned in plan.classes if planned.class_id is not None}
    unplanned: dict[str, int] = {}
    for training_class in register.values():
        if training_class.year == plan.year and training_class.class_id not in linked and not training_class.cancelled:
            unplanned[training_class.category] = unplanned.get(training_class.category, 0) + 1

    by_group: dict[str, list[tuple[PlannedClass, _ClassOutcome]]] = {}
    for planned in plan.classes:
        by_group.setdefault(planned.category, []).append((planned, outcome(planned.class_id)))
    groups = tuple(
        _group_row(category, by_group.get(category, []), unplanned.get(category, 0))
        for category in sorted(by_group.keys() | unplanned.keys())
    )
    return PlanExecution(
        plan_id=plan.plan_id,
        year=plan.year,
        as_of=as_of,
        groups=groups,
        overall=_sum_rows(groups),
    )


def _group_row(
    category: str, rows: Sequence[tuple[PlannedClass, _ClassOutcome]], unplanned_classes: int
) -> GroupExecution:
    outcomes = [outcome for _, outcome in rows]
    return GroupExecution(
        category=category,
        label=category_label(category),
        planned_classes=len(rows),
        classes_opened=sum(o.opened for o in outcomes),
        classes_held=sum(o.held for o in outcomes),
        classes_cancelled=sum(o.cancelled for o in outcomes),
        unplanned_classes=unplanned_classes,
        target_learners=sum(planned.target_learners for planned, _ in rows),
        enrolled=sum(o.enrolled for o in outcomes),
        passed=sum(o.passed for o in outcomes),
        completed=sum(o.completed for o in outcomes),
        certificates_revoked=sum(o.revoked for o in outcomes),
        budget=sum((planned.budget for planned, _ in rows), Decimal(0)).quantize(CENT),
    )


def _sum_rows(groups: Sequence[GroupExecution]) -> GroupExecution:
    return GroupExecution(
        category=OVERALL,
        label="合计",
        planned_classes=sum(g.planned_classes for g in groups),
        classes_opened=sum(g.classes_opened for g in groups),
        classes_held=sum(g.classes_held for g in groups),
        classes_cancelled=sum(g.classes_cancelled for g in groups),
        unplanned_classes=sum(g.unplanned_classes for g in groups),
        target_learners=sum(g.target_learners for g in groups),
        enrolled=sum(g.enrolled for g in groups),
        passed=sum(g.passed for g in groups),
        completed=sum(g.completed for g in groups),
        certificates_revoked=sum(g.certificates_revoked for g in groups),
        budget=sum((g.budget for g in groups), Decimal(0)).quantize(CENT),
    )
