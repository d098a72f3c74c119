"""Read models of the hours service, straight from its tables: a person's ledger for a year, their transcript
(学时档案) as of a day, where they stand on their requirements, the figures of a 学时证明, compliance by unit and
branch, and the attendance still waiting for a person or session.

Reports judge with the domain's functions over the ledger's lines (what the lines say as of a day), the same
functions the handlers judge with as lines post.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select as select_rows
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.hours.access import ENROLLED, Visibility
from services.hours.domain.completion import ClassTerms, HeldSession, assess_class
from services.hours.domain.compliance import Person, Tally, annual_figures, compliance
from services.hours.domain.crediting import CENT, ZERO
from services.hours.domain.ledger import EntryKind, session_item, totals
from services.hours.domain.requirements import Assessment, Requirement, TenureWindow, assess
from services.hours.domain.transcript import PostedEntry, YearTotals, transcript
from services.hours.handlers.requirements import tenures_of
from services.hours.models import (
    AnnualHoursPublic,
    BranchCompliancePublic,
    CategoryHours,
    ClassProgressPublic,
    ClassSummary,
    CompliancePublic,
    ComplianceRowPublic,
    LearnerProgress,
    LedgerEntry,
    LedgerEntryPublic,
    LedgerItem,
    PendingAttendance,
    PendingPublic,
    PersonHoursPublic,
    ProjectedClass,
    ProjectedEnrollment,
    ProjectedOrganisation,
    ProjectedPerson,
    ProjectedSession,
    RequirementsPublic,
    StandingPublic,
    TallyPublic,
    TranscriptLine,
    TranscriptPublic,
    UnitCompliancePublic,
    YearHours,
)
from shared.db import KEYS_PER_QUERY, execute, rows_matching, table_of
from shared.errors import NotFound
from shared.events.contracts import contracts_on
from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceStatus, Channel
from shared.events.envelope import CloudEvent
from shared.unit_of_work import ParkedEvent
from shared.vocabulary import category_label

OUTSIDE_CLASSES = "班外学习"  # the label of study outside any class (online platforms, branch study on one's own)
CANCELLED = "cancelled"  # a session's status once it will not take place


async def person_hours_view(session: AsyncSession, person_id: str, year: int) -> PersonHoursPublic:
    """A person's entries and totals for ``year``; a person with no entries (known or not) has an empty ledger."""
    entries = (
        await session.exec(
            select(LedgerEntry)
            .where(col(LedgerEntry.person_id) == person_id, col(LedgerEntry.year) == year)
            .order_by(col(LedgerEntry.posted_at), col(LedgerEntry.kind).desc(), col(LedgerEntry.entry_id))
        )
    ).all()
    summed = totals(entries)
    classes = (
        await session.exec(
            select(ProjectedClass)
            .where(col(ProjectedClass.class_id).in_(summed.by_class))
            .order_by(col(ProjectedClass.class_id))
        )
    ).all()
    return PersonHoursPublic(
        person_id=person_id,
        year=year,
        total_hours=summed.total_hours,
        by_class=summed.by_class,
        entries=[LedgerEntryPublic.model_validate(entry, from_attributes=True) for entry in entries],
        classes=[ClassSummary.model_validate(c, from_attributes=True) for c in classes],
    )


# ── Transcript, requirements, 学时证明 ──────────────────────────────────────────────────────────────────────────


async def transcript_view(session: AsyncSession, person_id: str, as_of: date) -> TranscriptPublic:
    """Every line on the person's ledger at the end of ``as_of``, with its reason, rule and source, and totals per
    year, channel and category."""
    shown = transcript(person_id, await lines_of(session, person_id), as_of)
    return TranscriptPublic(
        person_id=person_id,
        as_of=as_of,
        total=shown.total,
        years=[year_hours(year) for year in shown.years],
        lines=[
            TranscriptLine(
                entry_id=line.entry_id,
                kind=line.kind,
                hours=line.hours,
                trained_on=line.trained_on,
                recorded_at=line.recorded_at,
                channel=line.channel.value,
                category=line.category,
                category_label=category_label(line.category) if line.category is not None else None,
                class_id=line.class_id,
                item=line.item,
                rule=line.rule,
                reason=line.reason,
                source=line.source,
            )
            for line in shown.entries
        ],
    )


