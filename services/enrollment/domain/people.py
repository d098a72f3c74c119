"""People known to the register (by 工号/学号) with their political status and positions over time.

Hour requirements depend on what a person was when they trained, so nothing here is overwritten: a change of
status closes the current period on the day the new one begins, and every question is asked "as of" a day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from services.enrollment.domain.errors import OrganisationError, PersonError
from services.enrollment.domain.organisation import Organisation, branch_on, unit_on
from services.enrollment.domain.periods import Period
from services.enrollment.domain.vocabulary import EXCLUSIVE_POSITIONS, PersonKind, PoliticalStatus, Position


@dataclass(frozen=True)
class StatusPeriod:
    """A political status (政治面貌) held over a period; a Party member's carries the 入党日期."""

    status: PoliticalStatus
    period: Period
    admission_date: date | None = None  # 入党日期: the day the branch admitted them as 预备党员


@dataclass(frozen=True)
class PositionPeriod:
    """A position (职务/身份) held over a period."""

    position: Position
    period: Period


@dataclass(frozen=True)
class Person:
    person_id: str  # 工号/学号
    name: str
    kind: PersonKind | None = None  # None while the register was not told
    unit: str | None = None  # the code of their unit (单位), once the register knows it
    branch: str | None = None  # the code of their 党支部, when they belong to one
    statuses: tuple[StatusPeriod, ...] = ()
    positions: tuple[PositionPeriod, ...] = ()

    def described(self) -> str:
        return f"{self.name} ({self.person_id})"


@dataclass(frozen=True)
class PersonAsOf:
    """What a person was on one day: what training rules judge, and what other services' events carry."""

    person_id: str
    on: date
    status: StatusPeriod | None  # None when the register knows no status for that day
    positions: frozenset[Position]

    def status_text(self) -> str:
        if self.status is None:
            return f"has no political status on record for {self.on.isoformat()}"
        return f"is {self.status.status.label} since {self.status.period.since.isoformat()}"


def person_problems(person: Person) -> list[str]:
    """Everything that keeps the record from being consistent in itself."""
    problems = []
    if not person.person_id.strip() or person.person_id != person.person_id.strip():
        problems.append(f"工号/学号 {person.person_id!r} must be non-blank without surrounding blanks")
    if not person.name.strip():
        problems.append(f"{person.person_id}: a name is required")
    problems += status_problems(person.statuses)
    problems += position_problems(person.positions)
    return problems


def placement_problems(person: Person, organisation: Organisation, on: date) -> list[str]:
    """Whether the unit and 党支部 the person is placed in exist on ``on``."""
    problems = []
    for reference, check in ((person.unit, unit_on), (person.branch, branch_on)):
        if reference is None:
            continue
        try:
            check(organisation, reference, on)
        except OrganisationError as error:
            problems.append(str(error))
    return problems


def checked(person: Person) -> Person:
    """The person, if consistent; else an error naming every problem."""
    problems = person_problems(person)
    if problems:
        raise PersonError(f"{person.described()}: {'; '.join(problems)}")
    return person


def status_on(person: Person, on: date) -> StatusPeriod | None:
    return next((held for held in person.statuses if held.period.covers(on)), None)


def positions_on(person: Person, on: date) -> frozenset[Position]:
    return frozenset(held.position for held in person.positions if held.period.covers(on))


def as_of(person: Person, on: date) -> PersonAsOf:
    return PersonAsOf(person.person_id, on, status_on(person, on), positions_on(person, on))


def change_status(person: Person, status: PoliticalStatus, on: date, admission_date: date | None = None) -> Person:
    """The person with ``status`` from ``on``, closing the status held until then.

    A full member keeps the 入党日期 of their probation unless another is given.
    """
    latest = max(person.statuses, key=lambda held: held.period.since, default=None)
    if latest is not None:
        if on <= latest.period.since:
            raise PersonError(
                f"{person.described()}: a change of status on {on.isoformat()} must come after the last one "
                f"({latest.status.label} since {latest.period.since.isoformat()})"
            )
        if latest.period.until is None and latest.status is status:
            raise PersonError(f"{person.described()} is already {status.label} since {latest.period.since}")
        if admission_date is None and status.is_party_member:
            admission_date = latest.admission_date
    earlier = tuple(
        replace(held, period=Period(held.period.since, on))
        if held.period.until is None or held.period.until > on
        else held
        for held in person.statuses
    )
    return checked(replace(person, statuses=(*earlier, StatusPeriod(status, Period(on), admission_date))))


