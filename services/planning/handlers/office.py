"""The office's records: kept from the office topic like any projection, and written by the office through the API.

A command of the office announces the record's new state on ``dangxiao.planning.office.v1`` and applies it at once,
here, through the very handler the consumer applies it with, caused by that announcement; the inbox notes it as
applied, so reading it back changes nothing, and a rebuild, replaying the topic, applies it the same way. What
follows from a record (a nominee's progress, when a task's nominees change) is announced caused by the record's
own event, so it is derived alike at the door and in a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import delete
from sqlmodel import SQLModel

from services.planning.domain.facts import PlanningError
from services.planning.handlers.announcements import announce_fulfilment, lock_people
from services.planning.models import (
    OfficeBudget,
    OfficeCultivation,
    OfficePlan,
    OfficeStandards,
    OfficeTask,
    TaskNominee,
)
from shared.consumer import Delivery, EventHandlers, Outcome
from shared.db import execute, insert_many, table_of
from shared.errors import CommandRejected, Conflict
from shared.events.contracts.common import StateEvent
from shared.events.contracts.planning import (
    AnnualPlanChanged,
    ClassBudgetChanged,
    CultivationRecordChanged,
    SpendingStandardsPublished,
    TrainingTaskChanged,
)
from shared.events.envelope import CloudEvent, announce
from shared.projection import Projection, Projections, reference
from shared.unit_of_work import UnitOfWork

M = TypeVar("M", bound=SQLModel)


async def on_tasks(uow: UnitOfWork, deliveries: Sequence[Delivery[TrainingTaskChanged]]) -> None:
    """Keep who is nominated for what, and announce each nominee's progress as the task now counts it."""
    for delivery in deliveries:
        task = delivery.data
        people = [nominee.person_id for nominee in task.nominees]
        await lock_people(uow, people)
        nominees = table_of(TaskNominee)
        await execute(uow.session, delete(nominees).where(nominees.c.task_id == task.task_id))
        await insert_many(
            uow.session, table_of(TaskNominee), [{"person_id": p, "task_id": task.task_id} for p in people]
        )
        await announce_fulfilment(uow, task.task_id, people, delivery.event)


OFFICE_RECORDS = Projections(
    Projection(AnnualPlanChanged, OfficePlan),
    Projection(TrainingTaskChanged, OfficeTask, on_change=on_tasks),
    Projection(CultivationRecordChanged, OfficeCultivation),
    Projection(ClassBudgetChanged, OfficeBudget),
    Projection(SpendingStandardsPublished, OfficeStandards),
)
# The office's own door applies its records with handlers of their own (the same keepers as the consumer's).
_AT_THE_DOOR = EventHandlers()
OFFICE_RECORDS.install(_AT_THE_DOOR)


async def current(uow: UnitOfWork, model: type[M], entity: str, key: str) -> M | None:
    """The record as it stands, locked against another command on it until this unit of work ends."""
    await uow.lock(reference(entity, key))
    return await uow.session.get(model, key)


def next_version(row: SQLModel | None) -> dict[str, object]:
    """The fields that make a new state of a record: the next version, changed now (commands may read the clock)."""
    version: int = getattr(row, "version", 0)
    return {"version": version + 1, "changed_at": datetime.now(UTC)}


async def record(uow: UnitOfWork, source: str, data: StateEvent) -> CloudEvent:
    """Announce the office's record and apply it here, as the consumer will when it reads it back."""
    event = CloudEvent.model_validate_json(announce(data, source=source).payload)
    uow.forward(event, data.topic, data.key())
    uow.mark_processed(event, Outcome.APPLIED.value)
    [outcome] = await _AT_THE_DOOR.apply(uow, [Delivery(event, data)])
    if outcome is not Outcome.APPLIED:
        raise Conflict(f"{data.entity} {data.key()} changed meanwhile; try again")
    return event


@contextmanager
def domain_rules() -> Iterator[None]:
    """What the rules refuse, refused to the office in the rules' words (422)."""
    try:
        yield
    except PlanningError as error:
        raise CommandRejected(str(error)) from error