async def requirements_view(
    session: AsyncSession, person_id: str, as_of: date, requirements: Sequence[Requirement]
) -> RequirementsPublic:
    """Where the person stands, as of the end of ``as_of``, on every requirement that applies to them then."""
    tenures = await _tenures(session, [person_id])
    standings = assess(person_id, tenures.get(person_id, ()), await lines_of(session, person_id), requirements, as_of)
    return RequirementsPublic(person_id=person_id, as_of=as_of, standings=[standing(a) for a in standings])


async def annual_hours_view(
    session: AsyncSession, person_id: str, year: int, as_of: date, requirements: Sequence[Requirement]
) -> AnnualHoursPublic:
    """The figures of a 学时证明 for ``year``, as known on ``as_of`` (at the year's end once it is over)."""
    tenures = await _tenures(session, [person_id])
    figures = annual_figures(
        person_id,
        tenures.get(person_id, ()),
        await lines_of(session, person_id),
        requirements,
        year=year,
        as_of=as_of,
    )
    return AnnualHoursPublic(
        person_id=person_id,
        year=year,
        as_of=figures.as_of,
        totals=year_hours(figures.totals),
        standings=[standing(a) for a in figures.requirements],
    )


def year_hours(year: YearTotals) -> YearHours:
    return YearHours(
        year=year.year,
        total=year.total,
        concentrated=year.concentrated,
        online=year.online,
        by_category=[
            CategoryHours(
                category=category,
                label=category_label(category) if category is not None else OUTSIDE_CLASSES,
                hours=hours,
            )
            for category, hours in year.by_category.items()
        ],
    )


def standing(assessment: Assessment) -> StandingPublic:
    requirement = assessment.requirement
    return StandingPublic(
        requirement=requirement.name,
        label=requirement.label,
        source=requirement.source,
        window_start=assessment.window.start,
        window_end=assessment.window.last_day,
        required=assessment.required,
        credited=assessment.credited,
        shortfall=assessment.shortfall,
        standing=assessment.standing.value,
        met_on=assessment.met_on,
        pace=assessment.pace,
        deadline=assessment.deadline,
        explanation=assessment.explanation,
    )


async def lines_of(session: AsyncSession, person_id: str) -> list[PostedEntry]:
    """The ledger lines of one person, as the domain reads them."""
    return (await lines_by_person(session, [person_id])).get(person_id, [])


async def lines_by_person(
    session: AsyncSession, person_ids: Sequence[str], since: date | None = None
) -> dict[str, list[PostedEntry]]:
    """The ledger lines of each of ``person_ids`` (trained on ``since`` or later)."""
    table = table_of(LedgerEntry)
    lines: dict[str, list[PostedEntry]] = {}
    wanted = sorted(set(person_ids))
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        query = select_rows(table).where(table.c.person_id.in_(wanted[start : start + KEYS_PER_QUERY]))
        if since is not None:
            query = query.where(table.c.trained_on >= since)
        for row in (await execute(session, query)).mappings():
            lines.setdefault(row["person_id"], []).append(_posted(row))
    return lines


def _posted(row: Any) -> PostedEntry:
    return PostedEntry(
        entry_id=row["entry_id"],
        kind=EntryKind(row["kind"]),
        hours=row["hours"],
        trained_on=row["trained_on"],
        recorded_at=row["posted_at"],
        channel=Channel(row["channel"]),
        category=row["category"],
        class_id=row["class_id"],
        item=row["item"],
        rule=row["rule"],
        reason=row["reason"],
        source=row["attendance_source"],
    )


