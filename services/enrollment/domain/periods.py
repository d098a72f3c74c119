"""Effective periods: from a first day up to, not including, a last one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    """From ``since`` up to, not including, ``until``; open-ended while ``until`` is None."""

    since: date
    until: date | None = None

    def covers(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)

    def within(self, outer: Period) -> bool:
        ends_in_time = outer.until is None or (self.until is not None and self.until <= outer.until)
        return outer.since <= self.since and ends_in_time

    def overlaps(self, other: Period) -> bool:
        starts_before_other_ends = other.until is None or self.since < other.until
        ends_after_other_starts = self.until is None or other.since < self.until
        return starts_before_other_ends and ends_after_other_starts

    def text(self) -> str:
        return f"{self.since.isoformat()} – {self.until.isoformat() if self.until else 'open'}"

    def problem(self) -> str | None:
        if self.until is not None and self.until <= self.since:
            return f"ends ({self.until.isoformat()}) on or before it begins ({self.since.isoformat()})"
        return None
