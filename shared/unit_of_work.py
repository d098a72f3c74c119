"""The unit of work: one transaction holding a change, the inbox records of the events that caused it, the outbox
rows of the events it causes and what it parked. Handlers never commit; whoever opened the unit of work does, once.

Rows that every unit writes many of (inbox, outbox) are collected here and written in bulk just before the commit,
so a batch of events costs a handful of statements rather than several per event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Column, Index, Text, bindparam, delete, func, select, text, tuple_, update
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import (
    KEYS_PER_QUERY,
    Database,
    UTCDateTime,
    execute,
    insert_many,
    rows_matching,
    table_of,
    upsert_many,
    utcnow,
)
from shared.events.envelope import CloudEvent, EventData, announce
from shared.metrics import PARKED_EVENTS, PARKED_OLDEST_AGE_SECONDS
from shared.outbox import OutboxMessage, outbox_row


class InboxRecord(SQLModel, table=True):
    """An event this service has received, by its CloudEvents identity (source, id), and what became of it."""

    __tablename__ = "inbox_record"

    source: str = Field(primary_key=True, max_length=255)
    event_id: str = Field(primary_key=True, max_length=255)
    event_type: str = Field(max_length=200)
    digest: str = Field(max_length=64)
    outcome: str = Field(max_length=32)
    processed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class ParkedEvent(SQLModel, table=True):
    """An event waiting for something it refers to (``waiting_for``, e.g. ``session:S1``) to become known.

    An event waiting for several things has a row for each; when any of them arrives the event is tried again,
    and parks anew on what it still lacks.
    """

    __tablename__ = "parked_event"
    __table_args__ = (Index("ix_parked_event_waiting_for", "waiting_for"),)

    source: str = Field(primary_key=True, max_length=255)
    event_id: str = Field(primary_key=True, max_length=255)
    waiting_for: str = Field(primary_key=True, max_length=200)
    event_type: str = Field(max_length=200)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    parked_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    # The order events were parked in within one unit of work (they share its moment): released in that order.
    position: int = 0


class Seen(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"  # same (source, id), same content: no further effect
    CONFLICT = "conflict"  # same (source, id), different content: changes nothing, reported


# The inbox outcome of an event a door (HTTP, xAPI) accepted and forwarded to its topic: received, not yet applied.
FORWARDED = "forwarded"


@dataclass(frozen=True)
class Released:
    """A parked event whose wait may be over, and since when it waited."""

    event: CloudEvent
    parked_at: datetime


def lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for a name, the same in every process."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def _event_key(event: CloudEvent) -> tuple[str, str]:
    return (event.source, event.id)


def judge(event: CloudEvent, record: tuple[str, str] | None) -> Seen:
    """``event`` against what the inbox holds of its (source, id): (digest, outcome), or None."""
    if record is None:
        return Seen.NEW
    digest, outcome = record
    if digest != event.digest():
        return Seen.CONFLICT
    return Seen.NEW if outcome == FORWARDED else Seen.DUPLICATE


class UnitOfWork:
    def __init__(self, database: Database, source: str, after_outbox_commit: Callable[[], None]) -> None:
        self._database = database
        self._source = source
        self._after_outbox_commit = after_outbox_commit
        # The event a per-event handler is applying: what it emits is caused by it.
        self.cause: CloudEvent | None = None
        self._outbox: list[dict[str, Any]] = []
        self._inbox: dict[tuple[str, str], dict[str, Any]] = {}
        self._forwarded: list[dict[str, Any]] = []
        self._released: set[str] = set()
        self._parked: list[dict[str, Any]] = []
        # One moment for the rows this unit records about itself (when processed, when queued for publication).
        self.now = utcnow()

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

    @property
    def is_postgresql(self) -> bool:
        return self._database.is_postgresql

    async def lock(self, *names: str) -> None:
        """Hold named locks until this unit of work ends, so that units about the same things take turns.

        Events about one thing can arrive on different topics (a session on one, its attendance on another),
        handled concurrently here and by other instances. Take every lock a step needs in one call, before its
        first read: the names are taken in one statement in a fixed order, so two units never wait on each other
        in a circle within it (should later calls form one, PostgreSQL breaks it and the consumer retries).
        PostgreSQL: transaction-scoped advisory locks. SQLite has a single writer, whose lock this unit took when it
        began: every read after it is current already.
        """
        if not self._database.is_postgresql or not names:
            return
        keys = sorted({lock_key(name) for name in names})
        await execute(
            self.session,
            text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
            {"keys": keys},
        )

    def emit(self, data: EventData, cause: CloudEvent | None = None) -> None:
        """Record an outgoing event; it is published only if this unit of work commits.

        Its id derives from what it announces, its time and correlation from ``cause`` (default: the event being
        applied), so that replaying the causes emits the very same events.
        """
        announcement = announce(data, source=self._source, cause=cause or self.cause)
        self._outbox.append(outbox_row(announcement, data.topic, data.key(), self.now))

    def forward(self, event: CloudEvent, topic: str, key: str) -> None:
        """Record an event received from outside (HTTP ingest) for publication unchanged, id and all."""
        self._outbox.append(outbox_row(event, topic, key, self.now))

    async def received(self, events: Sequence[CloudEvent]) -> dict[tuple[str, str], tuple[str, str]]:
        """What the inbox holds of ``events``: (digest, outcome) by (source, id), one query per couple of thousand."""
        rows = await rows_matching(
            self.session,
            table_of(InboxRecord),
            ["source", "event_id"],
            map(_event_key, events),
            ["source", "event_id", "digest", "outcome"],
        )
        return {(row["source"], row["event_id"]): (row["digest"], row["outcome"]) for row in rows}

    async def seen(self, events: Sequence[CloudEvent]) -> dict[tuple[str, str], Seen]:
        """Whether each event is new, a repeat, or a conflicting repeat, as far as the inbox knows. An event a
        door forwarded and nothing applied yet is new."""
        known = await self.received(events)
        return {_event_key(event): judge(event, known.get(_event_key(event))) for event in events}

    def mark_processed(self, event: CloudEvent, outcome: str) -> None:
        self._inbox[_event_key(event)] = {
            "source": event.source,
            "event_id": event.id,
            "event_type": event.type,
            "digest": event.digest(),
            "outcome": outcome,
            "processed_at": self.now,
        }

    def mark_forwarded(self, event: CloudEvent) -> None:
        """A door (HTTP, xAPI) accepted ``event`` and forwards it to its topic: the inbox remembers it from now on,
        so the door answers a repeat as such, and the consumer still applies it once it comes round."""
        self._forwarded.append(
            {
                "source": event.source,
                "event_id": event.id,
                "event_type": event.type,
                "digest": event.digest(),
                "outcome": FORWARDED,
                "processed_at": utcnow(),
            }
        )

    async def park(self, event: CloudEvent, waiting_for: Iterable[str]) -> None:
        """Keep ``event`` until each of ``waiting_for`` is known; see ``release``. (Written in bulk, with the rest.)"""
        payload = event.to_json().decode()
        self._parked.extend(
            {
                "source": event.source,
                "event_id": event.id,
                "waiting_for": reference,
                "event_type": event.type,
                "payload": payload,
                "parked_at": self.now,
                "position": len(self._parked) + n,
            }
            for n, reference in enumerate(sorted(set(waiting_for)))
        )

    async def _write_parked(self) -> None:
        rows, self._parked = self._parked, []
        await upsert_many(self.session, table_of(ParkedEvent), rows, key=["source", "event_id", "waiting_for"])

    def release(self, references: Iterable[str]) -> None:
        """Note that ``references`` became known: what waits for them is taken by ``take_released``."""
        self._released.update(references)

    async def take_released(self) -> list[Released]:
        """The parked events waiting for anything released so far, in the order they were parked, unparked (their
        other waits too: a handler parks them anew on what they still lack)."""
        references, self._released = sorted(self._released), set()
        if not references:
            return []
        await self._write_parked()  # what this unit parked may be what is released
        waiting = table_of(ParkedEvent)
        rows = (
            await execute(
                self.session,
                select(waiting.c.source, waiting.c.event_id, waiting.c.payload, waiting.c.parked_at)
                .where(waiting.c.waiting_for.in_(references))
                .order_by(waiting.c.parked_at, waiting.c.position),
            )
        ).all()
        released: dict[tuple[str, str], Released] = {}
        for source, event_id, payload, parked_at in rows:
            if (source, event_id) not in released:
                released[(source, event_id)] = Released(CloudEvent.model_validate_json(payload), parked_at)
        keys = list(released)
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            await execute(
                self.session,
                delete(ParkedEvent).where(tuple_(col(ParkedEvent.source), col(ParkedEvent.event_id)).in_(chunk)),
            )
        return list(released.values())

    async def note_outcomes(self, events: Iterable[CloudEvent], outcome: str) -> None:
        """Update the inbox outcome of events processed earlier (a parked event applied at last), whether their
        record is committed already or still waiting for this unit's commit."""
        rows = []
        for event in events:
            pending = self._inbox.get(_event_key(event))
            if pending is not None:
                pending["outcome"] = outcome
            else:
                rows.append({"k_source": event.source, "k_event_id": event.id, "outcome": outcome})
        if rows:
            table = table_of(InboxRecord)
            await execute(
                self.session,
                update(table)
                .where(table.c.source == bindparam("k_source"), table.c.event_id == bindparam("k_event_id"))
                .values(outcome=bindparam("outcome")),
                rows,
            )

    async def commit(self) -> None:
        """Write the collected inbox, outbox and parking rows, then commit everything at once."""
        await self.session.flush()
        await self._write_parked()
        await upsert_many(self.session, table_of(InboxRecord), list(self._inbox.values()), key=["source", "event_id"])
        # Never over what the consumer recorded meanwhile: a forwarded mark must not make an applied event new.
        await insert_many(self.session, table_of(InboxRecord), self._forwarded, skip_existing=True)
        emitted = bool(self._outbox)
        if emitted:
            await insert_many(self.session, table_of(OutboxMessage), self._outbox)
        await self.session.commit()
        self._inbox.clear()
        self._forwarded.clear()
        self._outbox.clear()
        if emitted:
            self._after_outbox_commit()


async def observe_parking(database: Database, service: str) -> None:
    """Set the parking gauges: how many events wait, for what kind of thing, and the oldest wait."""
    waiting = table_of(ParkedEvent)
    kind = func.substr(waiting.c.waiting_for, 1, func.instr(waiting.c.waiting_for, ":") - 1)
    if database.is_postgresql:
        kind = func.split_part(waiting.c.waiting_for, ":", 1)
    async with database.sessions() as session:
        counts = (await execute(session, select(kind, func.count()).group_by(kind))).all()
        oldest = (await execute(session, select(func.min(waiting.c.parked_at)))).scalar()
    PARKED_EVENTS.clear()
    for waiting_for, count in counts:
        PARKED_EVENTS.labels(service, waiting_for).set(count)
    PARKED_OLDEST_AGE_SECONDS.labels(service).set((utcnow() - oldest).total_seconds() if oldest else 0)
