"""A person's 学时 transcript (学时档案): every ledger line with its reason, rule and source, and what they add up to.

"As of" a day means what the ledger held at the end of that day (Beijing time): lines recorded later — a credit
that arrived late, a reversal that corrected one — are not yet part of it. Years, windows and totals go by the day
the person trained, not the day it was recorded. The transcript depends on nothing but the lines, whatever order
they are given in, so replaying the topics that built the ledger gives the same transcript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services.hours.domain.crediting import CENT, ZERO
from services.hours.domain.ledger import EntryKind
from services.hours.domain.periods import school_date
from shared.events.contracts.attendance import Channel


@dataclass(frozen=True)
class PostedEntry:
    """One line of a person's ledger, as views and requirements read it."""

    entry_id: str
    kind: EntryKind
    hours: Decimal  # 学时, positive for both kinds
    trained_on: date  # the Beijing day of the attendance; a reversal carries the day of the credit it takes back
    recorded_at: datetime  # when the line was posted
    channel: Channel  # offline (集中, concentrated) or online (网络)
    category: str | None  # the training category (培训类别) of its class; None for study outside any class
    class_id: str | None
    item: str  # what was studied: session:… or activity:…:…
    rule: str | None  # the crediting rule and version; credits only
    reason: str
    source: str  # the system the attendance came from, e.g. urn:dangxiao:door:building-3

    @property
    def signed_hours(self) -> Decimal:
        return self.hours if self.kind == EntryKind.CREDIT else -self.hours

    def known_by(self, day: date) -> bool:
        """Whether the line was on the ledger at the end of ``day``."""
        return school_date(self.recorded_at) <= day


def known_by(entries: Iterable[PostedEntry], day: date) -> list[PostedEntry]:
    """The lines on the ledger at the end of ``day``, in the order the person trained."""
    known = [entry for entry in entries if entry.known_by(day)]
    return sorted(known, key=lambda entry: (entry.trained_on, entry.recorded_at, entry.entry_id))


def total(entries: Iterable[PostedEntry]) -> Decimal:
    return sum((entry.signed_hours for entry in entries), ZERO).quantize(CENT)


@dataclass(frozen=True)
class YearTotals:
    """学时 of one calendar year (Beijing time), as a 学时证明 (annual hours certificate) states them."""

    year: int
    total: Decimal
    concentrated: Decimal  # offline, 集中
    online: Decimal  # 网络
    by_category: dict[str | None, Decimal]  # None: study outside any class


@dataclass(frozen=True)
class Transcript:
    person_id: str
    as_of: date
    entries: tuple[PostedEntry, ...]  # in the order the person trained
    years: tuple[YearTotals, ...]  # in calendar order

    @property
    def total(self) -> Decimal:
        return total(self.entries)

    def year(self, year: int) -> YearTotals:
        """The totals of ``year``; a year without lines totals zero."""
        return next((totals for totals in self.years if totals.year == year), YearTotals(year, ZERO, ZERO, ZERO, {}))


def transcript(person_id: str, entries: Iterable[PostedEntry], as_of: date) -> Transcript:
    known = known_by(entries, as_of)
    years = sorted({entry.trained_on.year for entry in known})
    return Transcript(
        person_id=person_id,
        as_of=as_of,
        entries=tuple(known),
        years=tuple(_year_totals(year, [entry for entry in known if entry.trained_on.year == year]) for year in years),
    )


def _year_totals(year: int, entries: list[PostedEntry]) -> YearTotals:
    categories = sorted({entry.category for entry in entries}, key=lambda category: (category is None, category))
    return YearTotals(
        year=year,
        total=total(entries),
        concentrated=total(entry for entry in entries if entry.channel == Channel.OFFLINE),
        online=total(entry for entry in entries if entry.channel == Channel.ONLINE),
        by_category={
            category: total(entry for entry in entries if entry.category == category) for category in categories
        },
    )
