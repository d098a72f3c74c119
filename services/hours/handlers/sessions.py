"""Two more doors for attendance at a session, both forwarding attendance events to the attendance topic:

- a class manager marks a whole session at once (present, late, left early, absent, excused, with minutes); marking
  a learner again records the new mark and voids the one before it, so the latest mark is what counts;
- a learner checks in with the code the class manager's screen shows, which changes every 30 seconds
  (``domain.checkin``); the check-in event's id names session, learner and the code's window, so the inbox, the
  one store of what was received, is what tells a code used twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.hours.access import ENROLLED, check_manages
from services.hours.domain.checkin import (
    Refused,
    ShownCode,
    UsedCode,
    attendance_for_check_in,
    shown_code,
    verify_check_in,
    window_at,
)
from services.hours.domain.ledger import SCHOOL_TIMEZONE
from services.hours.handlers.ingest import forward_attendance
from services.hours.models import (
    CheckInAccepted,
    MarkOutcome,
    MarkResult,
    ProjectedEnrollment,
    ProjectedSession,
    SessionMark,
    SessionMarks,
)
from shared.auth import Principal
from shared.db import execute, rows_matching, table_of, upsert_many
from shared.errors import CommandRejected, Forbidden, NotFound
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceStatus, AttendanceVoided
from shared.events.envelope import CloudEvent, EventData
from shared.unit_of_work import UnitOfWork

MARKS_SOURCE = "urn:dangxiao:hours:marks"
CHECK_IN_SOURCE = "urn:dangxiao:hours:check-in"
MARKED_BY = "markedby"  # CloudEvents extension: the class manager who marked
# A session's check-in opens this long before it starts, and closes when it ends.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)


# ── A class manager marks a session ────────────────────────────────────────────────────────────────────────────


async def mark_session(
    uow: UnitOfWork, session_id: str, marks: SessionMarks, *, manager: Principal, topic: str, now: datetime
) -> list[MarkResult]:
    """Record each learner's mark; a mark like the learner's last one changes nothing."""
    session = await _session(uow, session_id)
    await check_manages(uow.session, manager, session.class_id)
    persons = [mark.person_id for mark in marks.marks]
    if len(set(persons)) != len(persons):
        raise CommandRejected("each learner is marked once per request")
    not_enrolled = sorted(set(persons) - await _enrolled(uow, session.class_id, persons))
    if not_enrolled:
        raise CommandRejected(f"not enrolled in class {session.class_id}: {', '.join(not_enrolled)}")
    current = {
        row["person_id"]: row
        for row in await rows_matching(
            uow.session, table_of(SessionMark), ["session_id", "person_id"], [(session_id, p) for p in persons]
        )
    }
    results = []
    marked: list[CloudEvent] = []
    for mark in marks.marks:
        before = current.get(mark.person_id)
        if before is not None and (before["status"], before["minutes"]) == (mark.status.value, mark.minutes):
            results.append(MarkResult(person_id=mark.person_id, outcome=MarkOutcome.UNCHANGED, id=before["event_id"]))
            continue
        revision = before["revision"] + 1 if before is not None else 1
        data = AttendanceRecorded(
            person_id=mark.person_id, session_id=session_id, status=mark.status, minutes=mark.minutes
        )
        event = _event(
            MARKS_SOURCE, f"{session_id}/{mark.person_id}/{revision}", data, now, **{MARKED_BY: manager.subject}
        )
        forward_attendance(uow, event, data, topic)
        marked.append(event)
        if before is not None:
            # Recorded first, then the mark before it voided: the learner's record never shows nothing in between.
            void = AttendanceVoided(
                voids={"source": MARKS_SOURCE, "id": before["event_id"]},
                reason=f"marked again by {manager.subject}: {mark.status.value}",
            )
            forward_attendance(
                uow, _event(MARKS_SOURCE, f"{before['event_id']}/void", void, now, subject=mark.person_id), void, topic
            )
        results.append(MarkResult(person_id=mark.person_id, outcome=MarkOutcome.RECORDED, id=event.id))
    await keep_marks(uow, marked)
    return results


def mark_row(event: CloudEvent) -> dict[str, Any] | None:
    """The ``session_mark`` row of a mark the door forwarded; None for other events."""
    if event.source != MARKS_SOURCE or event.type != AttendanceRecorded.event_type:
        return None
    data = event.data
    return {
        "session_id": data["session_id"],
        "person_id": data["person_id"],
        "revision": int(event.id.rsplit("/", 1)[1]),
        "event_id": event.id,
        "status": data.get("status", AttendanceStatus.PRESENT.value),
        "minutes": data.get("minutes"),
        "marked_by": (event.model_extra or {}).get(MARKED_BY, ""),
        "marked_at": event.time,
    }


async def keep_marks(uow: UnitOfWork, events: Sequence[CloudEvent]) -> None:
    """Keep the latest mark of each learner and session (an older one arriving later changes nothing)."""
    rows = [row for event in events if (row := mark_row(event)) is not None]
    await upsert_many(uow.session, table_of(SessionMark), rows, key=["session_id", "person_id"], newer_by="revision")


# ── Self check-in by rotating code ─────────────────────────────────────────────────────────────────────────────


async def code_to_show(uow: UnitOfWork, session_id: str, manager: Principal, secret: bytes, now: datetime) -> ShownCode:
    """The code the class manager's screen shows now, and when it changes."""
    session = await _session(uow, session_id)
    await check_manages(uow.session, manager, session.class_id)
    return shown_code(secret, session_id, now)


