"""Budgets (规范经费使用): standards per person-day, flags exactly at the standard and one cent over, notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.planning.domain.budgets import (
    ApproverNote,
    BudgetLine,
    ClassBudget,
    FlagKind,
    GroupSpending,
    LineKind,
    SpendingStandards,
    budget_flags,
    review_budget,
    spending_report,
)
from services.planning.domain.facts import PlanningError

STANDARDS = SpendingStandards(
    "spending-standards/v1",
    (
        ("development_targets", LineKind.BOARD_AND_LODGING, Decimal("300.00")),
        ("development_targets", LineKind.VENUE, Decimal("50")),
        ("party_affairs", LineKind.BOARD_AND_LODGING, Decimal("350.00")),
    ),
)


def budget(
    board: str = "36000.00",
    *,
    planned_board: str = "40000.00",
    class_id: str = "K1",
    category: str = "development_targets",
    year: int = 2025,
    venue: str = "5000.00",
    teachers: str = "8000.00",
) -> ClassBudget:
    """40 learners × 3 days = 120 person-days: board and lodging up to 36,000.00, the venue up to 6,000.00."""
    return ClassBudget(
        class_id,
        category,
        year,
        learners=40,
        days=3,
        lines=(
            BudgetLine(LineKind.TEACHERS_FEES, Decimal("8000.00"), Decimal(teachers)),  # no standard: not measured
            BudgetLine(LineKind.BOARD_AND_LODGING, Decimal(planned_board), Decimal(board)),
            BudgetLine(LineKind.VENUE, Decimal("6000.00"), Decimal(venue)),
        ),
    )


@pytest.mark.parametrize(
    ("spent", "flagged"),
    [("35999.99", False), ("36000.00", False), ("36000.01", True)],
)
def test_a_line_is_flagged_from_one_cent_over_its_standard(spent: str, flagged: bool) -> None:
    flags = budget_flags(budget(spent), STANDARDS)
    assert [flag.key for flag in flags] == (["over_standard:board_and_lodging"] if flagged else [])


def test_a_flag_says_what_the_standard_allows_and_what_was_spent() -> None:
    [flag] = budget_flags(budget("36000.01"), STANDARDS)
    assert (flag.kind, flag.limit, flag.spent) == (FlagKind.OVER_STANDARD, Decimal("36000.00"), Decimal("36000.01"))
    assert flag.reason == (
        "食宿费 spent 36,000.01 元, over the standard of 300.00 元 per person-day × 120 person-days = 36,000.00 元"
    )


@pytest.mark.parametrize(
    ("teachers", "over_budget"),
    [("8999.99", False), ("9000.00", False), ("9000.01", True)],
)
def test_the_class_is_flagged_from_one_cent_over_its_budget(teachers: str, over_budget: bool) -> None:
    # planned 8,000 + 36,000 + 6,000 = 50,000.00; spent the teachers' fees (no standard) + 36,000 + 5,000
    flags = budget_flags(budget("36000.00", planned_board="36000.00", teachers=teachers), STANDARDS)
    assert [flag.key for flag in flags] == (["over_budget"] if over_budget else [])


def test_a_class_within_every_standard_and_its_budget_is_accepted_as_it_is() -> None:
    review = review_budget(budget(), STANDARDS)
    assert (review.accepted, review.flags, review.rule) == (True, (), "spending-standards/v1")
    assert review.reason == "spent 49,000.00 元 of 54,000.00 元, every line within its standard"


def test_a_flag_needs_an_approver_s_note_covering_what_was_spent() -> None:
    # over the standard, and 500 over the budget of 50,000
    over = budget("36500.00", planned_board="36000.00", venue="6000.00")
    assert [flag.key for flag in review_budget(over, STANDARDS).awaiting_note] == [
        "over_standard:board_and_lodging",
        "over_budget",
    ]
    notes = [
        ApproverNote(
            "over_standard:board_and_lodging", "fin-1", "住宿价格上涨，已核", Decimal("36500"), date(2025, 5, 3)
        ),
        ApproverNote("over_budget", "fin-1", "从机动经费列支", Decimal("50500.00"), date(2025, 5, 3)),
    ]
    review = review_budget(over, STANDARDS, notes)
    assert (review.accepted, review.awaiting_note) == (True, ())
    assert review.reason.startswith("every flag accepted by an approver's note: 食宿费 spent 36,500.00 元")
    # spending one cent more than the approver saw needs a new note
    more = budget("36500.01", planned_board="36000.00", venue="6000.00")
    assert [flag.key for flag in review_budget(more, STANDARDS, notes).awaiting_note] == [
        "over_standard:board_and_lodging",
        "over_budget",
    ]


def test_a_note_for_another_flag_covers_nothing() -> None:
    note = ApproverNote("over_standard:venue", "finance-1", "已核", Decimal("99999.00"), date(2025, 5, 3))
    review = review_budget(budget("36000.01"), STANDARDS, [note])
    assert not review.accepted
    assert review.reason == (
        "awaiting an approver's note: 食宿费 spent 36,000.01 元, over the standard of 300.00 元 per person-day × "
        "120 person-days = 36,000.00 元"
    )


def test_standards_depend_on_the_class_type() -> None:
    # 350 per person-day for a Party-affairs class: 42,000.00 for 120 person-days
    assert budget_flags(budget("36000.01", category="party_affairs"), STANDARDS) == ()
    assert budget_flags(budget("36000.01", category="young_backbone"), STANDARDS) == ()  # no standard


def test_the_year_s_spending_by_training_group() -> None:
    budgets = [
        budget("36000.01", class_id="K1"),  # over the standard, awaiting a note
        budget("30000.00", class_id="K2", venue="6000.01", planned_board="30000.00"),  # both flags
        budget("20000.00", class_id="K3", category="party_affairs"),
        budget("99999.00", class_id="K0", year=2024),  # another year
    ]
    notes = {"K2": [ApproverNote("over_budget", "finance-1", "已核", Decimal("44000.01"), date(2025, 9, 1))]}
    standards = {budget.class_id: STANDARDS for budget in budgets}
    assert spending_report(2025, budgets, standards, notes) == (
        GroupSpending(
            "development_targets",
            "发展对象培训",
            classes=2,
            planned=Decimal("98000.00"),  # 54,000 + 44,000
            spent=Decimal("93000.02"),  # 49,000.01 + 44,000.01
            lines_over_standard=2,
            classes_over_budget=1,
            classes_awaiting_note=2,  # K1's flag has no note; K2's venue neither
        ),
        GroupSpending(
            "party_affairs",
            "党务干部培训",
            classes=1,
            planned=Decimal("54000.00"),
            spent=Decimal("33000.00"),
            lines_over_standard=0,
            classes_over_budget=0,
            classes_awaiting_note=0,
        ),
        GroupSpending(
            "overall",
            "合计",
            classes=3,
            planned=Decimal("152000.00"),
            spent=Decimal("126000.02"),
            lines_over_standard=2,
            classes_over_budget=1,
            classes_awaiting_note=2,
        ),
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1.00", "the spent venue must be an amount in yuan to the cent"), ("1.001", "to the cent")],
)
def test_money_that_is_not_yuan_to_the_cent_is_refused(amount: str, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        BudgetLine(LineKind.VENUE, Decimal(0), Decimal(amount))


def test_a_budget_with_two_lines_of_a_kind_or_no_person_days_is_refused() -> None:
    line = BudgetLine(LineKind.VENUE, Decimal(0), Decimal(0))
    with pytest.raises(PlanningError, match="the budget of class K1 has two venue lines"):
        ClassBudget("K1", "activists", 2025, 10, 1, (line, line))
    with pytest.raises(PlanningError, match="needs at least one learner and one day"):
        ClassBudget("K1", "activists", 2025, 10, 0, (line,))


def test_standards_naming_a_line_twice_or_an_approver_saying_nothing_are_refused() -> None:
    twice = (("activists", LineKind.VENUE, Decimal(1)), ("activists", LineKind.VENUE, Decimal(2)))
    with pytest.raises(PlanningError, match="spending-standards/v9 gives two venue standards for activists"):
        SpendingStandards("spending-standards/v9", twice)
    with pytest.raises(PlanningError, match="needs its approver and what they say"):
        ApproverNote("over_budget", "finance-1", " ", Decimal(1), date(2025, 1, 1))


def test_a_budget_without_its_standards_is_refused_in_the_report() -> None:
    with pytest.raises(PlanningError, match="no spending standards are named for the budget of class K1"):
        spending_report(2025, [budget(class_id="K1")], {}, {})
