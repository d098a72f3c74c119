"""The doors for attendance: CloudEvents over HTTP from outside systems, a class manager's marks for a whole
session, and self check-in by the code on the class manager's screen. All of them forward attendance events to
the attendance topic; none credits anything itself."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status

from services.hours.api.common import settings_of
from services.hours.handlers.ingest import ingest_attendance
from services.hours.handlers.sessions import check_in, code_to_show, mark_session
from services.hours.models import CheckIn, CheckInAccepted, CheckInCode, IngestReport, MarkResult, SessionMarks
from shared.auth import Principal, Role, require
from shared.db import utcnow
from shared.events.envelope import BATCH_CONTENT_TYPE, STRUCTURED_CONTENT_TYPE
from shared.service import Runtime, execute

router = APIRouter(tags=["attendance"])
Sender = Annotated[Principal, Depends(require(Role.INGEST, Role.ADMIN))]
Manager = Annotated[Principal, Depends(require(Role.CLASS_MANAGER, Role.ADMIN))]
Learner = Annotated[Principal, Depends(require(Role.LEARNER))]

# One batch is one transaction; a sender with more splits it. (Bodies are bounded for every route: settings.)
MAX_BATCH_EVENTS = 500

# The body is read raw (its content type decides how), so OpenAPI is told its shape here.
_ATTENDANCE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            STRUCTURED_CONTENT_TYPE: {"schema": {"type": "object", "description": "one CloudEvent"}},
            BATCH_CONTENT_TYPE: {"schema": {"type": "array", "items": {"type": "object"}, "minItems": 1}},
        },
    }
}


@router.post(
    "/attendance",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IngestReport,
    openapi_extra=_ATTENDANCE_BODY,
    responses={400: {"description": "the body is not JSON, or not a JSON array of events"}, 415: {}},
)
async def receive_attendance(request: Request, runtime: Runtime, sender: Sender) -> IngestReport:
    """Attendance events as CloudEvents, one or a batch; the answer gives each one's outcome."""
    documents = _events_in(request.headers.get("content-type"), await request.body())
    return await execute(runtime, ingest_attendance, documents, runtime.settings.attendance_topic, sender)


@router.post("/sessions/{session_id}/attendance", response_model=list[MarkResult])
async def mark_a_session(session_id: str, marks: SessionMarks, runtime: Runtime, manager: Manager) -> list[MarkResult]:
    """A class manager marks the learners of a session at once: present, late, left early, absent or excused, with
    the minutes attended where counted. Marking a learner again replaces their mark (the one before is voided)."""
    return await execute(
        runtime,
        mark_session,
        session_id,
        marks,
        manager=manager,
        topic=runtime.settings.attendance_topic,
        now=utcnow(),
    )


@router.get("/sessions/{session_id}/check-in-code", response_model=CheckInCode)
async def show_check_in_code(session_id: str, runtime: Runtime, manager: Manager) -> CheckInCode:
    """The code for the class manager's screen; it changes every 30 seconds (ask again at ``changes_at``)."""
    shown = await execute(runtime, code_to_show, session_id, manager, settings_of(runtime).check_in_key, utcnow())
    return CheckInCode(session_id=session_id, code=shown.code, changes_at=shown.changes_at)


@router.post("/sessions/{session_id}/check-ins", status_code=status.HTTP_201_CREATED, response_model=CheckInAccepted)
async def check_in_to_a_session(session_id: str, body: CheckIn, runtime: Runtime, learner: Learner) -> CheckInAccepted:
    """A learner checks in with the code the screen shows; a refusal (422) gives its reason first: ``malformed``,
    ``reused``, ``other-session``, ``stale``, ``incorrect`` or ``closed``."""
    return await execute(
        runtime,
        check_in,
        session_id,
        body.code,
        learner=learner,
        secret=settings_of(runtime).check_in_key,
        topic=runtime.settings.attendance_topic,
        now=utcnow(),
    )


def _events_in(content_type: str | None, body: bytes) -> list[Any]:
    """The decoded events of a request body, or the 4xx that says what is wrong with it."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in (STRUCTURED_CONTENT_TYPE, BATCH_CONTENT_TYPE):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"send {STRUCTURED_CONTENT_TYPE} (one event) or {BATCH_CONTENT_TYPE} (an array of events), "
            f"not {media_type or 'no content type'}",
        )
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:  # ValueError covers bad JSON and bad UTF-8
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"the body is not valid JSON: {error}") from error
    if media_type == STRUCTURED_CONTENT_TYPE:
        if not isinstance(document, dict):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"a {STRUCTURED_CONTENT_TYPE} body is a JSON object")
        return [document]
    if not isinstance(document, list):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"a {BATCH_CONTENT_TYPE} body is a JSON array of events")
    if not document:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the batch is empty")
    # Each event is judged on its own (the answer names its outcome), but a batch of things that are not even
    # JSON objects is no batch of events.
    not_objects = [position for position, event in enumerate(document) if not isinstance(event, dict)]
    if not_objects:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"every event of a batch is a JSON object; these are not: {not_objects[:10]}"
        )
    if len(document) > MAX_BATCH_EVENTS:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"at most {MAX_BATCH_EVENTS} events per batch, not {len(document)}"
        )
    return document