async def check_in(
    uow: UnitOfWork, session_id: str, typed: str, *, learner: Principal, secret: bytes, topic: str, now: datetime
) -> CheckInAccepted:
    """A learner's check-in with the code they read: an attendance event if it is accepted, else the reason."""
    session = await _session(uow, session_id)
    person_id = learner.subject
    if not await _enrolled(uow, session.class_id, [person_id]):
        raise Forbidden(f"{person_id} is not enrolled in class {session.class_id}")
    opens, closes = _check_in_period(session)
    if not opens <= now <= closes:
        local = f"{opens.astimezone(SCHOOL_TIMEZONE):%Y-%m-%d %H:%M} to {closes.astimezone(SCHOOL_TIMEZONE):%H:%M}"
        raise CommandRejected(f"closed: check-in to {session_id} is open from {local} (Beijing time)")
    window = window_at(now)
    candidates = {UsedCode(session_id, w): _check_in_id(session_id, person_id, w) for w in (window, window - 1)}
    received = await uow.received([_event(CHECK_IN_SOURCE, event_id, None, now) for event_id in candidates.values()])
    used = [code for code, event_id in candidates.items() if (CHECK_IN_SOURCE, event_id) in received]
    verdict = verify_check_in(
        secret,
        session_id=session_id,
        typed=typed,
        at=now,
        used_by_learner=used,
        sessions_running=await _sessions_running(uow, now),
    )
    if isinstance(verdict, Refused):
        raise CommandRejected(f"{verdict.reason.value}: {verdict.explanation}")
    status, minutes = attendance_for_check_in(now, session.starts_at, session.duration_minutes)
    data = AttendanceRecorded(person_id=person_id, session_id=session_id, status=status, minutes=minutes)
    event = _event(CHECK_IN_SOURCE, candidates[verdict.code], data, now)
    forward_attendance(uow, event, data, topic)
    return CheckInAccepted(id=event.id, status=status, minutes=minutes, explanation=verdict.explanation)


def _check_in_id(session_id: str, person_id: str, window: int) -> str:
    return f"{session_id}/{person_id}/{window}"


def _check_in_period(session: ProjectedSession) -> tuple[datetime, datetime]:
    return (
        session.starts_at - CHECK_IN_OPENS_BEFORE,
        session.starts_at + timedelta(minutes=session.duration_minutes),
    )


async def _sessions_running(uow: UnitOfWork, now: datetime) -> list[str]:
    """The sessions whose check-in is open now (a code of one of them typed for another is told apart)."""
    table = table_of(ProjectedSession)
    nearby = await execute(
        uow.session,
        select(table.c.session_id, table.c.starts_at, table.c.duration_minutes).where(
            table.c.starts_at <= now + CHECK_IN_OPENS_BEFORE, table.c.starts_at >= now - timedelta(days=1)
        ),
    )
    return sorted(
        session_id
        for session_id, starts_at, minutes in nearby
        if starts_at - CHECK_IN_OPENS_BEFORE <= now <= starts_at + timedelta(minutes=minutes)
    )


# ── Shared ─────────────────────────────────────────────────────────────────────────────────────────────────────


async def _session(uow: UnitOfWork, session_id: str) -> ProjectedSession:
    session = await uow.session.get(ProjectedSession, session_id)
    if session is None:
        raise NotFound(f"no session {session_id} is known (yet)")
    return session


async def _enrolled(uow: UnitOfWork, class_id: str, person_ids: list[str]) -> set[str]:
    table = table_of(ProjectedEnrollment)
    rows = await execute(
        uow.session,
        select(table.c.person_id).where(
            table.c.class_id == class_id, table.c.person_id.in_(person_ids), table.c.status == ENROLLED
        ),
    )
    return {person_id for (person_id,) in rows}


def _event(source: str, event_id: str, data: EventData | None, now: datetime, **attributes: Any) -> CloudEvent:
    """An attendance event this service sends on behalf of a door (None: only its identity, to ask the inbox)."""
    return CloudEvent(
        specversion="1.0",
        id=event_id,
        source=source,
        type=data.event_type if data is not None else AttendanceRecorded.event_type,
        time=now,
        subject=attributes.pop("subject", data.key() if isinstance(data, AttendanceRecorded) else None),
        datacontenttype="application/json",
        data=data.model_dump(mode="json", exclude_none=True) if data is not None else None,
        **attributes,
    )
