"""Hours HTTP API: the attendance door for systems that cannot speak Kafka, and a person's 学时 ledger."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from services.hours import views
from services.hours.domain.ledger import ledger_year
from services.hours.handlers.ingest import ingest_attendance
from services.hours.models import IngestReport, PersonHoursPublic
from shared.auth import Principal, Role, current_principal, require
from shared.db import utcnow
from shared.events.envelope import BATCH_CONTENT_TYPE, STRUCTURED_CONTENT_TYPE
from shared.service import Runtime, execute

router = APIRouter()
Sender = Annotated[Principal, Depends(require(Role.INGEST, Role.ADMIN))]
Viewer = Annotated[Principal, Depends(current_principal)]

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
    tags=["attendance"],
    openapi_extra=_ATTENDANCE_BODY,
    responses={400: {"description": "the body is not JSON, or not a JSON array of events"}, 415: {}},
)
async def receive_attendance(request: Request, runtime: Runtime, sender: Sender) -> IngestReport:
    """Attendance events as CloudEvents, one or a batch; the answer gives each one's outcome."""
    documents = _events_in(request.headers.get("content-type"), await request.body())
    return await execute(runtime, ingest_attendance, documents, runtime.settings.attendance_topic, sender)


@router.get("/persons/{person_id}/hours", response_model=PersonHoursPublic, tags=["hours"])
async def person_hours(
    person_id: str,
    runtime: Runtime,
    viewer: Viewer,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: this year in Beijing time")] = None,
) -> PersonHoursPublic:
    if not viewer.may_see_person(person_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only staff, or the person themselves, may see their 学时")
    async with runtime.database.sessions() as session:
        return await views.person_hours_view(session, person_id, year or ledger_year(utcnow()))


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
