"""The one path every consumed event takes: parse, validate, deduplicate, apply in a unit of work, commit.

A record that breaks its contract, or keeps failing after a bounded number of attempts, goes to the
dead-letter topic with the reason; the partition moves on. Offsets are committed only after this returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import structlog
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from shared.events.contracts import CONTRACTS
from shared.events.envelope import (
    CloudEvent,
    ContractViolation,
    EventData,
    current_causation_id,
    current_correlation_id,
    parse_data,
    parse_kafka_record,
)
from shared.logging import get_logger
from shared.metrics import EVENT_PROCESSING_SECONDS, EVENTS_DEAD_LETTERED, EVENTS_PROCESSED
from shared.unit_of_work import Seen, UnitOfWork

log = get_logger(__name__)


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # a known type this service has no use for
    PARKED = "parked"  # kept until what it refers to becomes known
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class InboundRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


D = TypeVar("D", bound=EventData)
Handler = Callable[[UnitOfWork, CloudEvent, Any], Awaitable[Outcome | None]]


class EventHandlers:
    """Which handler applies each event type a service consumes."""

    def __init__(self) -> None:
        self.by_type: dict[str, tuple[type[EventData], Handler]] = {}

    def on(
        self, model: type[D]
    ) -> Callable[[Callable[[UnitOfWork, CloudEvent, D], Awaitable[Outcome | None]]], Handler]:
        def register(handler: Callable[[UnitOfWork, CloudEvent, D], Awaitable[Outcome | None]]) -> Handler:
            self.by_type[model.event_type] = (model, handler)
            return handler

        return register


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
        started = time.perf_counter()
        event_type = "unparsed"
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        with structlog.contextvars.bound_contextvars(**position):
            try:
                event = parse_kafka_record(record.value, record.headers)
                # Only contracted types name a metric series: senders cannot create series at will.
                event_type = event.type if event.type in CONTRACTS else "unknown"
                outcome = await self._consume_event(record, event)
            except ContractViolation as violation:
                outcome = await self._dead_letter(record, violation.code, violation.message)
            EVENTS_PROCESSED.labels(self._service, event_type, outcome.value).inc()
            EVENT_PROCESSING_SECONDS.labels(self._service, event_type).observe(time.perf_counter() - started)
            return outcome

    async def _consume_event(self, record: InboundRecord, event: CloudEvent) -> Outcome:
        if event.type not in CONTRACTS:
            if record.topic in self._contract_topics:
                raise ContractViolation("unknown-event-type", f"no contract for event type {event.type!r}")
            log.warning("event of a type this version does not know; ignored", event_type=event.type)
            return Outcome.IGNORED
        registered = self._handlers.by_type.get(event.type)
        if registered is None:
            return Outcome.IGNORED
        model, handler = registered
        data = parse_data(event, model)
        correlation = event.correlationid or event.id
        tokens = (current_correlation_id.set(correlation), current_causation_id.set(event.id))
        try:
            with structlog.contextvars.bound_contextvars(
                event_id=event.id, event_source=event.source, event_type=event.type, correlation_id=correlation
            ):
                return await self._apply_with_retries(record, event, data, handler)
        finally:
            current_correlation_id.reset(tokens[0])
            current_causation_id.reset(tokens[1])

    async def _apply_with_retries(
        self, record: InboundRecord, event: CloudEvent, data: EventData, handler: Handler
    ) -> Outcome:
        failures = 0  # count toward dead-lettering
        waits = 0  # for an outage: never dead-lettered
        outage_started: float | None = None
        while True:
            try:
                outcome = await self._apply_once(event, data, handler)
                log.info("event processed", outcome=outcome.value)
                return outcome
            except ContractViolation:
                raise
            except Exception as error:
                if is_outage(error):
                    # Not the event's fault: wait for the database, however long, and never dead-letter it.
                    # Past the patience the record is left uncommitted and comes again (the broker must not
                    # take this consumer for dead while it waits).
                    outage_started = outage_started or time.monotonic()
                    waited = time.monotonic() - outage_started
                    if waited > self._outage_patience:
                        log.error("outage outlasted our patience; the record will be redelivered", waited=waited)
                        raise
                    log.warning("database or network unavailable; waiting", waited=waited, error=repr(error))
                    waits += 1
                    await asyncio.sleep(self._backoff(waits))
                    continue
                # Anything else is transient until proven otherwise (a concurrent instance won a race).
                failures += 1
                if failures == self._max_attempts:
                    log.exception("event failed; dead-lettering", attempts=failures)
                    return await self._dead_letter(
                        record, "processing-failed", f"gave up after {failures} attempts: {error!r}"
                    )
                log.warning("event failed; retrying", attempt=failures, error=repr(error))
                await asyncio.sleep(self._backoff(failures))

    def _backoff(self, attempt: int) -> float:
        return float(min(self._retry_delay * 2 ** (attempt - 1), self._max_retry_delay))

    async def _apply_once(self, event: CloudEvent, data: EventData, handler: Handler) -> Outcome:
        async with self._unit_of_work() as uow:
            seen = await uow.seen(event)
            if seen is Seen.DUPLICATE:
                return Outcome.DUPLICATE
            if seen is Seen.CONFLICT:
                raise ContractViolation(
                    "conflicting-duplicate",
                    f"event ({event.source}, {event.id}) was already processed with different content",
                )
            outcome = await handler(uow, event, data) or Outcome.APPLIED
            uow.mark_processed(event, outcome.value)
            await uow.commit()
            return outcome

    async def _dead_letter(self, record: InboundRecord, code: str, message: str) -> Outcome:
        await self._dead_letters(record, code, message)
        EVENTS_DEAD_LETTERED.labels(self._service, record.topic, code).inc()
        log.warning("event dead-lettered", reason=code, detail=message)
        return Outcome.DEAD_LETTERED
