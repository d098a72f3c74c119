"""The one path every consumed event takes: parse, validate, deduplicate, apply in a unit of work, commit.

Events come in batches (a Kafka poll, a replay): the inbox is asked about the whole batch at once, the handlers
apply it in one unit of work, and the batch commits once; only then are its offsets committed. A record that
breaks its contract is dead-lettered with the reason and the rest go on. When a batch fails for any other reason
(a bug, a race lost to another instance), it is applied again one event at a time, the same code with batches of
one, so that only the event at fault is retried and, past a bounded number of attempts, dead-lettered.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from typing import Any, Generic, Protocol, TypeVar

import structlog
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from shared.db import utcnow
from shared.events.contracts import CONTRACTS
from shared.events.envelope import CloudEvent, ContractViolation, EventData, parse_data, parse_kafka_record
from shared.events.refusals import Refusal
from shared.logging import get_logger
from shared.metrics import (
    EVENT_PROCESSING_SECONDS,
    EVENTS_DEAD_LETTERED,
    EVENTS_PROCESSED,
    PARKED_SECONDS,
)
from shared.unit_of_work import Seen, UnitOfWork, judge

log = get_logger(__name__)


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # a known type this service has no use for, or an older state than the one it holds
    PARKED = "parked"  # kept until what it refers to becomes known
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class InboundRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes | None]]


D = TypeVar("D", bound=EventData)


@dataclass(frozen=True)
class Delivery(Generic[D]):
    """An event handed to a handler, with its validated data."""

    event: CloudEvent
    data: D


# A batch handler applies consecutive events of one type and says what became of each (None: all applied).
BatchHandler = Callable[[UnitOfWork, Sequence[Delivery[Any]]], Awaitable[Sequence[Outcome] | None]]
EventHandler = Callable[[UnitOfWork, CloudEvent, D], Awaitable[Outcome | None]]


class EventHandlers:
    """Which handler applies each event type a service consumes."""

    def __init__(self) -> None:
        self.by_type: dict[str, tuple[type[EventData], BatchHandler]] = {}

    def on(self, model: type[D]) -> Callable[[EventHandler[D]], EventHandler[D]]:
        """Register a handler of one event at a time; what it emits is caused by that event."""

        def register(handler: EventHandler[D]) -> EventHandler[D]:
            async def one_by_one(uow: UnitOfWork, deliveries: Sequence[Delivery[D]]) -> list[Outcome]:
                outcomes = []
                for delivery in deliveries:
                    uow.cause = delivery.event
                    with structlog.contextvars.bound_contextvars(
                        event_id=delivery.event.id, event_source=delivery.event.source, event_type=delivery.event.type
                    ):
                        outcomes.append(await handler(uow, delivery.event, delivery.data) or Outcome.APPLIED)
                uow.cause = None
                return outcomes

            self.on_batch(model)(one_by_one)
            return handler

        return register

    def on_batch(
        self, model: type[D]
    ) -> Callable[
        [Callable[[UnitOfWork, Sequence[Delivery[D]]], Awaitable[Sequence[Outcome] | None]]],
        Callable[[UnitOfWork, Sequence[Delivery[D]]], Awaitable[Sequence[Outcome] | None]],
    ]:
        """Register a handler of many consecutive events of one type at once (for hot paths)."""

        def register(
            handler: Callable[[UnitOfWork, Sequence[Delivery[D]]], Awaitable[Sequence[Outcome] | None]],
        ) -> Callable[[UnitOfWork, Sequence[Delivery[D]]], Awaitable[Sequence[Outcome] | None]]:
            if model.event_type in self.by_type:
                raise ValueError(f"{model.event_type} already has a handler")
            self.by_type[model.event_type] = (model, handler)
            return handler

        return register

    def deliveries(self, events: Sequence[CloudEvent]) -> list[Delivery[Any]]:
        """Events read back from storage (parked ones), with their data validated again."""
        return [Delivery(event, parse_data(event, self.by_type[event.type][0])) for event in events]

    async def apply(self, uow: UnitOfWork, deliveries: Sequence[Delivery[Any]]) -> list[Outcome]:
        """Apply ``deliveries`` in order: each run of consecutive events of one type by its handler."""
        outcomes: list[Outcome] = []
        for event_type, run in groupby(deliveries, key=lambda delivery: delivery.event.type):
            same_type = list(run)
            applied = await self.by_type[event_type][1](uow, same_type)
            outcomes.extend(applied if applied is not None else [Outcome.APPLIED] * len(same_type))
        return outcomes


class DeadLetters(Protocol):
    async def __call__(self, record: InboundRecord, code: str, message: str) -> None: ...


# PostgreSQL SQLSTATEs that mean "not now" rather than "not this event": connection exceptions (08…),
# insufficient resources (53…), shutdown and restart (57P01-57P03), read-only after a failover (25006),
# and the two ways concurrent transactions lose to each other (deadlock 40P01, serialization 40001).
POSTGRES_TRANSIENT_STATES = ("08", "53", "57P01", "57P02", "57P03", "25006", "40P01", "40001")
# SQLite primary result codes of the same kind: BUSY, LOCKED, IOERR, FULL, CANTOPEN, PROTOCOL.
SQLITE_TRANSIENT_CODES = frozenset({5, 6, 10, 13, 14, 15})


def is_outage(error: BaseException) -> bool:
    """The database or the network is away, busy or contended: waiting helps, dead-lettering would be wrong.

    Decided by the database's own error code, so that a bug (no such table, a syntax error) is not waited on
    forever and a restarting PostgreSQL is not mistaken for a bad event.
    """
    if isinstance(error, PoolTimeoutError | DisconnectionError | OSError | TimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error.orig, OSError):
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(POSTGRES_TRANSIENT_STATES)
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in SQLITE_TRANSIENT_CODES
    return isinstance(error, InterfaceError)


@dataclass(frozen=True)
class _Item:
    """A record of the batch that parsed, and what applies it."""

    index: int
    record: InboundRecord
    delivery: Delivery[Any]


class _Refused(Exception):
    """An event refused while its batch was applied (a conflicting repeat, a handler's rejection). In a batch of
    one it is dead-lettered; a larger batch is applied again one event at a time to find which."""

    def __init__(self, violation: ContractViolation) -> None:
        super().__init__(violation.message)
        self.violation = violation


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        handlers: EventHandlers,
        unit_of_work: Callable[[], UnitOfWork],
        dead_letters: DeadLetters,
        max_attempts: int,
        retry_delay_seconds: float = 0.1,
        max_retry_delay_seconds: float = 5.0,
        outage_patience_seconds: float = 60.0,
        contract_topics: Collection[str] = (),
    ) -> None:
        self._service = service
        self._handlers = handlers
        self._unit_of_work = unit_of_work
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay_seconds
        self._max_retry_delay = max_retry_delay_seconds
        self._outage_patience = outage_patience_seconds
        # Topics whose types are a contract with outside systems: there an unknown type is a violation.
        # Elsewhere it is a newer version published beside the one this service reads, and is ignored.
        self._contract_topics = frozenset(contract_topics)

    async def consume(self, record: InboundRecord) -> Outcome:
        """One record: a batch of one."""
        [outcome] = await self.consume_batch([record])
        return outcome

    async def consume_batch(self, records: Sequence[InboundRecord]) -> list[Outcome]:
        """Apply a batch of records; returns each one's outcome, in order. Raises only when an outage outlasted
        the patience: then nothing of the batch took effect, and its records are to be delivered again."""
        started = time.perf_counter()
        outcomes: dict[int, Outcome] = {}
        items: list[_Item] = []
        types: dict[int, str] = {}
        for index, record in enumerate(records):
            try:
                event = parse_kafka_record(record.value, record.headers)
                # Only contracted types name a metric series: senders cannot create series at will.
                types[index] = event.type if event.type in CONTRACTS else "unknown"
                delivery = self._delivery(record, event)
                if delivery is None:
                    outcomes[index] = Outcome.IGNORED
                    continue
                items.append(_Item(index, record, delivery))
            except ContractViolation as violation:
                outcomes[index] = await self._dead_letter(record, violation.code, violation.message)
        if items:
            outcomes.update(await self._apply(items))
        elapsed = time.perf_counter() - started
        self._observe(records, outcomes, types, elapsed)
        return [outcomes[index] for index in range(len(records))]

    def _delivery(self, record: InboundRecord, event: CloudEvent) -> Delivery[Any] | None:
        if event.type not in CONTRACTS:
            if record.topic in self._contract_topics:
                raise ContractViolation(Refusal.UNKNOWN_EVENT_TYPE, f"no contract for event type {event.type!r}")
            log.warning("event of a type this version does not know; ignored", event_type=event.type)
            return None
        registered = self._handlers.by_type.get(event.type)
        if registered is None:
            return None
        return Delivery(event, parse_data(event, registered[0]))

    async def _apply(self, items: list[_Item]) -> dict[int, Outcome]:
        """Apply the batch in one unit of work; should it fail for a reason other than an outage, apply its
        events one by one instead, so that one bad event does not sink the rest."""
        try:
            return await self._attempt(items)
        except _Refused as refused:
            if len(items) == 1:
                return {items[0].index: await self._dead_letter_refused(items[0], refused)}
        except Exception as error:
            if is_outage(error):
                raise
            if len(items) == 1:
                return {items[0].index: await self._retry_alone(items[0], error)}
            log.warning("batch failed; applying its events one by one", events=len(items), error=repr(error))
        outcomes: dict[int, Outcome] = {}
        for item in items:
            outcomes.update(await self._apply([item]))
        return outcomes

    async def _attempt(self, items: list[_Item]) -> dict[int, Outcome]:
        """One attempt at ``items`` (an outage waited out); conflicting repeats are dead-lettered once the rest is
        committed: a repeat with other content changes nothing."""
        outcomes, conflicts = await self._apply_waiting_out_outages(items)
        for item in conflicts:
            outcomes[item.index] = await self._dead_letter_refused(item, _Refused(_conflict(item.delivery.event)))
        return outcomes

    async def _apply_waiting_out_outages(self, items: list[_Item]) -> tuple[dict[int, Outcome], list[_Item]]:
        waits = 0
        outage_started: float | None = None
        while True:
            try:
                return await self._apply_once(items)
            except Exception as error:
                if not is_outage(error):
                    raise
                # Not the events' fault: wait for the database, however long, and never dead-letter them. Past the
                # patience the records are left uncommitted and come again (the broker must not take this consumer
                # for dead while it waits).
                outage_started = outage_started or time.monotonic()
                waited = time.monotonic() - outage_started
                if waited > self._outage_patience:
                    log.error("outage outlasted our patience; the records will be redelivered", waited=waited)
                    raise
                log.warning("database or network unavailable; waiting", waited=waited, error=repr(error))
                waits += 1
                await asyncio.sleep(self._backoff(waits))

    async def _retry_alone(self, item: _Item, error: Exception) -> Outcome:
        """An event that failed on its own: tried again up to the bounded attempts, then dead-lettered."""
        failures = 1
        while failures < self._max_attempts:
            log.warning("event failed; retrying", attempt=failures, error=repr(error), event_id=item.delivery.event.id)
            await asyncio.sleep(self._backoff(failures))
            try:
                return (await self._attempt([item]))[item.index]
            except _Refused as refused:
                return await self._dead_letter_refused(item, refused)
            except Exception as next_error:
                if is_outage(next_error):
                    raise
                error, failures = next_error, failures + 1
        log.error("event failed; dead-lettering", attempts=failures, error=repr(error), event_id=item.delivery.event.id)
        return await self._dead_letter(
            item.record, Refusal.PROCESSING_FAILED, f"gave up after {failures} attempts: {error!r}"
        )

    def _backoff(self, attempt: int) -> float:
        return float(min(self._retry_delay * 2 ** (attempt - 1), self._max_retry_delay))

    async def _apply_once(self, items: list[_Item]) -> tuple[dict[int, Outcome], list[_Item]]:
        """Apply ``items`` in one unit of work; returns their outcomes, and the conflicting repeats among them."""
        async with self._unit_of_work() as uow:
            known = await uow.received([item.delivery.event for item in items])
            outcomes: dict[int, Outcome] = {}
            fresh: list[_Item] = []
            conflicts: list[_Item] = []
            for item in items:
                event = item.delivery.event
                key = (event.source, event.id)
                match judge(event, known.get(key)):
                    case Seen.DUPLICATE:
                        outcomes[item.index] = Outcome.DUPLICATE
                    case Seen.CONFLICT:
                        conflicts.append(item)
                    case Seen.NEW:
                        fresh.append(item)
                        known[key] = (event.digest(), Outcome.APPLIED.value)  # a repeat later in the batch
            # Run by run (consecutive events of one type), each followed by what it released from parking: a
            # parked event takes effect right after the event it waited for, in a batch as one by one.
            for _, run in groupby(fresh, key=lambda item: item.delivery.event.type):
                same_type = list(run)
                try:
                    applied = await self._handlers.apply(uow, [item.delivery for item in same_type])
                except ContractViolation as violation:
                    raise _Refused(violation) from violation
                for item, outcome in zip(same_type, applied, strict=True):
                    outcomes[item.index] = outcome
                    uow.mark_processed(item.delivery.event, outcome.value)
                await self._apply_released(uow)
            await uow.commit()
            return outcomes, conflicts

    async def _apply_released(self, uow: UnitOfWork) -> None:
        """Apply the parked events whose wait this unit of work may have ended (which may end further waits)."""
        while released := await uow.take_released():
            outcomes = await self._handlers.apply(uow, self._handlers.deliveries([parked.event for parked in released]))
            now = utcnow()
            applied = []
            for parked, outcome in zip(released, outcomes, strict=True):
                if outcome is Outcome.PARKED:
                    continue  # parked anew on what it still lacks
                applied.append(parked.event)
                waited = (now - parked.parked_at).total_seconds()
                PARKED_SECONDS.labels(self._service, parked.event.type).observe(waited)
            await uow.note_outcomes(applied, Outcome.APPLIED.value)
            log.info("parked events applied", count=len(applied), still_waiting=len(released) - len(applied))

    async def _dead_letter_refused(self, item: _Item, refused: _Refused) -> Outcome:
        return await self._dead_letter(item.record, refused.violation.code, refused.violation.message)

    async def _dead_letter(self, record: InboundRecord, code: str, message: str) -> Outcome:
        await self._dead_letters(record, code, message)
        EVENTS_DEAD_LETTERED.labels(self._service, record.topic, code).inc()
        log.warning(
            "event dead-lettered",
            reason=code,
            detail=message,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        return Outcome.DEAD_LETTERED

    def _observe(
        self, records: Sequence[InboundRecord], outcomes: dict[int, Outcome], types: dict[int, str], seconds: float
    ) -> None:
        counts = Counter((types.get(index, "unparsed"), outcome) for index, outcome in outcomes.items())
        for (event_type, outcome), count in counts.items():
            EVENTS_PROCESSED.labels(self._service, event_type, outcome.value).inc(count)
        for (event_type, _), count in counts.items():
            histogram = EVENT_PROCESSING_SECONDS.labels(self._service, event_type)
            for _ in range(count):
                histogram.observe(seconds)
        log.info(
            "events processed",
            count=len(records),
            outcomes=dict(Counter(outcome.value for outcome in outcomes.values())),
            seconds=round(seconds, 4),
            topics=sorted({record.topic for record in records}),
        )


def _conflict(event: CloudEvent) -> ContractViolation:
    return ContractViolation(
        Refusal.CONFLICTING_DUPLICATE,
        f"event ({event.source}, {event.id}) was already received with different content",
    )
