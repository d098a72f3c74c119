"""The training record for the organisation department (信息沟通机制): read-only, assembled from facts.

A person's classes (with 学时, 结业考核 results and certificates), 学时 by year and channel, and how they stand
against the yearly requirements the ledger judges; and a yearly table per unit, one row a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.planning.domain.facts import (
    Assessment,
    CertificateChange,
    Credit,
    Enrollment,
    Person,
    PlanningError,
    TrainingClass,
    certificates_as_they_stand,
    standing_assessments,
    total_hours,
)

MET = "met"
NONE = Decimal("0.00")


@dataclass(frozen=True)
class RequirementStanding:
    """How a person stands against a 学时 requirement (``RequirementStandingChanged``)."""

    person_id: str
    requirement: str  # the rule and its version
    title: str  # e.g. 党员每年集中学习培训不少于32学时
    window_start: date
    window_end: date | None  # the last day of the window; None while it has no end yet
    required_hours: Decimal
    credited_hours: Decimal
    standing: str  # met, on_track, behind, out_of_reach or no_longer_met
    met_on: date | None
    as_of: date


def latest_standings(standings: Iterable[RequirementStanding]) -> tuple[RequirementStanding, ...]:
    """Each requirement window's newest standing; of two judged the same day, the one that came later.

    Ordered by window, then requirement.
    """
    latest: dict[tuple[str, str, date], RequirementStanding] = {}
    for standing in standings:
        key = (standing.person_id, standing.requirement, standing.window_start)
        current = latest.get(key)
        if current is None or standing.as_of >= current.as_of:
            latest[key] = standing
    return tuple(sorted(latest.values(), key=lambda s: (s.person_id, s.window_start, s.requirement)))


@dataclass(frozen=True)
class ClassRecord:
    class_id: str
    title: str
    category: str
    year: int
    enrolled: bool
    hours: Decimal  # 学时 that stand for the class
    passed: bool | None  # the 结业考核 that stands; None while none was recorded
    grade: str | None
    certificate_number: str | None
    certificate_valid: bool | None  # False once revoked; None without a certificate


@dataclass(frozen=True)
class YearHours:
    year: int
    total: Decimal  # also counts credits whose channel the ledger did not name
    offline: Decimal  # concentrated training (集中)
    online: Decimal  # online study (网络)


@dataclass(frozen=True)
class CadreRecord:
    person_id: str
    name: str
    unit_id: str | None
    as_of: date
    status: str | None  # political status (政治面貌) on ``as_of``
    positions: frozenset[str]  # on ``as_of``
    classes: tuple[ClassRecord, ...]  # by year, then class id
    hours_by_year: tuple[YearHours, ...]
    requirements: tuple[RequirementStanding, ...]


def cadre_record(
    person: Person,
    *,
    classes: Mapping[str, TrainingClass],
    enrollments: Iterable[Enrollment],
    credits: Iterable[Credit],
    assessments: Iterable[Assessment],
    certificates: Iterable[CertificateChange],
    standings: Iterable[RequirementStanding],
    as_of: date,
) -> CadreRecord:
    """One person's record on ``as_of`` from the facts (anyone's: the person's are picked out); ``credits`` are the
    ledger's standing credits. A class shows once the person was enrolled in it, earned 学时 in it, was assessed in
    it or holds a certificate of it."""
    pid = person.person_id
    credits = [c for c in credits if c.person_id == pid and c.day <= as_of]
    enrolled = {e.class_id for e in enrollments if e.person_id == pid and e.enrolled}
    assessed = {key[1]: a for key, a in standing_assessments(a for a in assessments if a.person_id == pid).items()}
    certificate_of = {
        c.class_id: c for c in certificates_as_they_stand(c for c in certificates if c.person_id == pid).values()
    }
    class_ids = enrolled | assessed.keys() | certificate_of.keys() | {c.class_id for c in credits if c.class_id}
    records = []
    for class_id in class_ids:
        training_class = classes.get(class_id)
        if training_class is None:
            raise PlanningError(f"class {class_id} in the record of {pid} is unknown to the register")
        assessment = assessed.get(class_id)
        certificate = certificate_of.get(class_id)
        records.append(
            ClassRecord(
                class_id=class_id,
                title=training_class.title,
                category=training_class.category,
                year=training_class.year,
                enrolled=class_id in enrolled,
                hours=total_hours(c for c in credits if c.class_id == class_id),
                passed=assessment.passed if assessment else None,
                grade=assessment.grade if assessment else None,
                certificate_number=certificate.certificate_number if certificate else None,
                certificate_valid=certificate.valid if certificate else None,
            )
        )
    return CadreRecord(
        person_id=pid,
        name=person.name,
        unit_id=person.unit_id,
        as_of=as_of,
        status=person.status_on(as_of),
        positions=person.positions_on(as_of),
        classes=tuple(sorted(records, key=lambda r: (r.year, r.class_id))),
        hours_by_year=_hours_by_year(credits),
        requirements=latest_standings(s for s in standings if s.person_id == pid and s.as_of <= as_of),
    )


def _hours_by_year(credits: Iterable[Credit]) -> tuple[YearHours, ...]:
    by_year: dict[int, list[Credit]] = {}
    for credit in credits:
        by_year.setdefault(credit.year, []).append(credit)
    return tuple(
        YearHours(
            year=year,
            total=total_hours(lines),
            offline=total_hours(c for c in lines if c.channel == "offline"),
            online=total_hours(c for c in lines if c.channel == "online"),
        )
        for year, lines in sorted(by_year.items())
    )


@dataclass(frozen=True)
class UnitYearRow:
    """One person's line in a unit's yearly table for the organisation department."""

    person_id: str
    name: str
    status: str | None
    positions: frozenset[str]
    classes: int  # classes of the year in their record
    certificates: int  # valid certificates of classes of the year
    hours: Decimal
    offline: Decimal
    online: Decimal
    requirements_met: tuple[str, ...]  # titles of the requirements met whose window touches the year
    requirements_not_met: tuple[str, ...]  # …and of those not (yet) met, with their standing


def unit_year_table(unit_id: str, year: int, records: Iterable[CadreRecord]) -> tuple[UnitYearRow, ...]:
    """The yearly table of a unit from its people's records (others' are left out), by person id."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = []
    for record in sorted((r for r in records if r.unit_id == unit_id), key=lambda r: r.person_id):
        hours = next((h for h in record.hours_by_year if h.year == year), YearHours(year, NONE, NONE, NONE))
        of_year = [c for c in record.classes if c.year == year]
        windows = [
            s for s in record.requirements if s.window_start <= last and (s.window_end is None or s.window_end >= first)
        ]
        rows.append(
            UnitYearRow(
                person_id=record.person_id,
                name=record.name,
                status=record.status,
                positions=record.positions,
                classes=len(of_year),
                certificates=sum(1 for c in of_year if c.certificate_valid),
                hours=hours.total,
                offline=hours.offline,
                online=hours.online,
                requirements_met=tuple(s.title for s in windows if s.standing == MET),
                requirements_not_met=tuple(f"{s.title} ({s.standing})" for s in windows if s.standing != MET),
            )
        )
    return tuple(rows)
