"""The office records a task from above (上级调训任务) and nominates people for it, each judged eligible by the
register's facts on the day of nomination."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.planning import facts
from services.planning.domain.tasks import Issuer, Nomination, nominate
from services.planning.handlers.office import current, domain_rules, next_version, record
from services.planning.models import OfficeTask
from services.planning.records import nominee_ids, task_of
from services.planning.schemas import TaskCreate
from shared.errors import CommandRejected, Conflict, NotFound
from shared.events.contracts.planning import TaskNominee, TrainingTaskChanged
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork


async def create_task(uow: UnitOfWork, source: str, body: TaskCreate) -> str:
    task_id = body.task_id or new_id("task")
    if await current(uow, OfficeTask, "task", task_id) is not None:
        raise Conflict(f"task {task_id} is recorded already")
    if body.issuer not in set(Issuer):
        known = ", ".join(issuer.value for issuer in Issuer)
        raise CommandRejected(f"issuer {body.issuer} is none of those tasks come from: {known}")
    created = TrainingTaskChanged(
        **body.model_dump(exclude={"task_id"}), task_id=task_id, nominees=[], **next_version(None)
    )
    with domain_rules():
        task_of(created)
    await record(uow, source, created)
    return task_id


async def nominate_people(
    uow: UnitOfWork, source: str, task_id: str, person_ids: Sequence[str], on: date
) -> tuple[Nomination, ...]:
    """Decide the office's candidates in its order; the eligible take places until the quota is used."""
    kept = await current(uow, OfficeTask, "task", task_id)
    if kept is None:
        raise NotFound(f"no task {task_id}")
    known = await facts.persons(uow.session, person_ids)
    unknown = [person_id for person_id in person_ids if person_id not in known]
    if unknown:
        raise CommandRejected(f"not known to the register: {', '.join(unknown)}", code="unknown-person")
    with domain_rules():
        decisions = nominate(task_of(kept), [known[p] for p in person_ids], on, nominee_ids(kept))
    accepted = [
        TaskNominee(person_id=d.person_id, nominated_on=on, rule=d.rule, reason=d.reason).model_dump(mode="json")
        for d in decisions
        if d.accepted
    ]
    if accepted:
        changed = TrainingTaskChanged.model_validate(
            {**kept.model_dump(), "nominees": [*kept.nominees, *accepted], **next_version(kept)}
        )
        await record(uow, source, changed)
    return decisions
