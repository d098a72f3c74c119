"""Spans of days, as the school counts them: in Beijing time, each from a first day up to (not including) an end.

One convention everywhere a thing is dated: a rule in force, a requirement's window, a status or position held.
``end`` is the first day no longer covered, so one period ends exactly where the next begins (a development
target admitted on 15 June is a development target until 15 June and a probationary member since 15 June) and
the number of days is ``end - start``. ``end=None``: not over (yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.hours.domain.ledger import SCHOOL_TIMEZONE


class PeriodError(ValueError):
    """A span of days, or a moment, that cannot be placed on the school's calendar."""


def school_date(moment: datetime) -> date:
    """The day a moment falls on in Beijing time."""
    if moment.tzinfo is None:
        raise PeriodError(f"{moment.isoformat()} has no time zone; the school's day cannot be told")
    return moment.astimezone(SCHOOL_TIMEZONE).date()


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None = None  # the first day not covered; None: open

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise PeriodError(f"a period must end after it starts: {self.start} to {self.end}")

    def __contains__(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def last_day(self) -> date | None:
        return None if self.end is None else self.end - timedelta(days=1)

    def overlaps(self, other: Period) -> bool:
        starts_before_other_ends = other.end is None or self.start < other.end
        ends_after_other_starts = self.end is None or other.start < self.end
        return starts_before_other_ends and ends_after_other_starts

    def clipped_to(self, other: Period) -> Period | None:
        """The days both cover, if any."""
        if not self.overlaps(other):
            return None
        start = max(self.start, other.start)
        ends = [end for end in (self.end, other.end) if end is not None]
        return Period(start, min(ends) if ends else None)

    def __str__(self) -> str:
        last = self.last_day
        return f"{self.start} to {last}" if last is not None else f"since {self.start}"


def month_starts(period: Period) -> list[date]:
    """The first days of the calendar months a closed period covers in full or in part, in order."""
    if period.end is None:
        raise PeriodError(f"an open period ({period}) has no end to count months to")
    firsts = []
    month = date(period.start.year, period.start.month, 1)
    while month < period.end:
        firsts.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return firsts


def month_end(first_day: date) -> date:
    """The last day of the month that starts on ``first_day``."""
    following = date(first_day.year + first_day.month // 12, first_day.month % 12 + 1, 1)
    return following - timedelta(days=1)
