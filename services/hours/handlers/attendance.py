"""Attendance into the 学时 ledger: a batch of attendances (or voids) at a time, each settled by the domain's rules.

Attendance for a person or session not known yet is parked until it is (the shared projection helper's parking).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from services.hours.domain.crediting import ScheduledSession, credit_activity, credit_session
from services.hours.domain.ledger import AttendanceRef, activity_item, ledger_day, ledger_year, session_item
from services.hours.handlers.projections import PROJECTIONS
from services.hours.models import ProjectedClass, ProjectedSession
from services.hours.repository import LedgerRepository
from shared.consumer import Delivery, Outcome
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceVoided
from shared.events.envelope import CloudEvent
from shared.projection import reference
from shared.unit_of_work import UnitOfWork


def attendance_lock(attendance: AttendanceRef) -> str:
    """An attendance and any void of it take turns."""
    return f"attendance:{attendance}"


def _ref(event: CloudEvent) -> AttendanceRef:
    return AttendanceRef(event.source, event.id)


def _references(data: AttendanceRecorded) -> set[str]:
    """What must be known before an attendance counts: its person and, for a session, the session."""
    needed = {reference("person", data.person_id)}
    if data.session_id is not None:
        needed.add(reference("session", data.session_id))
    return needed


async def record_attendance(uow: UnitOfWork, deliveries: Sequence[Delivery[AttendanceRecorded]]) -> list[Outcome]:
    await uow.lock(*(attendance_lock(_ref(delivery.event)) for delivery in deliveries))
    # Locks each person and session too: whoever makes them known, and whoever else settles their ledger, waits.
    missing = await PROJECTIONS.missing(uow, {name for d in deliveries for name in _references(d.data)})
    ready = [delivery for delivery in deliveries if not _references(delivery.data) & missing]
    sessions = await _sessions(uow, {d.data.session_id for d in ready if d.data.session_id is not None})
    categories = await _categories(uow, {session.class_id for session in sessions.values()})
    rows = {delivery.event.id: _attendance_row(delivery, sessions, categories) for delivery in ready}
    ledger = LedgerRepository(uow)
    await ledger.load(
        [(row["person_id"], row["item"]) for row in rows.values()],
        arriving=[_ref(delivery.event) for delivery in ready],
    )
    outcomes = []
    for delivery in deliveries:
        waiting_for = _references(delivery.data) & missing
        if waiting_for:
            await uow.park(delivery.event, waiting_for)
            outcomes.append(Outcome.PARKED)
            continue
        ledger.record(rows[delivery.event.id], cause=delivery.event)
        outcomes.append(Outcome.APPLIED)
    await ledger.save()
    return outcomes


async def void_attendance(uow: UnitOfWork, deliveries: Sequence[Delivery[AttendanceVoided]]) -> list[Outcome]:
    voided = [AttendanceRef(d.data.voids.source, d.data.voids.id) for d in deliveries]
    await uow.lock(*(attendance_lock(ref) for ref in voided))
    ledger = LedgerRepository(uow)
    known = await ledger.read_attendances(voided)
    # Known only now: whose ledgers change.
    await uow.lock(*(reference("person", row["person_id"]) for row in known))
    await ledger.load((), voided)
    outcomes = []
    for delivery, ref in zip(deliveries, voided, strict=True):
        if ledger.is_voided(ref):
            outcomes.append(Outcome.IGNORED)  # voided already: nothing more to take back
            continue
        ledger.void(
            {
                "voided_source": ref.source,
                "voided_event_id": ref.id,
                "void_source": delivery.event.source,
                "void_event_id": delivery.event.id,
                "reason": delivery.data.reason,
                "voided_at": delivery.event.time,
            },
            cause=delivery.event,
        )
        # A void of an attendance still on its way is kept: that attendance will earn nothing.
        outcomes.append(Outcome.APPLIED if ledger.knows(ref) else Outcome.PARKED)
    await ledger.save()
    return outcomes


async def _sessions(uow: UnitOfWork, session_ids: set[str]) -> dict[str, ProjectedSession]:
    if not session_ids:
        return {}
    rows = await uow.session.exec(select(ProjectedSession).where(col(ProjectedSession.session_id).in_(session_ids)))
    return {row.session_id: row for row in rows.all()}


async def _categories(uow: UnitOfWork, class_ids: set[str]) -> dict[str, str]:
    if not class_ids:
        return {}
    rows = await uow.session.exec(select(ProjectedClass).where(col(ProjectedClass.class_id).in_(class_ids)))
    return {row.class_id: row.category for row in rows.all()}


def _attendance_row(
    delivery: Delivery[AttendanceRecorded], sessions: dict[str, ProjectedSession], categories: dict[str, str]
) -> dict[str, Any]:
    """The attendance as the ledger keeps it, with what it earns by the rules."""
    event, data = delivery.event, delivery.data
    if data.session_id is not None:
        session = sessions[data.session_id]
        credit = credit_session(data.status, data.minutes, ScheduledSession(session.hours, session.duration_minutes))
        item, class_id, trained_at = session_item(session.session_id), session.class_id, session.starts_at
        category = categories.get(session.class_id)
    else:
        assert data.activity is not None  # the contract: exactly one of session_id and activity
        credit = credit_activity(data.status, data.hours, data.minutes, data.activity.platform)
        item, class_id, trained_at = activity_item(data.activity.platform, data.activity.id), None, event.time
        category = None
    return {
        "source": event.source,
        "event_id": event.id,
        "person_id": data.person_id,
        "item": item,
        "session_id": data.session_id,
        "activity_id": data.activity.id if data.activity else None,
        "activity_platform": data.activity.platform if data.activity else None,
        "class_id": class_id,
        "category": category,
        "year": ledger_year(trained_at),
        "trained_on": ledger_day(trained_at),
        "status": data.status.value,
        "channel": data.effective_channel.value,
        "minutes": data.minutes,
        "reported_hours": data.hours,
        "occurred_at": event.time,
        "credit_hours": credit.hours,
        "rule": credit.rule,
        "reason": credit.reason,
    }
