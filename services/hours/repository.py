"""The 学时 ledger's storage: what settlements need, read for a whole batch of events at once, and what they post,
written back in bulk. The rules themselves are in ``domain``; handlers say what happened.

Ids derive from their cause (an entry from the attendance it credits and the event that caused the posting, a
reversal from the credit it takes back), and a line's time is its cause's time, so replaying the topics posts the
very same ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.hours.domain.crediting import Credit
from services.hours.domain.ledger import AttendanceRef, CreditedAttendance, EntryKind, StandingCredit, settle
from services.hours.models import Attendance, AttendanceVoid, LedgerEntry, LedgerItem
from shared.db import insert_many, rows_matching, table_of, upsert_many
from shared.events.contracts.common import EventReference
from shared.events.contracts.hours import HoursCredited, HoursReversed
from shared.events.envelope import CloudEvent
from shared.ids import derived_uuid
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

ENTRY_ID_NAMESPACE = uuid.UUID("0b6c3f5e-2d41-5a7c-8e93-4f1a6b2d9c70")
ItemKey = tuple[str, str]  # (person id, thing studied)
Row = dict[str, Any]


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
    """One person's thing studied: its attendances in their order, and the credit the ledger holds for it."""

    person_id: str
    item: str
    attendances: list[Row] = field(default_factory=list)
    standing: StandingCredit | None = None


class LedgerRepository:
    """Settlement state of the items a batch touches, kept in memory for the batch and saved at its end."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._items: dict[ItemKey, _Item] = {}
        self._loaded: set[ItemKey] = set()  # items whose standing credit and attendances were read
        self._attendances: dict[AttendanceRef, Row] = {}
        self._voids: dict[AttendanceRef, str] = {}
        self._void_checked: set[AttendanceRef] = set()
        self._new_attendances: list[Row] = []
        self._new_voids: list[Row] = []
        self._new_entries: list[Row] = []
        self._changed_items: set[ItemKey] = set()

    async def load(
        self,
        items: Iterable[ItemKey],
        attendances: Iterable[AttendanceRef] = (),
        arriving: Iterable[AttendanceRef] = (),
    ) -> None:
        """Read the settlement state of ``items`` and of the items of ``attendances`` (those of them applied
        before), with every void that concerns them or the ``arriving`` attendances (a void may come first)."""
        named = list(attendances)
        await self._read_attendances([ref for ref in named if ref not in self._attendances])
        await self._read_items([key for key in dict.fromkeys([*items, *self._items]) if key not in self._loaded])
        await self._read_voids([*named, *arriving, *self._attendances])

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
            if row["standing_entry_id"] is not None:
                self._items[(row["person_id"], row["item"])].standing = StandingCredit(
                    row["standing_entry_id"],
                    AttendanceRef(row["standing_source"], row["standing_event_id"]),
                    row["standing_hours"],
                )
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

    def knows(self, attendance: AttendanceRef) -> bool:
        return attendance in self._attendances

    def attendance(self, attendance: AttendanceRef) -> Row | None:
        return self._attendances.get(attendance)

    def is_voided(self, attendance: AttendanceRef) -> bool:
        return attendance in self._voids

    def record(self, attendance: Row, cause: CloudEvent) -> None:
        """Keep an attendance with what it earns (even nothing), then bring its item to the best that stands."""
        self._new_attendances.append(attendance)
        self._remember(attendance)
        self._settle(self._items[(attendance["person_id"], attendance["item"])], cause)

    def void(self, void: Row, cause: CloudEvent) -> None:
        """Keep a void; if its attendance is known, its item loses what that attendance earned."""
        voided = AttendanceRef(void["voided_source"], void["voided_event_id"])
        self._new_voids.append(void)
        self._voids[voided] = void["reason"]
        attendance = self._attendances.get(voided)
        if attendance is not None:
            self._settle(self._items[(attendance["person_id"], attendance["item"])], cause)

    def _settle(self, item: _Item, cause: CloudEvent) -> None:
        standing = item.standing
        settlement = settle(
            standing=[standing] if standing else [],
            attendances=[
                CreditedAttendance(_ref(row), Credit(row["credit_hours"], row["rule"], row["reason"]))
                for row in item.attendances
            ],
            voided={_ref(row): self._voids[_ref(row)] for row in item.attendances if _ref(row) in self._voids},
        )
        if not settlement.changes_ledger:
            log.debug("ledger unchanged", person_id=item.person_id, item=item.item, reason=settlement.reason)
            return
        best = self._attendances[settlement.credit.attendance] if settlement.credit is not None else None
        credit_id = credit_entry_id(settlement.credit.attendance, cause) if settlement.credit is not None else None
        for reversal in settlement.reversals:
            assert standing is not None  # only a standing credit is ever reversed
            # A correction names the credit that replaces it; a credit toward another class replaces nothing.
            taken_back = self._attendances[standing.attendance]
            replaced = best is not None and best["class_id"] == taken_back["class_id"]
            self._post_reversal(standing, taken_back, reversal.reason, cause, credit_id if replaced else None)
        item.standing = None
        if best is not None and settlement.credit is not None and credit_id is not None:
            item.standing = self._post_credit(credit_id, best, settlement.credit.credit, cause)
        self._changed_items.add((item.person_id, item.item))

    def _post_credit(self, entry_id: str, attendance: Row, credit: Credit, cause: CloudEvent) -> StandingCredit:
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
            ),
            cause=cause,
        )
        return StandingCredit(entry_id, _ref(attendance), credit.hours)

    def _post_reversal(
        self, credit: StandingCredit, attendance: Row, reason: str, cause: CloudEvent, replaced_by: str | None
    ) -> None:
        entry = _entry_for(attendance) | {
            "entry_id": reversal_entry_id(credit.entry_id),
            "kind": EntryKind.REVERSAL.value,
            "hours": credit.hours,
            "rule": None,
            "reason": reason,
            "reverses_entry_id": credit.entry_id,
            "posted_at": cause.time,
        }
        self._new_entries.append(entry)
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
        self._new_attendances, self._new_voids, self._new_entries = [], [], []
        self._changed_items = set()


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


def _item_row(item: _Item) -> Row:
    standing = item.standing
    return {
        "person_id": item.person_id,
        "item": item.item,
        "standing_entry_id": standing.entry_id if standing else None,
        "standing_hours": standing.hours if standing else None,
        "standing_source": standing.attendance.source if standing else None,
        "standing_event_id": standing.attendance.id if standing else None,
    }
