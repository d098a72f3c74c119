"""Transactional outbox: events are stored with the state change that causes them, then relayed to Kafka.

A crash after the commit and before the publish loses nothing: the relay finds the row on restart. A crash
after the publish and before marking it sent publishes it again, which consumers' inboxes absorb.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from aiokafka.errors import InvalidTopicError, MessageSizeTooLargeError, RecordTooLargeError
from sqlalchemy import Column, Index, Text, func, select, text, update
from sqlmodel import Field, SQLModel, col

from shared.db import Database, UTCDateTime, execute, table_of, utcnow
from shared.events.envelope import Announcement, CloudEvent, kafka_headers
from shared.logging import get_logger
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_FAILED, OUTBOX_OLDEST_AGE_SECONDS, OUTBOX_PUBLISHED

log = get_logger(__name__)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_unpublished", "published_at", "id"),)

    # The id orders publication: events leave in the order they were committed.
    id: int | None = Field(default=None, primary_key=True)
    # Not unique: ids are unique per source only, and a forwarded outside event keeps its own id.
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=200)
    topic: str = Field(max_length=200)
    key: str = Field(max_length=200)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when Kafka refuses the record for good (too large, unknown topic): kept for inspection, skipped.
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failure: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


def outbox_row(event: CloudEvent | Announcement, topic: str, key: str, created_at: datetime) -> dict[str, Any]:
    """The columns of the outbox row that publishes ``event`` (written in bulk by the unit of work)."""
    payload = event.payload if isinstance(event, Announcement) else event.to_json()
    return {
        "event_id": event.id,
        "event_type": event.type,
        "topic": topic,
        "key": key,
        "payload": payload.decode(),
        "created_at": created_at,
        "published_at": None,
        "failed_at": None,
        "failure": None,
    }


# (topic, key, value, headers) -> awaitable that completes once the broker acknowledged the record.
Send = Callable[[str, bytes, bytes, Mapping[str, str]], Awaitable[Awaitable[object]]]


class UndeliverableRecord(Exception):
    """A row this service cannot publish however often it tries (e.g. a topic it no longer produces to)."""


# Refused however often they are sent; anything else (broker away, leader moving) is retried in order.
UNDELIVERABLE = (UndeliverableRecord, MessageSizeTooLargeError, RecordTooLargeError, InvalidTopicError)

# One relay at a time per database: rows leave in commit order even with several instances running.
RELAY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended('dangxiao-outbox-relay', 0))"


async def _settled(delivery: Awaitable[object] | BaseException) -> object:
    if isinstance(delivery, BaseException):
        raise delivery
    return await delivery


class OutboxRelay:
    def __init__(self, database: Database, send: Send, service: str, poll_seconds: float, batch_size: int = 1000):
        self._database = database
        self._send = send
        self._service = service
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows, so they leave now rather than at the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        while True:
            try:
                while await self.publish_pending() == self._batch_size:
                    pass
                await self.observe_backlog()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_seconds)
            self._wakeup.clear()

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows in commit order; returns how many rows it settled."""
        table = table_of(OutboxMessage)
        async with self._database.sessions() as session:
            if self._database.is_postgresql and not await (await session.connection()).scalar(text(RELAY_LOCK)):
                return 0  # another instance's relay is at work
            rows = (
                await execute(
                    session,
                    select(table.c.id, table.c.event_id, table.c.topic, table.c.key, table.c.payload)
                    .where(table.c.published_at.is_(None), table.c.failed_at.is_(None))
                    .order_by(table.c.id)
                    .limit(self._batch_size),
                )
            ).all()
            if not rows:
                return 0
            # Hand the whole batch to the producer in order, then wait for every acknowledgement.
            deliveries: list[Awaitable[object] | BaseException] = []
            for row in rows:
                try:
                    deliveries.append(
                        await self._send(row.topic, row.key.encode(), row.payload.encode(), kafka_headers())
                    )
                except Exception as refused:  # refused before sending (too large, a topic it does not publish)
                    deliveries.append(refused)
            outcomes = await asyncio.gather(*(_settled(delivery) for delivery in deliveries), return_exceptions=True)
            now = utcnow()
            published: list[int] = []
            for row, outcome in zip(rows, outcomes, strict=True):
                if isinstance(outcome, UNDELIVERABLE):
                    await execute(
                        session, update(table).where(table.c.id == row.id).values(failed_at=now, failure=repr(outcome))
                    )
                    OUTBOX_FAILED.labels(self._service, row.topic).inc()
                    log.error("outbox row undeliverable; skipped", event_id=row.event_id, failure=repr(outcome))
                elif isinstance(outcome, BaseException):
                    break  # retried from this row on: nothing after it leaves before it
                else:
                    published.append(row.id)
                    OUTBOX_PUBLISHED.labels(self._service, row.topic).inc()
            if published:
                await execute(session, update(table).where(table.c.id.in_(published)).values(published_at=now))
            await session.commit()
            failure = next((outcome for outcome in outcomes if isinstance(outcome, BaseException)), None)
            if failure is not None and not isinstance(failure, UNDELIVERABLE):
                raise failure
            log.debug("outbox published", count=len(rows))
            return len(rows)

    async def observe_backlog(self) -> None:
        async with self._database.sessions() as session:
            query = select(func.count(), func.min(OutboxMessage.created_at)).where(
                col(OutboxMessage.published_at).is_(None), col(OutboxMessage.failed_at).is_(None)
            )
            count, oldest = (await execute(session, query)).one()
        OUTBOX_BACKLOG.labels(self._service).set(count)
        OUTBOX_OLDEST_AGE_SECONDS.labels(self._service).set((utcnow() - oldest).total_seconds() if oldest else 0)
