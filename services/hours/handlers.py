"""How the 学时 (training hour) ledger changes: one function per event consumed or command received.

Handlers work in the caller's unit of work and never commit: the consumer, or the HTTP route, commits the effect,
the inbox record and the outbox rows together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select

from services.hours.domain.crediting import Credit, ScheduledSession, credit_activity, credit_session
from services.hours.domain.ledger import (
    AttendanceRef,
    CreditedAttendance,
    EntryKind,
    StandingCredit,
    activity_item,
    ledger_year,
    session_item,
    settle,
)
from services.hours.models import (
    Attendance,
    AttendanceVoid,
    ClassSession,
    IngestOutcome,
    IngestReceipt,
    IngestReport,
    IngestResult,
    LedgerEntry,
    ParkedAttendance,
    Person,
    TrainingClass,
)
from shared.auth import Principal
from shared.consumer import EventHandlers, Outcome
from shared.events.contracts import (
    ATTENDANCE_TOPIC,
    AttendanceRecorded,
    AttendanceVoided,
    ClassCreated,
    HoursCredited,
    HoursReversed,
    PersonRegistered,
    SessionScheduled,
    contracts_on,
)
from shared.events.envelope import CloudEvent, ContractViolation, EventData, parse_data, parse_event
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)
handlers = EventHandlers()

# What the HTTP door accepts: the attendance contract, whatever the topic is called in this deployment.
ATTENDANCE_CONTRACTS = contracts_on(ATTENDANCE_TOPIC)


def new_entry_id() -> str:
    return f"entry-{uuid.uuid4().hex}"


# ── dangxiao.enrollment.v1: the facts the ledger needs, kept as this service's own copy ────────────────────


@handlers.on(ClassCreated)
async def handle_class_created(uow: UnitOfWork, event: CloudEvent, data: ClassCreated) -> Outcome | None:
    await uow.session.merge(
        TrainingClass(class_id=data.class_id, title=data.title, year=data.year, required_hours=data.required_hours)
    )
    return None


@handlers.on(SessionScheduled)
async def handle_session_scheduled(uow: UnitOfWork, event: CloudEvent, data: SessionScheduled) -> Outcome | None:
    # Attendance for this session, handled concurrently, either sees the session or is parked before we look.
    await uow.lock(_session_lock(data.session_id))
    # A repeat updates the copy for attendance still to come; credits already posted stand (never edited in place).
    await uow.session.merge(
        ClassSession(
            session_id=data.session_id,
            class_id=data.class_id,
            starts_at=data.starts_at,
            duration_minutes=data.duration_minutes,
            hours=data.hours,
            year=ledger_year(data.starts_at),
        )
    )
    await _apply_parked(uow, col(ParkedAttendance.session_id) == data.session_id)
    return None


@handlers.on(PersonRegistered)
async def handle_person_registered(uow: UnitOfWork, event: CloudEvent, data: PersonRegistered) -> Outcome | None:
    await uow.lock(_person_lock(data.person_id))
    await uow.session.merge(Person(person_id=data.person_id, name=data.name))
    await _apply_parked(uow, col(ParkedAttendance.person_id) == data.person_id)
    return None


# ── dangxiao.attendance.v1 ───────────────────────────────────────────────────────────────────────────────────


@handlers.on(AttendanceRecorded)
async def handle_attendance_recorded(uow: UnitOfWork, event: CloudEvent, data: AttendanceRecorded) -> Outcome:
    # The person's ledger, the session it may wait for, and any void of this very attendance take turns with us.
    session_locks = [_session_lock(data.session_id)] if data.session_id else []
    await uow.lock(_person_lock(data.person_id), *session_locks, _attendance_lock(event.source, event.id))
    session, missing = await _resolve(uow, data)
    if missing:
        uow.session.add(
            ParkedAttendance(
                source=event.source,
                event_id=event.id,
                person_id=data.person_id,
                session_id=data.session_id,
                event_json=event.to_json().decode(),
            )
        )
        log.info("attendance parked until what it refers to is known", waiting_for=missing)
        return Outcome.PARKED
    await _apply_attendance(uow, event, data, session)
    return Outcome.APPLIED


@handlers.on(AttendanceVoided)
async def handle_attendance_voided(uow: UnitOfWork, event: CloudEvent, data: AttendanceVoided) -> Outcome | None:
    voided = (data.voids.source, data.voids.id)
    await uow.lock(_attendance_lock(*voided))
    if await uow.session.get(AttendanceVoid, voided) is not None:
        log.info("attendance already voided; nothing more to take back", voids=data.key())
        return None
    uow.session.add(
        AttendanceVoid(
            voided_source=data.voids.source,
            voided_event_id=data.voids.id,
            void_source=event.source,
            void_event_id=event.id,
            reason=data.reason,
        )
    )
    attendance = await uow.session.get(Attendance, voided)
    if attendance is None:
        # Not applied yet (still on its way, or parked): the void is kept, and that attendance will earn nothing.
        log.info("void kept for an attendance not applied yet", voids=data.key())
        return Outcome.PARKED
    # Known only now: whose ledger changes. Should that wait form a circle, PostgreSQL breaks it and we retry.
    await uow.lock(_person_lock(attendance.person_id))
    await _settle(uow, attendance.person_id, attendance.item)
    return None


def _person_lock(person_id: str) -> str:
    return f"person:{person_id}"


def _session_lock(session_id: str) -> str:
    return f"session:{session_id}"


def _attendance_lock(source: str, event_id: str) -> str:
    return f"attendance:{source}/{event_id}"


async def _resolve(uow: UnitOfWork, data: AttendanceRecorded) -> tuple[ClassSession | None, list[str]]:
    """The session an attendance is for (if any), and what it still waits for before it can count."""
    missing = []
    if await uow.session.get(Person, data.person_id) is None:
        missing.append(f"person {data.person_id}")
    session = None
    if data.session_id is not None:
        session = await uow.session.get(ClassSession, data.session_id)
        if session is None:
            missing.append(f"session {data.session_id}")
    return session, missing


async def _apply_parked(uow: UnitOfWork, waiting_for_this: ColumnElement[bool]) -> None:
    """Apply, in the order they were parked, the attendances that now know both their person and session."""
    parked = (
        await uow.session.exec(
            select(ParkedAttendance).where(waiting_for_this).order_by(col(ParkedAttendance.parked_at))
        )
    ).all()
    # Whose ledgers change, and which voids may concern them (a circle of waits is broken by a retry).
    await uow.lock(
        *(_person_lock(row.person_id) for row in parked),
        *(_attendance_lock(row.source, row.event_id) for row in parked),
    )
    for row in parked:
        event = CloudEvent.model_validate_json(row.event_json)
        data = AttendanceRecorded.model_validate(event.data)
        session, missing = await _resolve(uow, data)
        if missing:
            continue
        await _apply_attendance(uow, event, data, session)
        await uow.session.delete(row)
        log.info("parked attendance applied", attendance_source=event.source, attendance_id=event.id)


async def _apply_attendance(
    uow: UnitOfWork, event: CloudEvent, data: AttendanceRecorded, session: ClassSession | None
) -> None:
    """Keep the attendance with what it earns (even nothing), then bring its ledger line to the best that stands.

    The attendance's primary key (source, id) makes a second application fail loudly instead of crediting twice.
    """
    if session is not None:
        credit = credit_session(data.status, data.minutes, ScheduledSession(session.hours, session.duration_minutes))
        item, year, class_id = session_item(session.session_id), session.year, session.class_id
    else:
        assert data.activity is not None  # the contract: exactly one of session_id and activity
        credit = credit_activity(data.status, data.hours, data.minutes, data.activity.platform)
        item, year, class_id = activity_item(data.activity.platform, data.activity.id), ledger_year(event.time), None
    uow.session.add(
        Attendance(
            source=event.source,
            event_id=event.id,
            person_id=data.person_id,
            item=item,
            session_id=data.session_id,
            activity_id=data.activity.id if data.activity else None,
            activity_platform=data.activity.platform if data.activity else None,
            class_id=class_id,
            year=year,
            status=data.status.value,
            channel=data.effective_channel.value,
            minutes=data.minutes,
            reported_hours=data.hours,
            occurred_at=event.time,
            credit_hours=credit.hours,
            rule=credit.rule,
            reason=credit.reason,
        )
    )
    await _settle(uow, data.person_id, item)


async def _settle(uow: UnitOfWork, person_id: str, item: str) -> None:
    """Post what brings a person's credit for one item to the best that stands (see domain.ledger.settle)."""
    of_item = and_(col(Attendance.person_id) == person_id, col(Attendance.item) == item)
    attendances = (
        await uow.session.exec(
            select(Attendance).where(of_item).order_by(col(Attendance.received_at), col(Attendance.event_id))
        )
    ).all()
    voids = (
        await uow.session.exec(
            select(AttendanceVoid)
            .join(
                Attendance,
                and_(
                    col(AttendanceVoid.voided_source) == col(Attendance.source),
                    col(AttendanceVoid.voided_event_id) == col(Attendance.event_id),
                ),
            )
            .where(of_item)
        )
    ).all()
    reversed_ids = select(LedgerEntry.reverses_entry_id).where(col(LedgerEntry.reverses_entry_id).is_not(None))
    standing = (
        await uow.session.exec(
            select(LedgerEntry).where(
                col(LedgerEntry.person_id) == person_id,
                col(LedgerEntry.item) == item,
                col(LedgerEntry.kind) == EntryKind.CREDIT,
                col(LedgerEntry.entry_id).not_in(reversed_ids),
            )
        )
    ).all()

    attendance_by_ref = {AttendanceRef(a.source, a.event_id): a for a in attendances}
    entry_by_id = {entry.entry_id: entry for entry in standing}
    settlement = settle(
        standing=[
            StandingCredit(e.entry_id, AttendanceRef(e.attendance_source, e.attendance_event_id), e.hours)
            for e in standing
        ],
        attendances=[
            CreditedAttendance(ref, Credit(a.credit_hours, a.rule, a.reason)) for ref, a in attendance_by_ref.items()
        ],
        voided={AttendanceRef(v.voided_source, v.voided_event_id): v.reason for v in voids},
    )
    if not settlement.changes_ledger:
        log.info("ledger unchanged", person_id=person_id, item=item, reason=settlement.reason)
        return
    # A correction: the new credit's id is minted before the reversals it follows so that each can name it, and a
    # consumer judges the person's hours once both have arrived rather than in between (certificates would
    # otherwise revoke a valid certificate, then issue another). A credit toward another class replaces nothing.
    best = attendance_by_ref[settlement.credit.attendance] if settlement.credit is not None else None
    credit_id = new_entry_id()
    for reversal in settlement.reversals:
        taken_back = entry_by_id[reversal.entry.entry_id]
        replaced = best is not None and best.class_id == taken_back.class_id
        _post_reversal(uow, taken_back, reversal.reason, replaced_by_entry_id=credit_id if replaced else None)
    if best is not None and settlement.credit is not None:
        _post_credit(uow, credit_id, best, settlement.credit.credit)
    log.info("ledger settled", person_id=person_id, item=item, reason=settlement.reason)


