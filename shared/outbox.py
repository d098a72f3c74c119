"""Transactional outbox: events are stored with the state change that causes them, then relayed to Kafka.

A crash after the commit and before the publish loses nothing: the relay finds the row on restart. A crash
after the publish and before marking it sent publishes it again, which consumers' inboxes absorb.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from sqlalchemy import Column, Index, Text, func
from sqlmodel import Field, SQLModel, col, select

from shared.db import Database, UTCDateTime, utcnow
from shared.events.envelope import CloudEvent, EventData, kafka_headers, new_event
from shared.logging import get_logger
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE_SECONDS, OUTBOX_PUBLISHED

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


def outbox_row(event: CloudEvent, topic: str, key: str) -> OutboxMessage:
    return OutboxMessage(
        event_id=event.id, event_type=event.type, topic=topic, key=key, payload=event.to_json().decode()
    )


def outbox_row_for(data: EventData, source: str) -> OutboxMessage:
    return outbox_row(new_event(data, source=source), data.topic, data.key())


# (topic, key, value, headers) -> awaitable that completes once the broker acknowledged the record.
Send = Callable[[str, bytes, bytes, Mapping[str, str]], Awaitable[Awaitable[object]]]


class OutboxRelay:
    def __init__(self, database: Database, send: Send, service: str, poll_seconds: float, batch_size: int = 200):
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
        """Publish one batch of unpublished rows in commit order; returns how many were published."""
        async with self._database.sessions() as session:
            query = (
                select(OutboxMessage)
                .where(col(OutboxMessage.published_at).is_(None))
                .order_by(col(OutboxMessage.id))
                .limit(self._batch_size)
            )
            if self._database.is_postgresql:
                # Two instances of a service each take different rows instead of publishing both.
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.exec(query)).all())
            if not rows:
                return 0
            # Send the whole batch, then wait for every acknowledgement (acks=all, idempotent producer).
            deliveries = [
                await self._send(row.topic, row.key.encode(), row.payload.encode(), kafka_headers()) for row in rows
            ]
            await asyncio.gather(*deliveries)
            now = utcnow()
            for row in rows:
                row.published_at = now
                session.add(row)
                OUTBOX_PUBLISHED.labels(self._service, row.topic).inc()
            await session.commit()
            log.debug("outbox published", count=len(rows))
            return len(rows)

    async def observe_backlog(self) -> None:
        async with self._database.sessions() as session:
            query = select(func.count(), func.min(OutboxMessage.created_at)).where(
                col(OutboxMessage.published_at).is_(None)
            )
            count, oldest = (await session.exec(query)).one()
        OUTBOX_BACKLOG.labels(self._service).set(count)
        OUTBOX_OLDEST_AGE_SECONDS.labels(self._service).set((utcnow() - oldest).total_seconds() if oldest else 0)
