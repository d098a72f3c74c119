"""Enrollment rules, free of I/O."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from shared.events.contracts.common import MINUTES_PER_TRAINING_HOUR

HALF = Decimal("0.5")


def max_hours_for(duration_minutes: int) -> Decimal:
    """The most 学时 a session of this length can be worth: its periods, rounded up to a half."""
    periods = Decimal(duration_minutes) / MINUTES_PER_TRAINING_HOUR
    return (periods / HALF).to_integral_value(rounding=ROUND_CEILING) * HALF


def session_hours_problem(duration_minutes: int, hours: Decimal) -> str | None:
    """Why a session cannot be worth ``hours`` 学时, or None when it can."""
    limit = max_hours_for(duration_minutes)
    if hours > limit:
        return (
            f"a session of {duration_minutes} minutes is worth at most {limit.normalize():f} 学时 "
            f"({MINUTES_PER_TRAINING_HOUR} minutes each), not {hours}"
        )
    return None
