"""The office's records (plans, tasks, cultivation records, budgets, standards) between their rows, their events and
the domain's terms. The records travel as the contract's parts (``shared.events.contracts.planning``) and are kept
as JSON of those parts; the domain checks what they say when the office writes them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from services.planning.domain.budgets import ApproverNote, BudgetLine, ClassBudget, LineKind, SpendingStandards
from services.planning.domain.cultivation import ActivityKind, PracticeActivity, Talk
from services.planning.domain.plan import AnnualPlan, PlannedClass, SurveyLink
from services.planning.domain.tasks import ActivityRef, Counting, Eligibility, Issuer, Task
from services.planning.models import OfficeBudget, OfficeCultivation, OfficePlan, OfficeStandards, OfficeTask
from shared.events.contracts import planning as contract


def plan_of(kept: OfficePlan | contract.AnnualPlanChanged) -> AnnualPlan:
    """The plan a row keeps, or a record about to be announced says."""
    return AnnualPlan(
        plan_id=kept.plan_id,
        year=kept.year,
        title=kept.title,
        classes=tuple(planned_class_of(contract.PlannedClass.model_validate(c)) for c in kept.classes),
        fed_by=tuple(survey_link_of(contract.SurveyLink.model_validate(link)) for link in kept.fed_by),
    )


def planned_class_of(part: contract.PlannedClass) -> PlannedClass:
    return PlannedClass(
        planned_id=part.planned_id,
        category=part.category,
        title=part.title,
        target_learners=part.target_learners,
        starts_on=part.starts_on,
        ends_on=part.ends_on,
        budget=part.budget,
        class_id=part.class_id,
    )


def survey_link_of(part: contract.SurveyLink) -> SurveyLink:
    return SurveyLink(part.form_id, part.note, part.class_id)


def task_of(kept: OfficeTask | contract.TrainingTaskChanged) -> Task:
    """The task a row keeps, or a record about to be announced says (its parts as models or as their JSON)."""
    return Task(
        task_id=kept.task_id,
        issuer=Issuer(kept.issuer),
        title=kept.title,
        quota=kept.quota,
        assigned_on=kept.assigned_on,
        deadline=kept.deadline,
        required_hours=Decimal(kept.required_hours),
        counting=counting_of(contract.Counting.model_validate(kept.counting)),
        eligibility=eligibility_of(contract.Eligibility.model_validate(kept.eligibility)),
    )


def counting_of(part: contract.Counting) -> Counting:
    return Counting(
        class_ids=frozenset(part.class_ids),
        categories=frozenset(part.categories),
        activities=frozenset(ActivityRef(a.platform, a.activity_id) for a in part.activities),
    )


def eligibility_of(part: contract.Eligibility) -> Eligibility:
    return Eligibility(
        statuses=frozenset(part.statuses), positions=frozenset(part.positions), unit_ids=frozenset(part.unit_ids)
    )


def nominee_ids(row: OfficeTask) -> list[str]:
    return [nominee["person_id"] for nominee in row.nominees]


def activities_of(row: OfficeCultivation | None) -> tuple[PracticeActivity, ...]:
    if row is None:
        return ()
    return tuple(activity_of(contract.PracticeActivity.model_validate(a)) for a in row.activities)


def activity_of(part: contract.PracticeActivity) -> PracticeActivity:
    return PracticeActivity(ActivityKind(part.kind), part.on, part.description, part.duration_hours)


def talks_of(row: OfficeCultivation | None) -> tuple[Talk, ...]:
    if row is None:
        return ()
    return tuple(talk_of(contract.Talk.model_validate(t)) for t in row.talks)


def talk_of(part: contract.Talk) -> Talk:
    return Talk(part.on, part.content, part.contact_id)


def budget_lines_of(parts: Iterable[contract.BudgetLine]) -> tuple[BudgetLine, ...]:
    return tuple(BudgetLine(LineKind(part.kind), part.planned, part.spent) for part in parts)


def budget_of(row: OfficeBudget, *, category: str, year: int, learners: int, days: int) -> ClassBudget:
    return ClassBudget(
        class_id=row.class_id,
        category=category,
        year=year,
        learners=learners,
        days=days,
        lines=budget_lines_of(contract.BudgetLine.model_validate(line) for line in row.lines),
    )


def notes_of(row: OfficeBudget) -> tuple[ApproverNote, ...]:
    return tuple(note_of(contract.ApproverNote.model_validate(note)) for note in row.notes)


def note_of(part: contract.ApproverNote) -> ApproverNote:
    return ApproverNote(part.flag_key, part.approver_id, part.note, part.approved_spent, part.on)


def standards_of(row: OfficeStandards) -> SpendingStandards:
    return standards_from(row.name, [contract.Standard.model_validate(s) for s in row.standards])


def standards_from(name: str, parts: Iterable[contract.Standard]) -> SpendingStandards:
    return SpendingStandards(name, tuple((p.category, LineKind(p.line), p.per_person_day) for p in parts))
