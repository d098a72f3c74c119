"""The 学时 ledger of one person: entries are never edited; a correction reverses an entry and posts anew.

For each thing studied (a session, or an activity on a platform) the ledger holds at most one credit: the best
that any attendance of it that still stands earns.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from services.hours.domain.crediting import CENT, Credit, hours_text

# The school keeps its books in Beijing time: an attendance on 31 December 23:30 counts for that year.
SCHOOL_TIMEZONE = ZoneInfo("Asia/Shanghai")


def ledger_year(moment: datetime) -> int:
    return moment.astimezone(SCHOOL_TIMEZONE).year


def ledger_day(moment: datetime) -> date:
    """The day something happened, as the school's calendar has it."""
    return moment.astimezone(SCHOOL_TIMEZONE).date()


class EntryKind(StrEnum):
    CREDIT = "credit"
    REVERSAL = "reversal"  # takes back one earlier credit, in full


def session_item(session_id: str) -> str:
    """The thing studied, as the ledger groups credits: a scheduled session…"""
    return f"session:{session_id}"


def activity_item(platform: str, activity_id: str) -> str:
    """…or an activity, whose id is only unique on the platform that reports it."""
    return f"activity:{platform}:{activity_id}"


class AttendanceRef(NamedTuple):
    """An attendance event by its CloudEvents identity (a tuple: many are made and hashed per batch)."""

    source: str
    id: str

    def __str__(self) -> str:
        return f"({self.source}, {self.id})"


@dataclass(frozen=True)
class CreditedAttendance:
    attendance: AttendanceRef
    credit: Credit


@dataclass(frozen=True)
class StandingCredit:
    """A credit entry no reversal has taken back yet."""

    entry_id: str
    attendance: AttendanceRef
    hours: Decimal


@dataclass(frozen=True)
class Reversal:
    entry: StandingCredit
    reason: str


@dataclass(frozen=True)
class Settlement:
    """What to post so that the ledger holds the best credit that stands; ``reason`` says why, for the log."""

    reversals: tuple[Reversal, ...]
    credit: CreditedAttendance | None
    reason: str

    @property
    def changes_ledger(self) -> bool:
        return bool(self.reversals) or self.credit is not None


def settle(
    standing: Sequence[StandingCredit],
    attendances: Sequence[CreditedAttendance],
    voided: Mapping[AttendanceRef, str],
) -> Settlement:
    """Bring one thing studied to its best credit.

    ``attendances`` are all attendances of it, in the order they arrived; ``voided`` maps those taken back to the
    reason given. Of equal credits the earliest wins, and a credit already on the ledger is never swapped for an
    equal one, so a repeat of the same attendance from another door changes nothing.
    """
    eligible = [a for a in attendances if a.attendance not in voided and a.credit.hours > 0]
    best = max(eligible, key=lambda a: a.credit.hours, default=None)
    held = sum((entry.hours for entry in standing), Decimal(0))
    holders = {entry.attendance for entry in standing}

    if len(holders) == 1:
        [holder] = holders
        if holder not in voided and (best is None or held >= best.credit.hours):
            return Settlement(
                (),
                None,
                f"the ledger holds {hours_text(held)} 学时 from attendance {holder}; no attendance earns more",
            )
    if not standing:
        if best is None:
            return Settlement((), None, "no attendance that stands earns any 学时")
        return Settlement((), best, f"attendance {best.attendance} earns {hours_text(best.credit.hours)} 学时")

    def why_reversed(entry: StandingCredit) -> str:
        if entry.attendance in voided:
            return f"attendance {entry.attendance} voided: {voided[entry.attendance]}"
        if best is not None:
            return f"superseded by attendance {best.attendance}, which earns {hours_text(best.credit.hours)} 学时"
        return f"attendance {entry.attendance} no longer earns 学时"

    reversals = tuple(Reversal(entry, why_reversed(entry)) for entry in standing)
    if best is None:
        return Settlement(reversals, None, "; ".join(r.reason for r in reversals))
    return Settlement(
        reversals,
        best,
        f"attendance {best.attendance} earns {hours_text(best.credit.hours)} 学时, "
        f"replacing {hours_text(held)} 学时 held before",
    )


@dataclass(frozen=True)
class ReportedAttendance:
    """A report of attendance at one thing studied, as a learner's record of it shows."""

    attendance: AttendanceRef
    status: str  # present, late, left_early, absent, excused
    minutes: int | None


def attendance_that_stands(
    reports: Sequence[ReportedAttendance], voided: Collection[AttendanceRef], credited: AttendanceRef | None
) -> ReportedAttendance | None:
    """The attendance a learner's record shows for one session: the one whose credit the ledger holds; without a
    credit, the latest report not voided (an absence, an excused absence, too few minutes to earn anything); None
    once every report was voided. ``reports`` are in the order the attendances happened."""
    if credited is not None:
        return next(report for report in reports if report.attendance == credited)
    standing = [report for report in reports if report.attendance not in voided]
    return standing[-1] if standing else None


class LedgerLine(Protocol):
    """What totals need of an entry (a stored ledger entry is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def hours(self) -> Decimal: ...

    @property
    def class_id(self) -> str | None: ...


@dataclass(frozen=True)
class Totals:
    total_hours: Decimal  # credits minus reversals
    by_class: dict[str, Decimal]  # activities outside any class count only in the total


def totals(entries: Iterable[LedgerLine]) -> Totals:
    total = Decimal(0)
    by_class: dict[str, Decimal] = {}
    for entry in entries:
        signed = entry.hours if entry.kind == EntryKind.CREDIT else -entry.hours
        total += signed
        if entry.class_id is not None:
            by_class[entry.class_id] = by_class.get(entry.class_id, Decimal(0)) + signed
    return Totals(
        total_hours=total.quantize(CENT),
        by_class={class_id: hours.quantize(CENT) for class_id, hours in by_class.items()},
    )
