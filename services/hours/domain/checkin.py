"""Self check-in (签到) by rotating code: the class manager's screen shows a code that changes every 30 seconds.

The code of a session in a 30-second window is HMAC-SHA256(secret, "<session id>:<window>"), cut to six digits the
way RFC 4226 cuts an HOTP; the window is the Unix time divided by 30, rounded down. Only the server knows the
secret, so only someone who can see the screen (or is told the code within seconds) can check in.

A learner's check-in names the session and the code typed; it is accepted or refused with a reason:
- accepted: the code of this session's current window, or of the window just before when the code changed at
  most ``GRACE_SECONDS`` (10 s) ago — the time to type six digits read just before they changed;
- ``malformed``: not six digits;
- ``reused``: this learner already checked in with this very code (same session, same window) — a double tap or
  a replayed request; the same code serves every learner in the room once each;
- ``other-session``: the code is valid now, but for another session running now (the wrong room, or the wrong
  session picked in the app);
- ``stale``: a code of this session, but from an earlier window (up to ``LOOKBACK_WINDOWS``, 10 minutes, back)
  — a photo of the screen passed on;
- ``incorrect``: none of these; mistyped or guessed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from shared.events.contracts.attendance import AttendanceStatus

WINDOW_SECONDS = 30
GRACE_SECONDS = 10
LOOKBACK_WINDOWS = 20  # how far back a code is still recognised as this session's (and refused as stale)
DIGITS = 6
MIN_SECRET_BYTES = 16


class CheckInError(ValueError):
    """A check-in that cannot be judged at all (no time zone, a secret too short)."""


def window_at(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise CheckInError(f"{moment.isoformat()} has no time zone")
    return int(moment.timestamp()) // WINDOW_SECONDS


def code_for(secret: bytes, session_id: str, window: int) -> str:
    if len(secret) < MIN_SECRET_BYTES:
        raise CheckInError(f"the check-in secret needs at least {MIN_SECRET_BYTES} bytes, got {len(secret)}")
    digest = hmac.new(secret, f"{session_id}:{window}".encode(), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


@dataclass(frozen=True)
class ShownCode:
    """What the class manager's screen shows, and until when."""

    code: str
    window: int
    changes_at: datetime


def shown_code(secret: bytes, session_id: str, now: datetime) -> ShownCode:
    window = window_at(now)
    return ShownCode(
        code=code_for(secret, session_id, window),
        window=window,
        changes_at=datetime.fromtimestamp((window + 1) * WINDOW_SECONDS, UTC),
    )


class Refusal(StrEnum):
    MALFORMED = "malformed"
    REUSED = "reused"
    OTHER_SESSION = "other-session"
    STALE = "stale"
    INCORRECT = "incorrect"


@dataclass(frozen=True)
class UsedCode:
    """A code a learner has checked in with: which session, which window."""

    session_id: str
    window: int


@dataclass(frozen=True)
class Accepted:
    code: UsedCode  # to remember as used by this learner
    explanation: str


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    explanation: str


def verify_check_in(
    secret: bytes,
    *,
    session_id: str,
    typed: str,
    at: datetime,
    used_by_learner: Collection[UsedCode],
    sessions_running: Collection[str] = (),
) -> Accepted | Refused:
    """Judge a learner's check-in to ``session_id`` with the code ``typed``, received ``at``.

    ``used_by_learner``: the codes this learner checked in with before (those of the last minutes suffice).
    ``sessions_running``: the other sessions showing codes now, to tell a code of the wrong session.
    """
    code = typed.strip()
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return Refused(Refusal.MALFORMED, f"a check-in code is {DIGITS} digits, got {typed!r}")
    now = window_at(at)
    valid = [now]
    if at - datetime.fromtimestamp(now * WINDOW_SECONDS, UTC) <= timedelta(seconds=GRACE_SECONDS):
        valid.append(now - 1)
    for window in valid:
        if hmac.compare_digest(code, code_for(secret, session_id, window)):
            used = UsedCode(session_id, window)
            if used in used_by_learner:
                return Refused(Refusal.REUSED, "already checked in with this code; the next one is shown in seconds")
            late = " (the code had just changed)" if window != now else ""
            return Accepted(used, f"checked in to {session_id} with the code shown{late}")
    for other in sessions_running:
        if other != session_id and any(hmac.compare_digest(code, code_for(secret, other, w)) for w in valid):
            return Refused(Refusal.OTHER_SESSION, f"this code is for another session running now, not {session_id}")
    earlier = (window for window in range(now - 1, now - LOOKBACK_WINDOWS - 1, -1) if window not in valid)
    for window in earlier:
        if hmac.compare_digest(code, code_for(secret, session_id, window)):
            age = (now - window) * WINDOW_SECONDS
            return Refused(Refusal.STALE, f"this code of {session_id} was replaced about {age} s ago")
    return Refused(Refusal.INCORRECT, f"this is not a code of {session_id}")


def attendance_for_check_in(
    checked_in_at: datetime, starts_at: datetime, duration_minutes: int
) -> tuple[AttendanceStatus, int | None]:
    """What a check-in reports: present if on time (the whole session), late with the minutes left otherwise.

    The crediting rule then decides what those minutes earn (its tolerance forgives a few minutes late).
    """
    if checked_in_at <= starts_at:
        return AttendanceStatus.PRESENT, None
    late_minutes = -(-(checked_in_at - starts_at) // timedelta(minutes=1))  # a minute begun counts as missed
    return AttendanceStatus.LATE, max(duration_minutes - late_minutes, 0)
