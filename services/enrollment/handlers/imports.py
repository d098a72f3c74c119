"""Workbooks (.xlsx) and CSV files into the register: the units, the Party tree and people; a class's roster.

A dry run reports what the file would do and every bad row (sheet, line, column, reason). Applying is all or
nothing: a file with any bad row changes nothing, and says why row by row. The same file twice changes nothing
the second time: what the register holds already gets no new version and no event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlmodel import col, select

from services.enrollment import records
from services.enrollment.access import check_manages
from services.enrollment.domain.eligibility import EligibilityPolicy
from services.enrollment.handlers.classes import class_lock, enrollment_rows
from services.enrollment.handlers.common import command, found, record, today
from services.enrollment.handlers.organisation import ORGANISATION_LOCK, organisation_rows
from services.enrollment.models import (
    Enrollment,
    ImportedRecords,
    ImportProblem,
    Organisation,
    Person,
    RegisterImportReport,
    RosterImportReport,
    TrainingClass,
)
from services.enrollment.spreadsheets import imports, layouts
from services.enrollment.spreadsheets.reading import read_tables, text
from shared.auth import Principal
from shared.errors import CommandRejected
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork

R = TypeVar("R")


@command
async def import_register(uow: UnitOfWork, workbook: bytes, *, apply: bool) -> RegisterImportReport:
    """Units, Party organisations, people and their histories, as of today."""
    tables = read_tables(workbook, layouts.REGISTER_SHEETS)
    await uow.lock(ORGANISATION_LOCK)
    organisation_by_code = await organisation_rows(uow)
    person_rows = {row.person_id: row for row in (await uow.session.exec(select(Person))).all()}
    outcome = imports.import_register(
        tables,
        records.organisation_of(organisation_by_code.values()),
        {person_id: records.person_of(row) for person_id, row in person_rows.items()},
        today(uow),
    )
    if apply:
        _refuse_if_any(outcome.problems)
        for unit in (*outcome.units.created, *outcome.units.changed):
            record(uow, Organisation, organisation_by_code.get(unit.code), records.unit_fields(unit))
        for party in (*outcome.party_organisations.created, *outcome.party_organisations.changed):
            fields = records.party_organisation_fields(party)
            record(uow, Organisation, organisation_by_code.get(party.code), fields)
        for person in (*outcome.people.created, *outcome.people.changed):
            record(uow, Person, person_rows.get(person.person_id), records.person_fields(person))
    return RegisterImportReport(
        applied=apply,
        problems=_problems(outcome.problems),
        units=_records(outcome.units, lambda unit: unit.code),
        party_organisations=_records(outcome.party_organisations, lambda party: party.code),
        persons=_records(outcome.people, lambda person: person.person_id),
    )


@command
async def import_roster(
    uow: UnitOfWork,
    class_id: str,
    workbook: bytes,
    *,
    apply: bool,
    principal: Principal,
    policy: EligibilityPolicy,
) -> RosterImportReport:
    """The class's 花名册: each row a nomination by the row's unit (or the person's own), checked as one."""
    await uow.lock(class_lock(class_id))
    training_class = await found(uow, TrainingClass, class_id, "class")
    check_manages(principal, training_class, "import its roster")
    tables = read_tables(workbook, (layouts.ROSTER,))
    roster = tables.get(layouts.ROSTER.name)
    listed = {text(row.cells.get(layouts.PERSON_ID)) for row in roster.rows} if roster else set()
    people = (await uow.session.exec(select(Person).where(col(Person.person_id).in_(listed)))).all()
    await uow.lock(ORGANISATION_LOCK)
    rows = await enrollment_rows(uow, class_id)
    outcome = imports.import_roster(
        tables,
        records.class_of(training_class),
        people={row.person_id: records.person_of(row) for row in people},
        organisation=records.organisation_of((await organisation_rows(uow)).values()),
        enrollments=[records.enrollment_of(row) for row in rows.values()],
        at=uow.now,
        new_enrollment_id=lambda _: new_id("enrollment"),
        policy=policy,
    )
    if apply:
        _refuse_if_any(outcome.problems)
        for nomination in outcome.nominations:
            record(uow, Enrollment, rows.get(nomination.enrollment_id), records.enrollment_fields(nomination))
    return RosterImportReport(
        applied=apply,
        problems=_problems(outcome.problems),
        nominated=[nomination.person_id for nomination in outcome.nominations],
        already_enrolled=list(outcome.already_enrolled),
    )


def _refuse_if_any(problems: Iterable[imports.RowProblem]) -> None:
    found_problems = list(problems)
    if found_problems:
        listed = "; ".join(problem.text() for problem in found_problems)
        raise CommandRejected(
            f"nothing was imported: the file has {len(found_problems)} problem(s), fix them and upload it again "
            f"(a dry run lists them too): {listed}"
        )


def _problems(problems: Iterable[imports.RowProblem]) -> list[ImportProblem]:
    return [ImportProblem(sheet=p.sheet, line=p.line, column=p.column, reason=p.reason) for p in problems]


def _records(outcome: imports.Outcome[R], key: Callable[[R], str]) -> ImportedRecords:
    return ImportedRecords(
        created=[key(item) for item in outcome.created],
        changed=[key(item) for item in outcome.changed],
        unchanged=list(outcome.unchanged),
    )
