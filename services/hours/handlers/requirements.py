"""Requirements as the ledger changes: per person, requirement and window, the 学时 that count toward it, kept as
lines are posted (never a scan of the ledger on the hot path), and the standing judged from them. A change of
standing worth announcing (met, behind, out of reach, no longer met) is published as RequirementStandingChanged.

Three things make a standing change, and each is an event on a topic the service reads, so replaying the topics
replays the standings too:
- a line posted (a credit, a reversal): the windows it counts toward are judged again, as of the day of its cause;
- a person's status or positions changing (PersonChanged): their windows are counted again from their lines;
- time (pace is a share of the months over; reach shrinks with the days left): a review as of the end of a day
  (RequirementsReviewRequested, which the service asks of itself once a day is over; see ``reviews``).

The day a standing is judged as of never goes back: a late report judged as of its own day would undo what a
review already saw. Event ids derive from person, requirement, window, standing, day and the count of
announcements for the window, so a replay announces exactly the same.
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
from services.hours.models import LedgerEntry, ProjectedPerson, RequirementProgress
from shared.db import execute, rows_matching, table_of, upsert_many
from shared.events.contracts.attendance import Channel
from shared.events.contracts.hours import RequirementStandingChanged
from shared.events.envelope import CloudEvent
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

ProgressKey = tuple[str, str, date]  # (person id, requirement family, first day of the window)
Row = dict[str, Any]


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


def tenures_of(person: Mapping[Any, Any]) -> tuple[Tenure, ...]:
    """A projected person's statuses and positions, as requirements read them."""
    return tuple(
        Tenure(
            period["code"],
            date.fromisoformat(period["since"]),
            date.fromisoformat(period["until"]) if period.get("until") else None,
        )
        for period in [*person["statuses"], *person["positions"]]
    )


def _period(row: Mapping[str, Any]) -> Period:
    end: date | None = row["window_end"]
    return Period(row["window_start"], end + timedelta(days=1) if end is not None else None)


