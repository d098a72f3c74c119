"""How many 学时 (training hours) one attendance earns, under which rule.

A rule is data with a versioned name (``session-tolerance/v1``) that is stored with every credit it decides; changing
a rule means a new version, never an edit of an old one. ``rules.py`` chooses the rule for an attendance; the
functions here apply it. Every credit says, in words and figures, why it is what it is.

- A scheduled session is credited by a ``SessionRule``: its full 学时 for whoever misses no more than the tolerance,
  pro rata below that.
- Study outside a session (an activity on an online platform, a class run elsewhere) is credited by an
  ``ActivityRule``: the platform's own 学时 when it sends them, otherwise its minutes converted by a table of
  brackets, 45 minutes a 学时, or training days of 8 学时 — and at most a yearly cap per platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from shared.events.contracts.attendance import AttendanceStatus
from shared.events.contracts.common import MINUTES_PER_TRAINING_HOUR

HALF = Decimal("0.5")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HOURS_PER_TRAINING_DAY = 8  # 1 day = 8 学时 (so 3 days = 24 学时)
MINUTES_PER_TRAINING_DAY = HOURS_PER_TRAINING_DAY * MINUTES_PER_TRAINING_HOUR  # 360
NO_CREDIT_STATUSES = frozenset({AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED})


class CreditingRuleError(ValueError):
    """A rule that cannot be applied as written, or an input no rule can credit."""


@dataclass(frozen=True)
class Credit:
    """学时 an attendance earns, the rule (and version) that decided it, and why, in words."""

    hours: Decimal
    rule: str
    reason: str


def round_down(hours: Decimal, step: Decimal) -> Decimal:
    return ((hours / step).to_integral_value(rounding=ROUND_FLOOR) * step).quantize(CENT)


def round_up(hours: Decimal, step: Decimal) -> Decimal:
    return ((hours / step).to_integral_value(rounding=ROUND_CEILING) * step).quantize(CENT)


def round_down_to_half(hours: Decimal) -> Decimal:
    return round_down(hours, HALF)


def hours_text(hours: Decimal) -> str:
    """``4`` rather than ``4.00``, ``2.5`` rather than ``2.50``: for reasons people read."""
    return f"{hours.normalize():f}"


def _nothing(status: AttendanceStatus, rule: str) -> Credit:
    # Absent (缺勤) and excused (请假) both earn nothing; the reason names which, for the class's absence count.
    return Credit(ZERO, rule, f"{status.value}: no 学时")


def _check_step(name: str, step: Decimal) -> None:
    if step <= 0 or step.quantize(CENT) != step:
        raise CreditingRuleError(f"{name}: rounding step must be positive with at most two decimals, got {step}")


# ── Sessions ──────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ScheduledSession:
    """What a session rule needs to know of a class session."""

    hours: Decimal  # 学时 for full attendance
    duration_minutes: int


@dataclass(frozen=True)
class SessionRule:
    """Full 学时 for whoever misses no more than ``tolerance_minutes``; pro rata below that, rounded down to a step.

    ``share_without_minutes``: what a learner marked late (迟到) or left early (早退) earns when nobody reported the
    minutes, as a share of the session's 学时 (1: the whole session, as v1 did; 0: nothing without minutes).
    Present with no minutes is the whole session under every rule; absent and excused earn nothing.
    """

    name: str
    tolerance_minutes: int
    share_without_minutes: Decimal = Decimal(1)
    rounding_step: Decimal = HALF

    def __post_init__(self) -> None:
        if self.tolerance_minutes < 0:
            raise CreditingRuleError(f"{self.name}: tolerance must be 0 minutes or more, got {self.tolerance_minutes}")
        if not 0 <= self.share_without_minutes <= 1:
            raise CreditingRuleError(
                f"{self.name}: share without minutes must be between 0 and 1, got {self.share_without_minutes}"
            )
        _check_step(self.name, self.rounding_step)


SESSION_TOLERANCE_V1 = SessionRule(name="session-tolerance/v1", tolerance_minutes=15)


def credit_session(
    status: AttendanceStatus,
    attended_minutes: int | None,
    session: ScheduledSession,
    rule: SessionRule = SESSION_TOLERANCE_V1,
) -> Credit:
    """学时 for attending a scheduled session."""
    if status in NO_CREDIT_STATUSES:
        return _nothing(status, rule.name)
    if attended_minutes is not None and attended_minutes < 0:
        raise CreditingRuleError(f"attended minutes cannot be negative, got {attended_minutes}")
    duration = session.duration_minutes
    full = session.hours.quantize(CENT)
    if attended_minutes is None:
        return _credit_without_minutes(status, session, rule)
    attended = f"attended {attended_minutes} of {duration} min"
    if attended_minutes == 0:
        # However short the session, the tolerance forgives missing part of it, not all of it.
        return Credit(ZERO, rule.name, f"{attended}: no 学时")
    if attended_minutes >= duration - rule.tolerance_minutes:
        return Credit(full, rule.name, f"{attended}, within {rule.tolerance_minutes} min tolerance")
    hours = round_down(session.hours * attended_minutes / duration, rule.rounding_step)
    return Credit(
        hours,
        rule.name,
        f"{attended}, more than {rule.tolerance_minutes} min short: "
        f"{hours_text(session.hours)} × {attended_minutes}/{duration} rounded down to {hours_text(hours)} 学时",
    )


def _credit_without_minutes(status: AttendanceStatus, session: ScheduledSession, rule: SessionRule) -> Credit:
    unmeasured = f"{status.value}, no minutes reported"
    share = rule.share_without_minutes
    if status == AttendanceStatus.PRESENT or share == 1:
        whole = f"counted as the whole {session.duration_minutes} min"
        return Credit(session.hours.quantize(CENT), rule.name, f"{unmeasured}: {whole}")
    if share == 0:
        return Credit(ZERO, rule.name, f"{unmeasured}: no 学时 without the minutes attended")
    hours = round_down(session.hours * share, rule.rounding_step)
    return Credit(
        hours,
        rule.name,
        f"{unmeasured}: {hours_text(share)} of the session's {hours_text(session.hours)} 学时, "
        f"rounded down to {hours_text(hours)} 学时",
    )


# ── Study outside sessions ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PerTrainingHour:
    """Minutes converted at ``minutes_per_hour`` a 学时 (45: one class period, 课时), rounded down to a step."""

    minutes_per_hour: int = MINUTES_PER_TRAINING_HOUR
    rounding_step: Decimal = HALF

    def __post_init__(self) -> None:
        if self.minutes_per_hour <= 0:
            raise CreditingRuleError(f"minutes per 学时 must be positive, got {self.minutes_per_hour}")
        _check_step("per-hour conversion", self.rounding_step)

    def convert(self, minutes: int) -> tuple[Decimal, str]:
        hours = round_down(Decimal(minutes) / self.minutes_per_hour, self.rounding_step)
        return hours, (
            f"{hours_text(hours)} 学时 ({self.minutes_per_hour} min each, "
            f"rounded down to a multiple of {hours_text(self.rounding_step)})"
        )


@dataclass(frozen=True)
class Bracket:
    from_minutes: int  # this many minutes or more…
    hours: Decimal  # …earn this many 学时


@dataclass(frozen=True)
class MinuteBrackets:
    """A table some platforms use per course or video, e.g. ≥ 30 min = 1, 15–30 = 0.5, under 15 = 0.25 学时."""

    brackets: tuple[Bracket, ...]

    def __post_init__(self) -> None:
        if not self.brackets:
            raise CreditingRuleError("a bracket table needs at least one bracket")
        lower_bounds = [bracket.from_minutes for bracket in self.brackets]
        if lower_bounds != sorted(set(lower_bounds), reverse=True):
            raise CreditingRuleError(f"brackets must run from the most minutes down, each once: {lower_bounds}")
        if min(lower_bounds) < 1:
            # Zero minutes studied earns nothing under any table.
            raise CreditingRuleError(f"the lowest bracket must start at 1 minute or more, got {min(lower_bounds)}")
        hours = [bracket.hours for bracket in self.brackets]
        if hours != sorted(hours, reverse=True) or min(hours) < 0:
            raise CreditingRuleError(f"more minutes can never earn fewer 学时: {[hours_text(h) for h in hours]}")

    def convert(self, minutes: int) -> tuple[Decimal, str]:
        for bracket in self.brackets:
            if minutes >= bracket.from_minutes:
                hours = bracket.hours.quantize(CENT)
                return hours, f"{hours_text(hours)} 学时 (the bracket from {bracket.from_minutes} min)"
        return ZERO, f"no 学时 (less than the lowest bracket, {self.brackets[-1].from_minutes} min)"


@dataclass(frozen=True)
class TrainingDays:
    """Counts in days: minutes over ``minutes_per_day`` rounded down to ``step_days``, each day 8 学时."""

    minutes_per_day: int = MINUTES_PER_TRAINING_DAY
    step_days: Decimal = HALF

    def __post_init__(self) -> None:
        if self.minutes_per_day <= 0:
            raise CreditingRuleError(f"minutes per day must be positive, got {self.minutes_per_day}")
        _check_step("day conversion", self.step_days)

    def convert(self, minutes: int) -> tuple[Decimal, str]:
        days = round_down(Decimal(minutes) / self.minutes_per_day, self.step_days)
        hours = (days * HOURS_PER_TRAINING_DAY).quantize(CENT)
        return hours, (
            f"{hours_text(days)} days of {self.minutes_per_day} min (rounded down to "
            f"{hours_text(self.step_days)} day) × {HOURS_PER_TRAINING_DAY} = {hours_text(hours)} 学时"
        )


Conversion = PerTrainingHour | MinuteBrackets | TrainingDays


@dataclass(frozen=True)
class PlatformCap:
    platform: str
    hours_per_year: Decimal  # at most this many 学时 a (Beijing) calendar year from this platform


@dataclass(frozen=True)
class ActivityRule:
    """学时 for study outside a session.

    ``platform_hours``: take the platform's own 学时 when it sends them (otherwise convert its minutes).
    ``caps``: at most so many 学时 a year per platform; platforms not named are not capped.
    """

    name: str
    conversion: Conversion = PerTrainingHour()
    platform_hours: bool = True
    caps: tuple[PlatformCap, ...] = ()

    def __post_init__(self) -> None:
        platforms = [cap.platform for cap in self.caps]
        if len(set(platforms)) != len(platforms):
            raise CreditingRuleError(f"{self.name}: a platform is capped more than once: {platforms}")

    def cap_for(self, platform: str) -> Decimal | None:
        return next((cap.hours_per_year for cap in self.caps if cap.platform == platform), None)


ACTIVITY_V1 = ActivityRule(name="activity/v1")
ACTIVITY_RULE = ACTIVITY_V1.name


def credit_activity(
    status: AttendanceStatus,
    reported_hours: Decimal | None,
    minutes: int | None,
    platform: str,
    *,
    rule: ActivityRule = ACTIVITY_V1,
    already_this_year: Decimal = ZERO,
) -> Credit:
    """学时 for study outside a session.

    ``already_this_year``: what the person's ledger already holds from ``platform`` in the same ledger year, this
    item apart; only a rule capping that platform looks at it.
    """
    if status in NO_CREDIT_STATUSES:
        return _nothing(status, rule.name)
    if minutes is not None and minutes < 0:
        raise CreditingRuleError(f"minutes studied cannot be negative, got {minutes}")
    if already_this_year < 0:
        raise CreditingRuleError(f"学时 already credited this year cannot be negative, got {already_this_year}")
    if reported_hours is not None and rule.platform_hours:
        hours = reported_hours.quantize(CENT)
        credit = Credit(hours, rule.name, f"{hours_text(hours)} 学时 as credited by {platform}")
    elif minutes is not None:
        hours, how = rule.conversion.convert(minutes)
        credit = Credit(hours, rule.name, f"studied {minutes} min on {platform}: {how}")
    elif reported_hours is not None:
        return Credit(
            ZERO, rule.name, f"{platform} reported 学时 but no minutes, and this rule counts minutes: no 学时"
        )
    else:
        return Credit(ZERO, rule.name, f"{platform} reported neither minutes nor 学时: no 学时")
    return _capped(credit, rule.cap_for(platform), platform, already_this_year)


def _capped(credit: Credit, cap: Decimal | None, platform: str, already: Decimal) -> Credit:
    if cap is None or already + credit.hours <= cap:
        return credit
    room = max(cap - already, ZERO).quantize(CENT)
    used = f"{hours_text(already)} already credited this year"
    if room == 0:
        return Credit(
            ZERO,
            credit.rule,
            f"{credit.reason}; yearly cap of {hours_text(cap)} 学时 on {platform} reached ({used}): no 学时",
        )
    return Credit(
        room,
        credit.rule,
        f"{credit.reason}; capped at {hours_text(cap)} 学时 a year on {platform} ({used}): {hours_text(room)} 学时",
    )
