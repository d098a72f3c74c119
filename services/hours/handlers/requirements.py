"""Requirements as the ledger changes: per person, requirement and window, the 学时 that count toward it, kept as
lines are posted (never a scan of the ledger on the hot path), and where the person stands, judged from them. A
change of standing worth announcing (met, behind, out of reach, no longer met) is published as
RequirementStandingChanged, once, by what caused it:

- a line posted (a credit, a reversal): the standing as of the cause's day with the window's 学时 before the line
  and after it; what the line changed is announced;
- a person's statuses or positions changing (PersonChanged): their windows are counted again from their lines; the
  standing as of the cause's day by what they held before and by what they hold now; what the change changed is
  announced (a window they come under is announced as it stands at first sight);
- time alone (pace is a share of the months over; reach shrinks with the days left): the review of a day compares
  the standing at the end of that day with the standing at the end of the day before, with the same 学时; what
  time changed is announced (``reviews``). A review reads and changes nothing, so replaying the topics gives the
  same tables whether or not reviews ran, and the same review gives the same announcements.

Each cause announces only what it changed, so a transition is announced once whichever came first. Ids derive from
person, requirement, window, standing, day and the count of the window's announcements (``revision``), so a replay
announces exactly the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.hours.domain.crediting import CENT, ZERO
from services.hours.domain.ledger import EntryKind, ledger_day
from services.hours.domain.periods import Period
from services.hours.domain.requirements import (
    Assessment,
    Change,
    Requirement,
    Standing,
    Tenure,
    change_between,
    counts_toward,
    governing,
    governing_day,
    held_spans,
    judge,
    met_on_day,
    obligation,
    window_of,
    window_starting,
    windows_open,
)
from services.hours.models import LedgerEntry, ProjectedPerson, RequirementPerson, RequirementProgress
from shared.db import execute, rows_matching, table_of, upsert_many
from shared.events.contracts.attendance import Channel
from shared.events.contracts.hours import RequirementStandingChanged
from shared.events.envelope import CloudEvent
from shared.unit_of_work import UnitOfWork

ProgressKey = tuple[str, str, date]  # (person id, requirement family, first day of the window)
Row = dict[str, Any]
Tenures = tuple[Tenure, ...]


@dataclass(frozen=True)
class CountedLine:
    """A ledger line as requirements count it."""

    trained_on: date
    channel: Channel
    category: str | None
    signed_hours: Decimal


def counted(entry: Mapping[Any, Any]) -> CountedLine:
    hours: Decimal = entry["hours"]
    return CountedLine(
        trained_on=entry["trained_on"],
        channel=Channel(entry["channel"]),
        category=entry["category"],
        signed_hours=hours if entry["kind"] == EntryKind.CREDIT else -hours,
    )


def tenures_of(person: Mapping[Any, Any]) -> Tenures:
    """A person's statuses and positions (as the register's state carries them), as requirements read them."""
    return tenures_from([*person["statuses"], *person["positions"]])


def tenures_from(periods: Iterable[Mapping[str, Any]]) -> Tenures:
    return tuple(
        Tenure(
            period["code"],
            date.fromisoformat(period["since"]),
            date.fromisoformat(period["until"]) if period.get("until") else None,
        )
        for period in periods
    )


@dataclass(frozen=True)
class _Window:
    """One window of a requirement as judged on one day: the version that governs it, the spans the person held."""

    requirement: Requirement
    window: Period
    held: list[Period]
    as_of: date


class RequirementProgressBook:
    """The progress of the persons a unit of work touches, read in bulk, judged in memory, saved at its end."""

    def __init__(
        self,
        uow: UnitOfWork,
        requirements: Sequence[Requirement],
        unsaved: Callable[[str], Sequence[Mapping[str, Any]]] = lambda _: (),
    ) -> None:
        """``unsaved``: the lines of a person posted in this unit of work and not written yet (a recount needs
        them with those in the database)."""
        self._uow = uow
        self._unsaved = unsaved
        self._requirements = tuple(requirements)
        self._families = list(dict.fromkeys(requirement.family for requirement in self._requirements))
        self._versions = {f: tuple(r for r in self._requirements if r.family == f) for f in self._families}
        self._codes_of = {f: frozenset(c for r in self._versions[f] for c in r.applies_to) for f in self._families}
        self._tenures: dict[str, Tenures] = {}
        self._relevant: dict[str, tuple[str, ...]] = {}  # per person, the requirements they could be under
        self._rows: dict[ProgressKey, Row | None] = {}  # None: read, and not there
        self._changed: set[ProgressKey] = set()
        self._removed: set[ProgressKey] = set()
        self._counted_with: dict[str, Tenures] = {}  # what a recount counted the persons' windows by

    # ── reading ────────────────────────────────────────────────────────────────────────────────────────────────

    async def load(self, days: Mapping[str, Iterable[date]]) -> None:
        """Read the statuses and positions of the persons in ``days`` and their progress in the windows around
        those training days (others are read when needed)."""
        await self._read_persons(list(days))
        keys = [
            key
            for person_id, person_days in days.items()
            for day in set(person_days)
            for family in self._families_of(person_id)
            if (key := self._key_of(person_id, family, day)) is not None
        ]
        await self._read_rows(keys)

    def _families_of(self, person_id: str) -> tuple[str, ...]:
        """The requirements naming a status or position the person holds, has held or will hold."""
        relevant = self._relevant.get(person_id)
        if relevant is None:
            codes = {tenure.code for tenure in self._tenures.get(person_id, ())}
            relevant = tuple(family for family in self._families if codes & self._codes_of[family])
            self._relevant[person_id] = relevant
        return relevant

    async def _read_persons(self, person_ids: list[str]) -> None:
        unknown = [person_id for person_id in dict.fromkeys(person_ids) if person_id not in self._tenures]
        rows = await rows_matching(
            self._uow.session, table_of(ProjectedPerson), ["person_id"], [(p,) for p in unknown],
            ["person_id", "statuses", "positions"],
        )  # fmt: skip
        self._tenures.update(dict.fromkeys(unknown, ()))
        self._tenures.update({row["person_id"]: tenures_of(row) for row in rows})
        for person_id in unknown:
            self._relevant.pop(person_id, None)

    async def _read_rows(self, keys: list[ProgressKey]) -> None:
        unknown = [key for key in dict.fromkeys(keys) if key not in self._rows]
        if not unknown:
            return
        self._rows.update(dict.fromkeys(unknown))
        rows = await rows_matching(
            self._uow.session, table_of(RequirementProgress), ["person_id", "requirement", "window_start"], unknown
        )
        self._rows.update({(row["person_id"], row["requirement"], row["window_start"]): dict(row) for row in rows})

    async def _read_person_rows(self, person_id: str) -> list[ProgressKey]:
        table = table_of(RequirementProgress)
        rows = (await execute(self._uow.session, select(table).where(table.c.person_id == person_id))).mappings()
        keys = []
        for row in rows:
            key = (row["person_id"], row["requirement"], row["window_start"])
            if self._rows.get(key) is None:
                self._rows[key] = dict(row)
            keys.append(key)
        return keys

    def _key_of(self, person_id: str, family: str, day: date) -> ProgressKey | None:
        """The window of ``family`` a line of the person trained on ``day`` would count toward."""
        versions = self._versions[family]
        shape = governing(versions, family, day) or versions[0]
        window = window_of(shape, held_spans(shape, self._tenures[person_id], day), day)
        return (person_id, family, window.start) if window is not None else None

    def _located(self, key: ProgressKey, tenures: Tenures, day: date) -> _Window | None:
        """The window of ``key`` judged on ``day`` (or on its last day, once it is over): the version governing it
        then, and the spans of ``tenures`` under it; None if the person was not under it by then."""
        _, family, start = key
        if day < start:
            return None
        versions = self._versions[family]
        shape = governing(versions, family, start) or versions[0]
        window = window_starting(shape, held_spans(shape, tenures, day), start)
        if window is None:
            return None
        as_of = min(day, window.last_day) if window.last_day is not None else day
        requirement = governing(versions, family, governing_day(window, as_of))
        if requirement is None:
            return None
        return _Window(requirement, window, held_spans(requirement, tenures, as_of), as_of)

    # ── what changes a standing ────────────────────────────────────────────────────────────────────────────────

    async def posted(self, lines: Sequence[Mapping[str, Any]], cause: CloudEvent) -> None:
        """Count the lines ``cause`` posted toward the windows they fall in; announce what they changed."""
        day = ledger_day(cause.time)
        before: dict[ProgressKey, Decimal] = {}
        touched: dict[ProgressKey, tuple[_Window, date]] = {}
        recount: set[str] = set()
        for entry in lines:
            person_id = entry["person_id"]
            families = self._families_of(person_id)
            if not families:
                continue
            line = counted(entry)
            for family in families:
                key = self._key_of(person_id, family, line.trained_on)
                if key is None:
                    continue
                await self._read_rows([key])
                located = self._located(key, self._tenures[person_id], day)
                if located is None or not counts_toward(located.requirement, located.held, located.window, line):
                    continue
                row = self._rows[key]
                if row is not None and row["version"] != located.requirement.name:
                    recount.add(person_id)  # another version governs now: count the window under it afresh
                    continue
                self._rows[key] = row = row or _new_row(key)
                before.setdefault(key, row["credited"])
                row["credited"] = (row["credited"] + line.signed_hours).quantize(CENT)
                touched[key] = (located, line.trained_on)
        for key, (located, reached_on) in touched.items():
            if key[0] not in recount:
                row = self._rows[key]
                assert row is not None
                was = self._assessed(key, located, before[key], row["met_on"])
                self._settle(key, located, was, reached_on, cause)
        for person_id in sorted(recount):
            tenures = self._tenures[person_id]
            await self.recount(person_id, cause, counted_before_with=tenures)

    async def persons_changed(self, changes: Sequence[tuple[str, Tenures, CloudEvent]]) -> None:
        """Count again the windows of persons whose statuses or positions changed (perhaps back in time), each
        change by the state it carried, in order: a batch holding two versions of a person judges both."""
        person_ids = list(dict.fromkeys(person_id for person_id, _, _ in changes))
        counted_with = await rows_matching(
            self._uow.session, table_of(RequirementPerson), ["person_id"], [(p,) for p in person_ids]
        )
        self._counted_with.update({row["person_id"]: tenures_from(row["tenures"]) for row in counted_with})
        for person_id, tenures, cause in changes:
            before = self._counted_with.get(person_id, ())
            self._tenures[person_id] = tenures
            self._relevant.pop(person_id, None)
            if before or self._families_of(person_id):
                await self.recount(person_id, cause, counted_before_with=before)
                self._counted_with[person_id] = tenures
        counted_now = [_person_row(p, self._counted_with[p]) for p in person_ids if p in self._counted_with]
        await upsert_many(self._uow.session, table_of(RequirementPerson), counted_now, key=["person_id"])

    async def recount(self, person_id: str, cause: CloudEvent, *, counted_before_with: Tenures) -> None:
        """Count the person's windows again from their lines, under what they hold now; announce what changed
        from the standing under ``counted_before_with`` (what the windows were counted by before). Windows they
        are no longer under are forgotten."""
        await self._read_persons([person_id])  # known already when a change of the person asked for the recount
        tenures = self._tenures[person_id]
        stored = await self._read_person_rows(person_id)
        day = ledger_day(cause.time)
        lines = await self._lines_of(person_id)
        keys = set(stored)
        families = self._families_of(person_id)
        keys.update(k for line in lines for f in families if (k := self._key_of(person_id, f, line.trained_on)))
        keys.update(self._open_windows(person_id, day))
        for key in sorted(keys):
            row = self._rows.get(key)
            previously = self._located(key, counted_before_with, day) if row is not None else None
            was = self._assessed(key, previously, row["credited"], row["met_on"]) if row and previously else None
            located = self._located(key, tenures, day)
            owed = (
                obligation(located.requirement, window=located.window, held=located.held, as_of=located.as_of)
                if located is not None
                else None
            )
            if located is None or owed is None:
                if row is not None:
                    self._rows[key] = None
                    self._removed.add(key)
                continue
            counting = [
                line for line in lines if counts_toward(located.requirement, located.held, located.window, line)
            ]
            row = row or _new_row(key)
            row["credited"] = sum((line.signed_hours for line in counting), ZERO).quantize(CENT)
            row["met_on"] = met_on_day(counting, owed.required)
            self._rows[key] = row
            self._removed.discard(key)
            self._settle(key, located, was, row["met_on"], cause)

    async def changes_by_time(self, day: date) -> list[tuple[Assessment, Change, int]]:
        """What time alone changed at the end of ``day``: each window of each active person, judged as of the end
        of the day before and of ``day`` with the 学时 it holds; the change, and the window's announcements so far.
        Reads only."""
        table = table_of(ProjectedPerson)
        columns = [table.c.person_id, table.c.statuses, table.c.positions]
        persons = await execute(self._uow.session, select(*columns).where(table.c.active.is_(True)))
        for person in persons.mappings():
            self._tenures[person["person_id"]] = tenures_of(person)
            self._relevant.pop(person["person_id"], None)
        keys = [key for person_id in sorted(self._tenures) for key in self._open_windows(person_id, day)]
        await self._read_rows(keys)
        changes = []
        for key in keys:
            row = self._rows[key] or _new_row(key)
            tenures = self._tenures[key[0]]
            located = self._located(key, tenures, day)
            now = self._assessed(key, located, row["credited"], row["met_on"])
            if now is None:
                continue
            before = self._located(key, tenures, day - timedelta(days=1))
            was = self._assessed(key, before, row["credited"], row["met_on"])
            change = change_between(was.standing if was is not None else None, now.standing)
            if change is not None:
                changes.append((now, change, row["announcements"] + 1))
        return changes

    def _open_windows(self, person_id: str, day: date) -> list[ProgressKey]:
        """The windows the person is under on ``day`` (as ``assess`` would judge them)."""
        keys = []
        families = self._families_of(person_id)
        for requirement in self._requirements:
            if requirement.family not in families:
                continue
            held = held_spans(requirement, self._tenures[person_id], day)
            for window in windows_open(requirement, held, day):
                if governing_day(window, day) in requirement.in_force:
                    keys.append((person_id, requirement.family, window.start))
        return keys

    def _assessed(
        self, key: ProgressKey, located: _Window | None, credited: Decimal, met_on: date | None
    ) -> Assessment | None:
        if located is None:
            return None
        owed = obligation(located.requirement, window=located.window, held=located.held, as_of=located.as_of)
        if owed is None:
            return None
        return judge(
            key[0],
            located.requirement,
            window=located.window,
            owed=owed,
            credited=credited,
            met_on=met_on,
            as_of=located.as_of,
        )

    def _settle(
        self, key: ProgressKey, located: _Window, was: Assessment | None, reached_on: date | None, cause: CloudEvent
    ) -> None:
        """Judge one window with the 学时 it holds now, keep the standing, announce the change from ``was``."""
        row = self._rows[key]
        assert row is not None  # counted or created before it is judged
        # Met since the line that reached the requirement, or since the day it was met already.
        kept_on = row["met_on"] if was is not None and was.standing == Standing.MET else None
        now = self._assessed(key, located, row["credited"], kept_on or reached_on)
        if now is None:
            return
        change = change_between(was.standing if was is not None else None, now.standing)
        row.update(
            window_end=located.window.last_day,
            version=located.requirement.name,
            required=now.required,
            standing=now.standing.value,
            met_on=now.met_on,
            as_of=located.as_of,
            announcements=row["announcements"] + (change is not None),
        )
        self._changed.add(key)
        if change is not None:
            self._uow.emit(announcement(now, change, row["announcements"]), cause=cause)

    async def _lines_of(self, person_id: str) -> list[CountedLine]:
        """Every line of the person's ledger (this unit's lines included: they were written before)."""
        table = table_of(LedgerEntry)
        columns = [table.c.trained_on, table.c.channel, table.c.category, table.c.hours, table.c.kind]
        rows = await execute(self._uow.session, select(*columns).where(table.c.person_id == person_id))
        return [counted(row) for row in [*rows.mappings(), *self._unsaved(person_id)]]

    async def save(self) -> None:
        rows = [row for key in sorted(self._changed) if (row := self._rows.get(key)) is not None]
        await upsert_many(
            self._uow.session, table_of(RequirementProgress), rows, key=["person_id", "requirement", "window_start"]
        )
        table = table_of(RequirementProgress)
        for person_id, family, start in sorted(self._removed):
            await execute(
                self._uow.session,
                table.delete().where(
                    table.c.person_id == person_id, table.c.requirement == family, table.c.window_start == start
                ),
            )
        self._changed, self._removed = set(), set()


def _new_row(key: ProgressKey) -> Row:
    person_id, family, start = key
    return {
        "person_id": person_id,
        "requirement": family,
        "window_start": start,
        "window_end": None,
        "version": "",
        "credited": ZERO.quantize(CENT),
        "required": ZERO.quantize(CENT),
        "standing": None,
        "met_on": None,
        "as_of": start,
        "announcements": 0,
    }


def _person_row(person_id: str, tenures: Tenures) -> Row:
    periods = [
        {"code": t.code, "since": t.since.isoformat(), "until": t.until.isoformat() if t.until else None}
        for t in tenures
    ]
    return {"person_id": person_id, "tenures": periods}


def announcement(assessment: Assessment, change: Change, revision: int) -> RequirementStandingChanged:
    requirement = assessment.requirement
    return RequirementStandingChanged(
        person_id=assessment.person_id,
        requirement=requirement.name,
        title=requirement.label,
        source=requirement.source,
        window_start=assessment.window.start,
        window_end=assessment.window.last_day,
        required_hours=assessment.required,
        credited_hours=max(assessment.credited, ZERO),
        standing=change.value,
        met_on=assessment.met_on,
        as_of=assessment.as_of,
        reason=assessment.explanation[:500],
        revision=revision,
    )
