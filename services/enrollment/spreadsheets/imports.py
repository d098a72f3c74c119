"""Importing the register (units, Party organisations, people, their statuses and positions) and class rosters.

An import reads every row, and reports every bad one with its sheet, line, column and reason; nothing in it
writes anything. What it returns is the whole outcome: the records to create, the records to change, and those
the file repeats unchanged. Applying is the caller's single transaction, and only when there are no problems,
so an import is all or nothing, and the same file twice changes nothing the second time.

A person's rows on the 政治面貌 or 职务 sheet replace that person's status or position history; a person
without rows there keeps what the register has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Generic, TypeVar

from services.enrollment.domain.classes import TrainingClass
from services.enrollment.domain.eligibility import ELIGIBILITY_V1, EligibilityPolicy
from services.enrollment.domain.enrollments import ACTIVE, Enrollment, nominate
from services.enrollment.domain.errors import (
    EligibilityError,
    EnrollmentError,
    OrganisationError,
    VocabularyError,
)
from services.enrollment.domain.organisation import (
    Organisation,
    OrganisationProblem,
    PartyOrganisation,
    Unit,
    branch_on,
    by_code_or_name,
    organisation_problems,
    unit_on,
)
from services.enrollment.domain.people import (
    Person,
    PositionPeriod,
    StatusPeriod,
    person_problems,
    position_problems,
    status_problems,
)
from services.enrollment.domain.periods import Period
from services.enrollment.domain.vocabulary import (
    Labelled,
    PartyOrganisationKind,
    PersonKind,
    PoliticalStatus,
    Position,
    UnitKind,
    parse,
)
from services.enrollment.spreadsheets import layouts as sheet
from services.enrollment.spreadsheets.layouts import SheetLayout
from services.enrollment.spreadsheets.reading import CellError, Row, Table, parse_date, text

R = TypeVar("R")
L = TypeVar("L", bound=Labelled)


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with an import: where (sheet, line, column) as far as it is known, and why."""

    sheet: str
    line: int | None
    column: str | None
    reason: str

    def text(self) -> str:
        where = ", ".join(
            part for part in (self.sheet, f"line {self.line}" if self.line else "", self.column or "") if part
        )
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What applying the import would do to one kind of record."""

    created: tuple[R, ...] = ()
    changed: tuple[R, ...] = ()
    unchanged: tuple[str, ...] = ()  # codes or 工号 of records the file repeats as they are


@dataclass(frozen=True)
class RegisterImport:
    organisation: Organisation  # the units and Party organisations as they would stand
    units: Outcome[Unit]
    party_organisations: Outcome[PartyOrganisation]
    people: Outcome[Person]
    problems: tuple[RowProblem, ...]


@dataclass(frozen=True)
class RosterImport:
    nominations: tuple[Enrollment, ...]  # new nominations to record, in the file's order
    already_enrolled: tuple[str, ...]  # 工号 of people the class already has: nothing to do for them
    problems: tuple[RowProblem, ...]


def import_register(
    tables: Mapping[str, Table], organisation: Organisation, people: Mapping[str, Person], on: date
) -> RegisterImport:
    """Every change the file asks of the register, checked as of ``on`` (the day it is imported)."""
    problems: list[RowProblem] = []
    file_units = _units(tables.get(sheet.UNITS.name), problems)
    units = {**organisation.units, **{unit.code: unit for unit, _ in file_units.values()}}
    file_party = _party_organisations(tables.get(sheet.PARTY_ORGANISATIONS.name), units, problems)
    party = {**organisation.party, **{o.code: o for o, _ in file_party.values()}}
    merged = Organisation(units, party)
    problems += [
        _organisation_problem(p, file_units, file_party) for p in organisation_problems(units.values(), party.values())
    ]
    imported_people = _people(tables, merged, people, on, problems)
    return RegisterImport(
        organisation=merged,
        units=_outcome([u for u, _ in file_units.values()], organisation.units, lambda u: u.code),
        party_organisations=_outcome([o for o, _ in file_party.values()], organisation.party, lambda o: o.code),
        people=_outcome(imported_people, {k: _canonical(p) for k, p in people.items()}, lambda p: p.person_id),
        problems=_in_reading_order(problems),
    )


def import_roster(
    tables: Mapping[str, Table],
    training_class: TrainingClass,
    *,
    people: Mapping[str, Person],
    organisation: Organisation,
    enrollments: Sequence[Enrollment],
    at: datetime,
    new_enrollment_id: Callable[[str], str],
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> RosterImport:
    """Nominations for ``training_class`` from its 花名册: each row is checked as a nomination would be."""
    table = tables.get(sheet.ROSTER.name)
    if table is None:
        return RosterImport((), (), (RowProblem(sheet.ROSTER.name, None, None, "the file has no 花名册 sheet"),))
    first_day = training_class.first_day
    if first_day is None:
        reason = f"class {training_class.class_id} has no days yet: people are judged as of its first day"
        return RosterImport((), (), (RowProblem(sheet.ROSTER.name, None, None, reason),))
    problems: list[RowProblem] = []
    current = [e for e in enrollments if e.class_id == training_class.class_id]
    taking_part = {e.person_id for e in current if e.status in ACTIVE}
    nominations: list[Enrollment] = []
    already: list[str] = []
    for row in _unique_rows(table, sheet.PERSON_ID, problems):
        cells = _Cells(sheet.ROSTER, row, problems)
        person_id = cells.text(sheet.PERSON_ID)
        if not person_id:
            continue
        person = people.get(person_id)
        if person is None:
            cells.problem(sheet.PERSON_ID, f"unknown 工号/学号 {person_id}: register the person first")
            continue
        written_name = cells.text(sheet.NAME)
        if written_name and written_name != person.name:
            cells.problem(sheet.NAME, f"the register knows {person_id} as {person.name}, not {written_name}")
            continue
        unit = cells.reference(sheet.NOMINATING_UNIT, lambda ref: unit_on(organisation, ref, first_day).code)
        if cells.bad:
            continue
        if person_id in taking_part:
            already.append(person_id)
            continue
        nominating_unit = unit or person.unit
        if nominating_unit is None:
            cells.problem(sheet.NOMINATING_UNIT, f"the register knows no unit of {person_id}: name the 选派单位")
            continue
        try:
            nominated = nominate(
                new_enrollment_id(person_id),
                person,
                training_class,
                unit=nominating_unit,
                enrollments=[*current, *nominations],
                at=at,
                policy=policy,
            )
        except EligibilityError as error:
            cells.problem(sheet.PERSON_ID, f"ineligible: {error}")
        except EnrollmentError as error:
            cells.problem(sheet.NOMINATING_UNIT, str(error))
        else:
            nominations.append(nominated)
    return RosterImport(tuple(nominations), tuple(already), _in_reading_order(problems))


class _Cells:
    """Reads one row's cells by header, recording a problem for each cell that cannot be read."""

    def __init__(self, layout: SheetLayout, row: Row, problems: list[RowProblem]) -> None:
        self.layout, self.row, self.problems = layout, row, problems
        self.bad = False

    def problem(self, header: str | None, reason: str) -> None:
        self.problems.append(RowProblem(self.layout.name, self.row.line, header, reason))
        self.bad = True

    def text(self, header: str) -> str:
        value = text(self.row.cells.get(header))
        if not value and self.layout.column(header).required:
            self.problem(header, f"{header} is required")
        return value

    def date(self, header: str) -> date | None:
        if not self.text(header):
            return None
        try:
            return parse_date(self.row.cells.get(header))
        except CellError as error:
            self.problem(header, str(error))
            return None

    def choice(self, header: str, vocabulary: type[L]) -> L | None:
        written = self.text(header)
        if not written:
            return None
        try:
            return parse(vocabulary, written)
        except VocabularyError as error:
            self.problem(header, str(error))
            return None

    def reference(self, header: str, resolve: Callable[[str], str]) -> str | None:
        """The code a cell refers to (a unit, a branch…), by code or by name."""
        written = self.text(header)
        if not written:
            return None
        try:
            return resolve(written)
        except OrganisationError as error:
            self.problem(header, str(error))
            return None


