"""Helpers every test layer uses: migrated databases, events as outside systems send them, captured effects."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import col, select

from shared.auth import Role, mint_token
from shared.consumer import EventConsumer, EventHandlers, InboundRecord
from shared.db import Database
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.register import (
    ClassChanged,
    CompletionCriteria,
    EnrollmentChanged,
    PersonChanged,
    SessionChanged,
)
from shared.events.envelope import STRUCTURED_CONTENT_TYPE, CloudEvent, EventData
from shared.migrations import upgrade
from shared.outbox import OutboxMessage
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("enrollment", "hours", "evaluation", "certificates", "planning")


def migrations_of(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


def bearer(
    role: Role, subject: str, sources: list[str] | None = None, units: list[str] | None = None
) -> dict[str, str]:
    """The Authorization header of a local token for ``subject`` in ``role`` (every service accepts the
    development secret, so one minting path serves them all)."""
    return {"Authorization": f"Bearer {mint_token(ServiceSettings(), subject, [role], sources=sources, units=units)}"}


def unique(prefix: str) -> str:
    """Random ids per test, so tests can share a broker and a database."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def migrated_database(url: str, service: str) -> Database:
    await asyncio.to_thread(upgrade, url, migrations_of(service))
    return Database(url)


@dataclass
class Wakes:
    """Stands in for the outbox relay's wake-up: counts commits that wrote outbox rows."""

    count: int = 0

    def __call__(self) -> None:
        self.count += 1


def unit_of_work_factory(database: Database, source: str = "urn:dangxiao:test") -> Callable[[], UnitOfWork]:
    wakes = Wakes()
    return lambda: UnitOfWork(database, source, wakes)


async def outbox_events(database: Database, event_type: str | None = None) -> list[CloudEvent]:
    """Events a service recorded for publication, in commit order."""
    async with database.sessions() as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if event_type is not None:
            query = query.where(OutboxMessage.event_type == event_type)
        rows = (await session.exec(query)).all()
    return [CloudEvent.model_validate_json(row.payload) for row in rows]


def event_of(data: EventData | dict[str, Any], *, event_type: str | None = None, **attributes: Any) -> CloudEvent:
    """A CloudEvent carrying ``data``, as an outside system or another service would send it: a fresh id unless
    one is given; attributes (id, source, time, …) override the generated ones."""
    if isinstance(data, EventData):
        event_type = data.event_type
        attributes.setdefault("subject", data.key())
        data = data.model_dump(mode="json")
    assert event_type is not None, "raw data needs an event_type"
    return CloudEvent(
        specversion="1.0",
        id=attributes.pop("id", str(uuid.uuid4())),
        source=attributes.pop("source", "urn:dangxiao:test"),
        type=event_type,
        time=attributes.pop("time", datetime.now(UTC)),
        datacontenttype=attributes.pop("datacontenttype", "application/json"),
        data=data,
        **attributes,
    )


def structured_record(event: CloudEvent | dict[str, Any], topic: str, offset: int = 0) -> InboundRecord:
    value = event.to_json() if isinstance(event, CloudEvent) else json.dumps(event).encode()
    return InboundRecord(
        topic=topic,
        partition=0,
        offset=offset,
        key=None,
        value=value,
        headers=[("content-type", STRUCTURED_CONTENT_TYPE.encode())],
    )


def binary_record(event: CloudEvent, topic: str, offset: int = 0) -> InboundRecord:
    attributes = event.model_dump(mode="json", exclude_none=True, exclude={"data", "datacontenttype"})
    headers = [(f"ce_{name}", str(value).encode()) for name, value in attributes.items()]
    headers.append(("content-type", b"application/json"))
    return InboundRecord(
        topic=topic, partition=0, offset=offset, key=None, value=json.dumps(event.data).encode(), headers=headers
    )


@dataclass
class DeadLetterBox:
    """Captures what a consumer dead-letters: (record, reason code, message)."""

    letters: list[tuple[InboundRecord, str, str]] = field(default_factory=list)

    async def __call__(self, record: InboundRecord, code: str, message: str) -> None:
        self.letters.append((record, code, message))

    @property
    def codes(self) -> list[str]:
        return [code for _, code, _ in self.letters]


def consumer_for(
    handlers: EventHandlers,
    database: Database,
    service: str = "test",
    max_attempts: int = 3,
    outage_patience_seconds: float = 5.0,
) -> tuple[EventConsumer, DeadLetterBox]:
    box = DeadLetterBox()
    consumer = EventConsumer(
        service=service,
        handlers=handlers,
        unit_of_work=unit_of_work_factory(database, f"urn:dangxiao:{service}"),
        dead_letters=box,
        max_attempts=max_attempts,
        retry_delay_seconds=0.001,
        max_retry_delay_seconds=0.01,
        outage_patience_seconds=outage_patience_seconds,
        contract_topics={ATTENDANCE_TOPIC},
    )
    return consumer, box


T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], *, what: str, timeout: float = 30.0) -> T:
    """Poll ``probe`` until it returns something other than None, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = await probe()
            if result is not None and result is not False:
                return result
        except AssertionError as error:
            last_error = error
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"timed out after {timeout:.0f} s waiting for {what}" + (f": {last_error}" if last_error else "")
    )


# ── the register's state events, as enrollment publishes them ────────────────────────────────────────

REGISTERED_AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def a_person(person_id: str, *, version: int = 1, name: str = "李四", **fields: Any) -> PersonChanged:
    return PersonChanged(person_id=person_id, name=name, version=version, changed_at=REGISTERED_AT, **fields)


def a_class(
    class_id: str,
    *,
    version: int = 1,
    required_hours: str = "24",
    category: str = "development_targets",
    year: int = 2026,
    title: str = "2026年发展对象培训班",
    **fields: Any,
) -> ClassChanged:
    return ClassChanged(
        class_id=class_id,
        title=title,
        category=category,
        year=year,
        completion=CompletionCriteria(required_hours=Decimal(required_hours)),
        version=version,
        changed_at=REGISTERED_AT,
        **fields,
    )


def a_session(
    session_id: str,
    class_id: str,
    *,
    starts_at: datetime,
    minutes: int = 180,
    hours: str = "4",
    version: int = 1,
    teaching_mode: str = "lecture",
    **fields: Any,
) -> SessionChanged:
    return SessionChanged(
        session_id=session_id,
        class_id=class_id,
        title=fields.pop("title", "党章专题讲授"),
        teaching_mode=teaching_mode,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        hours=Decimal(hours),
        version=version,
        changed_at=REGISTERED_AT,
        **fields,
    )


def an_enrollment(
    class_id: str, person_id: str, *, status: str = "approved", version: int = 1, enrollment_id: str | None = None
) -> EnrollmentChanged:
    return EnrollmentChanged(
        enrollment_id=enrollment_id or f"enrollment-{class_id}-{person_id}"[:64],
        class_id=class_id,
        person_id=person_id,
        status=status,
        version=version,
        changed_at=REGISTERED_AT,
    )