@dataclass(frozen=True)
class _Window:
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
        self._tenures: dict[str, tuple[Tenure, ...]] = {}
        self._relevant: dict[str, tuple[str, ...]] = {}  # per person, the requirements they could be under
        self._rows: dict[ProgressKey, Row | None] = {}  # None: read, and not there
        self._changed: set[ProgressKey] = set()
        self._removed: set[ProgressKey] = set()

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

    def tracks(self, person_id: str) -> bool:
        """Whether any requirement could apply to the person (a status or position one of them names)."""
        return bool(self._families_of(person_id))

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
            self._rows.setdefault(key, dict(row))
            keys.append(key)
        return keys

    def _key_of(self, person_id: str, family: str, day: date) -> ProgressKey | None:
        """The window of ``family`` a line of the person trained on ``day`` would count toward."""
        versions = self._versions[family]
        shape = governing(versions, family, day) or versions[0]
        window = window_of(shape, held_spans(shape, self._tenures[person_id], day), day)
        return (person_id, family, window.start) if window is not None else None

    # ── what changes a standing ────────────────────────────────────────────────────────────────────────────────

    async def posted(self, lines: Sequence[Mapping[str, Any]], cause: CloudEvent) -> None:
        """Count the lines ``cause`` posted toward the windows they fall in, and judge those windows again."""
        cause_day = ledger_day(cause.time)
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
                located = self._located(key, cause_day)
                if located is None or not counts_toward(located.requirement, located.held, located.window, line):
                    continue
                row = self._rows[key]
                if row is not None and row["version"] != located.requirement.name:
                    recount.add(person_id)  # another version governs now: count the window under it afresh
                    continue
                self._rows[key] = row = row or self._new_row(key, located)
                row["credited"] = (row["credited"] + line.signed_hours).quantize(CENT)
                self._changed.add(key)
                touched[key] = (located, line.trained_on)
        for key, (located, day) in touched.items():
            if key[0] not in recount:
                self._judge(key, located, cause, reached_on=day)
        for person_id in sorted(recount):
            await self.recount(person_id, cause)

    async def persons_changed(self, causes: Sequence[tuple[str, CloudEvent]]) -> None:
        """Count again the windows of persons whose statuses or positions changed (perhaps back in time)."""
        person_ids = [person_id for person_id, _ in causes]
        for person_id in person_ids:  # read them as they are now
            self._tenures.pop(person_id, None)
            self._relevant.pop(person_id, None)
        await self._read_persons(person_ids)
        table = table_of(RequirementProgress)
        found = await rows_matching(self._uow.session, table, ["person_id"], [(p,) for p in person_ids], ["person_id"])
        with_progress = {row["person_id"] for row in found}
        for person_id, cause in causes:
            if self.tracks(person_id) or person_id in with_progress:
                await self.recount(person_id, cause)

    async def recount(self, person_id: str, cause: CloudEvent) -> None:
        """Count the person's windows again from their lines: their statuses or positions changed, or another
        version of a requirement governs a window now. Windows they are no longer under are forgotten."""
        await self._read_persons([person_id])
        stored = await self._read_person_rows(person_id)
        cause_day = ledger_day(cause.time)
        lines = await self._lines_of(person_id)
        keys = set(stored)
        families = self._families_of(person_id)
        keys.update(k for line in lines for f in families if (k := self._key_of(person_id, f, line.trained_on)))
        keys.update(self._open_windows(person_id, cause_day))
        for key in sorted(keys):
            located = self._located(key, cause_day)
            owed = (
                obligation(located.requirement, window=located.window, held=located.held, as_of=located.as_of)
                if located is not None
                else None
            )
            if located is None or owed is None:
                if self._rows.get(key) is not None:
                    self._rows[key] = None
                    self._removed.add(key)
                continue
            counting = [
                line for line in lines if counts_toward(located.requirement, located.held, located.window, line)
            ]
            row = self._rows.get(key) or self._new_row(key, located)
            row["version"] = located.requirement.name
            row["credited"] = sum((line.signed_hours for line in counting), ZERO).quantize(CENT)
            row["met_on"] = met_on_day(counting, owed.required)
            self._rows[key] = row
            self._changed.add(key)
            self._removed.discard(key)
            self._judge(key, located, cause, reached_on=row["met_on"])

    async def review(self, day: date, cause: CloudEvent) -> None:
        """Judge every person under a requirement as of the end of ``day``: pace and reach change with time."""
        table = table_of(ProjectedPerson)
        columns = [table.c.person_id, table.c.statuses, table.c.positions]
        persons = await execute(self._uow.session, select(*columns).where(table.c.active.is_(True)))
        active = []
        for person in persons.mappings():
            self._tenures[person["person_id"]] = tenures_of(person)
            self._relevant.pop(person["person_id"], None)
            active.append(person["person_id"])
        keys = [
            key for person_id in sorted(active) if self.tracks(person_id) for key in self._open_windows(person_id, day)
        ]
        await self._read_rows(keys)
        recount: set[str] = set()
        for key in keys:
            located = self._located(key, day)
            if located is None:
                continue
            row = self._rows[key]
            if row is not None and row["version"] != located.requirement.name:
                recount.add(key[0])
                continue
            self._rows[key] = row or self._new_row(key, located)
            self._judge(key, located, cause, reached_on=None)
        for person_id in sorted(recount):
            await self.recount(person_id, cause)

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

    def _located(self, key: ProgressKey, cause_day: date) -> _Window | None:
        """The window of ``key``, the version that governs it and the day to judge it as of: the cause's day, but
        never before the day it was judged as of already, nor after the window's last day."""
        person_id, family, start = key
        row = self._rows.get(key)
        versions = self._versions[family]
        shape = governing(versions, family, start) or versions[0]
        window = window_starting(shape, held_spans(shape, self._tenures[person_id], max(start, cause_day)), start)
        if window is None:
            return None
        as_of = max(cause_day, row["as_of"]) if row is not None else cause_day
        last = window.last_day
        as_of = min(as_of, last) if last is not None else as_of
        requirement = governing(versions, family, governing_day(window, as_of))
        if requirement is None:
            return None
        return _Window(requirement, window, held_spans(requirement, self._tenures[person_id], as_of), as_of)

    def _new_row(self, key: ProgressKey, located: _Window) -> Row:
        person_id, family, start = key
        return {
            "person_id": person_id,
            "requirement": family,
            "window_start": start,
            "window_end": located.window.last_day,
            "version": located.requirement.name,
            "credited": ZERO.quantize(CENT),
            "required": ZERO.quantize(CENT),
            "standing": None,
            "met_on": None,
            "as_of": located.as_of,
            "announcements": 0,
        }

    def _judge(self, key: ProgressKey, located: _Window, cause: CloudEvent, reached_on: date | None) -> None:
        """Judge one window from its figures; announce a change worth announcing; keep the new standing."""
        row = self._rows[key]
        assert row is not None  # counted or created before it is judged
        owed = obligation(located.requirement, window=located.window, held=located.held, as_of=located.as_of)
        if owed is None:
            return
        was = Standing(row["standing"]) if row["standing"] is not None else None
        # Met since the line that reached the requirement, or since the day it was met already.
        met_on = row["met_on"] if was == Standing.MET and row["met_on"] is not None else reached_on
        assessment = judge(
            key[0],
            located.requirement,
            window=located.window,
            owed=owed,
            credited=row["credited"],
            met_on=met_on,
            as_of=located.as_of,
        )
        change = change_between(was, assessment.standing)
        updated = row | {
            "window_end": located.window.last_day,
            "version": located.requirement.name,
            "required": assessment.required,
            "standing": assessment.standing.value,
            "met_on": assessment.met_on,
            "as_of": located.as_of,
            "announcements": row["announcements"] + (change is not None),
        }
        if change is not None:
            self._uow.emit(_announcement(assessment, change.value, updated["announcements"]), cause=cause)
        if updated != row:
            self._rows[key] = updated
            self._changed.add(key)

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


def _announcement(assessment: Assessment, standing: str, revision: int) -> RequirementStandingChanged:
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
        standing=standing,
        met_on=assessment.met_on,
        as_of=assessment.as_of,
        reason=assessment.explanation[:500],
        revision=revision,
    )
