"""The one path every consumed event takes: parse, validate, deduplicate, apply in a unit of work, commit.

A record that breaks its contract, or keeps failing after a bounded number of attempts, goes to the
dead-letter topic with the reason; the partition moves on. Offsets are committed only after this returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import structlog

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
    ) -> None:
        self._service = service
        self._handlers = handlers
        self._unit_of_work = unit_of_work
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay_seconds

    async def consume(self, record: InboundRecord) -> Outcome:
        started = time.perf_counter()
        event_type = "unparsed"
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        with structlog.contextvars.bound_contextvars(**position):
            try:
                event = parse_kafka_record(record.value, record.headers)
                event_type = event.type
                outcome = await self._consume_event(record, event)
            except ContractViolation as violation:
                outcome = await self._dead_letter(record, violation.code, violation.message)
            EVENTS_PROCESSED.labels(self._service, event_type, outcome.value).inc()
            EVENT_PROCESSING_SECONDS.labels(self._service, event_type).observe(time.perf_counter() - started)
            return outcome

    async def _consume_event(self, record: InboundRecord, event: CloudEvent) -> Outcome:
        if event.type not in CONTRACTS:
            raise ContractViolation("unknown-event-type", f"no contract for event type {event.type!r}")
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
        for attempt in range(1, self._max_attempts + 1):
            try:
                outcome = await self._apply_once(event, data, handler)
                log.info("event processed", outcome=outcome.value)
                return outcome
            except ContractViolation:
                raise
            except Exception as error:
                # Transient until proven otherwise (database busy, a concurrent instance won a race).
                if attempt == self._max_attempts:
                    log.exception("event failed; dead-lettering", attempts=attempt)
                    return await self._dead_letter(
                        record, "processing-failed", f"gave up after {attempt} attempts: {error!r}"
                    )
                log.warning("event failed; retrying", attempt=attempt, error=repr(error))
                await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

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
