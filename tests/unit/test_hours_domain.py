"""The 学时 rules on their own: no broker, no database, no clock.

Crediting (today's v1 rules, and rules with other tolerances, conversions and caps) and the ledger's settlement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.hours.domain.crediting import (
    ACTIVITY_RULE,
    SESSION_TOLERANCE_V1,
    ActivityRule,
    Bracket,
    Credit,
    CreditingRuleError,
    MinuteBrackets,
    PerTrainingHour,
    PlatformCap,
    ScheduledSession,
    SessionRule,
    TrainingDays,
    credit_activity,
    credit_session,
    round_down_to_half,
)
from services.hours.domain.ledger import (
    AttendanceRef,
    CreditedAttendance,
    EntryKind,
    ReportedAttendance,
    StandingCredit,
    attendance_that_stands,
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


# ── Session rules other than v1 ────────────────────────────────────────────────────────────────────────────────

TWENTY_MINUTES = SessionRule(name="session-tolerance/v2", tolerance_minutes=20, share_without_minutes=Decimal(0))


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (159, "3.5"),  # one minute beyond the 20 min tolerance: 4 × 159/180 = 3.53
        (160, "4"),  # exactly at it
        (161, "4"),  # one minute within it
    ],
)
def test_a_rule_with_another_tolerance_credits_in_full_exactly_up_to_it(minutes: int, expected: str) -> None:
    credit = credit_session(AttendanceStatus.LATE, minutes, FOUR_HOUR_SESSION, TWENTY_MINUTES)
    assert (credit.hours, credit.rule) == (Decimal(expected), "session-tolerance/v2")


@pytest.mark.parametrize(
    ("share", "status", "expected", "reason"),
    [
        ("1", AttendanceStatus.LATE, "4", "late, no minutes reported: counted as the whole 180 min"),
        (
            "0",
            AttendanceStatus.LEFT_EARLY,
            "0",
            "left_early, no minutes reported: no 学时 without the minutes attended",
        ),
        (
            "0.5",
            AttendanceStatus.LATE,
            "2",
            "late, no minutes reported: 0.5 of the session's 4 学时, rounded down to 2",
        ),
        ("0.3", AttendanceStatus.LATE, "1", "0.3 of the session's 4 学时, rounded down to 1 学时"),  # 1.2
        ("0", AttendanceStatus.PRESENT, "4", "present, no minutes reported: counted as the whole 180 min"),
    ],
)
def test_late_or_left_early_without_minutes_earns_the_share_the_rule_says(
    share: str, status: AttendanceStatus, expected: str, reason: str
) -> None:
    rule = SessionRule(name="session-tolerance/v9", tolerance_minutes=15, share_without_minutes=Decimal(share))
    credit = credit_session(status, None, FOUR_HOUR_SESSION, rule)
    assert credit.hours == Decimal(expected)
    assert reason in credit.reason


@pytest.mark.parametrize("status", [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
def test_absent_and_excused_earn_nothing_under_any_rule_and_say_which(status: AttendanceStatus) -> None:
    for rule in (SESSION_TOLERANCE_V1, TWENTY_MINUTES):
        credit = credit_session(status, 180, FOUR_HOUR_SESSION, rule)
        assert (credit.hours, credit.reason) == (0, f"{status.value}: no 学时")


def test_a_rule_may_round_pro_rata_credit_to_a_quarter() -> None:
    quarters = SessionRule(name="session-quarters/v1", tolerance_minutes=0, rounding_step=Decimal("0.25"))
    # 4 × 150/180 = 3.33: 3.25 by quarters where v1 gives 3
    assert credit_session(AttendanceStatus.LEFT_EARLY, 150, FOUR_HOUR_SESSION, quarters).hours == Decimal("3.25")


def test_negative_minutes_are_refused() -> None:
    with pytest.raises(CreditingRuleError, match="cannot be negative"):
        credit_session(AttendanceStatus.PRESENT, -1, FOUR_HOUR_SESSION)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SessionRule(name="s/v1", tolerance_minutes=-1), "tolerance must be 0 minutes or more"),
        (lambda: SessionRule("s/v1", 15, share_without_minutes=Decimal("1.5")), "between 0 and 1"),
        (lambda: SessionRule("s/v1", 15, rounding_step=Decimal(0)), "rounding step must be positive"),
        (lambda: SessionRule("s/v1", 15, rounding_step=Decimal("0.125")), "at most two decimals"),
        (lambda: MinuteBrackets(()), "at least one bracket"),
        (lambda: MinuteBrackets((Bracket(15, Decimal("0.5")), Bracket(30, Decimal(1)))), "from the most minutes"),
        (lambda: MinuteBrackets((Bracket(30, Decimal("0.5")), Bracket(15, Decimal(1)))), "never earn fewer"),
        (lambda: MinuteBrackets((Bracket(0, Decimal("0.25")),)), "lowest bracket must start at 1 minute"),
        (lambda: TrainingDays(minutes_per_day=0), "minutes per day must be positive"),
        (lambda: PerTrainingHour(minutes_per_hour=0), "minutes per 学时 must be positive"),
        (
            lambda: ActivityRule(
                "a/v1", caps=(PlatformCap("学习强国", Decimal(5)), PlatformCap("学习强国", Decimal(6)))
            ),
            "capped more than once",
        ),
    ],
)
def test_a_rule_that_cannot_work_is_refused_when_it_is_made(build: Callable[[], object], message: str) -> None:
    with pytest.raises(CreditingRuleError, match=message):
        build()


# ── Activity rules other than v1: conversion tables, days, yearly caps ─────────────────────────────────────────

BRACKETS = ActivityRule(
    name="online-brackets/v1",
    conversion=MinuteBrackets((Bracket(30, Decimal(1)), Bracket(15, Decimal("0.5")), Bracket(1, Decimal("0.25")))),
)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "0"), (1, "0.25"), (14, "0.25"), (15, "0.5"), (16, "0.5"), (29, "0.5"), (30, "1"), (31, "1"), (600, "1")],
)
def test_a_bracket_table_credits_by_the_highest_bracket_reached(minutes: int, expected: str) -> None:
    assert credit_activity(AttendanceStatus.PRESENT, None, minutes, "干部网络学院", rule=BRACKETS).hours == Decimal(
        expected
    )


def test_a_bracket_credit_says_which_bracket() -> None:
    credit = credit_activity(AttendanceStatus.PRESENT, None, 20, "干部网络学院", rule=BRACKETS)
    assert credit.reason == "studied 20 min on 干部网络学院: 0.5 学时 (the bracket from 15 min)"


DAYS = ActivityRule(name="training-days/v1", conversion=TrainingDays(), platform_hours=False)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (179, "0"),  # less than half a day of 360 min
        (180, "4"),  # half a day
        (359, "4"),
        (360, "8"),  # one day = 8 学时
        (1080, "24"),  # 3 days = 24 学时
        (1079, "20"),  # 2.997 days: 2.5 days
    ],
)
def test_a_day_rule_counts_half_days_of_360_minutes_at_8_hours_a_day(minutes: int, expected: str) -> None:
    assert credit_activity(AttendanceStatus.PRESENT, None, minutes, "市委党校", rule=DAYS).hours == Decimal(expected)


def test_a_rule_that_ignores_the_platforms_hours_counts_its_minutes_and_says_so_without_them() -> None:
    assert credit_activity(AttendanceStatus.PRESENT, Decimal(24), 720, "市委党校", rule=DAYS).hours == Decimal(16)
    without_minutes = credit_activity(AttendanceStatus.PRESENT, Decimal(24), None, "市委党校", rule=DAYS)
    assert (without_minutes.hours, without_minutes.reason) == (
        0,
        "市委党校 reported 学时 but no minutes, and this rule counts minutes: no 学时",
    )


CAPPED = ActivityRule(name="activity-capped/v1", caps=(PlatformCap("学习强国", Decimal(50)),))


@pytest.mark.parametrize(
    ("already", "expected"),
    [
        ("0", "2"),
        ("47.99", "2"),  # 49.99 after: under the cap
        ("48", "2"),  # exactly up to the cap
        ("48.01", "1.99"),  # one cent beyond: capped
        ("49.5", "0.5"),
        ("50", "0"),  # the cap reached
        ("52", "0"),  # beyond it already (a cap lowered by a later version, say)
    ],
)
def test_a_yearly_cap_credits_at_most_what_the_platform_has_left_this_year(already: str, expected: str) -> None:
    credit = credit_activity(
        AttendanceStatus.PRESENT, Decimal(2), None, "学习强国", rule=CAPPED, already_this_year=Decimal(already)
    )
    assert credit.hours == Decimal(expected)


def test_a_capped_credit_gives_the_figures() -> None:
    capped = credit_activity(
        AttendanceStatus.PRESENT, Decimal(2), None, "学习强国", rule=CAPPED, already_this_year=Decimal("49.5")
    )
    assert capped.reason == (
        "2 学时 as credited by 学习强国; "
        "capped at 50 学时 a year on 学习强国 (49.5 already credited this year): 0.5 学时"
    )
    full = credit_activity(
        AttendanceStatus.PRESENT, Decimal(2), None, "学习强国", rule=CAPPED, already_this_year=Decimal(50)
    )
    assert full.reason.endswith("yearly cap of 50 学时 on 学习强国 reached (50 already credited this year): no 学时")


def test_a_cap_on_one_platform_leaves_the_others_alone() -> None:
    credit = credit_activity(
        AttendanceStatus.PRESENT, Decimal(2), None, "干部网络学院", rule=CAPPED, already_this_year=Decimal(80)
    )
    assert credit.hours == 2


def test_what_is_already_credited_cannot_be_negative() -> None:
    with pytest.raises(CreditingRuleError, match="cannot be negative"):
        credit_activity(AttendanceStatus.PRESENT, Decimal(2), None, "学习强国", already_this_year=Decimal(-1))


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


# ── What a learner's record of a session shows ──────────────────────────────────────────────────────────────

LATE, PRESENT, ABSENT = (
    ReportedAttendance(AttendanceRef("door", "1"), "late", 100),
    ReportedAttendance(AttendanceRef("tablet", "2"), "present", 180),
    ReportedAttendance(AttendanceRef("tablet", "3"), "absent", None),
)


def test_the_record_shows_the_attendance_whose_credit_the_ledger_holds() -> None:
    assert attendance_that_stands([LATE, PRESENT, ABSENT], (), credited=PRESENT.attendance) == PRESENT


def test_without_a_credit_the_record_shows_the_latest_report_not_voided() -> None:
    assert attendance_that_stands([LATE, ABSENT], (), credited=None) == ABSENT
    assert attendance_that_stands([LATE, ABSENT], {ABSENT.attendance}, credited=None) == LATE


def test_with_every_report_voided_the_record_shows_none() -> None:
    assert attendance_that_stands([LATE], {LATE.attendance}, credited=None) is None
