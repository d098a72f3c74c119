"""A learner's way through a class, as a state machine.

    nominated (选派) ─┐                 ┌─► approved (已录取) ──► withdrawn / transferred
                      ├─► approve ──────┤
    applied (报名) ───┘                 └─► waitlisted (候补) ──► approved when a seat frees
         │                                        │
         └──────────► rejected (with a reason) ◄──┘

Every step returns the enrollment's new state with its version one higher and a reason in words; a step
that is not allowed from where the enrollment stands is refused with a message saying so. A unit nominates
within its quota (选派名额); approval beyond the capacity puts the learner on the waitlist, and a freed seat
goes to whoever has waited longest. Eligibility is judged as the person is on the class's first day.

A person has one enrollment per class: one who was rejected, withdrew or transferred away and comes back takes
the same enrollment on, one version on, so that everyone who follows the class sees a single state per learner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.enrollment.domain.classes import TrainingClass
from services.enrollment.domain.eligibility import ELIGIBILITY_V1, Eligibility, EligibilityPolicy, check_eligible
from services.enrollment.domain.errors import AlreadyEnrolled, EnrollmentError
from services.enrollment.domain.people import Person
from services.enrollment.domain.vocabulary import EnrollmentRoute, EnrollmentStatus

NOMINATED = EnrollmentStatus.NOMINATED
APPLIED = EnrollmentStatus.APPLIED
APPROVED = EnrollmentStatus.APPROVED
REJECTED = EnrollmentStatus.REJECTED
WAITLISTED = EnrollmentStatus.WAITLISTED
WITHDRAWN = EnrollmentStatus.WITHDRAWN
TRANSFERRED = EnrollmentStatus.TRANSFERRED

PENDING = frozenset({NOMINATED, APPLIED})
# Whoever stands in one of these takes part in the class, or may yet: they count against quotas and duplicates.
ACTIVE = frozenset({NOMINATED, APPLIED, APPROVED, WAITLISTED})


@dataclass(frozen=True)
class Enrollment:
    enrollment_id: str
    class_id: str
    person_id: str
    route: EnrollmentRoute
    status: EnrollmentStatus
    reason: str  # why it stands where it stands, in words
    eligibility_rule: str  # the policy that let the person in, e.g. "eligibility/v1"
    eligibility_reason: str
    changed_at: datetime
    nominating_unit: str | None = None  # 选派单位, for a nomination
    waitlisted_at: datetime | None = None  # its place in the queue
    transferred_from: str | None = None  # the class a transfer brought it from
    transferred_to: str | None = None  # the class a transfer took it to (one enrollment per person and class)
    version: int = 1


@dataclass(frozen=True)
class Withdrawal:
    withdrawn: Enrollment
    promoted: tuple[Enrollment, ...]  # waitlisted learners who took the freed seat


@dataclass(frozen=True)
class Transfer:
    left: Enrollment  # the old enrollment, now transferred
    joined: Enrollment  # the new one in the other class
    promoted: tuple[Enrollment, ...]  # waitlisted learners in the old class who took the freed seat


def nominate(
    enrollment_id: str,
    person: Person,
    training_class: TrainingClass,
    *,
    unit: str,
    enrollments: Iterable[Enrollment],
    at: datetime,
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> Enrollment:
    """A unit puts one of its people forward (选派), within its quota."""
    current = _of_class(enrollments, training_class)
    eligibility = _admissible(person, training_class, current, policy)
    _check_quota(training_class, unit, current)
    return _continuing(
        current,
        Enrollment(
            enrollment_id=enrollment_id,
            class_id=training_class.class_id,
            person_id=person.person_id,
            route=EnrollmentRoute.NOMINATION,
            status=NOMINATED,
            reason=f"nominated by unit {unit}",
            eligibility_rule=eligibility.rule,
            eligibility_reason=eligibility.reason,
            changed_at=at,
            nominating_unit=unit,
        ),
    )


def apply(
    enrollment_id: str,
    person: Person,
    training_class: TrainingClass,
    *,
    enrollments: Iterable[Enrollment],
    at: datetime,
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> Enrollment:
    """A person applies on their own (个人报名)."""
    current = _of_class(enrollments, training_class)
    eligibility = _admissible(person, training_class, current, policy)
    return _continuing(
        current,
        Enrollment(
            enrollment_id=enrollment_id,
            class_id=training_class.class_id,
            person_id=person.person_id,
            route=EnrollmentRoute.APPLICATION,
            status=APPLIED,
            reason="applied in person",
            eligibility_rule=eligibility.rule,
            eligibility_reason=eligibility.reason,
            changed_at=at,
        ),
    )


def approve(
    enrollment: Enrollment,
    training_class: TrainingClass,
    enrollments: Iterable[Enrollment],
    at: datetime,
    *,
    person: Person,
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> Enrollment:
    """A seat if one is free; else a place on the waitlist. A waitlisted learner is approved only into a free seat.

    The person is judged again, as the register knows them now: a record corrected since the nomination counts.
    """
    _check_may(enrollment, "approve", {NOMINATED, APPLIED, WAITLISTED})
    if person.person_id != enrollment.person_id:
        raise EnrollmentError(f"{_described(enrollment)} is not {person.described()}'s")
    c = training_class
    assert c.first_day is not None  # a class takes nobody in without its days, nor lets them be dropped after
    eligibility = check_eligible(person, c.category, c.level, c.first_day, policy)
    others = [e for e in _of_class(enrollments, training_class) if e.enrollment_id != enrollment.enrollment_id]
    status, reason = _seat_or_queue(training_class, others)
    if status is WAITLISTED and enrollment.status is WAITLISTED:
        raise EnrollmentError(
            f"cannot approve {_described(enrollment)} off the waitlist: all {training_class.capacity} seats are taken"
        )
    waitlisted_at = at if status is WAITLISTED else enrollment.waitlisted_at  # kept: how long they waited
    return replace(
        _step(enrollment, status, at, reason),
        waitlisted_at=waitlisted_at,
        eligibility_rule=eligibility.rule,
        eligibility_reason=eligibility.reason,
    )


def reject(enrollment: Enrollment, reason: str, at: datetime) -> Enrollment:
    _check_may(enrollment, "reject", {NOMINATED, APPLIED, WAITLISTED})
    if not reason.strip():
        raise EnrollmentError(f"rejecting {_described(enrollment)} needs a reason")
    return _step(enrollment, REJECTED, at, reason.strip())


def withdraw(
    enrollment: Enrollment,
    training_class: TrainingClass,
    enrollments: Iterable[Enrollment],
    reason: str,
    at: datetime,
) -> Withdrawal:
    """The learner leaves the class; a seat they free goes to the first on the waitlist."""
    _check_may(enrollment, "withdraw", ACTIVE)
    withdrawn = _step(enrollment, WITHDRAWN, at, reason.strip() or "withdrew")
    return Withdrawal(withdrawn, fill_seats(training_class, _replacing(enrollments, withdrawn), at))


def transfer(
    enrollment: Enrollment,
    new_enrollment_id: str,
    person: Person,
    *,
    from_class: TrainingClass,
    from_enrollments: Iterable[Enrollment],
    to_class: TrainingClass,
    to_enrollments: Iterable[Enrollment],
    at: datetime,
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> Transfer:
    """The learner moves to another class, judged eligible for it, where they stand as they stood here.

    Pending stays pending (a nomination within the unit's quota there); approved or waitlisted takes a seat
    if one is free there, else waits. A seat freed here goes to the first on this class's waitlist.
    """
    _check_may(enrollment, "transfer", ACTIVE)
    if enrollment.class_id != from_class.class_id or enrollment.person_id != person.person_id:
        raise EnrollmentError(f"{_described(enrollment)} is not {person.described()}'s in class {from_class.class_id}")
    if to_class.class_id == from_class.class_id:
        raise EnrollmentError(f"{_described(enrollment)} cannot transfer to the class it is in")
    target = _of_class(to_enrollments, to_class)
    eligibility = _admissible(person, to_class, target, policy)
    if enrollment.route is EnrollmentRoute.NOMINATION and enrollment.nominating_unit is not None:
        _check_quota(to_class, enrollment.nominating_unit, target)
    status, reason = enrollment.status, f"transferred from class {from_class.class_id}"
    if status not in PENDING:
        status, seat = _seat_or_queue(to_class, target)
        reason = f"{reason}; {seat}"
    arrived = _continuing(
        target,
        Enrollment(
            enrollment_id=new_enrollment_id,
            class_id=to_class.class_id,
            person_id=person.person_id,
            route=enrollment.route,
            status=status,
            reason=reason,
            eligibility_rule=eligibility.rule,
            eligibility_reason=eligibility.reason,
            changed_at=at,
            nominating_unit=enrollment.nominating_unit,
            waitlisted_at=at if status is WAITLISTED else None,
            transferred_from=from_class.class_id,
        ),
    )
    left = replace(
        _step(enrollment, TRANSFERRED, at, f"transferred to class {to_class.class_id}"),
        transferred_to=to_class.class_id,
    )
    return Transfer(left, arrived, fill_seats(from_class, _replacing(from_enrollments, left), at))


def fill_seats(
    training_class: TrainingClass, enrollments: Iterable[Enrollment], at: datetime
) -> tuple[Enrollment, ...]:
    """Free seats go to the waitlisted, longest waiting first: after a withdrawal, or when the class grows."""
    current = _of_class(enrollments, training_class)
    queue = sorted(
        (e for e in current if e.status is WAITLISTED),
        key=lambda e: (e.waitlisted_at or e.changed_at, e.enrollment_id),
    )
    capacity = training_class.capacity
    free = len(queue) if capacity is None else capacity - sum(1 for e in current if e.status is APPROVED)
    why = "the class has no limit on seats now" if capacity is None else f"a seat of {capacity} came free"
    return tuple(_step(e, APPROVED, at, f"promoted from the waitlist: {why}") for e in queue[: max(free, 0)])


def _admissible(
    person: Person, training_class: TrainingClass, current: Sequence[Enrollment], policy: EligibilityPolicy
) -> Eligibility:
    """The eligibility decision for someone not yet taking part in the class; else why not."""
    c = training_class
    if not c.status.takes_enrollments:
        raise EnrollmentError(f"class {c.class_id} is {c.status.label} ({c.status.value}): it takes nobody in")
    if c.first_day is None:
        raise EnrollmentError(
            f"class {c.class_id} has no days yet: eligibility is judged as of its first day, so fix its days first"
        )
    if person.person_id in {e.person_id for e in current if e.status in ACTIVE}:
        raise AlreadyEnrolled(f"{person.described()} is already enrolled in class {c.class_id}")
    return check_eligible(person, c.category, c.level, c.first_day, policy)


def _continuing(current: Sequence[Enrollment], entering: Enrollment) -> Enrollment:
    """The person's way into the class: a new enrollment, or the next version of the one they had there before
    (rejected, withdrawn or transferred away)."""
    before = [e for e in current if e.person_id == entering.person_id]
    if not before:
        return entering
    latest = max(before, key=lambda e: e.version)
    return replace(entering, enrollment_id=latest.enrollment_id, version=latest.version + 1)


def _seat_or_queue(training_class: TrainingClass, others: Sequence[Enrollment]) -> tuple[EnrollmentStatus, str]:
    """Where a newly confirmed learner stands among ``others``: in a free seat, else last on the waitlist."""
    taken = sum(1 for e in others if e.status is APPROVED)
    if training_class.capacity is None:
        return APPROVED, f"approved: seat {taken + 1} (no limit on seats)"
    if taken < training_class.capacity:
        return APPROVED, f"approved: seat {taken + 1} of {training_class.capacity}"
    queue = 1 + sum(1 for e in others if e.status is WAITLISTED)
    return WAITLISTED, f"class full ({taken} of {training_class.capacity} seats): number {queue} on the waitlist"


def _of_class(enrollments: Iterable[Enrollment], training_class: TrainingClass) -> list[Enrollment]:
    return [e for e in enrollments if e.class_id == training_class.class_id]


def _replacing(enrollments: Iterable[Enrollment], changed: Enrollment) -> list[Enrollment]:
    return [changed if e.enrollment_id == changed.enrollment_id else e for e in enrollments]


def _check_quota(training_class: TrainingClass, unit: str, current: Sequence[Enrollment]) -> None:
    quotas = training_class.unit_quotas
    if not quotas:
        return
    quota = quotas.get(unit)
    if quota is None:
        given = ", ".join(f"{code} ({n})" for code, n in sorted(quotas.items()))
        raise EnrollmentError(
            f"unit {unit} has no quota (选派名额) in class {training_class.class_id}; units with one: {given}"
        )
    used = [e.person_id for e in current if e.nominating_unit == unit and e.status in ACTIVE]
    if len(used) >= quota:
        raise EnrollmentError(
            f"unit {unit} has used its quota of {quota} in class {training_class.class_id} ({', '.join(used)})"
        )


def _check_may(enrollment: Enrollment, action: str, allowed: Iterable[EnrollmentStatus]) -> None:
    allowed = list(allowed)
    if enrollment.status not in allowed:
        from_states = ", ".join(f"{s.label} ({s.value})" for s in EnrollmentStatus if s in allowed)
        raise EnrollmentError(
            f"cannot {action} {_described(enrollment)}: it is {enrollment.status.label} ({enrollment.status.value}); "
            f"only {from_states} can be"
        )


def _step(enrollment: Enrollment, status: EnrollmentStatus, at: datetime, reason: str) -> Enrollment:
    return replace(enrollment, status=status, reason=reason, changed_at=at, version=enrollment.version + 1)


def _described(enrollment: Enrollment) -> str:
    return f"enrollment {enrollment.enrollment_id} ({enrollment.person_id} in class {enrollment.class_id})"