def take_position(person: Person, position: Position, since: date) -> Person:
    return checked(replace(person, positions=(*person.positions, PositionPeriod(position, Period(since)))))


def leave_position(person: Person, position: Position, on: date) -> Person:
    """The person without ``position`` from ``on``."""
    held = [h for h in person.positions if h.position is position and h.period.until is None]
    if not held:
        raise PersonError(f"{person.described()} does not hold the position {position.label}")
    if on <= held[0].period.since:
        raise PersonError(
            f"{person.described()} cannot leave {position.label} on {on.isoformat()}: "
            f"they took it on {held[0].period.since.isoformat()}"
        )
    ended = replace(held[0], period=Period(held[0].period.since, on))
    return checked(replace(person, positions=tuple(ended if h is held[0] else h for h in person.positions)))


def status_problems(statuses: Iterable[StatusPeriod]) -> list[str]:
    """What keeps a status history from being one status at a time, each with the dates it needs."""
    statuses = sorted(statuses, key=lambda held: held.period.since)
    problems = [f"{held.status.label} {problem}" for held in statuses if (problem := held.period.problem())]
    problems += [
        f"{first.status.label} ({first.period.text()}) overlaps {second.status.label} ({second.period.text()}): "
        "a person has one political status at a time"
        for first, second in _overlapping(statuses, lambda held: held.period)
    ]
    for held in statuses:
        label = held.status.label
        if held.status is PoliticalStatus.PROBATIONARY_MEMBER and held.admission_date is None:
            problems.append(f"{label} since {held.period.since.isoformat()} needs its 入党日期 (admission date)")
        if held.admission_date is None:
            continue
        if not held.status.is_party_member:
            problems.append(f"{label} cannot have a 入党日期: only 预备党员 and 正式党员 have been admitted")
        elif held.admission_date > held.period.since:
            problems.append(
                f"{label} since {held.period.since.isoformat()} cannot be admitted later, "
                f"on {held.admission_date.isoformat()}"
            )
    admissions = sorted({held.admission_date for held in statuses if held.admission_date is not None})
    if len(admissions) > 1:
        problems.append(f"one person has one 入党日期, not {', '.join(day.isoformat() for day in admissions)}")
    return problems


def position_problems(positions: Iterable[PositionPeriod]) -> list[str]:
    """What keeps a position history consistent: no position held twice at once, one cadre rank at a time."""
    positions = sorted(positions, key=lambda held: held.period.since)
    problems = [f"{held.position.label} {problem}" for held in positions if (problem := held.period.problem())]
    same = [
        (first, second)
        for first, second in _overlapping(positions, lambda held: held.period)
        if first.position is second.position
        or any({first.position, second.position} <= group for group in EXCLUSIVE_POSITIONS)
    ]
    problems += [
        f"{first.position.label} ({first.period.text()}) overlaps {second.position.label} ({second.period.text()})"
        + ("" if first.position is second.position else f": {_one_at_a_time(first.position)}")
        for first, second in same
    ]
    return problems


def _one_at_a_time(position: Position) -> str:
    group = next(group for group in EXCLUSIVE_POSITIONS if position in group)
    return f"one holds only one of {' / '.join(sorted(held.label for held in group))} at a time"


T = TypeVar("T")


def _overlapping(records: list[T], period_of: Callable[[T], Period]) -> list[tuple[T, T]]:
    return [
        (first, second)
        for index, first in enumerate(records)
        for second in records[index + 1 :]
        if period_of(first).overlaps(period_of(second))
    ]
