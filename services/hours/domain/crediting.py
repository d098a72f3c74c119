"""How many 学时 (training hours) one attendance earns.

Each rule carries a versioned name that is stored with every credit, so a ledger line always says which rule,
in which version, decided it; changing a rule means a new version, never an edit of an old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from shared.events.contracts.attendance import AttendanceStatus
from shared.events.contracts.common import MINUTES_PER_TRAINING_HOUR

HALF = Decimal("0.5")
CENT = Decimal("0.01")
NO_CREDIT_STATUSES = frozenset({AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED})
ACTIVITY_RULE = "activity/v1"


@dataclass(frozen=True)
class Credit:
    """学时 an attendance earns, the rule (and version) that decided it, and why, in words."""

    hours: Decimal
    rule: str
    reason: str


@dataclass(frozen=True)
class ScheduledSession:
    """What the session rule needs to know of a class session."""

    hours: Decimal  # 学时 for full attendance
    duration_minutes: int


@dataclass(frozen=True)
class ToleranceRule:
    """Full 学时 for whoever misses no more than ``tolerance_minutes``; pro rata below that."""

    name: str
    tolerance_minutes: int


SESSION_TOLERANCE_V1 = ToleranceRule(name="session-tolerance/v1", tolerance_minutes=15)


def round_down_to_half(hours: Decimal) -> Decimal:
    return ((hours / HALF).to_integral_value(rounding=ROUND_FLOOR) * HALF).quantize(CENT)


def hours_text(hours: Decimal) -> str:
    """``4`` rather than ``4.00``, ``2.5`` rather than ``2.50``: for reasons people read."""
    return f"{hours.normalize():f}"


def credit_session(
    status: AttendanceStatus,
    attended_minutes: int | None,
    session: ScheduledSession,
    rule: ToleranceRule = SESSION_TOLERANCE_V1,
) -> Credit:
    """学时 for attending a scheduled session; no minutes reported counts as the whole session."""
    if status in NO_CREDIT_STATUSES:
        return Credit(Decimal("0.00"), rule.name, f"{status.value}: no 学时")
    duration = session.duration_minutes
    full = session.hours.quantize(CENT)
    if attended_minutes is None:
        return Credit(full, rule.name, f"{status.value}, no minutes reported: counted as the whole {duration} min")
    attended = f"attended {attended_minutes} of {duration} min"
    if attended_minutes == 0:
        # However short the session, the tolerance forgives missing part of it, not all of it.
        return Credit(Decimal("0.00"), rule.name, f"{attended}: no 学时")
    if attended_minutes >= duration - rule.tolerance_minutes:
        return Credit(full, rule.name, f"{attended}, within {rule.tolerance_minutes} min tolerance")
    hours = round_down_to_half(session.hours * attended_minutes / duration)
    return Credit(
        hours,
        rule.name,
        f"{attended}, more than {rule.tolerance_minutes} min short: "
        f"{hours_text(session.hours)} × {attended_minutes}/{duration} rounded down to {hours_text(hours)} 学时",
    )


def credit_activity(
    status: AttendanceStatus, reported_hours: Decimal | None, minutes: int | None, platform: str
) -> Credit:
    """学时 for study outside a session: the platform's own credit if it gives one, else 45 minutes each."""
    if status in NO_CREDIT_STATUSES:
        return Credit(Decimal("0.00"), ACTIVITY_RULE, f"{status.value}: no 学时")
    if reported_hours is not None:
        hours = reported_hours.quantize(CENT)
        return Credit(hours, ACTIVITY_RULE, f"{hours_text(hours)} 学时 as credited by {platform}")
    if minutes is not None:
        hours = round_down_to_half(Decimal(minutes) / MINUTES_PER_TRAINING_HOUR)
        return Credit(
            hours,
            ACTIVITY_RULE,
            f"studied {minutes} min on {platform}: {hours_text(hours)} 学时 "
            f"({MINUTES_PER_TRAINING_HOUR} min each, rounded down to a half)",
        )
    return Credit(Decimal("0.00"), ACTIVITY_RULE, f"{platform} reported neither minutes nor 学时: no 学时")
