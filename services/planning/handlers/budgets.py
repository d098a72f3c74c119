"""Budgets (规范经费使用): the office publishes spending standards, keeps each class's budget lines, and an approver
accepts what is flagged with a note covering what was spent."""

from __future__ import annotations

from datetime import date

from services.planning import facts
from services.planning.domain.budgets import ClassBudget, LineKind
from services.planning.handlers.office import current, domain_rules, next_version, record
from services.planning.models import OfficeBudget, OfficeStandards, PlanningClass
from services.planning.records import budget_lines_of, note_of, standards_from
from services.planning.schemas import BudgetPut, NoteCreate, StandardsPublish
from shared.errors import CommandRejected, Conflict, NotFound
from shared.events.contracts.planning import ApproverNote, ClassBudgetChanged, SpendingStandardsPublished
from shared.unit_of_work import UnitOfWork

LINE_KINDS = ", ".join(kind.value for kind in LineKind)


def _known_lines(kinds: list[str]) -> None:
    unknown = sorted({kind for kind in kinds if kind not in set(LineKind)})
    if unknown:
        raise CommandRejected(f"budget lines are {LINE_KINDS}; not {', '.join(unknown)}")


async def publish_standards(uow: UnitOfWork, source: str, body: StandardsPublish) -> bool:
    """Publish a version of the standards; the same again is no change (False), other content under a published name
    is refused: a change is a new version."""
    _known_lines([standard.line for standard in body.standards])
    with domain_rules():
        standards_from(body.name, body.standards)
    kept = await current(uow, OfficeStandards, "standards", body.name)
    published = [standard.model_dump(mode="json") for standard in body.standards]
    if kept is not None:
        if kept.standards == published:
            return False
        raise Conflict(f"{body.name} is published already with other figures; publish the change as a new version")
    await record(
        uow, source, SpendingStandardsPublished(name=body.name, standards=body.standards, **next_version(None))
    )
    return True


async def put_budget(uow: UnitOfWork, source: str, class_id: str, body: BudgetPut) -> None:
    """The class's budget lines, planned and spent; the notes already written stay."""
    training_class = await uow.session.get(PlanningClass, class_id)
    if training_class is None:
        raise NotFound(f"no class {class_id} is known to planning")
    _known_lines([line.kind for line in body.lines])
    kept = await current(uow, OfficeBudget, "budget", class_id)
    standards = body.standards or (kept.standards if kept else None) or await facts.newest_standards(uow.session)
    if standards is None:
        raise CommandRejected("no spending standards are published yet: publish them first")
    if await uow.session.get(OfficeStandards, standards) is None:
        raise CommandRejected(f"no spending standards {standards} are published")
    with domain_rules():  # the lines as a budget of the class (its person-days are measured when it is reviewed)
        ClassBudget(class_id, training_class.category, training_class.year, 1, 1, budget_lines_of(body.lines))
    changed = ClassBudgetChanged.model_validate(
        {
            "class_id": class_id,
            "standards": standards,
            "learners": body.learners,
            "days": body.days,
            "lines": [line.model_dump(mode="json") for line in body.lines],
            "notes": kept.notes if kept else [],
            **next_version(kept),
        }
    )
    await record(uow, source, changed)


async def add_note(
    uow: UnitOfWork, source: str, class_id: str, body: NoteCreate, *, approver_id: str, on: date
) -> None:
    """An approver accepts a flag raised now, up to what is spent now."""
    kept = await current(uow, OfficeBudget, "budget", class_id)
    training_class = await uow.session.get(PlanningClass, class_id)
    if kept is None or training_class is None:
        raise NotFound(f"class {class_id} has no budget")
    measured = await facts.measured_budget(uow.session, kept, training_class)
    if measured.review is None:
        raise CommandRejected(f"the budget of class {class_id} cannot be measured yet: {measured.unmeasured}")
    flag = next((flag for flag in measured.review.flags if flag.key == body.flag_key), None)
    if flag is None:
        raised = ", ".join(flag.key for flag in measured.review.flags) or "none"
        raise CommandRejected(f"no flag {body.flag_key} is raised on class {class_id} (raised: {raised})")
    note = ApproverNote(flag_key=flag.key, approver_id=approver_id, note=body.note, approved_spent=flag.spent, on=on)
    with domain_rules():
        note_of(note)
    changed = ClassBudgetChanged.model_validate(
        {**kept.model_dump(), "notes": [*kept.notes, note.model_dump(mode="json")], **next_version(kept)}
    )
    await record(uow, source, changed)