def _post_credit(uow: UnitOfWork, entry_id: str, attendance: Attendance, credit: Credit) -> None:
    entry = LedgerEntry(
        entry_id=entry_id,
        person_id=attendance.person_id,
        year=attendance.year,
        kind=EntryKind.CREDIT,
        hours=credit.hours,
        item=attendance.item,
        class_id=attendance.class_id,
        session_id=attendance.session_id,
        activity_id=attendance.activity_id,
        rule=credit.rule,
        reason=credit.reason,
        attendance_source=attendance.source,
        attendance_event_id=attendance.event_id,
    )
    uow.session.add(entry)
    uow.emit(HoursCredited.model_validate(entry, from_attributes=True))


def _post_reversal(uow: UnitOfWork, credit: LedgerEntry, reason: str, replaced_by_entry_id: str | None) -> None:
    """Take back ``credit``; ``replaced_by_entry_id`` names the credit posted right after it, if any."""
    entry = LedgerEntry(
        entry_id=new_entry_id(),
        person_id=credit.person_id,
        year=credit.year,
        kind=EntryKind.REVERSAL,
        hours=credit.hours,
        item=credit.item,
        class_id=credit.class_id,
        session_id=credit.session_id,
        activity_id=credit.activity_id,
        reason=reason,
        attendance_source=credit.attendance_source,
        attendance_event_id=credit.attendance_event_id,
        reverses_entry_id=credit.entry_id,
    )
    uow.session.add(entry)
    reversed_event = HoursReversed.model_validate(entry, from_attributes=True)
    uow.emit(reversed_event.model_copy(update={"replaced_by_entry_id": replaced_by_entry_id}))


