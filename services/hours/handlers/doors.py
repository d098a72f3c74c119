"""What the doors keep of the attendance they forward (xAPI statements, a class manager's marks) is kept again by
the consumer from the events themselves, so that replaying the attendance topic rebuilds it. Both writes derive
the same rows from the same event; the second changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from services.hours.handlers.sessions import keep_marks
from services.hours.handlers.xapi import keep_statements
from shared.events.envelope import CloudEvent
from shared.unit_of_work import UnitOfWork


async def keep_door_records(uow: UnitOfWork, events: Sequence[CloudEvent]) -> None:
    await keep_statements(uow, events)
    await keep_marks(uow, events)
