"""A learner's way through a class: nominated by a unit (选派) or applying in person (报名), approved into a seat
or onto the waitlist, rejected with a reason, withdrawn (freeing a seat for the waitlist) or transferred.

Every step judges the class with all of its enrollments, so it takes the class's lock first: two approvals never
both take the last seat, two nominations never both take a unit's last quota place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.enrollment import records
from services.enrollment.access import check_manages, is_self, manages, speaks_for
from services.enrollment.domain import enrollments as way
from services.enrollment.domain.eligibility import EligibilityPolicy
from services.enrollment.domain.errors import EnrollmentError, OrganisationError
from services.enrollment.domain.vocabulary import EnrollmentRoute, parse
from services.enrollment.handlers.classes import class_lock, enrollment_rows
from services.enrollment.handlers.common import command, found, record
from services.enrollment.models import Enrollment, EnrollmentCreate, Organisation, Person, TrainingClass
from shared.auth import Principal, Role
from shared.errors import Forbidden, NotFound
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Steps:
    """What a command did: the enrollment it was about, the one a transfer joined, and whoever it promoted."""

    enrollment: Enrollment
    promoted: list[Enrollment]
    joined: Enrollment | None = None


@command
async def enroll(
    uow: UnitOfWork, class_id: str, command: EnrollmentCreate, principal: Principal, policy: EligibilityPolicy
) -> Enrollment:
    """A nomination or an application, if the person is eligible for the class as of its first day.

    A learner applies for themselves; a nominator nominates their own units' people, for one of those units; an
    admin or the class's manager enters either.
    """
    await uow.lock(class_lock(class_id))
    training_class = await found(uow, TrainingClass, class_id, "class")
    person = await uow.session.get(Person, command.person_id)
    if person is None:
        raise NotFound(f"person {command.person_id} is not registered; register them first (POST /persons)")
    if not person.active:
        raise EnrollmentError(
            f"{person.name} ({person.person_id}) has left the school: the register keeps them inactive"
        )
    route = parse(EnrollmentRoute, command.route) if command.route else _default_route(principal)
    rows = await enrollment_rows(uow, class_id)
    current = [records.enrollment_of(row) for row in rows.values()]
    domain_class, domain_person = records.class_of(training_class), records.person_of(person)
    if route is EnrollmentRoute.APPLICATION:
        if command.nominated_by is not None:
            raise EnrollmentError("an application is the person's own: it names no nominating unit")
        if not (manages(principal, training_class) or is_self(principal, person.person_id)):
            raise Forbidden(f"only {person.person_id} themselves, an admin or a manager of the class may apply")
        entered = way.apply(
            new_id("enrollment"), domain_person, domain_class, enrollments=current, at=uow.now, policy=policy
        )
    else:
        unit = command.nominated_by or person.unit_id
        if unit is None:
            raise EnrollmentError(f"the register knows no unit of {person.person_id}: name the nominating unit")
        nominator_of_both = speaks_for(principal, unit) and speaks_for(principal, person.unit_id)
        if not (manages(principal, training_class) or nominator_of_both):
            raise Forbidden(
                f"people are entered into class {class_id} by its managers, or nominated by a nominator of their "
                f"own units for one of those units; {person.person_id} of {person.unit_id} nominated by {unit} is "
                f"neither"
            )
        await _check_unit(uow, unit)
        entered = way.nominate(
            new_id("enrollment"),
            domain_person,
            domain_class,
            unit=unit,
            enrollments=current,
            at=uow.now,
            policy=policy,
        )
    return record(uow, Enrollment, rows.get(entered.enrollment_id), records.enrollment_fields(entered))


@command
async def approve(uow: UnitOfWork, enrollment_id: str, principal: Principal, policy: EligibilityPolicy) -> Enrollment:
    """A seat if one is free, else a place on the waitlist; the person judged eligible again as they are now."""
    row, training_class, rows = await _managed(uow, enrollment_id, principal, "approve it")
    person = await found(uow, Person, row.person_id, "person")
    approved = way.approve(
        records.enrollment_of(row),
        records.class_of(training_class),
        _states(rows),
        uow.now,
        person=records.person_of(person),
        policy=policy,
    )
    return record(uow, Enrollment, row, records.enrollment_fields(approved))


@command
async def reject(uow: UnitOfWork, enrollment_id: str, reason: str, principal: Principal) -> Enrollment:
    row, _, _ = await _managed(uow, enrollment_id, principal, "reject it")
    rejected = way.reject(records.enrollment_of(row), reason, uow.now)
    return record(uow, Enrollment, row, records.enrollment_fields(rejected))


@command
async def withdraw(uow: UnitOfWork, enrollment_id: str, reason: str, principal: Principal) -> Steps:
    """The learner leaves: by their own wish, their unit's, or the class's; a seat they free goes to the waitlist."""
    row = await found(uow, Enrollment, enrollment_id, "enrollment")
    await uow.lock(class_lock(row.class_id))
    training_class = await found(uow, TrainingClass, row.class_id, "class")
    person = await found(uow, Person, row.person_id, "person")
    if not (
        manages(principal, training_class)
        or is_self(principal, person.person_id)
        or speaks_for(principal, person.unit_id)
    ):
        raise Forbidden(
            f"only {person.person_id} themselves, a nominator of their unit, an admin or a manager of class "
            f"{training_class.class_id} may withdraw them"
        )
    rows = await enrollment_rows(uow, row.class_id)
    withdrawal = way.withdraw(
        records.enrollment_of(row), records.class_of(training_class), _states(rows), reason, uow.now
    )
    return Steps(
        record(uow, Enrollment, row, records.enrollment_fields(withdrawal.withdrawn)),
        _promote(uow, rows, withdrawal.promoted),
    )


@command
async def transfer(
    uow: UnitOfWork, enrollment_id: str, to_class_id: str, principal: Principal, policy: EligibilityPolicy
) -> Steps:
    """To another class, judged eligible there; pending stays pending, a seat or a waitlist place moves along."""
    row = await found(uow, Enrollment, enrollment_id, "enrollment")
    await uow.lock(class_lock(row.class_id), class_lock(to_class_id))
    from_class = await found(uow, TrainingClass, row.class_id, "class")
    to_class = await found(uow, TrainingClass, to_class_id, "class")
    check_manages(principal, from_class, "transfer its learners")
    check_manages(principal, to_class, "take learners in by transfer")
    person = await found(uow, Person, row.person_id, "person")
    from_rows, to_rows = await enrollment_rows(uow, from_class.class_id), await enrollment_rows(uow, to_class_id)
    moved = way.transfer(
        records.enrollment_of(row),
        new_id("enrollment"),
        records.person_of(person),
        from_class=records.class_of(from_class),
        from_enrollments=_states(from_rows),
        to_class=records.class_of(to_class),
        to_enrollments=_states(to_rows),
        at=uow.now,
        policy=policy,
    )
    left = record(uow, Enrollment, row, records.enrollment_fields(moved.left))
    joined = record(uow, Enrollment, to_rows.get(moved.joined.enrollment_id), records.enrollment_fields(moved.joined))
    return Steps(left, _promote(uow, from_rows, moved.promoted), joined)


def _default_route(principal: Principal) -> EnrollmentRoute:
    """A learner applies; anyone else who enters someone nominates them."""
    if principal.has_any(Role.LEARNER) and not principal.has_any(Role.ADMIN, Role.CLASS_MANAGER, Role.NOMINATOR):
        return EnrollmentRoute.APPLICATION
    return EnrollmentRoute.NOMINATION


async def _managed(
    uow: UnitOfWork, enrollment_id: str, principal: Principal, doing: str
) -> tuple[Enrollment, TrainingClass, dict[str, Enrollment]]:
    row = await found(uow, Enrollment, enrollment_id, "enrollment")
    await uow.lock(class_lock(row.class_id))
    training_class = await found(uow, TrainingClass, row.class_id, "class")
    check_manages(principal, training_class, doing)
    return row, training_class, await enrollment_rows(uow, row.class_id)


async def _check_unit(uow: UnitOfWork, unit_id: str) -> None:
    unit = await uow.session.get(Organisation, unit_id)
    if unit is None or unit.kind != records.UNIT:
        raise OrganisationError(f"unknown unit {unit_id}: a nomination comes from a unit of the register")


def _states(rows: dict[str, Enrollment]) -> list[way.Enrollment]:
    return [records.enrollment_of(row) for row in rows.values()]


def _promote(uow: UnitOfWork, rows: dict[str, Enrollment], promoted: Iterable[way.Enrollment]) -> list[Enrollment]:
    return [record(uow, Enrollment, rows[p.enrollment_id], records.enrollment_fields(p)) for p in promoted]
