"""Read models of the planning service: what the API shows and the office's workbooks hold, judged by the domain
from the tables as of a day.

Views may look from today (the clock); announcements never do. Who may see what is the API's to decide; a view
given ``units`` shows only the people of those units (a nominator's).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import facts
from services.planning.domain.budgets import (
    LINE_LABELS,
    ClassBudget,
    GroupSpending,
    LineKind,
    SpendingStandards,
    spending_report,
)
from services.planning.domain.budgets import ApproverNote as ApproverNoteOf
from services.planning.domain.cadre_record import UnitYearRow, unit_year_table
from services.planning.domain.cultivation import (
    ACTIVIST,
    DEVELOPMENT_TARGET,
    CultivationRecord,
    Readiness,
    cultivation_record,
    readiness,
)
from services.planning.domain.facts import Person
from services.planning.domain.plan import GroupExecution, plan_execution
from services.planning.domain.rotation import (
    Coverage,
    CoverageRow,
    RotationStatus,
    coverage_by_branch,
    coverage_by_organisation,
    coverage_by_unit,
    find_rotations,
    rotation_statuses,
)
from services.planning.domain.tasks import (
    ISSUER_LABELS,
    FulfilmentReport,
    Issuer,
    counting_description,
    fulfilment_report,
)
from services.planning.handlers.announcements import ROTATION_HOURS_CATEGORIES, ROTATION_RULE
from services.planning.models import (
    OfficeBudget,
    OfficeCultivation,
    OfficePlan,
    OfficerTermRow,
    OfficeStandards,
    OfficeTask,
    PlanningClass,
    PlanningOrganisation,
    PlanningPerson,
    PlanningSurveyAnswer,
)
from services.planning.records import activities_of, nominee_ids, notes_of, plan_of, talks_of, task_of
from services.planning.schemas import (
    BudgetLinePublic,
    BudgetPublic,
    CheckPublic,
    ClassRecordPublic,
    CoveragePublic,
    CoverageRowPublic,
    CultivationPublic,
    FlagPublic,
    FulfilmentPublic,
    GroupExecutionPublic,
    NomineeFulfilmentPublic,
    OfficerTermPublic,
    PlanExecutionPublic,
    PlanPublic,
    ReadinessPublic,
    RotationPublic,
    RotationStatusPublic,
    StandardsPublic,
    StandingPublic,
    SurveyLinkPublic,
    TaskPublic,
    TrainingLinePublic,
    TrainingRecordPublic,
    YearHoursPublic,
)
from shared.errors import NotFound
from shared.events.contracts.planning import (
    ApproverNote,
    Counting,
    Eligibility,
    PlannedClass,
    PracticeActivity,
    Standard,
    Talk,
    TaskNominee,
)

# ── the annual plan ──────────────────────────────────────────────────────────────────────────────────


async def _surveys(session: AsyncSession, row: OfficePlan) -> list[SurveyLinkPublic]:
    """The needs surveys that fed the plan, with who answered them as evaluation announced (never what)."""
    answers = await session.exec(
        select(PlanningSurveyAnswer).where(
            col(PlanningSurveyAnswer.form_id).in_([link["form_id"] for link in row.fed_by])
        )
    )
    by_form: dict[str, list[PlanningSurveyAnswer]] = {}
    for answer in answers.all():
        by_form.setdefault(answer.form_id, []).append(answer)
    return [
        SurveyLinkPublic(
            form_id=link["form_id"],
            note=link["note"],
            class_id=link.get("class_id"),
            respondents=len(by_form.get(link["form_id"], [])),
            purposes=sorted({answer.purpose for answer in by_form.get(link["form_id"], [])}),
        )
        for link in row.fed_by
    ]


async def plan_view(session: AsyncSession, row: OfficePlan) -> PlanPublic:
    return PlanPublic(
        plan_id=row.plan_id,
        version=row.version,
        year=row.year,
        title=row.title,
        classes=[PlannedClass.model_validate(planned) for planned in row.classes],
        fed_by=await _surveys(session, row),
    )


def _group(group: GroupExecution) -> GroupExecutionPublic:
    return GroupExecutionPublic.model_validate({**vars(group), "enrolled_share": group.enrolled_share})


async def execution_view(session: AsyncSession, row: OfficePlan, as_of: date) -> PlanExecutionPublic:
    """Planned against done, per training group: held, enrolled, passed, completed (certificates)."""
    plan = plan_of(row)
    linked = {planned.class_id for planned in plan.classes if planned.class_id is not None}
    rows = await session.exec(
        select(PlanningClass).where(or_(col(PlanningClass.year) == plan.year, col(PlanningClass.class_id).in_(linked)))
    )
    classes = [facts.class_of(c) for c in rows.all()]
    class_ids = [c.class_id for c in classes]
    execution = plan_execution(
        plan,
        classes=classes,
        enrollments=await facts.enrollments_in(session, class_ids),
        assessments=await facts.assessments_in(session, class_ids),
        certificates=await facts.certificates_in(session, class_ids),
        as_of=as_of,
    )
    return PlanExecutionPublic(
        plan_id=plan.plan_id,
        year=plan.year,
        as_of=as_of,
        groups=[_group(group) for group in execution.groups],
        overall=_group(execution.overall),
        fed_by=await _surveys(session, row),
    )


# ── rotation ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Members:
    """The members in view on a day and how the rotation sees each."""

    as_of: date
    persons: dict[str, Person]
    statuses: tuple[RotationStatus, ...]


async def members(
    session: AsyncSession,
    as_of: date,
    *,
    units: Collection[str] | None = None,
    person_ids: Collection[str] | None = None,
) -> Members:
    """Every member of the school on ``as_of`` (of ``units``, or these people, only, when given), judged by the
    rotation rule."""
    query = select(PlanningPerson)
    if units is not None:
        query = query.where(col(PlanningPerson.unit_id).in_(units))
    if person_ids is not None:
        query = query.where(col(PlanningPerson.person_id).in_(person_ids))
    persons = {row.person_id: facts.person_of(row) for row in (await session.exec(query)).all()}
    in_view = [p.person_id for p in persons.values() if p.is_member_on(as_of)]
    credits = await facts.standing_credits_of(session, in_view, ROTATION_HOURS_CATEGORIES)
    certificates = await facts.certificates_of(session, in_view)
    classes = await facts.classes(session, {c.class_id for c in certificates})
    # A certificate of a class the register has not announced yet counts once it has.
    known = [c for c in certificates if c.class_id in classes]
    rotations = find_rotations(credits, known, classes, ROTATION_RULE)
    return Members(as_of, persons, rotation_statuses(persons.values(), rotations, as_of, ROTATION_RULE))


def rotation_public(status: RotationStatus, persons: dict[str, Person]) -> RotationStatusPublic:
    last = status.last_rotation
    return RotationStatusPublic(
        person_id=status.person_id,
        name=persons[status.person_id].name,
        branch_id=status.branch_id,
        unit_id=status.unit_id,
        probationary=status.probationary,
        member_since=status.member_since,
        last_rotation=RotationPublic(on=last.on, rule=last.rule, reason=last.reason) if last else None,
        next_due=status.next_due,
        coverage=status.coverage.value,
        rule=status.rule,
        reason=status.reason,
    )


async def coverage_view(session: AsyncSession, seen: Members) -> CoveragePublic:
    names = {row.org_id: row.name for row in (await session.exec(select(PlanningOrganisation))).all()}
    organisations = await facts.organisations(session)

    def rows(coverage: Sequence[CoverageRow]) -> list[CoverageRowPublic]:
        return [
            CoverageRowPublic(
                org_id=row.org_id,
                name=names.get(row.org_id) if row.org_id else None,
                members=row.members,
                covered=row.covered,
                overdue=row.overdue,
                never_rotated=row.never_rotated,
                covered_share=row.covered_share,
            )
            for row in coverage
        ]

    def having(coverage: Coverage) -> list[RotationStatusPublic]:
        return [rotation_public(s, seen.persons) for s in seen.statuses if s.coverage is coverage]

    return CoveragePublic(
        as_of=seen.as_of,
        rule=ROTATION_RULE.name,
        by_branch=rows(coverage_by_branch(seen.statuses)),
        by_unit=rows(coverage_by_unit(seen.statuses)),
        by_organisation=rows(coverage_by_organisation(seen.statuses, organisations)),
        never_rotated=having(Coverage.NEVER_ROTATED),
        overdue=having(Coverage.OVERDUE),
    )


# ── tasks from above ─────────────────────────────────────────────────────────────────────────────────


def task_public(row: OfficeTask) -> TaskPublic:
    counting = Counting.model_validate(row.counting)
    return TaskPublic(
        task_id=row.task_id,
        version=row.version,
        issuer=row.issuer,
        issuer_label=ISSUER_LABELS[Issuer(row.issuer)],
        title=row.title,
        quota=row.quota,
        assigned_on=row.assigned_on,
        deadline=row.deadline,
        required_hours=row.required_hours,
        counting=counting,
        counting_rule=counting_description(task_of(row).counting),
        eligibility=Eligibility.model_validate(row.eligibility),
        nominees=[TaskNominee.model_validate(nominee) for nominee in row.nominees],
    )


@dataclass(frozen=True)
class Fulfilment:
    report: FulfilmentReport
    persons: dict[str, Person]


async def fulfilment_of(session: AsyncSession, row: OfficeTask, as_of: date) -> Fulfilment:
    ids = nominee_ids(row)
    credits = await facts.standing_credits_of(session, ids)
    return Fulfilment(fulfilment_report(task_of(row), ids, credits, as_of), await facts.persons(session, ids))


def fulfilment_public(fulfilment: Fulfilment) -> FulfilmentPublic:
    report = fulfilment.report
    return FulfilmentPublic(
        task_id=report.task_id,
        issuer=report.issuer.value,
        issuer_label=report.issuer.label,
        title=report.title,
        as_of=report.as_of,
        quota=report.quota,
        quota_used=report.quota_used,
        nominated=report.nominated,
        done=report.done,
        in_progress=report.in_progress,
        not_started=report.not_started,
        late=report.late,
        nominees=[
            NomineeFulfilmentPublic(
                person_id=nominee.person_id,
                name=person.name if (person := fulfilment.persons.get(nominee.person_id)) else None,
                unit_id=person.unit_id if person else None,
                hours=nominee.hours,
                met_on=nominee.met_on,
                state=nominee.state.value,
                rule=nominee.rule,
                reason=nominee.reason,
            )
            for nominee in report.nominees
        ],
    )


# ── officers elected → trained ───────────────────────────────────────────────────────────────────────


async def officer_terms_view(
    session: AsyncSession, outcome: str | None, units: Collection[str] | None
) -> list[OfficerTermPublic]:
    query = select(OfficerTermRow).order_by(
        col(OfficerTermRow.elected_on).desc(), col(OfficerTermRow.person_id), col(OfficerTermRow.position)
    )
    if outcome is not None:
        query = query.where(OfficerTermRow.outcome == outcome)
    if units is not None:
        query = query.where(col(OfficerTermRow.unit_id).in_(units))
    terms = list((await session.exec(query)).all())
    persons = await facts.persons(session, {term.person_id for term in terms})
    return [
        OfficerTermPublic(
            **term.model_dump(exclude={"revision", "decided_at"}),
            name=person.name if (person := persons.get(term.person_id)) else None,
        )
        for term in terms
    ]


# ── cultivation ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Cultivation:
    record: CultivationRecord
    readiness: Readiness | None  # of an activist or development target on the day


async def cultivation_of(session: AsyncSession, person_id: str, as_of: date) -> Cultivation:
    person = await facts.person(session, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} is known to planning")
    kept = await session.get(OfficeCultivation, person_id)
    credits = await facts.standing_credits_of(session, [person_id])
    certificates = await facts.certificates_of(session, [person_id])
    classes = await facts.classes(session, facts.class_ids_in(credits, certificates))
    record = cultivation_record(
        person,
        classes=classes,
        credits=[c for c in credits if c.class_id is None or c.class_id in classes],
        certificates=[c for c in certificates if c.class_id in classes],
        activities=activities_of(kept),
        talks=talks_of(kept),
        as_of=as_of,
    )
    ready = readiness(record) if record.status in (ACTIVIST, DEVELOPMENT_TARGET) else None
    return Cultivation(record, ready)


def cultivation_public(cultivation: Cultivation) -> CultivationPublic:
    record, ready = cultivation.record, cultivation.readiness
    return CultivationPublic(
        person_id=record.person_id,
        name=record.name,
        branch_id=record.branch_id,
        as_of=record.as_of,
        status=record.status,
        activist_since=record.activist_since,
        development_target_since=record.development_target_since,
        training=[TrainingLinePublic.model_validate(vars(line)) for line in record.training],
        activities=[
            PracticeActivity(kind=a.kind.value, on=a.on, description=a.description, duration_hours=a.duration_hours)
            for a in record.activities
        ],
        talks=[Talk(on=t.on, content=t.content, contact_id=t.contact_id) for t in record.talks],
        contacts=list(record.contacts),
        readiness=ReadinessPublic(
            stage=ready.stage,
            ready=ready.ready,
            rule=ready.rule,
            checks=[CheckPublic.model_validate(vars(check)) for check in ready.checks],
        )
        if ready
        else None,
    )


# ── budgets ──────────────────────────────────────────────────────────────────────────────────────────


def standards_public(row: OfficeStandards) -> StandardsPublic:
    return StandardsPublic(
        name=row.name,
        published_at=row.changed_at,
        standards=[Standard.model_validate(standard) for standard in row.standards],
    )


async def budget_view(session: AsyncSession, class_id: str) -> BudgetPublic:
    kept = await session.get(OfficeBudget, class_id)
    training_class = await session.get(PlanningClass, class_id)
    if kept is None or training_class is None:
        raise NotFound(f"class {class_id} has no budget")
    measured = await facts.measured_budget(session, kept, training_class)
    person_days = measured.learners * measured.days if measured.learners and measured.days else None
    review = measured.review
    awaiting = {flag.key for flag in review.awaiting_note} if review else set()
    lines = []
    for line in kept.lines:
        kind = LineKind(line["kind"])
        rate = measured.standards.standard_for(training_class.category, kind) if measured.standards else None
        lines.append(
            BudgetLinePublic(
                kind=kind.value,
                label=LINE_LABELS[kind],
                planned=line["planned"],
                spent=line["spent"],
                per_person_day=rate,
                limit=(rate * person_days).quantize(rate) if rate is not None and person_days else None,
            )
        )
    budget = measured.budget
    return BudgetPublic(
        class_id=class_id,
        title=training_class.title,
        category=training_class.category,
        year=training_class.year,
        version=kept.version,
        standards=kept.standards,
        learners=measured.learners,
        days=measured.days,
        person_days=person_days,
        planned=budget.planned if budget else sum(line.planned for line in lines),
        spent=budget.spent if budget else sum(line.spent for line in lines),
        lines=lines,
        flags=[
            FlagPublic(
                key=flag.key,
                kind=flag.kind.value,
                limit=flag.limit,
                spent=flag.spent,
                reason=flag.reason,
                awaiting_note=flag.key in awaiting,
            )
            for flag in (review.flags if review else ())
        ],
        accepted=review.accepted if review else None,
        reason=review.reason if review else f"cannot be measured yet: {measured.unmeasured}",
        notes=[ApproverNote.model_validate(note) for note in kept.notes],
    )


@dataclass(frozen=True)
class Spending:
    year: int
    groups: tuple[GroupSpending, ...]
    unmeasured: dict[str, str]  # class id -> why its budget cannot be measured yet


async def spending_of(session: AsyncSession, year: int) -> Spending:
    """The year's spending by training group, each class measured by the standards its budget names."""
    classes = {
        c.class_id: c for c in (await session.exec(select(PlanningClass).where(PlanningClass.year == year))).all()
    }
    kept = await session.exec(select(OfficeBudget).where(col(OfficeBudget.class_id).in_(classes)))
    budgets: list[ClassBudget] = []
    standards: dict[str, SpendingStandards] = {}
    notes: dict[str, Sequence[ApproverNoteOf]] = {}
    unmeasured: dict[str, str] = {}
    for row in kept.all():
        measured = await facts.measured_budget(session, row, classes[row.class_id])
        if measured.budget is None or measured.standards is None:
            unmeasured[row.class_id] = measured.unmeasured or ""
            continue
        budgets.append(measured.budget)
        standards[row.class_id] = measured.standards
        notes[row.class_id] = notes_of(row)
    return Spending(year, spending_report(year, budgets, standards, notes), unmeasured)


