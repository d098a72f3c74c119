"""Self check-in by a rotating code: current, just changed, stale, reused, another session's, malformed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.hours.domain.checkin import (
    GRACE_SECONDS,
    WINDOW_SECONDS,
    Accepted,
    CheckInError,
    Refusal,
    Refused,
    UsedCode,
    attendance_for_check_in,
    code_for,
    shown_code,
    verify_check_in,
    window_at,
)
from shared.events.contracts.attendance import AttendanceStatus

SECRET = b"a server secret of 32 bytes, ok."
SESSION = "s-2026-03-01-am"
OTHER = "s-2026-03-01-am-room-2"
WINDOW = 59_077_560  # 2026-03-01 01:00:00 UTC, 09:00 in Beijing
CHANGED_AT = datetime.fromtimestamp(WINDOW * WINDOW_SECONDS, UTC)


def check(typed: str, *, after: float = 5, used: tuple[UsedCode, ...] = (), running: tuple[str, ...] = ()) -> object:
    """A check-in to SESSION received ``after`` seconds into WINDOW."""
    return verify_check_in(
        SECRET,
        session_id=SESSION,
        typed=typed,
        at=CHANGED_AT + timedelta(seconds=after),
        used_by_learner=used,
        sessions_running=running,
    )


def code(window: int = WINDOW, session: str = SESSION) -> str:
    return code_for(SECRET, session, window)


def test_the_screen_shows_six_digits_that_change_every_30_seconds() -> None:
    shown = shown_code(SECRET, SESSION, CHANGED_AT + timedelta(seconds=29))
    assert (shown.code, shown.window, shown.changes_at) == (code(), WINDOW, CHANGED_AT + timedelta(seconds=30))
    assert len(shown.code) == 6 and shown.code.isdigit()
    assert shown_code(SECRET, SESSION, CHANGED_AT + timedelta(seconds=30)).window == WINDOW + 1
    assert len({code(WINDOW + n) for n in range(20)}) == 20
    assert code() != code(session=OTHER)
    assert code() != code_for(b"another secret of 32 bytes, too.", SESSION, WINDOW)


def test_the_current_code_is_accepted_and_remembered_by_its_window() -> None:
    verdict = check(code())
    assert verdict == Accepted(UsedCode(SESSION, WINDOW), f"checked in to {SESSION} with the code shown")


@pytest.mark.parametrize(
    ("after", "accepted"),
    [
        (GRACE_SECONDS - 1, True),
        (GRACE_SECONDS, True),  # the code changed exactly 10 s ago: still typed in time
        (GRACE_SECONDS + 1, False),
    ],
)
def test_the_code_just_replaced_is_accepted_for_10_seconds(after: int, accepted: bool) -> None:
    verdict = check(code(WINDOW - 1), after=after)
    if accepted:
        assert verdict == Accepted(
            UsedCode(SESSION, WINDOW - 1), f"checked in to {SESSION} with the code shown (the code had just changed)"
        )
    else:
        assert isinstance(verdict, Refused) and verdict.reason == Refusal.STALE


def test_an_older_code_of_the_session_is_stale_and_says_how_old() -> None:
    verdict = check(code(WINDOW - 4), after=1)
    assert verdict == Refused(Refusal.STALE, f"this code of {SESSION} was replaced about 120 s ago")


def test_a_code_older_than_ten_minutes_is_not_recognised_at_all() -> None:
    assert check(code(WINDOW - 20)) == Refused(Refusal.STALE, f"this code of {SESSION} was replaced about 600 s ago")
    assert check(code(WINDOW - 21)) == Refused(Refusal.INCORRECT, f"this is not a code of {SESSION}")


def test_a_learner_checking_in_twice_with_the_same_code_is_refused_as_reused() -> None:
    used = (UsedCode(SESSION, WINDOW),)
    verdict = check(code(), used=used)
    assert isinstance(verdict, Refused) and verdict.reason == Refusal.REUSED
    # Everyone in the room uses the same code once each; the same learner may use the next one.
    assert isinstance(check(code()), Accepted)
    assert isinstance(check(code(WINDOW + 1), after=35, used=used), Accepted)


def test_a_code_of_another_session_running_now_is_refused_as_such() -> None:
    verdict = check(code(session=OTHER), running=(OTHER, SESSION))
    assert verdict == Refused(Refusal.OTHER_SESSION, f"this code is for another session running now, not {SESSION}")
    assert check(code(WINDOW - 1, session=OTHER), after=3, running=(OTHER,)) == verdict  # just changed, too
    # A session not running now shows no code: its code here is simply not this session's.
    assert check(code(session=OTHER)) == Refused(Refusal.INCORRECT, f"this is not a code of {SESSION}")


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "１２３４５６", "", "12 456"])
def test_anything_but_six_digits_is_malformed(typed: str) -> None:
    verdict = check(typed)
    assert isinstance(verdict, Refused) and verdict.reason == Refusal.MALFORMED


def test_spaces_around_the_code_do_not_matter() -> None:
    assert isinstance(check(f" {code()} "), Accepted)


def test_a_moment_without_a_time_zone_or_a_short_secret_cannot_be_judged() -> None:
    with pytest.raises(CheckInError, match="no time zone"):
        window_at(datetime(2026, 3, 1, 9))  # no zone: the point of the test
    with pytest.raises(CheckInError, match="at least 16 bytes"):
        code_for(b"short", SESSION, WINDOW)


STARTS = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (timedelta(minutes=-5), (AttendanceStatus.PRESENT, None)),
        (timedelta(0), (AttendanceStatus.PRESENT, None)),
        (timedelta(seconds=1), (AttendanceStatus.LATE, 179)),  # a minute begun counts as missed
        (timedelta(minutes=10), (AttendanceStatus.LATE, 170)),
        (timedelta(minutes=200), (AttendanceStatus.LATE, 0)),
    ],
)
def test_a_check_in_reports_present_on_time_and_late_with_the_minutes_left(
    after: timedelta, expected: tuple[AttendanceStatus, int | None]
) -> None:
    assert attendance_for_check_in(STARTS + after, STARTS, 180) == expected