async def _tenures(session: AsyncSession, person_ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    table = table_of(ProjectedPerson)
    query = select_rows(table.c.person_id, table.c.statuses, table.c.positions).where(
        table.c.person_id.in_(sorted(set(person_ids)))
    )
    return {row["person_id"]: tenures_of(row) for row in (await execute(session, query)).mappings()}


# ── A class: its required 学时 and maximum absence ───────────────────────────────────────────────────────────


async def class_progress_view(session: AsyncSession, class_id: str, now: datetime) -> ClassProgressPublic:
    """Each enrolled learner against the class's required 学时 and maximum absence, from the sessions ended by
    ``now`` (what the ledger holds for each, the attendance that stands) and those still to come."""
    klass = await session.get(ProjectedClass, class_id)
    if klass is None:
        raise NotFound(f"no class {class_id} is known (yet)")
    sessions = [
        s
        for s in (await session.exec(select(ProjectedSession).where(ProjectedSession.class_id == class_id))).all()
        if s.status != CANCELLED
    ]
    held = [s for s in sessions if s.starts_at + timedelta(minutes=s.duration_minutes) <= now]
    scheduled = sum((s.hours for s in sessions), ZERO)
    to_come = sum((s.hours for s in sessions if s not in held), ZERO)
    enrollment = table_of(ProjectedEnrollment)
    learners = sorted(
        person_id
        for (person_id,) in await execute(
            session,
            select_rows(enrollment.c.person_id).where(
                enrollment.c.class_id == class_id, enrollment.c.status == ENROLLED
            ),
        )
    )
    items = await rows_matching(
        session,
        table_of(LedgerItem),
        ["person_id", "item"],
        [(person_id, session_item(s.session_id)) for person_id in learners for s in held],
        ["person_id", "item", "standing_hours", "attendance_status"],
    )
    recorded = {(row["person_id"], row["item"]): row for row in items}
    max_absence = (klass.max_absence_share * scheduled).quantize(CENT) if klass.max_absence_share is not None else None
    terms = ClassTerms(class_id, klass.required_hours, max_absence)
    progress = []
    for person_id in learners:
        shown = [
            HeldSession(
                s.session_id,
                hours=s.hours,
                credited=(row["standing_hours"] or ZERO) if row else ZERO,
                status=_status(row["attendance_status"]) if row else None,
            )
            for s in held
            for row in [recorded.get((person_id, session_item(s.session_id)))]
        ]
        standing = assess_class(terms, shown, hours_to_come=to_come)
        progress.append(
            LearnerProgress(
                person_id=person_id,
                credited=standing.credited,
                shortfall=standing.shortfall,
                excused_absence=standing.excused_absence,
                unexcused_absence=standing.unexcused_absence,
                standing=standing.standing.value,
                explanation=standing.explanation,
            )
        )
    return ClassProgressPublic(
        class_id=class_id,
        title=klass.title,
        required_hours=klass.required_hours,
        max_absence_hours=max_absence,
        scheduled_hours=scheduled,
        held_hours=sum((s.hours for s in held), ZERO),
        learners=progress,
    )


def _status(shown: str | None) -> AttendanceStatus | None:
    """What the ledger last announced of a session record; none (every report voided) is no attendance."""
    return AttendanceStatus(shown) if shown in set(AttendanceStatus) else None


# ── Compliance by unit and branch ──────────────────────────────────────────────────────────────────────────────

NO_UNIT, NO_BRANCH = "", ""


async def compliance_view(
    session: AsyncSession,
    as_of: date,
    requirements: Sequence[Requirement],
    scope: Visibility,
    *,
    unit_id: str | None = None,
    branch_id: str | None = None,
) -> CompliancePublic:
    """Everyone ``scope`` sees (in one unit or branch, if asked) on every requirement that applies to them as of the
    end of ``as_of``: who is behind which requirement, by how much, and the tallies of each branch and unit."""
    table = table_of(ProjectedPerson)
    query = select_rows(table).where(table.c.active.is_(True))
    if unit_id is not None:
        query = query.where(table.c.unit_id == unit_id)
    if branch_id is not None:
        query = query.where(table.c.branch_id == branch_id)
    people = [
        Person(row["person_id"], row["unit_id"] or NO_UNIT, row["branch_id"] or NO_BRANCH, tenures_of(row))
        for row in (await execute(session, query)).mappings()
        if scope.sees(row["person_id"])
    ]
    since = _earliest_window(people, requirements, as_of)
    by_person = await lines_by_person(session, [person.person_id for person in people], since)
    names = await _organisation_names(session)
    units = compliance(people, by_person, requirements, as_of)
    return CompliancePublic(
        as_of=as_of,
        units=[
            UnitCompliancePublic(
                unit_id=unit.unit or None,
                unit=names.get(unit.unit, unit.unit or "（未注明单位）"),
                branches=[
                    BranchCompliancePublic(
                        branch_id=branch.branch or None,
                        branch=names.get(branch.branch, branch.branch or "（未注明支部）"),
                        rows=[
                            ComplianceRowPublic(person_id=r.person_id, standing=standing(r.assessment))
                            for r in branch.rows
                        ],
                        behind=[
                            ComplianceRowPublic(person_id=r.person_id, standing=standing(r.assessment))
                            for r in branch.behind
                        ],
                        tallies=[_tally(tally) for tally in branch.tallies],
                    )
                    for branch in unit.branches
                ],
                tallies=[_tally(tally) for tally in unit.tallies],
            )
            for unit in units
        ],
    )


def _tally(tally: Tally) -> TallyPublic:
    return TallyPublic(
        requirement=tally.requirement,
        label=tally.label,
        under=tally.under,
        by_standing={standing.value: count for standing, count in tally.by_standing.items()},
        shortfall=tally.shortfall,
    )


def _earliest_window(people: Sequence[Person], requirements: Sequence[Requirement], as_of: date) -> date:
    """The first day any window judged as of ``as_of`` can begin: lines before it count toward none."""
    starts = [as_of]
    for requirement in requirements:
        if isinstance(requirement.window, TenureWindow):
            starts.extend(
                tenure.since for person in people for tenure in person.tenures if tenure.code in requirement.applies_to
            )
        else:
            starts.append(requirement.window.around(as_of).start)
    return min(starts)


async def _organisation_names(session: AsyncSession) -> dict[str, str]:
    table = table_of(ProjectedOrganisation)
    return {org_id: name for org_id, name in await execute(session, select_rows(table.c.org_id, table.c.name))}


# ── Pending attendance ─────────────────────────────────────────────────────────────────────────────────────────


async def pending_view(session: AsyncSession, now: datetime) -> PendingPublic:
    """Attendance kept until the person or session it names is known, oldest first, with how long it has waited."""
    table = table_of(ParkedEvent)
    rows = await execute(
        session,
        select_rows(table.c.source, table.c.event_id, table.c.waiting_for, table.c.payload, table.c.parked_at)
        .where(table.c.event_type.in_(sorted(contracts_on(ATTENDANCE_TOPIC))))
        .order_by(table.c.parked_at, table.c.source, table.c.event_id, table.c.waiting_for),
    )
    waiting: dict[tuple[str, str], PendingAttendance] = {}
    for source, event_id, waiting_for, payload, parked_at in rows:
        known = waiting.get((source, event_id))
        if known is not None:
            known.waiting_for.append(waiting_for)
            continue
        data = CloudEvent.model_validate_json(payload).data
        data = data if isinstance(data, dict) else {}
        waiting[(source, event_id)] = PendingAttendance(
            source=source,
            id=event_id,
            person_id=data.get("person_id"),
            session_id=data.get("session_id"),
            waiting_for=[waiting_for],
            parked_at=parked_at,
            age_seconds=round((now - parked_at).total_seconds(), 3),
        )
    listed = list(waiting.values())
    return PendingPublic(
        count=len(listed),
        oldest_age_seconds=max((entry.age_seconds for entry in listed), default=0.0),
        attendance=listed,
    )
