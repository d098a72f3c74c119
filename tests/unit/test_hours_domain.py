"""The 学时 rules on their own: no broker, no database, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.hours.domain.crediting import (
    ACTIVITY_RULE,
    SESSION_TOLERANCE_V1,
    Credit,
    ScheduledSession,
    credit_activity,
    credit_session,
    round_down_to_half,
)
from services.hours.domain.ledger import (
    AttendanceRef,
    CreditedAttendance,
    EntryKind,
    StandingCredit,
    ledger_year,
    settle,
    totals,
)
from shared.events.contracts.attendance import AttendanceStatus

FOUR_HOUR_SESSION = ScheduledSession(hours=Decimal(4), duration_minutes=180)
A = AttendanceRef("urn:dangxiao:door:building-3", "a")
B = AttendanceRef("urn:dangxiao:tablet:class-manager", "b")
C = AttendanceRef("urn:dangxiao:door:building-3", "c")


@pytest.mark.parametrize(
    ("status", "minutes", "expected"),
    [
        (AttendanceStatus.PRESENT, None, "4"),  # no minutes reported: the whole session
        (AttendanceStatus.PRESENT, 180, "4"),
        (AttendanceStatus.PRESENT, 240, "4"),  # staying longer earns no more
        (AttendanceStatus.LATE, 165, "4"),  # exactly at the tolerance
        (AttendanceStatus.LATE, 164, "3.5"),  # one minute beyond it: 4 × 164/180 = 3.64
        (AttendanceStatus.LEFT_EARLY, 150, "3"),  # 3.33
        (AttendanceStatus.LEFT_EARLY, 22, "0"),  # 0.49
        (AttendanceStatus.LEFT_EARLY, 23, "0.5"),  # 0.51
        (AttendanceStatus.PRESENT, 0, "0"),
        (AttendanceStatus.ABSENT, 180, "0"),
        (AttendanceStatus.EXCUSED, None, "0"),
    ],
)
def test_a_session_credits_full_hours_within_the_tolerance_and_pro_rata_below_it(
    status: AttendanceStatus, minutes: int | None, expected: str
) -> None:
    credit = credit_session(status, minutes, FOUR_HOUR_SESSION)
    assert credit.hours == Decimal(expected)
    assert credit.rule == "session-tolerance/v1"


def test_credited_hours_always_carry_two_decimals_like_the_ledger_and_the_events() -> None:
    assert str(credit_session(AttendanceStatus.PRESENT, 150, FOUR_HOUR_SESSION).hours) == "3.00"
    assert str(credit_session(AttendanceStatus.PRESENT, None, FOUR_HOUR_SESSION).hours) == "4.00"


def test_the_tolerance_never_credits_a_session_nobody_attended_however_short() -> None:
    ten_minutes = ScheduledSession(hours=Decimal("0.5"), duration_minutes=10)
    assert credit_session(AttendanceStatus.PRESENT, 0, ten_minutes).hours == 0
    assert credit_session(AttendanceStatus.PRESENT, 1, ten_minutes).hours == Decimal("0.5")


@pytest.mark.parametrize(
    ("status", "minutes", "reason"),
    [
        (AttendanceStatus.LATE, 170, "attended 170 of 180 min, within 15 min tolerance"),
        (AttendanceStatus.LEFT_EARLY, 150, "attended 150 of 180 min, more than 15 min short: 4 × 150/180"),
        (AttendanceStatus.PRESENT, None, "present, no minutes reported: counted as the whole 180 min"),
        (AttendanceStatus.ABSENT, None, "absent: no 学时"),
    ],
)
def test_a_session_credit_says_why_in_words(status: AttendanceStatus, minutes: int | None, reason: str) -> None:
    assert reason in credit_session(status, minutes, FOUR_HOUR_SESSION).reason


@pytest.mark.parametrize(
    ("reported_hours", "minutes", "expected"),
    [
        ("1.25", None, "1.25"),  # the platform's own credit, as given
        ("1.25", 300, "1.25"),  # …which wins over minutes
        (None, 45, "1"),
        (None, 70, "1.5"),  # 1.56
        (None, 67, "1"),  # 1.49
        (None, 44, "0.5"),  # 0.98
        (None, 22, "0"),  # 0.49
        (None, 113, "2.5"),  # 2.51
        (None, None, "0"),
    ],
)
def test_an_activity_credits_the_platforms_hours_or_45_minutes_each_rounded_down_to_a_half(
    reported_hours: str | None, minutes: int | None, expected: str
) -> None:
    hours = Decimal(reported_hours) if reported_hours else None
    credit = credit_activity(AttendanceStatus.PRESENT, hours, minutes, "干部网络学院")
    assert credit.hours == Decimal(expected)
    assert credit.rule == ACTIVITY_RULE


def test_an_activity_reported_absent_or_without_any_measure_credits_nothing_and_says_so() -> None:
    assert credit_activity(AttendanceStatus.EXCUSED, Decimal(2), 90, "学习强国").hours == 0
    empty = credit_activity(AttendanceStatus.PRESENT, None, None, "学习强国")
    assert (empty.hours, empty.reason) == (0, "学习强国 reported neither minutes nor 学时: no 学时")


@pytest.mark.parametrize(("hours", "expected"), [("0", "0"), ("0.49", "0"), ("0.5", "0.5"), ("2.99", "2.5")])
def test_rounding_is_always_down_to_a_half(hours: str, expected: str) -> None:
    assert round_down_to_half(Decimal(hours)) == Decimal(expected)


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (datetime(2025, 12, 31, 15, 59, tzinfo=UTC), 2025),  # 23:59 in Beijing
        (datetime(2025, 12, 31, 16, 0, tzinfo=UTC), 2026),  # midnight in Beijing, still 2025 in UTC
    ],
)
def test_the_ledger_year_is_the_year_in_beijing_time(moment: datetime, year: int) -> None:
    assert ledger_year(moment) == year


def earns(ref: AttendanceRef, hours: str) -> CreditedAttendance:
    return CreditedAttendance(ref, Credit(Decimal(hours), SESSION_TOLERANCE_V1.name, "test"))


def held(ref: AttendanceRef, hours: str, entry_id: str = "entry-1") -> StandingCredit:
    return StandingCredit(entry_id, ref, Decimal(hours))


def test_the_first_attendance_that_earns_something_is_credited() -> None:
    settlement = settle([], [earns(A, "3")], {})
    assert settlement.reversals == ()
    assert settlement.credit == earns(A, "3")


def test_an_attendance_earning_nothing_changes_nothing() -> None:
    assert not settle([], [earns(A, "0")], {}).changes_ledger


def test_a_better_attendance_reverses_the_credit_held_and_is_credited_instead() -> None:
    settlement = settle([held(A, "3")], [earns(A, "3"), earns(B, "4")], {})
    assert [r.entry.entry_id for r in settlement.reversals] == ["entry-1"]
    assert f"superseded by attendance {B}" in settlement.reversals[0].reason
    assert settlement.credit == earns(B, "4")


@pytest.mark.parametrize("offered", ["3", "2.5", "0"])
def test_an_attendance_earning_no_more_than_the_credit_held_changes_nothing(offered: str) -> None:
    settlement = settle([held(A, "3")], [earns(A, "3"), earns(B, offered)], {})
    assert not settlement.changes_ledger
    assert "no attendance earns more" in settlement.reason


def test_voiding_the_attendance_credited_falls_back_to_the_best_one_left() -> None:
    settlement = settle([held(B, "4")], [earns(A, "3"), earns(B, "4"), earns(C, "2")], {B: "card reader fault"})
    assert [r.reason for r in settlement.reversals] == [f"attendance {B} voided: card reader fault"]
    assert settlement.credit == earns(A, "3")


def test_voiding_the_only_attendance_credited_just_reverses_it() -> None:
    settlement = settle([held(A, "3")], [earns(A, "3")], {A: "duplicate card swipe"})
    assert len(settlement.reversals) == 1
    assert settlement.credit is None


def test_voiding_an_attendance_not_credited_changes_nothing() -> None:
    assert not settle([held(A, "3")], [earns(A, "3"), earns(B, "2")], {B: "wrong person"}).changes_ledger


def test_a_voided_attendance_is_never_credited_however_much_it_earns() -> None:
    assert not settle([], [earns(A, "4")], {A: "wrong person"}).changes_ledger


def test_of_equal_attendances_the_earliest_is_credited() -> None:
    assert settle([], [earns(A, "3"), earns(B, "3")], {}).credit == earns(A, "3")


@dataclass(frozen=True)
class Line:
    kind: str
    hours: Decimal
    class_id: str | None


def test_totals_are_credits_minus_reversals_overall_and_by_class() -> None:
    summed = totals(
        [
            Line(EntryKind.CREDIT, Decimal("3.00"), "class-1"),
            Line(EntryKind.REVERSAL, Decimal("3.00"), "class-1"),
            Line(EntryKind.CREDIT, Decimal("4.00"), "class-1"),
            Line(EntryKind.CREDIT, Decimal("2.50"), "class-2"),
            Line(EntryKind.CREDIT, Decimal("1.25"), None),  # an activity outside any class
        ]
    )
    assert summed.total_hours == Decimal("7.75")
    assert summed.by_class == {"class-1": Decimal("4.00"), "class-2": Decimal("2.50")}


def test_an_empty_ledger_totals_zero() -> None:
    summed = totals([])
    assert (str(summed.total_hours), summed.by_class) == ("0.00", {})
