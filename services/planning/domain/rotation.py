"""The five-year rotation of every member (党员集中轮训): who was rotated when, who is due, and coverage.

Which training counts as a rotation is a versioned rule of criteria; each rotation found carries the rule's name
and a reason in words. A member is due again ``cycle_years`` after their last rotation; a member never rotated is
due from the day they joined.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.planning.domain.facts import (
    MEMBER_STATUSES,
    PROBATIONARY,
    CertificateChange,
    Credit,
    Organisation,
    Person,
    PlanningError,
    TrainingClass,
    add_years,
    ancestors,
    hours_text,
    percentage,
    valid_certificates,
)
from shared.vocabulary import category_label


@dataclass(frozen=True)
class ClassCompleted:
    """Completing a class of one of these categories (a valid 结业证书) is a rotation, on the day the class ended."""

    categories: frozenset[str]


@dataclass(frozen=True)
class HoursInOneYear:
    """学时 of these categories reaching ``min_hours`` within one ledger year is a rotation, on the day they did
    (e.g. branch-organised study, 支部组织学习)."""

    categories: frozenset[str]
    min_hours: Decimal


RotationCriterion = ClassCompleted | HoursInOneYear


@dataclass(frozen=True)
class RotationRule:
    name: str  # e.g. "member-rotation/v1", stored with every rotation it finds
    cycle_years: int
    criteria: tuple[RotationCriterion, ...]

    def __post_init__(self) -> None:
        if self.cycle_years < 1 or not self.criteria:
            raise PlanningError(f"rotation rule {self.name} needs a cycle of at least a year and a criterion")


# A 党员集中轮训 class completed, or three days' worth (24 学时) of branch-organised study within one year.
MEMBER_ROTATION_V1 = RotationRule(
    name="member-rotation/v1",
    cycle_years=5,
    criteria=(
        ClassCompleted(frozenset({"member_rotation"})),
        HoursInOneYear(frozenset({"branch_study"}), Decimal(24)),
    ),
)


@dataclass(frozen=True)
class Rotation:
    person_id: str
    on: date
    rule: str
    reason: str  # e.g. "completed 党员集中轮训 class R2021 (ended 2021-06-30, certificate DX2021-…)"


def find_rotations(
    credits: Iterable[Credit],
    certificates: Iterable[CertificateChange],
    classes: Mapping[str, TrainingClass],
    rule: RotationRule = MEMBER_ROTATION_V1,
) -> dict[str, tuple[Rotation, ...]]:
    """Every rotation the rule finds, per person, oldest first.

    ``credits`` are the ledger's standing credits (``facts.standing_credits``); ``certificates`` every issue and
    revocation: only certificates that stand valid count.
    """
    found: dict[str, list[Rotation]] = {}
    credits = list(credits)
    valid = valid_certificates(certificates)
    for criterion in rule.criteria:
        if isinstance(criterion, ClassCompleted):
            rotations = _classes_completed(criterion, valid, classes, rule.name)
        else:
            rotations = _hours_in_one_year(criterion, credits, rule.name)
        for rotation in rotations:
            found.setdefault(rotation.person_id, []).append(rotation)
    return {
        person_id: tuple(sorted(rotations, key=lambda r: (r.on, r.reason))) for person_id, rotations in found.items()
    }


def _classes_completed(
    criterion: ClassCompleted,
    certificates: Iterable[CertificateChange],
    classes: Mapping[str, TrainingClass],
    rule: str,
) -> Iterable[Rotation]:
    for certificate in certificates:
        training_class = classes.get(certificate.class_id)
        if training_class is None:
            raise PlanningError(
                f"certificate {certificate.certificate_number} names class {certificate.class_id}, "
                "which the register has not announced"
            )
        if training_class.category not in criterion.categories:
            continue
        if training_class.ends_on is not None:
            on, when = training_class.ends_on, f"ended {training_class.ends_on}"
        else:
            on, when = certificate.on, f"no end date; certified on {certificate.on}"
        yield Rotation(
            person_id=certificate.person_id,
            on=on,
            rule=rule,
            reason=f"completed {category_label(training_class.category)} class {training_class.class_id} "
            f"({when}, certificate {certificate.certificate_number})",
        )


def _hours_in_one_year(criterion: HoursInOneYear, credits: Iterable[Credit], rule: str) -> Iterable[Rotation]:
    by_person_year: dict[tuple[str, int], list[Credit]] = {}
    for credit in credits:
        if credit.category in criterion.categories:
            by_person_year.setdefault((credit.person_id, credit.year), []).append(credit)
    labels = "/".join(category_label(category) for category in sorted(criterion.categories))
    for (person_id, year), year_credits in sorted(by_person_year.items()):
        reached = Decimal(0)
        for credit in sorted(year_credits, key=lambda c: (c.day, c.entry_id)):
            reached += credit.hours
            if reached >= criterion.min_hours:
                yield Rotation(
                    person_id=person_id,
                    on=credit.day,
                    rule=rule,
                    reason=f"{labels} reached {hours_text(criterion.min_hours)} 学时 in {year} "
                    f"on {credit.day} ({hours_text(reached)} 学时 by then)",
                )
                break


class Coverage(StrEnum):
    COVERED = "covered"  # rotated within the last cycle (due again today or later)
    OVERDUE = "overdue"  # rotated, but the next rotation was due before today
    NEVER_ROTATED = "never_rotated"


@dataclass(frozen=True)
class RotationStatus:
    """A member as the rotation sees them on ``as_of``."""

    person_id: str
    branch_id: str | None
    unit_id: str | None
    probationary: bool  # 预备党员 on ``as_of``
    member_since: date
    last_rotation: Rotation | None
    next_due: date
    coverage: Coverage
    rule: str
    reason: str


def rotation_status(
    person: Person, rotations: Sequence[Rotation], as_of: date, rule: RotationRule = MEMBER_ROTATION_V1
) -> RotationStatus:
    """When a member was last rotated and when they are due again.

    Only rotations while a member count (branch study as an activist does not), and none after ``as_of``.
    """
    if not person.is_member_on(as_of):
        raise PlanningError(f"{person.person_id} is not a Party member of the school on {as_of}")
    member_since = person.first_held(MEMBER_STATUSES, as_of)
    assert member_since is not None  # a member on as_of held a member status since some day before it
    known = [rotation for rotation in rotations if member_since <= rotation.on <= as_of]
    last = max(known, key=lambda rotation: rotation.on, default=None)
    if last is None:
        next_due = member_since
        coverage = Coverage.NEVER_ROTATED
        reason = f"never rotated; a member since {member_since}, due from then"
    else:
        next_due = add_years(last.on, rule.cycle_years)
        coverage = Coverage.OVERDUE if next_due < as_of else Coverage.COVERED
        state = "overdue since" if coverage is Coverage.OVERDUE else "next due"
        reason = f"last rotated on {last.on}: {last.reason}; {state} {next_due}"
    return RotationStatus(
        person_id=person.person_id,
        branch_id=person.branch_id,
        unit_id=person.unit_id,
        probationary=person.status_on(as_of) == PROBATIONARY,
        member_since=member_since,
        last_rotation=last,
        next_due=next_due,
        coverage=coverage,
        rule=rule.name,
        reason=reason,
    )


def rotation_statuses(
    persons: Iterable[Person],
    rotations: Mapping[str, Sequence[Rotation]],
    as_of: date,
    rule: RotationRule = MEMBER_ROTATION_V1,
) -> tuple[RotationStatus, ...]:
    """The status of every person who is a member of the school on ``as_of``, by id; others are left out."""
    return tuple(
        rotation_status(person, rotations.get(person.person_id, ()), as_of, rule)
        for person in sorted(persons, key=lambda p: p.person_id)
        if person.is_member_on(as_of)
    )


def due_list(statuses: Iterable[RotationStatus], year: int) -> tuple[RotationStatus, ...]:
    """The members due for rotation in ``year`` (or earlier, still not rotated): 预备党员 first, then the longest
    overdue first, then by id."""
    last_day = date(year, 12, 31)
    return tuple(
        sorted(
            (status for status in statuses if status.next_due <= last_day),
            key=lambda status: (not status.probationary, status.next_due, status.person_id),
        )
    )


@dataclass(frozen=True)
class CoverageRow:
    """Rotation coverage of the members of one branch, unit or organisation over the rolling cycle."""

    org_id: str | None  # None: members without one
    members: int
    covered: int
    overdue: int
    never_rotated: int

    @property
    def covered_share(self) -> Decimal | None:
        """Covered members as a percentage, to one decimal."""
        return percentage(self.covered, self.members)


def coverage_by_branch(statuses: Iterable[RotationStatus]) -> tuple[CoverageRow, ...]:
    return _coverage(statuses, lambda status: (status.branch_id,))


def coverage_by_unit(statuses: Iterable[RotationStatus]) -> tuple[CoverageRow, ...]:
    return _coverage(statuses, lambda status: (status.unit_id,))


def coverage_by_organisation(
    statuses: Iterable[RotationStatus], organisations: Mapping[str, Organisation]
) -> tuple[CoverageRow, ...]:
    """Coverage of every Party organisation, each member counted in their branch and every organisation above it
    (党支部 → 党总支 → 党委)."""
    return _coverage(
        statuses,
        lambda status: (
            (status.branch_id,)
            if status.branch_id is None
            else (status.branch_id, *ancestors(status.branch_id, organisations))
        ),
    )


def _coverage(
    statuses: Iterable[RotationStatus], groups_of: Callable[[RotationStatus], tuple[str | None, ...]]
) -> tuple[CoverageRow, ...]:
    counts: dict[str | None, dict[Coverage, int]] = {}
    for status in statuses:
        for group in groups_of(status):
            tally = counts.setdefault(group, dict.fromkeys(Coverage, 0))
            tally[status.coverage] += 1
    return tuple(
        CoverageRow(
            org_id=group,
            members=sum(tally.values()),
            covered=tally[Coverage.COVERED],
            overdue=tally[Coverage.OVERDUE],
            never_rotated=tally[Coverage.NEVER_ROTATED],
        )
        for group, tally in sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))
    )
