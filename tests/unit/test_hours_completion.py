"""Completing a class (结业): its required 学时 and its maximum absence, excused and unexcused told apart."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.hours.domain.completion import ClassStanding, ClassTerms, HeldSession, assess_class
from shared.events.contracts.attendance import AttendanceStatus

TERMS = ClassTerms("class-1", required_hours=Decimal(20), max_absence_hours=Decimal(8))


def session(number: int, credited: str, status: AttendanceStatus | None = AttendanceStatus.PRESENT) -> HeldSession:
    return HeldSession(f"s-{number}", hours=Decimal(4), credited=Decimal(credited), status=status)


FULL = [session(n, "4") for n in range(6)]  # 24 学时 held in full


def test_attending_enough_completes_the_class() -> None:
    progress = assess_class(TERMS, FULL)
    assert (progress.credited, progress.absence, progress.standing) == (24, 0, ClassStanding.COMPLETE)


@pytest.mark.parametrize(
    ("missed", "standing"),
    [
        ("7.5", ClassStanding.COMPLETE),  # half a 学时 below the maximum
        ("8", ClassStanding.COMPLETE),  # exactly the maximum
        ("8.5", ClassStanding.OVER_ABSENCE),
    ],
)
def test_absence_up_to_the_maximum_is_allowed_and_beyond_it_is_not(missed: str, standing: ClassStanding) -> None:
    # Twelve sessions of 4 学时 (48 held); the learner misses `missed` 学时 of them and still has 20 or more.
    held = [session(n, "4") for n in range(10)] + [
        session(10, str(4 - min(Decimal(missed), Decimal(4))), AttendanceStatus.LATE),
        session(11, str(4 - max(Decimal(missed) - 4, Decimal(0))), AttendanceStatus.LEFT_EARLY),
    ]
    progress = assess_class(TERMS, held)
    assert (progress.absence, progress.standing) == (Decimal(missed), standing)


def test_excused_and_unexcused_absence_are_told_apart_and_both_count() -> None:
    held = [
        *FULL[:3],
        session(3, "0", AttendanceStatus.EXCUSED),  # 请假
        session(4, "0", AttendanceStatus.ABSENT),  # 缺勤
        session(5, "3.5", AttendanceStatus.LATE),  # half a 学时 lost
        session(6, "0", None),  # no attendance recorded at all
    ]
    progress = assess_class(TERMS, held, hours_to_come=Decimal(12))
    assert (progress.excused_absence, progress.unexcused_absence) == (4, Decimal("8.5"))
    assert (progress.credited, progress.standing) == (Decimal("15.5"), ClassStanding.OVER_ABSENCE)
    assert progress.explanation == (
        "15.5 of 20 学时 credited, absent 12.5 学时 (4 excused): more absence than the 8 学时 allowed"
    )


@pytest.mark.parametrize(
    ("to_come", "standing"),
    [("3.5", ClassStanding.OUT_OF_REACH), ("4", ClassStanding.IN_PROGRESS), ("8", ClassStanding.IN_PROGRESS)],
)
def test_a_shortfall_the_sessions_to_come_can_still_make_up_is_in_progress(
    to_come: str, standing: ClassStanding
) -> None:
    held = [*FULL[:4]]  # 16 of 20
    assert assess_class(TERMS, held, hours_to_come=Decimal(to_come)).standing == standing


def test_a_class_without_a_maximum_never_refuses_for_absence() -> None:
    unlimited = ClassTerms("class-2", required_hours=Decimal(8))
    held = [session(n, "0", AttendanceStatus.EXCUSED) for n in range(10)] + [session(10, "4"), session(11, "4")]
    assert assess_class(unlimited, held).standing == ClassStanding.COMPLETE