# ── the training record (信息沟通机制) ─────────────────────────────────────────────────────────────────


async def record_view(session: AsyncSession, person_id: str, as_of: date) -> TrainingRecordPublic:
    known = await facts.training_record(session, person_id, as_of)
    if known is None:
        raise NotFound(f"no person {person_id} is known to planning")
    record = known.record
    return TrainingRecordPublic(
        person_id=record.person_id,
        name=record.name,
        unit_id=record.unit_id,
        as_of=record.as_of,
        status=record.status,
        positions=sorted(record.positions),
        classes=[ClassRecordPublic.model_validate(vars(c)) for c in record.classes],
        hours_by_year=[YearHoursPublic.model_validate(vars(h)) for h in record.hours_by_year],
        requirements=[StandingPublic.model_validate(vars(s)) for s in record.requirements],
    )


async def unit_year_rows(session: AsyncSession, unit_id: str, year: int) -> tuple[UnitYearRow, ...]:
    """A unit's people, one row each, as their records stood at the end of the year."""
    people = await session.exec(select(PlanningPerson.person_id).where(PlanningPerson.unit_id == unit_id))
    person_ids = sorted(people.all())
    if not person_ids and await session.get(PlanningOrganisation, unit_id) is None:
        raise NotFound(f"no unit {unit_id} is known to planning")
    records = []
    for person_id in person_ids:
        known = await facts.training_record(session, person_id, date(year, 12, 31))
        if known is not None:
            records.append(known.record)
    return unit_year_table(unit_id, year, records)
