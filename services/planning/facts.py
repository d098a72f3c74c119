"""Planning's tables read into the domain's terms (``services.planning.domain.facts``): what the rules judge.

Every read is about named people or classes, so no event ever scans a table; the office's views that cover the
whole school (rotation coverage, a unit's records) read the whole of what they cover, once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.domain.budgets import BudgetReview, ClassBudget, SpendingStandards, review_budget
from services.planning.domain.cadre_record import CadreRecord, RequirementStanding, cadre_record
from services.planning.domain.facts import (
    ENROLLED,
    Assessment,
    CertificateChange,
    Credit,
    Enrollment,
    Held,
    Organisation,
    Person,
    Reversal,
    TrainingClass,
    standing_credits,
)
from services.planning.models import (
    OfficeBudget,
    OfficeStandards,
    PlanningAssessment,
    PlanningCertificate,
    PlanningClass,
    PlanningCredit,
    PlanningEnrollment,
    PlanningOrganisation,
    PlanningPerson,
    PlanningReversal,
    PlanningSession,
    PlanningStanding,
)
from services.planning.records import budget_of, notes_of, standards_of
from shared.db import KEYS_PER_QUERY

BEIJING = ZoneInfo("Asia/Shanghai")  # the school keeps its books in Beijing time
M = TypeVar("M", bound=SQLModel)


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


def today() -> date:
    """Today in Beijing time: the default day a view looks from (views may read the clock; events never do)."""
    return beijing_day(datetime.now(UTC))


# ── rows into the domain's terms ─────────────────────────────────────────────────────────────────────


def _periods(periods: Iterable[dict[str, Any]]) -> tuple[Held, ...]:
    return tuple(
        Held(
            period["code"],
            date.fromisoformat(period["since"]),
            date.fromisoformat(period["until"]) if period.get("until") else None,
        )
        for period in periods
    )


def person_of(row: PlanningPerson) -> Person:
    return Person(
        person_id=row.person_id,
        name=row.name,
        unit_id=row.unit_id,
        branch_id=row.branch_id,
        statuses=_periods(row.statuses),
        positions=_periods(row.positions),
        active=row.active,
    )


def class_of(row: PlanningClass) -> TrainingClass:
    return TrainingClass(
        class_id=row.class_id,
        title=row.title,
        category=row.category,
        year=row.year,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        level=row.level,
        capacity=row.capacity,
        status=row.status,
    )


def organisation_of(row: PlanningOrganisation) -> Organisation:
    return Organisation(row.org_id, row.kind, row.name, row.parent_id)


def enrollment_of(row: PlanningEnrollment) -> Enrollment:
    return Enrollment(row.enrollment_id, row.class_id, row.person_id, row.status)


def credit_of(row: PlanningCredit) -> Credit:
    return Credit(
        entry_id=row.entry_id,
        person_id=row.person_id,
        year=row.year,
        hours=Decimal(row.hours),
        day=row.day,
        class_id=row.class_id,
        category=row.category,
        channel=row.channel,
        activity_id=row.activity_id,
        platform=row.platform,
    )


def assessment_of(row: PlanningAssessment) -> Assessment:
    return Assessment(row.assessment_id, row.class_id, row.person_id, row.passed, row.assessed_at, row.grade)


def certificate_of(row: PlanningCertificate) -> CertificateChange:
    return CertificateChange(
        certificate_number=row.certificate_number,
        revision=row.revision,
        person_id=row.person_id,
        class_id=row.class_id,
        valid=row.valid,
        on=row.changed_on,
        hours=Decimal(row.hours) if row.hours is not None else None,
    )


def standing_of(row: PlanningStanding) -> RequirementStanding:
    return RequirementStanding(
        person_id=row.person_id,
        requirement=row.requirement,
        title=row.title,
        window_start=row.window_start,
        window_end=row.window_end,
        required_hours=Decimal(row.required_hours),
        credited_hours=Decimal(row.credited_hours),
        standing=row.standing,
        met_on=row.met_on,
        as_of=row.as_of,
    )


# ── reads ────────────────────────────────────────────────────────────────────────────────────────────


async def _where_in(session: AsyncSession, model: type[M], column: Any, keys: Collection[str]) -> list[M]:
    """Rows of ``model`` whose ``column`` is one of ``keys``, a bounded number of keys per statement."""
    found: list[M] = []
    unique = sorted(set(keys))
    for start in range(0, len(unique), KEYS_PER_QUERY):
        rows = await session.exec(select(model).where(col(column).in_(unique[start : start + KEYS_PER_QUERY])))
        found.extend(rows.all())
    return found


async def persons(session: AsyncSession, person_ids: Collection[str]) -> dict[str, Person]:
    rows = await _where_in(session, PlanningPerson, PlanningPerson.person_id, person_ids)
    return {row.person_id: person_of(row) for row in rows}


async def person(session: AsyncSession, person_id: str) -> Person | None:
    row = await session.get(PlanningPerson, person_id)
    return person_of(row) if row is not None else None


async def classes(session: AsyncSession, class_ids: Collection[str]) -> dict[str, TrainingClass]:
    rows = await _where_in(session, PlanningClass, PlanningClass.class_id, class_ids)
    return {row.class_id: class_of(row) for row in rows}


async def organisations(session: AsyncSession) -> dict[str, Organisation]:
    rows = await session.exec(select(PlanningOrganisation))
    return {row.org_id: organisation_of(row) for row in rows.all()}


async def standing_credits_of(
    session: AsyncSession, person_ids: Collection[str], categories: Collection[str] | None = None
) -> tuple[Credit, ...]:
    """The credits of these people that no reversal has taken back; only of ``categories`` when given."""
    credits = [credit_of(row) for row in await _where_in(session, PlanningCredit, PlanningCredit.person_id, person_ids)]
    if categories is not None:
        credits = [credit for credit in credits if credit.category in categories]
    reversals = await _where_in(session, PlanningReversal, PlanningReversal.person_id, person_ids)
    return standing_credits(
        credits, (Reversal(r.entry_id, r.reverses_entry_id, r.replaced_by_entry_id) for r in reversals)
    )


async def certificates_of(session: AsyncSession, person_ids: Collection[str]) -> tuple[CertificateChange, ...]:
    rows = await _where_in(session, PlanningCertificate, PlanningCertificate.person_id, person_ids)
    return tuple(certificate_of(row) for row in rows)


async def assessments_of(session: AsyncSession, person_ids: Collection[str]) -> tuple[Assessment, ...]:
    rows = await _where_in(session, PlanningAssessment, PlanningAssessment.person_id, person_ids)
    return tuple(assessment_of(row) for row in rows)


async def enrollments_of(session: AsyncSession, person_ids: Collection[str]) -> tuple[Enrollment, ...]:
    rows = await _where_in(session, PlanningEnrollment, PlanningEnrollment.person_id, person_ids)
    return tuple(enrollment_of(row) for row in rows)


async def enrollments_in(session: AsyncSession, class_ids: Collection[str]) -> tuple[Enrollment, ...]:
    rows = await _where_in(session, PlanningEnrollment, PlanningEnrollment.class_id, class_ids)
    return tuple(enrollment_of(row) for row in rows)


async def standings_of(session: AsyncSession, person_ids: Collection[str]) -> tuple[RequirementStanding, ...]:
    rows = await _where_in(session, PlanningStanding, PlanningStanding.person_id, person_ids)
    return tuple(standing_of(row) for row in rows)


async def people_with_facts_in(session: AsyncSession, class_id: str) -> list[str]:
    """Everyone who trained in a class (credited, assessed, certified), by id."""
    people: set[str] = set()
    for model in (PlanningCredit, PlanningAssessment, PlanningCertificate):
        rows = await session.exec(select(model.person_id).where(model.class_id == class_id))
        people.update(rows.all())
    return sorted(people)


def class_ids_in(*fact_groups: Sequence[Any]) -> set[str]:
    """Every class the facts name."""
    return {fact.class_id for facts in fact_groups for fact in facts if getattr(fact, "class_id", None) is not None}


# ── a class's budget, measured ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class MeasuredBudget:
    """A budget with what it is measured against: its learners and days (as given, else as the register says),
    the standards it names, and the review; ``unmeasured`` says why there is no review yet."""

    learners: int | None
    days: int | None
    standards: SpendingStandards | None
    budget: ClassBudget | None
    review: BudgetReview | None
    unmeasured: str | None


async def measured_budget(session: AsyncSession, kept: OfficeBudget, training_class: PlanningClass) -> MeasuredBudget:
    learners = kept.learners or await _enrolled(session, training_class.class_id)
    days = kept.days or await _days_of(session, training_class)
    standards_row = await session.get(OfficeStandards, kept.standards)
    standards = standards_of(standards_row) if standards_row is not None else None
    missing = [
        what
        for what, known in (
            ("no learner is enrolled (give learners)", learners),
            ("the class has no days yet (give days)", days),
            (f"the standards {kept.standards} are not published", standards),
        )
        if not known
    ]
    if missing or learners is None or days is None or standards is None:
        return MeasuredBudget(learners or None, days or None, standards, None, None, "; ".join(missing))
    budget = budget_of(kept, category=training_class.category, year=training_class.year, learners=learners, days=days)
    return MeasuredBudget(learners, days, standards, budget, review_budget(budget, standards, notes_of(kept)), None)


async def _enrolled(session: AsyncSession, class_id: str) -> int:
    rows = await session.exec(
        select(PlanningEnrollment.person_id).where(
            PlanningEnrollment.class_id == class_id, PlanningEnrollment.status == ENROLLED
        )
    )
    return len(set(rows.all()))


async def _days_of(session: AsyncSession, training_class: PlanningClass) -> int | None:
    """The days its scheduled sessions fall on (Beijing time), else the days from its start to its end."""
    rows = await session.exec(
        select(PlanningSession.starts_at).where(
            PlanningSession.class_id == training_class.class_id, PlanningSession.status != "cancelled"
        )
    )
    days = {beijing_day(moment) for moment in rows.all()}
    if days:
        return len(days)
    if training_class.starts_on is not None and training_class.ends_on is not None:
        return (training_class.ends_on - training_class.starts_on).days + 1
    return None


async def newest_standards(session: AsyncSession) -> str | None:
    rows = await session.exec(
        select(OfficeStandards.name).order_by(col(OfficeStandards.changed_at).desc(), col(OfficeStandards.name).desc())
    )
    return rows.first()


# ── a person's training record ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class KnownRecord:
    """A training record from the facts whose classes are known; ``waiting_for`` names the classes of the others."""

    record: CadreRecord
    waiting_for: frozenset[str]


async def training_record(
    session: AsyncSession, person_id: str, as_of: date = date.max, *, with_enrollments: bool = True
) -> KnownRecord | None:
    """The person's training record as of a day, or None while the person is not known; without enrollments, of
    what they trained only (as announced: the ledger's, evaluation's and certificates' facts)."""
    found = await person(session, person_id)
    if found is None:
        return None
    credits = await standing_credits_of(session, [person_id])
    enrollments = await enrollments_of(session, [person_id]) if with_enrollments else ()
    assessments = await assessments_of(session, [person_id])
    certificates = await certificates_of(session, [person_id])
    named = class_ids_in(credits, enrollments, assessments, certificates)
    known = await classes(session, named)
    record = cadre_record(
        found,
        classes=known,
        enrollments=[e for e in enrollments if e.class_id in known],
        credits=[c for c in credits if c.class_id is None or c.class_id in known],
        assessments=[a for a in assessments if a.class_id in known],
        certificates=[c for c in certificates if c.class_id in known],
        standings=await standings_of(session, [person_id]),
        as_of=as_of,
    )
    return KnownRecord(record, frozenset(named - known.keys()))


async def assessments_in(session: AsyncSession, class_ids: Collection[str]) -> tuple[Assessment, ...]:
    rows = await _where_in(session, PlanningAssessment, PlanningAssessment.class_id, class_ids)
    return tuple(assessment_of(row) for row in rows)


async def certificates_in(session: AsyncSession, class_ids: Collection[str]) -> tuple[CertificateChange, ...]:
    rows = await _where_in(session, PlanningCertificate, PlanningCertificate.class_id, class_ids)
    return tuple(certificate_of(row) for row in rows)
