"""The annual plan (年度培训计划) and its execution read from the facts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.planning.domain.facts import (
    Assessment,
    CertificateChange,
    Enrollment,
    PlanningError,
    TrainingClass,
)
from services.planning.domain.plan import (
    AnnualPlan,
    GroupExecution,
    PlannedClass,
    SurveyLink,
    link_survey,
    plan_execution,
    plans_fed_by,
)


def planned(
    planned_id: str, category: str, target: int, budget: str, class_id: str | None, starts_on: date = date(2025, 4, 1)
) -> PlannedClass:
    return PlannedClass(
        planned_id, category, f"{planned_id} 班", target, starts_on, starts_on, Decimal(budget), class_id=class_id
    )


PLAN = AnnualPlan(
    "plan-2025",
    2025,
    "2025年度培训计划",
    (
        planned("P1", "development_targets", 40, "20000.00", "K1"),
        planned("P2", "development_targets", 40, "20000", "K2", date(2025, 10, 10)),
        planned("P3", "party_affairs", 30, "15000.50", "K3"),
        planned("P4", "member_rotation", 100, "0", None),
    ),
)
CLASSES = (
    TrainingClass("K1", "发展对象培训班（春）", "development_targets", 2025, date(2025, 4, 1), date(2025, 4, 3)),
    TrainingClass("K2", "发展对象培训班（秋）", "development_targets", 2025, date(2025, 10, 10), date(2025, 10, 12)),
    TrainingClass("K3", "支部书记培训班", "party_affairs", 2025, date(2025, 5, 6), status="cancelled"),
    TrainingClass("K9", "青年骨干培训班", "young_backbone", 2025, date(2025, 3, 1)),  # not in the plan
    TrainingClass("K8", "青年骨干培训班", "young_backbone", 2024, date(2024, 3, 1)),  # another year
)
ENROLLMENTS = (
    Enrollment("e1", "K1", "p1", "approved"),
    Enrollment("e2", "K1", "p2", "approved"),
    Enrollment("e3", "K1", "p3", "approved"),
    Enrollment("e4", "K1", "p4", "withdrawn"),
    Enrollment("e5", "K2", "p5", "approved"),
    Enrollment("e6", "K9", "p6", "approved"),
)
ASSESSMENTS = (
    Assessment("a1", "K1", "p1", passed=True, assessed_at=datetime(2025, 4, 3, 8, tzinfo=UTC)),
    Assessment("a2", "K1", "p2", passed=True, assessed_at=datetime(2025, 4, 3, 8, tzinfo=UTC)),
    Assessment("a3", "K1", "p2", passed=False, assessed_at=datetime(2025, 4, 9, 8, tzinfo=UTC)),  # re-assessed
    Assessment("a4", "K1", "p4", passed=True, assessed_at=datetime(2025, 4, 3, 8, tzinfo=UTC)),  # withdrew
)
CERTIFICATES = (
    CertificateChange("DX-1", 1, "p1", "K1", True, date(2025, 4, 4)),
    CertificateChange("DX-2", 1, "p2", "K1", True, date(2025, 4, 4)),
    CertificateChange("DX-2", 2, "p2", "K1", False, date(2025, 4, 9)),
)


def execution_as_of(as_of: date) -> dict[str, GroupExecution]:
    execution = plan_execution(
        PLAN,
        classes=CLASSES,
        enrollments=ENROLLMENTS,
        assessments=ASSESSMENTS,
        certificates=CERTIFICATES,
        as_of=as_of,
    )
    return {row.category: row for row in (*execution.groups, execution.overall)}


def test_the_execution_of_a_training_group_is_read_from_the_facts() -> None:
    rows = execution_as_of(date(2025, 6, 30))
    assert rows["development_targets"] == GroupExecution(
        category="development_targets",
        label="发展对象培训",
        planned_classes=2,
        classes_opened=2,
        classes_held=1,  # the autumn class has not begun by 30 June
        classes_cancelled=0,
        unplanned_classes=0,
        target_learners=80,
        enrolled=4,  # p4 withdrew
        passed=1,  # p2 failed when re-assessed; p4's pass does not count, having withdrawn
        completed=1,
        certificates_revoked=1,
        budget=Decimal("40000.00"),
    )
    assert rows["development_targets"].enrolled_share == Decimal("5.0")


def test_a_cancelled_class_an_unopened_one_and_a_class_outside_the_plan_are_told_apart() -> None:
    rows = execution_as_of(date(2025, 6, 30))
    assert (rows["party_affairs"].classes_opened, rows["party_affairs"].classes_cancelled) == (0, 1)
    assert (rows["member_rotation"].planned_classes, rows["member_rotation"].classes_opened) == (1, 0)
    assert (rows["young_backbone"].planned_classes, rows["young_backbone"].unplanned_classes) == (0, 1)
    assert rows["young_backbone"].enrolled_share is None  # nothing planned, nothing to measure against
    assert list(rows) == ["development_targets", "member_rotation", "party_affairs", "young_backbone", "overall"]


def test_the_overall_row_sums_every_group() -> None:
    overall = execution_as_of(date(2025, 12, 31))["overall"]
    assert (overall.label, overall.planned_classes, overall.classes_opened, overall.classes_held) == ("合计", 4, 2, 2)
    assert (overall.unplanned_classes, overall.target_learners, overall.enrolled) == (1, 210, 4)
    assert overall.budget == Decimal("55000.50")


def test_a_planned_class_linked_to_a_class_the_register_has_not_announced_is_not_opened_yet() -> None:
    early = AnnualPlan("plan-2025", 2025, "计划", (planned("P1", "activists", 10, "1", "K-not-yet"),))
    execution = plan_execution(
        early, classes=(), enrollments=(), assessments=(), certificates=(), as_of=date(2025, 5, 1)
    )
    assert (execution.overall.planned_classes, execution.overall.classes_opened) == (1, 0)


@pytest.mark.parametrize(("as_of", "held"), [(date(2025, 10, 9), 1), (date(2025, 10, 10), 2)])
def test_a_class_counts_as_held_from_its_first_day(as_of: date, held: int) -> None:
    assert execution_as_of(as_of)["development_targets"].classes_held == held


def test_needs_surveys_are_linked_to_the_plans_they_fed() -> None:
    fed = link_survey(PLAN, SurveyLink("form-needs-2024", "专题需求：基层党建", class_id="K0"))
    assert fed.fed_by == (SurveyLink("form-needs-2024", "专题需求：基层党建", class_id="K0"),)
    assert plans_fed_by("form-needs-2024", [PLAN, fed]) == ("plan-2025",)
    assert plans_fed_by("form-other", [fed]) == ()
    with pytest.raises(PlanningError, match="survey form form-needs-2024 already fed plan plan-2025"):
        link_survey(fed, SurveyLink("form-needs-2024", "again"))


@pytest.mark.parametrize(
    ("target", "budget", "ends_on", "message"),
    [
        (0, "1", date(2025, 4, 1), "planned class P1 needs a target of at least 1 learner"),
        (10, "-1", date(2025, 4, 1), "the budget of planned class P1 must be an amount in yuan to the cent"),
        (10, "0.001", date(2025, 4, 1), "the budget of planned class P1 must be an amount in yuan to the cent"),
        (10, "1", date(2025, 3, 31), "planned class P1 ends on 2025-03-31, before it starts"),
    ],
)
def test_a_planned_class_that_cannot_be_carried_out_is_refused(
    target: int, budget: str, ends_on: date, message: str
) -> None:
    with pytest.raises(PlanningError, match=message):
        PlannedClass("P1", "activists", "班", target, date(2025, 4, 1), ends_on, Decimal(budget))


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ((planned("P1", "activists", 10, "1", None, date(2026, 1, 5)),), "outside the plan's year 2025"),
        ((planned("P1", "activists", 10, "1", None), planned("P1", "activists", 10, "1", None)), "planned class twice"),
        ((planned("P1", "activists", 10, "1", "K1"), planned("P2", "activists", 10, "1", "K1")), "two planned classes"),
    ],
)
def test_a_plan_that_cannot_be_carried_out_is_refused(classes: tuple[PlannedClass, ...], message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        AnnualPlan("plan-2025", 2025, "计划", classes)
