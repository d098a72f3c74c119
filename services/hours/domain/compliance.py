"""Compliance by unit (单位) and Party branch (党支部): who is behind which requirement, and by how much.

Also the yearly figures a 学时证明 (annual hours certificate) states: the year's totals and where the person
stood on each requirement at the end of that year (or as of now, for the year under way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from services.hours.domain.crediting import ZERO
from services.hours.domain.requirements import Assessment, Requirement, Standing, Tenure, assess
from services.hours.domain.transcript import PostedEntry, YearTotals, transcript


class ComplianceError(ValueError):
    """A compliance question that cannot be answered as asked."""


NOT_MET_IN_TIME = frozenset({Standing.BEHIND, Standing.OUT_OF_REACH, Standing.MISSED})


@dataclass(frozen=True)
class Person:
    """Who the school assesses (by 工号/学号: names stay in the register), where they belong as of the report, and
    what they held when."""

    person_id: str
    unit: str  # 单位
    branch: str  # 党支部 (for people outside the Party: the branch that looks after them, or their unit)
    tenures: tuple[Tenure, ...]


@dataclass(frozen=True)
class ComplianceRow:
    person_id: str
    assessment: Assessment


@dataclass(frozen=True)
class Tally:
    """One requirement in one group: how many are under it, how they stand, how much the not-yet-met owe."""

    requirement: str  # the family, e.g. party-member-study
    label: str
    under: int
    by_standing: dict[Standing, int]
    shortfall: Decimal  # total of the shortfalls of those who have not met it


@dataclass(frozen=True)
class BranchCompliance:
    unit: str
    branch: str
    rows: tuple[ComplianceRow, ...]  # by requirement, then person
    tallies: tuple[Tally, ...]

    @property
    def behind(self) -> tuple[ComplianceRow, ...]:
        """Those behind pace, out of reach or past the deadline: who is behind which requirement, by how much."""
        return tuple(row for row in self.rows if row.assessment.standing in NOT_MET_IN_TIME)


@dataclass(frozen=True)
class UnitCompliance:
    unit: str
    branches: tuple[BranchCompliance, ...]
    tallies: tuple[Tally, ...]


def compliance(
    people: Iterable[Person],
    entries_by_person: Mapping[str, Sequence[PostedEntry]],
    requirements: Sequence[Requirement],
    as_of: date,
) -> tuple[UnitCompliance, ...]:
    """Every person assessed on every requirement that applies to them as of ``as_of``, grouped and tallied."""
    assessed = [
        (person, assessment)
        for person in people
        for assessment in assess(
            person.person_id, person.tenures, entries_by_person.get(person.person_id, ()), requirements, as_of
        )
    ]
    order = {requirement.family: index for index, requirement in enumerate(requirements)}
    assessed.sort(key=lambda pair: (pair[0].unit, pair[0].branch, order[pair[1].requirement.family], pair[0].person_id))
    units = []
    for unit, in_unit in groupby(assessed, key=lambda pair: pair[0].unit):
        branches = []
        for branch, in_branch in groupby(list(in_unit), key=lambda pair: pair[0].branch):
            rows = tuple(ComplianceRow(person.person_id, assessment) for person, assessment in in_branch)
            branches.append(BranchCompliance(unit, branch, rows, _tallies(rows)))
        units.append(
            UnitCompliance(unit, tuple(branches), _tallies([row for branch in branches for row in branch.rows]))
        )
    return tuple(units)


def _tallies(rows: Sequence[ComplianceRow]) -> tuple[Tally, ...]:
    families = list(dict.fromkeys(row.assessment.requirement.family for row in rows))
    tallies = []
    for family in families:
        under = [row.assessment for row in rows if row.assessment.requirement.family == family]
        tallies.append(
            Tally(
                requirement=family,
                label=under[0].requirement.label,
                under=len(under),
                by_standing={
                    standing: count
                    for standing in Standing
                    if (count := sum(1 for assessment in under if assessment.standing == standing))
                },
                shortfall=sum((assessment.shortfall for assessment in under), ZERO),
            )
        )
    return tuple(tallies)


@dataclass(frozen=True)
class AnnualFigures:
    """What a 学时证明 states for one person and year."""

    person_id: str
    year: int
    as_of: date  # the end of the year, or the day asked for while the year is under way
    totals: YearTotals
    requirements: tuple[Assessment, ...]  # calendar-year requirements, and longer windows as they stood then


def annual_figures(
    person_id: str,
    tenures: Iterable[Tenure],
    entries: Sequence[PostedEntry],
    requirements: Sequence[Requirement],
    *,
    year: int,
    as_of: date,
) -> AnnualFigures:
    """The year's figures as known on ``as_of``: at the end of the year once it is over."""
    if as_of < date(year, 1, 1):
        raise ComplianceError(f"the figures of {year} cannot be stated as of {as_of}, before the year began")
    on = min(as_of, date(year, 12, 31))
    return AnnualFigures(
        person_id=person_id,
        year=year,
        as_of=on,
        totals=transcript(person_id, entries, as_of).year(year),
        requirements=assess(person_id, tenures, entries, requirements, on, recorded_by=as_of),
    )
