"""How the 学时 (training hour) ledger changes, one module per concern: the register's facts it projects
(``projections``), attendance into the ledger (``attendance``), requirements as the ledger and statuses change
(``requirements``) and as days end (``reviews``, which the service runs itself), and the doors that forward
attendance: HTTP (``ingest``), xAPI (``xapi``), a class manager's marks and self check-in (``sessions``).

Handlers work in the caller's unit of work and never commit: the consumer, or the HTTP route, commits the effect,
the inbox records and the outbox rows together.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.hours.configuration import BUILT_IN, HoursRules
from services.hours.handlers.attendance import AttendanceHandlers
from services.hours.handlers.projections import projections
from services.hours.handlers.requirements import RequirementProgressBook, tenures_of
from shared.consumer import Delivery, EventHandlers
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceVoided
from shared.events.contracts.register import PersonChanged
from shared.unit_of_work import UnitOfWork


def handlers_for(rules: HoursRules) -> EventHandlers:
    """The handlers of every event the service consumes, crediting and judging by ``rules``."""

    async def persons_changed(uow: UnitOfWork, deliveries: Sequence[Delivery[PersonChanged]]) -> None:
        progress = RequirementProgressBook(uow, rules.requirements)
        await progress.persons_changed(
            [
                (delivery.data.person_id, tenures_of(delivery.data.model_dump(mode="json")), delivery.event)
                for delivery in deliveries
            ]
        )
        await progress.save()

    kept = projections(persons_changed)
    handlers = EventHandlers()
    kept.install(handlers)
    attendance = AttendanceHandlers(rules, kept)
    handlers.on_batch(AttendanceRecorded)(attendance.record)
    handlers.on_batch(AttendanceVoided)(attendance.void)
    return handlers


# With the built-in rules (the service builds its own from its settings: ``app.define``).
handlers = handlers_for(BUILT_IN)