def _units(table: Table | None, problems: list[RowProblem]) -> dict[str, tuple[Unit, int]]:
    units: dict[str, tuple[Unit, int]] = {}
    for row in _unique_rows(table, sheet.UNIT_CODE, problems):
        cells = _Cells(sheet.UNITS, row, problems)
        code, name = cells.text(sheet.UNIT_CODE), cells.text(sheet.UNIT_NAME)
        kind = cells.choice(sheet.UNIT_KIND, UnitKind)
        period = _period(cells, sheet.FOUNDED, sheet.ABOLISHED)
        if not cells.bad and kind is not None and period is not None:
            units[code] = (Unit(code, name, kind, period), row.line)
    return units


def _party_organisations(
    table: Table | None, units: Mapping[str, Unit], problems: list[RowProblem]
) -> dict[str, tuple[PartyOrganisation, int]]:
    found: dict[str, tuple[PartyOrganisation, int]] = {}
    for row in _unique_rows(table, sheet.ORG_CODE, problems):
        cells = _Cells(sheet.PARTY_ORGANISATIONS, row, problems)
        code, name = cells.text(sheet.ORG_CODE), cells.text(sheet.ORG_NAME)
        kind = cells.choice(sheet.ORG_KIND, PartyOrganisationKind)
        parent = cells.text(sheet.PARENT) or None
        unit = cells.reference(sheet.UNIT, lambda ref: by_code_or_name(units, ref, "unit").code)
        period = _period(cells, sheet.FOUNDED, sheet.ABOLISHED)
        if not cells.bad and kind is not None and period is not None:
            found[code] = (PartyOrganisation(code, name, kind, parent, period, unit), row.line)
    return found


