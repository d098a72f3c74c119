"""POST /attendance: the HTTP door to the attendance topic (and what every door forwards through).

A valid new event is forwarded unchanged to the attendance topic and takes effect through the consumer, like one
sent to Kafka directly: this door credits nothing itself. The inbox, which the consumer keeps anyway, remembers
what the door accepted, so a repeat is answered as one whichever door it came by first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.hours.models import IngestOutcome, IngestReport, IngestResult
from shared.auth import Principal
from shared.events.contracts import contracts_on
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceRecorded, AttendanceVoided
from shared.events.envelope import CloudEvent, ContractViolation, EventData, parse_data, parse_event
from shared.events.refusals import Refusal
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

# What the door accepts: the attendance contract, whatever the topic is called in this deployment.
ATTENDANCE_CONTRACTS = contracts_on(ATTENDANCE_TOPIC)


async def ingest_attendance(uow: UnitOfWork, documents: Sequence[Any], topic: str, sender: Principal) -> IngestReport:
    """Accept attendance events sent over HTTP, each exactly once; the report gives each one's outcome in order."""
    results: list[IngestResult | None] = []
    valid: list[tuple[int, CloudEvent, EventData]] = []
    for document in documents:
        try:
            event, data = _validated(document, sender)
        except ContractViolation as violation:
            source, event_id = _claimed_identity(document)
            results.append(_rejected(source, event_id, violation))
            continue
        valid.append((len(results), event, data))
        results.append(None)
    known = await uow.received([event for _, event, _ in valid])
    for index, event, data in valid:
        key = (event.source, event.id)
        received = known.get(key)
        if received is None:
            forward_attendance(uow, event, data, topic)
            known[key] = (event.digest(), "forwarded")  # a repeat later in the same request is a duplicate
            results[index] = IngestResult(source=event.source, id=event.id, outcome=IngestOutcome.ACCEPTED)
            log.info(
                "attendance accepted over HTTP", event_source=event.source, event_id=event.id, sender=sender.subject
            )
        elif received[0] == event.digest():
            results[index] = IngestResult(source=event.source, id=event.id, outcome=IngestOutcome.DUPLICATE)
        else:
            conflict = ContractViolation(
                Refusal.CONFLICTING_DUPLICATE, "this (source, id) was already received with different content"
            )
            results[index] = _rejected(event.source, event.id, conflict)
    return IngestReport.of([result for result in results if result is not None])


def forward_attendance(uow: UnitOfWork, event: CloudEvent, data: EventData, topic: str) -> None:
    """Send an attendance event a door accepted on to the attendance topic, unchanged; the inbox remembers it from
    now on (every door asks the inbox whether an event is new)."""
    uow.mark_forwarded(event)
    uow.forward(event, topic, key=_record_key(event, data))


def _validated(document: Any, sender: Principal) -> tuple[CloudEvent, EventData]:
    event = parse_event(document)
    model = ATTENDANCE_CONTRACTS.get(event.type)
    if model is None:
        raise ContractViolation(
            Refusal.UNKNOWN_EVENT_TYPE,
            f"type {event.type!r} is not an attendance event; expected {' or '.join(ATTENDANCE_CONTRACTS)}",
        )
    data = parse_data(event, model)
    # A system speaks only for itself: it may neither send as another nor take back another's attendance.
    claimed = [event.source, *([data.voids.source] if isinstance(data, AttendanceVoided) else [])]
    for source in claimed:
        if not sender.may_send_as(source):
            raise ContractViolation(Refusal.SOURCE_NOT_ALLOWED, f"this sender may not send as {source!r}")
    return event, data


def _rejected(source: str | None, event_id: str | None, violation: ContractViolation) -> IngestResult:
    return IngestResult(
        source=source, id=event_id, outcome=IngestOutcome.REJECTED, reason=violation.code, detail=violation.message
    )


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
