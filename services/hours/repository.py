"""The 学时 ledger's storage: what settlements need, read for a whole batch of events at once, and what they post,
written back in bulk. The rules themselves are in ``domain``; handlers say what happened.

Besides the lines, it keeps per person, platform and year the 学时 held from each platform a rule caps (what a
yearly cap is measured against), and announces what a learner's record of a session now shows whenever that changes
(SessionAttendanceChanged).

Ids derive from their cause (an entry from the attendance it credits and the event that caused the posting, a
reversal from the credit it takes back), and a line's time is its cause's time, so replaying the topics posts the
very same ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_

from services.hours.domain.crediting import ZERO, Credit
from services.hours.domain.ledger import (
    AttendanceRef,
    CreditedAttendance,
    EntryKind,
    ReportedAttendance,
    StandingCredit,
    attendance_that_stands,
    settle,
)
from services.hours.models import Attendance, AttendanceVoid, LedgerEntry, LedgerItem, PlatformYear
from shared.db import KEYS_PER_QUERY, execute, insert_many, rows_matching, table_of, upsert_many
from shared.events.contracts.common import EventReference
from shared.events.contracts.hours import HoursCredited, HoursReversed, SessionAttendanceChanged
from shared.events.envelope import CloudEvent
from shared.ids import derived_uuid
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

ENTRY_ID_NAMESPACE = uuid.UUID("0b6c3f5e-2d41-5a7c-8e93-4f1a6b2d9c70")
ItemKey = tuple[str, str]  # (person id, thing studied)
PlatformYearKey = tuple[str, str, int]  # (person id, platform, year)
Row = dict[str, Any]
NO_ATTENDANCE = "none"  # what a learner's record of a session shows once every report of it was voided


def credit_entry_id(attendance: AttendanceRef, cause: CloudEvent) -> str:
    """The credit of ``attendance`` posted because of ``cause`` (the attendance itself, a void, a better one)."""
    return "entry-" + derived_uuid(ENTRY_ID_NAMESPACE, f"credit\n{attendance}\n{cause.source}\n{cause.id}")


def reversal_entry_id(reversed_entry_id: str) -> str:
    """A credit is reversed at most once: the reversal is named after it."""
    return "entry-" + derived_uuid(ENTRY_ID_NAMESPACE, f"reversal\n{reversed_entry_id}")


def _ref(row: Mapping[str, Any]) -> AttendanceRef:
    return AttendanceRef(row["source"], row["event_id"])


@dataclass
class _Item:
    """One person's thing studied: its attendances in their order, the credit the ledger holds for it, and (of a
    session) the attendance last announced."""

    person_id: str
    item: str
    attendances: list[Row] = field(default_factory=list)
    standing: StandingCredit | None = None
    announced: tuple[str | None, int | None] = (None, None)  # status and minutes
    revision: int = 0


class LedgerRepository:
    """Settlement state of the items a batch touches, kept in memory for the batch and saved at its end."""

    def __init__(self, uow: UnitOfWork, capped_platforms: frozenset[str] = frozenset()) -> None:
        """``capped_platforms``: those some crediting rule caps; only for them is the yearly total kept."""
        self._uow = uow
        self._capped = capped_platforms
        self._items: dict[ItemKey, _Item] = {}
        self._loaded: set[ItemKey] = set()  # items whose standing credit and attendances were read
        self._attendances: dict[AttendanceRef, Row] = {}
        self._voids: dict[AttendanceRef, str] = {}
        self._void_checked: set[AttendanceRef] = set()
        self._new_attendances: list[Row] = []
        self._new_voids: list[Row] = []
        self._new_entries: list[Row] = []
        self._changed_items: set[ItemKey] = set()
        self._platform_years: dict[PlatformYearKey, Decimal] = {}
        self._changed_platform_years: set[PlatformYearKey] = set()

    async def load(
        self,
        items: Iterable[ItemKey],
        attendances: Iterable[AttendanceRef] = (),
        arriving: Iterable[Row] = (),
    ) -> None:
        """Read the settlement state of ``items`` and of the items of ``attendances`` (those of them applied
        before), with every void that concerns them or the ``arriving`` attendances (a void may come first), and
        the yearly totals per platform of the study outside sessions among them."""
        named, new = list(attendances), list(arriving)
        await self._read_attendances([ref for ref in named if ref not in self._attendances])
        await self._read_items([key for key in dict.fromkeys([*items, *self._items]) if key not in self._loaded])
        await self._read_voids([*named, *map(_ref, new), *self._attendances])
        await self._read_platform_years(
            [
                _platform_year(row)
                for row in [*self._attendances.values(), *new]
                if row["activity_platform"] in self._capped
            ]
        )

    async def read_attendances(self, refs: list[AttendanceRef]) -> list[Row]:
        """The rows of those of ``refs`` that were applied (not their items' state: see ``load``)."""
        await self._read_attendances([ref for ref in refs if ref not in self._attendances])
        return [self._attendances[ref] for ref in refs if ref in self._attendances]

    async def _read_attendances(self, refs: list[AttendanceRef]) -> None:
        rows = await rows_matching(
            self._uow.session, table_of(Attendance), ["source", "event_id"], [(ref.source, ref.id) for ref in refs]
        )
        for row in rows:
            self._remember(dict(row))

    async def _read_items(self, keys: list[ItemKey]) -> None:
        """The standing credit and every attendance of each item."""
        for key in keys:
            self._items.setdefault(key, _Item(*key))
        self._loaded.update(keys)
        session = self._uow.session
        for row in await rows_matching(session, table_of(LedgerItem), ["person_id", "item"], keys):
            item = self._items[(row["person_id"], row["item"])]
            if row["standing_entry_id"] is not None:
                item.standing = StandingCredit(
                    row["standing_entry_id"],
                    AttendanceRef(row["standing_source"], row["standing_event_id"]),
                    row["standing_hours"],
                )
            item.announced = (row["attendance_status"], row["attendance_minutes"])
            item.revision = row["attendance_revision"]
        for row in await rows_matching(session, table_of(Attendance), ["person_id", "item"], keys):
            self._remember(dict(row))

    async def _read_voids(self, refs: list[AttendanceRef]) -> None:
        unknown = [ref for ref in dict.fromkeys(refs) if ref not in self._void_checked]
        self._void_checked.update(unknown)
        rows = await rows_matching(
            self._uow.session,
            table_of(AttendanceVoid),
            ["voided_source", "voided_event_id"],
            [(ref.source, ref.id) for ref in unknown],
            ["voided_source", "voided_event_id", "reason"],
        )
        self._voids.update({AttendanceRef(row["voided_source"], row["voided_event_id"]): row["reason"] for row in rows})

    async def _read_platform_years(self, keys: list[PlatformYearKey]) -> None:
        unknown = [key for key in dict.fromkeys(keys) if key not in self._platform_years]
        if not unknown:
            return
        keys_of = ["person_id", "platform", "year"]
        rows = await rows_matching(self._uow.session, table_of(PlatformYear), keys_of, unknown)
        self._platform_years.update({(row["person_id"], row["platform"], row["year"]): row["hours"] for row in rows})
        missing = [key for key in unknown if key not in self._platform_years]
        if missing:
            # Not kept yet: nothing credited from there that year, or credited before a rule capped the platform.
            # Counted once from the person's lines of that year (by index), kept as state from then on.
            self._platform_years.update(await self._held_on_the_ledger(missing))
            self._changed_platform_years.update(missing)

    async def _held_on_the_ledger(self, keys: list[PlatformYearKey]) -> dict[PlatformYearKey, Decimal]:
        held = dict.fromkeys(keys, ZERO)
        ledger, attendance = table_of(LedgerEntry), table_of(Attendance)
        same_attendance = (attendance.c.source == ledger.c.attendance_source) & (
            attendance.c.event_id == ledger.c.attendance_event_id
        )
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            lines = await execute(
                self._uow.session,
                select(ledger.c.person_id, attendance.c.activity_platform, ledger.c.year, ledger.c.kind, ledger.c.hours)
                .select_from(ledger.join(attendance, same_attendance))
                .where(
                    tuple_(ledger.c.person_id, ledger.c.year).in_([(person, year) for person, _, year in chunk]),
                    attendance.c.activity_platform.in_(sorted({platform for _, platform, _ in chunk})),
                ),
            )
            for person_id, platform, year, kind, hours in lines:
                key = (person_id, platform, year)
                if key in held:
                    held[key] += hours if kind == EntryKind.CREDIT else -hours
        return held

    def held_from_platform(self, attendance: Row) -> Decimal:
        """学时 the ledger holds for the attendance's person from its platform in its year, its own item apart:
        what a yearly cap on that platform has left room for (read by ``load``)."""
        held = self._platform_years[_platform_year(attendance)]
        item = self._items.get((attendance["person_id"], attendance["item"]))
        own = item.standing.hours if item is not None and item.standing is not None else ZERO
        return held - own

    def _remember(self, row: Row) -> None:
        ref = _ref(row)
        if ref in self._attendances:
            return
        self._attendances[ref] = row
        item = self._items.setdefault((row["person_id"], row["item"]), _Item(row["person_id"], row["item"]))
        item.attendances.append(row)
        # Of equal credits the earliest attendance wins: the order is the attendances' own, whatever order they
        # arrived or are replayed in.
        item.attendances.sort(key=lambda a: (a["occurred_at"], a["source"], a["event_id"]))

    def unsaved_entries_of(self, person_id: str) -> list[Row]:
        """The lines posted for ``person_id`` since the last save (not in the database yet)."""
        return [entry for entry in self._new_entries if entry["person_id"] == person_id]

    def knows(self, attendance: AttendanceRef) -> bool:
        return attendance in self._attendances

    def attendance(self, attendance: AttendanceRef) -> Row | None:
        return self._attendances.get(attendance)

    def is_voided(self, attendance: AttendanceRef) -> bool:
        return attendance in self._voids

    def record(self, attendance: Row, cause: CloudEvent) -> list[Row]:
        """Keep an attendance with what it earns (even nothing), then bring its item to the best that stands;
        returns the lines posted."""
        self._new_attendances.append(attendance)
        self._remember(attendance)
        return self._settle(self._items[(attendance["person_id"], attendance["item"])], cause)

    def void(self, void: Row, cause: CloudEvent) -> list[Row]:
        """Keep a void; if its attendance is known, its item loses what that attendance earned. Returns the lines
        posted."""
        voided = AttendanceRef(void["voided_source"], void["voided_event_id"])
        self._new_voids.append(void)
        self._voids[voided] = void["reason"]
        attendance = self._attendances.get(voided)
        if attendance is None:
            return []
        return self._settle(self._items[(attendance["person_id"], attendance["item"])], cause)

    def _settle(self, item: _Item, cause: CloudEvent) -> list[Row]:
        standing = item.standing
        settlement = settle(
            standing=[standing] if standing else [],
            attendances=[
                CreditedAttendance(_ref(row), Credit(row["credit_hours"], row["rule"], row["reason"]))
                for row in item.attendances
            ],
            voided={_ref(row): self._voids[_ref(row)] for row in item.attendances if _ref(row) in self._voids},
        )
        posted: list[Row] = []
        if settlement.changes_ledger:
            best = self._attendances[settlement.credit.attendance] if settlement.credit is not None else None
            credit_id = credit_entry_id(settlement.credit.attendance, cause) if settlement.credit is not None else None
            for reversal in settlement.reversals:
                assert standing is not None  # only a standing credit is ever reversed
                # A correction names the credit that replaces it; a credit toward another class replaces nothing.
                taken_back = self._attendances[standing.attendance]
                replaced = best is not None and best["class_id"] == taken_back["class_id"]
                posted.append(
                    self._post_reversal(standing, taken_back, reversal.reason, cause, credit_id if replaced else None)
                )
            item.standing = None
            if best is not None and settlement.credit is not None and credit_id is not None:
                posted.append(self._post_credit(credit_id, best, settlement.credit.credit, cause))
                item.standing = StandingCredit(credit_id, _ref(best), settlement.credit.credit.hours)
            self._changed_items.add((item.person_id, item.item))
        else:
            log.debug("ledger unchanged", person_id=item.person_id, item=item.item, reason=settlement.reason)
        if item.attendances and item.attendances[0]["session_id"] is not None:
            self._announce_attendance(item, held_before=standing.hours if standing else ZERO, cause=cause)
        return posted

    def _announce_attendance(self, item: _Item, held_before: Decimal, cause: CloudEvent) -> None:
        """Announce what the learner's record of the session shows, if that changed: the attendance that stands,
        its minutes and the 学时 the ledger holds for it."""
        stands = attendance_that_stands(
            [ReportedAttendance(_ref(row), row["status"], row["minutes"]) for row in item.attendances],
            voided=self._voids.keys(),
            credited=item.standing.attendance if item.standing is not None else None,
        )
        shown = (stands.status, stands.minutes) if stands is not None else (NO_ATTENDANCE, None)
        held = item.standing.hours if item.standing is not None else ZERO
        if (shown, held) == (item.announced, held_before):
            return
        item.announced, item.revision = shown, item.revision + 1
        self._changed_items.add((item.person_id, item.item))
        row = self._attendances[stands.attendance] if stands is not None else item.attendances[-1]
        self._uow.emit(
            SessionAttendanceChanged(
                person_id=item.person_id,
                session_id=row["session_id"],
                class_id=row["class_id"],
                status=shown[0],
                minutes=shown[1],
                hours=held,
                revision=item.revision,
            ),
            cause=cause,
        )

    def _post_credit(self, entry_id: str, attendance: Row, credit: Credit, cause: CloudEvent) -> Row:
        entry = _entry_for(attendance) | {
            "entry_id": entry_id,
            "kind": EntryKind.CREDIT.value,
            "hours": credit.hours,
            "rule": credit.rule,
            "reason": credit.reason,
            "reverses_entry_id": None,
            "posted_at": cause.time,
        }
        self._new_entries.append(entry)
        self._add_to_platform_year(attendance, credit.hours)
        self._uow.emit(
            HoursCredited(
                entry_id=entry_id,
                person_id=entry["person_id"],
                year=entry["year"],
                hours=credit.hours,
                class_id=entry["class_id"],
                session_id=entry["session_id"],
                activity_id=entry["activity_id"],
                rule=credit.rule,
                reason=credit.reason,
                attendance=EventReference(source=attendance["source"], id=attendance["event_id"]),
                channel=entry["channel"],
                category=entry["category"],
                trained_on=entry["trained_on"],
                platform=attendance["activity_platform"],
            ),
            cause=cause,
        )
        return entry

    def _post_reversal(
        self, credit: StandingCredit, attendance: Row, reason: str, cause: CloudEvent, replaced_by: str | None
    ) -> Row:
        entry = _entry_for(attendance) | {
            "entry_id": reversal_entry_id(credit.entry_id),
            "kind": EntryKind.REVERSAL.value,
            "hours": credit.hours,
            "rule": attendance["rule"],  # the rule the hours taken back were credited by
            "reason": reason,
            "reverses_entry_id": credit.entry_id,
            "posted_at": cause.time,
        }
        self._new_entries.append(entry)
        self._add_to_platform_year(attendance, -credit.hours)
        self._uow.emit(
            HoursReversed(
                entry_id=entry["entry_id"],
                reverses_entry_id=credit.entry_id,
                replaced_by_entry_id=replaced_by,
                person_id=entry["person_id"],
                year=entry["year"],
                hours=entry["hours"],
                class_id=entry["class_id"],
                session_id=entry["session_id"],
                activity_id=entry["activity_id"],
                reason=reason,
                channel=entry["channel"],
                category=entry["category"],
                trained_on=entry["trained_on"],
            ),
            cause=cause,
        )
        return entry

    def _add_to_platform_year(self, attendance: Row, hours: Decimal) -> None:
        if attendance["activity_platform"] not in self._capped:
            return
        key = _platform_year(attendance)
        self._platform_years[key] = self._platform_years[key] + hours
        self._changed_platform_years.add(key)

    async def save(self) -> None:
        """Write what this batch posted: attendances, voids, ledger lines, and the items' new state."""
        session = self._uow.session
        await insert_many(session, table_of(Attendance), self._new_attendances)
        await insert_many(session, table_of(AttendanceVoid), self._new_voids)
        await insert_many(session, table_of(LedgerEntry), self._new_entries)
        await upsert_many(
            session,
            table_of(LedgerItem),
            [_item_row(self._items[key]) for key in sorted(self._changed_items)],
            key=["person_id", "item"],
        )
        await upsert_many(
            session,
            table_of(PlatformYear),
            [
                {"person_id": person_id, "platform": platform, "year": year, "hours": self._platform_years[key]}
                for key in sorted(self._changed_platform_years)
                for person_id, platform, year in [key]
            ],
            key=["person_id", "platform", "year"],
        )
        self._new_attendances, self._new_voids, self._new_entries = [], [], []
        self._changed_items, self._changed_platform_years = set(), set()


def _entry_for(attendance: Row) -> Row:
    """The columns a ledger line takes from the attendance it is about."""
    return {
        "person_id": attendance["person_id"],
        "year": attendance["year"],
        "item": attendance["item"],
        "class_id": attendance["class_id"],
        "session_id": attendance["session_id"],
        "activity_id": attendance["activity_id"],
        "channel": attendance["channel"],
        "category": attendance["category"],
        "trained_on": attendance["trained_on"],
        "attendance_source": attendance["source"],
        "attendance_event_id": attendance["event_id"],
    }


def _platform_year(attendance: Row) -> PlatformYearKey:
    return attendance["person_id"], attendance["activity_platform"], attendance["year"]


def _item_row(item: _Item) -> Row:
    standing = item.standing
    return {
        "person_id": item.person_id,
        "item": item.item,
        "standing_entry_id": standing.entry_id if standing else None,
        "standing_hours": standing.hours if standing else None,
        "standing_source": standing.attendance.source if standing else None,
        "standing_event_id": standing.attendance.id if standing else None,
        "attendance_status": item.announced[0],
        "attendance_minutes": item.announced[1],
        "attendance_revision": item.revision,
    }