def _people(
    tables: Mapping[str, Table],
    organisation: Organisation,
    existing: Mapping[str, Person],
    on: date,
    problems: list[RowProblem],
) -> list[Person]:
    listed: dict[str, Person] = {}
    people_rows = _unique_rows(tables.get(sheet.PEOPLE.name), sheet.PERSON_ID, problems)
    for row in people_rows:
        cells = _Cells(sheet.PEOPLE, row, problems)
        person_id, name = cells.text(sheet.PERSON_ID), cells.text(sheet.NAME)
        kind = cells.choice(sheet.PERSON_KIND, PersonKind)
        unit = cells.reference(sheet.UNIT, lambda ref: unit_on(organisation, ref, on).code)
        branch = cells.reference(sheet.BRANCH, lambda ref: branch_on(organisation, ref, on).code)
        if cells.bad or kind is None or unit is None:
            continue
        person = Person(person_id, name, kind, unit, branch)
        before = existing.get(person_id)
        for problem in person_problems(person):
            cells.problem(None, problem)
        if cells.bad:
            continue
        before = existing.get(person_id)
        if before is not None:  # histories come from their own sheets, or stay as they are
            person = replace(person, statuses=before.statuses, positions=before.positions)
        listed[person_id] = person
    known = {**existing, **listed}
    # A person whose own row is bad is reported there, not again as unknown on every row of their history.
    reported = {text(row.cells.get(sheet.PERSON_ID)) for row in people_rows} - set(listed)
    statuses = _statuses(tables.get(sheet.STATUSES.name), known, reported, problems)
    positions = _positions(tables.get(sheet.POSITIONS.name), known, reported, problems)
    touched = [pid for pid in known if pid in listed or pid in statuses or pid in positions]
    imported = []
    for person_id in touched:
        person = known[person_id]
        if person_id in statuses:
            held, line = statuses[person_id]
            person = replace(person, statuses=held)
            problems += [RowProblem(sheet.STATUSES.name, line, None, p) for p in status_problems(held)]
        if person_id in positions:
            held_positions, line = positions[person_id]
            person = replace(person, positions=held_positions)
            problems += [RowProblem(sheet.POSITIONS.name, line, None, p) for p in position_problems(held_positions)]
        imported.append(_canonical(person))
    return imported


def _statuses(
    table: Table | None, known: Mapping[str, Person], reported: set[str], problems: list[RowProblem]
) -> dict[str, tuple[tuple[StatusPeriod, ...], int]]:
    """Each person's status changes, chained: a status lasts until the next one begins."""
    changes: dict[str, list[tuple[PoliticalStatus, date, date | None, int]]] = defaultdict(list)
    for row in table.rows if table else ():
        cells = _Cells(sheet.STATUSES, row, problems)
        person_id = _known_person(cells, known, reported)
        status = cells.choice(sheet.STATUS, PoliticalStatus)
        since = cells.date(sheet.STATUS_SINCE)
        admission = cells.date(sheet.ADMISSION)
        if person_id is None or cells.bad or status is None or since is None:
            continue
        same_day = [line for _, day, _, line in changes[person_id] if day == since]
        if same_day:
            cells.problem(sheet.STATUS_SINCE, f"{person_id} already has a status from {since} (line {same_day[0]})")
            continue
        changes[person_id].append((status, since, admission, row.line))
    chained = {}
    for person_id, rows in changes.items():
        rows.sort(key=lambda change: change[1])
        untils = [change[1] for change in rows[1:]] + [None]
        periods = tuple(
            StatusPeriod(status, Period(since, until), admission)
            for (status, since, admission, _), until in zip(rows, untils, strict=True)
        )
        chained[person_id] = (periods, rows[0][3])
    return chained


