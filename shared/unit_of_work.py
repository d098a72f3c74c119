"""The unit of work: one transaction holding a change, the inbox record of the event that caused it and the
outbox rows of the events it causes. Handlers never commit; whoever opened the unit of work does, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import Database, UTCDateTime, utcnow
from shared.events.envelope import CloudEvent, EventData
from shared.outbox import outbox_row, outbox_row_for


class InboxRecord(SQLModel, table=True):
    """An event this service has processed, by its CloudEvents identity (source, id)."""

    __tablename__ = "inbox_record"

    source: str = Field(primary_key=True, max_length=255)
    event_id: str = Field(primary_key=True, max_length=255)
    event_type: str = Field(max_length=200)
    digest: str = Field(max_length=64)
    outcome: str = Field(max_length=32)
    processed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class Seen(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"  # same (source, id), same content: no further effect
    CONFLICT = "conflict"  # same (source, id), different content: changes nothing, reported


class UnitOfWork:
    def __init__(self, database: Database, source: str, after_outbox_commit: Callable[[], None]) -> None:
        self._database = database
        self._source = source
        self._after_outbox_commit = after_outbox_commit
        self._emitted = False

    async def __aenter__(self) -> Self:
        self.session: AsyncSession = self._database.sessions()
        if not self._database.is_postgresql:
            # SQLite has one writer, and its driver opens the transaction only at the first write, so reads
            # before it would each see their own moment. Taking the write lock first makes the whole unit one
            # serializable transaction (a no-op write is enough to take it).
            try:
                connection = await self.session.connection()
                await connection.execute(text("UPDATE inbox_record SET outcome = outcome WHERE 1 = 0"))
            except BaseException:
                await self.session.close()  # __aexit__ will not run: give the connection back here
                raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Anything not committed explicitly is rolled back: a handler that failed half-way leaves no trace.
        await self.session.rollback()
        await self.session.close()

    async def lock(self, *names: str) -> None:
        """Hold named locks until this unit of work ends, so that units about the same things take turns.

        Events about one thing can arrive on different topics (a session on one, its attendance on another),
        handled concurrently here and by other instances. Take every lock a handler needs in one call, before
        its first read: the names are taken in sorted order, so two handlers never wait on each other in a
        circle. PostgreSQL: transaction-scoped advisory locks, one per name. SQLite has a single writer:
        taking its write lock now serializes all units and makes every read after it current.
        """
        connection = await self.session.connection()
        if self._database.is_postgresql:
            for name in sorted(set(names)):
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
                )
        else:
            await connection.execute(text("UPDATE inbox_record SET outcome = outcome WHERE 1 = 0"))

    def emit(self, data: EventData) -> None:
        """Record an outgoing event; it is published only if this unit of work commits."""
        self.session.add(outbox_row_for(data, self._source))
        self._emitted = True

    def forward(self, event: CloudEvent, topic: str, key: str) -> None:
        """Record an event received from outside (HTTP ingest) for publication unchanged, id and all."""
        self.session.add(outbox_row(event, topic, key))
        self._emitted = True

    async def seen(self, event: CloudEvent) -> Seen:
        record = await self.session.get(InboxRecord, (event.source, event.id))
        if record is None:
            return Seen.NEW
        return Seen.DUPLICATE if record.digest == event.digest() else Seen.CONFLICT

    def mark_processed(self, event: CloudEvent, outcome: str) -> None:
        self.session.add(
            InboxRecord(
                source=event.source, event_id=event.id, event_type=event.type, digest=event.digest(), outcome=outcome
            )
        )

    async def commit(self) -> None:
        await self.session.commit()
        if self._emitted:
            self._after_outbox_commit()
            self._emitted = False