# ── POST /attendance: the HTTP door to the attendance topic ────────────────────────────────────────────────


async def ingest_attendance(uow: UnitOfWork, documents: Sequence[Any], topic: str, sender: Principal) -> IngestReport:
    """Accept attendance events sent over HTTP, each exactly once.

    A valid new event is forwarded unchanged to the attendance topic and takes effect through the consumer, like
    one sent to Kafka directly: this credits nothing itself. The receipt, keyed by (source, id), answers repeats.
    """
    return IngestReport.of([await _ingest_one(uow, document, topic, sender) for document in documents])


async def _ingest_one(uow: UnitOfWork, document: Any, topic: str, sender: Principal) -> IngestResult:
    source, event_id = _claimed_identity(document)
    try:
        event = parse_event(document)
        model = ATTENDANCE_CONTRACTS.get(event.type)
        if model is None:
            raise ContractViolation(
                "not-attendance",
                f"type {event.type!r} is not an attendance event; expected {' or '.join(ATTENDANCE_CONTRACTS)}",
            )
        data = parse_data(event, model)
        # A system speaks only for itself: it may neither send as another nor take back another's attendance.
        claimed = [event.source, *([data.voids.source] if isinstance(data, AttendanceVoided) else [])]
        for source in claimed:
            if not sender.may_send_as(source):
                raise ContractViolation("source-not-allowed", f"this sender may not send as {source!r}")
    except ContractViolation as violation:
        return IngestResult(
            source=source, id=event_id, outcome=IngestOutcome.REJECTED, reason=f"{violation.code}: {violation.message}"
        )

    receipt = await uow.session.get(IngestReceipt, (event.source, event.id))
    if receipt is not None:
        if receipt.digest == event.digest():
            return IngestResult(source=event.source, id=event.id, outcome=IngestOutcome.DUPLICATE)
        return IngestResult(
            source=event.source,
            id=event.id,
            outcome=IngestOutcome.REJECTED,
            reason="conflict: (source, id) already received with different content",
        )
    uow.session.add(
        IngestReceipt(
            source=event.source,
            event_id=event.id,
            event_type=event.type,
            digest=event.digest(),
            received_by=sender.subject,
        )
    )
    uow.forward(event, topic, key=_record_key(event, data))
    # Now, so that a repeat later in the same batch finds the receipt and the outbox row.
    await uow.session.flush()
    return IngestResult(source=event.source, id=event.id, outcome=IngestOutcome.ACCEPTED)


def _claimed_identity(document: Any) -> tuple[str | None, str | None]:
    """(source, id) as the sender wrote them, to name in the answer even an event that is rejected."""
    if not isinstance(document, dict):
        return None, None
    return _echoable(document.get("source")), _echoable(document.get("id"))


def _echoable(value: Any) -> str | None:
    """A claimed value fit to repeat in the answer: text of sensible length that JSON can carry."""
    if not isinstance(value, str) or len(value) > 255:
        return None
    try:
        value.encode()
    except UnicodeEncodeError:
        return None
    return value


def _record_key(event: CloudEvent, data: EventData) -> str:
    """The person id, so one person's records stay in order. A void names no person in its data, but its subject
    usually does (the contract recommends it), which keeps it behind the attendance it takes back."""
    if isinstance(data, AttendanceRecorded):
        return data.person_id
    return event.subject or data.key()