def _positions(
    table: Table | None, known: Mapping[str, Person], reported: set[str], problems: list[RowProblem]
) -> dict[str, tuple[tuple[PositionPeriod, ...], int]]:
    held: dict[str, tuple[list[PositionPeriod], int]] = {}
    for row in table.rows if table else ():
        cells = _Cells(sheet.POSITIONS, row, problems)
        person_id = _known_person(cells, known, reported)
        position = cells.choice(sheet.POSITION, Position)
        period = _period(cells, sheet.APPOINTED, sheet.REMOVED)
        if person_id is None or cells.bad or position is None or period is None:
            continue
        held.setdefault(person_id, ([], row.line))[0].append(PositionPeriod(position, period))
    return {person_id: (tuple(periods), line) for person_id, (periods, line) in held.items()}


def _known_person(cells: _Cells, known: Mapping[str, Person], reported: set[str]) -> str | None:
    person_id = cells.text(sheet.PERSON_ID)
    if person_id in reported:
        cells.bad = True
        return None
    if person_id and person_id not in known:
        cells.problem(sheet.PERSON_ID, f"unknown 工号/学号 {person_id}: not on the 人员 sheet nor in the register")
        return None
    return person_id or None


def _period(cells: _Cells, since_header: str, until_header: str) -> Period | None:
    since, until = cells.date(since_header), cells.date(until_header)
    if since is None:
        return None
    period = Period(since, until)
    if (problem := period.problem()) is not None:
        cells.problem(until_header, f"{until_header} {problem}")
        return None
    return period


def _unique_rows(table: Table | None, key: str, problems: list[RowProblem]) -> list[Row]:
    """The rows of a sheet whose key (code, 工号…) was not already given on an earlier row."""
    if table is None:
        return []
    first_line: dict[str, int] = {}
    unique = []
    for row in table.rows:
        value = text(row.cells.get(key))
        if value and value in first_line:
            problems.append(
                RowProblem(
                    table.sheet,
                    row.line,
                    key,
                    f"duplicate {key} {value} (first on line {first_line[value]})",
                )
            )
            continue
        if value:
            first_line[value] = row.line
        unique.append(row)
    return unique


def _organisation_problem(
    problem: OrganisationProblem,
    units: Mapping[str, tuple[Unit, int]],
    party: Mapping[str, tuple[PartyOrganisation, int]],
) -> RowProblem:
    """The problem, at the row that gave the record; a record the file did not give is named in the reason."""
    layout, given = (sheet.UNITS, units) if problem.is_unit else (sheet.PARTY_ORGANISATIONS, party)
    line = given[problem.code][1] if problem.code in given else None
    return RowProblem(layout.name, line, None, problem.reason)


def _in_reading_order(problems: Iterable[RowProblem]) -> tuple[RowProblem, ...]:
    """Sheet by sheet as the workbook has them, line by line; what concerns no single line closes its sheet."""
    order = [layout.name for layout in (*sheet.REGISTER_SHEETS, sheet.ROSTER)]
    return tuple(sorted(problems, key=lambda p: (order.index(p.sheet), p.line is None, p.line or 0)))


def _canonical(person: Person) -> Person:
    """The person with histories in date order, so the same facts compare equal however they were listed."""
    return replace(
        person,
        statuses=tuple(sorted(person.statuses, key=lambda held: (held.period.since, held.status.value))),
        positions=tuple(sorted(person.positions, key=lambda held: (held.period.since, held.position.value))),
    )


def _outcome(records: Iterable[R], existing: Mapping[str, R], key: Callable[[R], str]) -> Outcome[R]:
    created, changed, unchanged = [], [], []
    for record in records:
        before = existing.get(key(record))
        if before is None:
            created.append(record)
        elif before != record:
            changed.append(record)
        else:
            unchanged.append(key(record))
    return Outcome(tuple(created), tuple(changed), tuple(unchanged))
