"""Units (学院, 部门, 分校…) and the Party organisation tree (党委 → 党总支 → 党支部), with effective dates.

Every unit and Party organisation exists from ``since`` up to, not including, ``until`` (the day it was
abolished, 撤销日期): a closed period is ``since <= day < until``, so a branch closed on 1 July and its
successor opened on 1 July never both exist, and never leave a gap. A Party organisation keeps its parent for
life; a reorganisation closes it and opens a new one under the new parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from services.enrollment.domain.errors import OrganisationError
from services.enrollment.domain.periods import Period
from services.enrollment.domain.vocabulary import PartyOrganisationKind, UnitKind

# Which kind of Party organisation may sit directly under which. A college's own 党委 (二级党委) sits under
# the university's; a 党支部 sits under a 党总支 or directly under a 党委 (直属党支部).
ALLOWED_PARENTS: Mapping[PartyOrganisationKind, frozenset[PartyOrganisationKind]] = {
    PartyOrganisationKind.PARTY_COMMITTEE: frozenset({PartyOrganisationKind.PARTY_COMMITTEE}),
    PartyOrganisationKind.GENERAL_BRANCH: frozenset({PartyOrganisationKind.PARTY_COMMITTEE}),
    PartyOrganisationKind.BRANCH: frozenset(
        {PartyOrganisationKind.PARTY_COMMITTEE, PartyOrganisationKind.GENERAL_BRANCH}
    ),
}


@dataclass(frozen=True)
class Unit:
    """An administrative unit (单位): a college, a department, a branch school."""

    code: str
    name: str
    kind: UnitKind
    period: Period


@dataclass(frozen=True)
class PartyOrganisation:
    """A 党委, 党总支 or 党支部; ``unit`` is the unit it is set up in, when it belongs to one."""

    code: str
    name: str
    kind: PartyOrganisationKind
    parent: str | None
    period: Period
    unit: str | None = None

    def described(self) -> str:
        return f"{self.kind.label} {self.name} ({self.code})"


@dataclass(frozen=True)
class OrganisationProblem:
    """What is wrong with one unit (``is_unit``) or one Party organisation, by its code."""

    code: str
    is_unit: bool
    reason: str


@dataclass(frozen=True)
class Organisation:
    """The units and the Party organisation tree as one consistent whole, both keyed by code."""

    units: Mapping[str, Unit]
    party: Mapping[str, PartyOrganisation]


def organisation_problems(units: Iterable[Unit], party: Iterable[PartyOrganisation]) -> list[OrganisationProblem]:
    """Everything that keeps these units and Party organisations from being one valid organisation."""
    units, party = list(units), list(party)
    problems = [OrganisationProblem(u.code, True, p) for u in units for p in _record_problems(u.code, u.name, u.period)]
    problems += [
        OrganisationProblem(o.code, False, p) for o in party for p in _record_problems(o.code, o.name, o.period)
    ]
    problems += [OrganisationProblem(code, True, f"unit code {code} appears more than once") for code in _twice(units)]
    problems += [
        OrganisationProblem(code, False, f"Party organisation code {code} appears more than once")
        for code in _twice(party)
    ]
    units_by_code = {unit.code: unit for unit in units}
    party_by_code = {organisation.code: organisation for organisation in party}
    # Events name units and Party organisations alike by their code: one code names one of them.
    problems += [
        OrganisationProblem(code, False, f"code {code} names both a unit and a Party organisation")
        for code in sorted(units_by_code.keys() & party_by_code.keys())
    ]
    for organisation in party:
        problems += [
            OrganisationProblem(organisation.code, False, reason)
            for reason in _placement_problems(organisation, party_by_code, units_by_code)
        ]
    return problems


def build_organisation(units: Iterable[Unit], party: Iterable[PartyOrganisation]) -> Organisation:
    units, party = list(units), list(party)
    problems = organisation_problems(units, party)
    if problems:
        raise OrganisationError("; ".join(problem.reason for problem in problems))
    return Organisation({unit.code: unit for unit in units}, {org.code: org for org in party})


def with_unit(organisation: Organisation, unit: Unit) -> Organisation:
    """The organisation with a new unit, or with ``unit`` replacing the one of the same code."""
    units = {**organisation.units, unit.code: unit}
    return build_organisation(units.values(), organisation.party.values())


def with_party_organisation(organisation: Organisation, party_organisation: PartyOrganisation) -> Organisation:
    """The organisation with a new Party organisation, or replacing the one of the same code."""
    party = {**organisation.party, party_organisation.code: party_organisation}
    return build_organisation(organisation.units.values(), party.values())


def close_unit(organisation: Organisation, code: str, on: date) -> Organisation:
    """Abolish a unit from ``on``; refused while a Party organisation set up in it stays open after that."""
    unit = find_unit(organisation, code)
    _check_closable(unit.period, f"unit {unit.name} ({code})", on)
    staying = [o.code for o in organisation.party.values() if o.unit == code and _open_after(o.period, on)]
    if staying:
        raise OrganisationError(
            f"unit {unit.name} ({code}) cannot close on {on.isoformat()}: "
            f"Party organisations {', '.join(sorted(staying))} set up in it are still open; close them first"
        )
    return with_unit(organisation, replace(unit, period=Period(unit.period.since, on)))


def close_party_organisation(organisation: Organisation, code: str, on: date) -> Organisation:
    """Abolish a Party organisation from ``on``; refused while one under it stays open after that."""
    closing = find_party_organisation(organisation, code)
    _check_closable(closing.period, closing.described(), on)
    staying = [o.code for o in organisation.party.values() if o.parent == code and _open_after(o.period, on)]
    if staying:
        raise OrganisationError(
            f"{closing.described()} cannot close on {on.isoformat()}: "
            f"{', '.join(sorted(staying))} under it are still open; close or move them first"
        )
    return with_party_organisation(organisation, replace(closing, period=Period(closing.period.since, on)))


def find_unit(organisation: Organisation, code: str) -> Unit:
    unit = organisation.units.get(code)
    if unit is None:
        raise OrganisationError(f"unknown unit {code}")
    return unit


def find_party_organisation(organisation: Organisation, code: str) -> PartyOrganisation:
    found = organisation.party.get(code)
    if found is None:
        raise OrganisationError(f"unknown Party organisation {code}")
    return found


def unit_on(organisation: Organisation, reference: str, on: date) -> Unit:
    """The unit named by code or by its exact name that exists on ``on`` (workbooks often use the name)."""
    return by_code_or_name(organisation.units, reference, "unit", on)


def branch_on(organisation: Organisation, reference: str, on: date) -> PartyOrganisation:
    """The 党支部 named by code or exact name that exists on ``on``: people belong to branches, not committees."""
    branch = by_code_or_name(organisation.party, reference, "Party branch", on)
    if branch.kind is not PartyOrganisationKind.BRANCH:
        raise OrganisationError(f"{branch.described()} is not a 党支部: people belong to a branch")
    return branch


Record = TypeVar("Record", Unit, PartyOrganisation)


def by_code_or_name(records: Mapping[str, Record], reference: str, what: str, on: date | None = None) -> Record:
    """The record whose code, or else whose exact name, is ``reference``; when ``on`` is given, one existing then.

    A name two records share (a unit abolished and another set up under its name) must be given as a code.
    """
    wanted = reference.strip()
    by_code = records.get(wanted)
    candidates = [by_code] if by_code else sorted((r for r in records.values() if r.name == wanted), key=_code)
    if not candidates:
        raise OrganisationError(f"unknown {what} {wanted!r}")
    existing = candidates if on is None else [record for record in candidates if record.period.covers(on)]
    when = "" if on is None else f" on {on.isoformat()}"
    if not existing:
        raise OrganisationError(f"{what} {wanted!r} does not exist{when} ({candidates[0].period.text()})")
    if len(existing) > 1:
        codes = ", ".join(record.code for record in existing)
        raise OrganisationError(f"{what} name {wanted!r} is ambiguous{when}: use one of the codes {codes}")
    return existing[0]


def _code(record: Unit | PartyOrganisation) -> str:
    return record.code


def party_as_of(organisation: Organisation, on: date) -> list[PartyOrganisation]:
    """The Party organisations that exist on ``on``, by code."""
    return sorted((o for o in organisation.party.values() if o.period.covers(on)), key=lambda o: o.code)


def chain_of_command(organisation: Organisation, code: str) -> list[PartyOrganisation]:
    """The organisation and those above it, nearest first: 党支部, its 党总支, its 党委…"""
    chain = [find_party_organisation(organisation, code)]
    while (parent := chain[-1].parent) is not None:
        chain.append(organisation.party[parent])
    return chain


def children_on(organisation: Organisation, code: str, on: date) -> list[PartyOrganisation]:
    """The Party organisations directly under ``code`` that exist on ``on``, by code."""
    find_party_organisation(organisation, code)
    return [o for o in party_as_of(organisation, on) if o.parent == code]


def _record_problems(code: str, name: str, period: Period) -> list[str]:
    problems = []
    if not code.strip():
        problems.append("a code is required")
    if not name.strip():
        problems.append(f"{code}: a name is required")
    if (problem := period.problem()) is not None:
        problems.append(f"{code} {problem}")
    return problems


def _placement_problems(
    organisation: PartyOrganisation,
    party: Mapping[str, PartyOrganisation],
    units: Mapping[str, Unit],
) -> list[str]:
    problems = []
    described = organisation.described()
    if organisation.unit is not None:
        unit = units.get(organisation.unit)
        if unit is None:
            problems.append(f"{described} is set up in unknown unit {organisation.unit}")
        elif not organisation.period.within(unit.period):
            problems.append(
                f"{described} ({organisation.period.text()}) outlives its unit {unit.code} ({unit.period.text()})"
            )
    if organisation.parent is None:
        if organisation.kind is not PartyOrganisationKind.PARTY_COMMITTEE:
            problems.append(f"{described} needs a parent: only a 党委 stands at the top of the tree")
        return problems
    parent = party.get(organisation.parent)
    if parent is None:
        problems.append(f"{described} sits under unknown Party organisation {organisation.parent}")
        return problems
    allowed = ALLOWED_PARENTS[organisation.kind]
    if parent.kind not in allowed:
        problems.append(
            f"a {organisation.kind.label} cannot sit under a {parent.kind.label} ({parent.code}): "
            f"it sits under a {' or '.join(sorted(kind.label for kind in allowed))}"
        )
    if _in_cycle(organisation, party):
        problems.append(f"{described} is its own ancestor: the tree must not loop")
    elif not organisation.period.within(parent.period):
        problems.append(
            f"{described} ({organisation.period.text()}) is not within the life of {parent.code} "
            f"({parent.period.text()})"
        )
    return problems


def _in_cycle(organisation: PartyOrganisation, party: Mapping[str, PartyOrganisation]) -> bool:
    seen = {organisation.code}
    parent = organisation.parent
    while parent is not None and parent in party:
        if parent in seen:
            return parent == organisation.code
        seen.add(parent)
        parent = party[parent].parent
    return False


def _twice(records: Iterable[Unit | PartyOrganisation]) -> list[str]:
    seen: set[str] = set()
    twice: list[str] = []
    for record in records:
        if record.code in seen and record.code not in twice:
            twice.append(record.code)
        seen.add(record.code)
    return twice


def _check_closable(period: Period, described: str, on: date) -> None:
    if on <= period.since:
        raise OrganisationError(f"{described} cannot close on {on.isoformat()}: it opened on {period.since}")
    if period.until is not None and period.until <= on:
        raise OrganisationError(f"{described} is already closed since {period.until.isoformat()}")


def _open_after(period: Period, on: date) -> bool:
    return period.until is None or period.until > on
