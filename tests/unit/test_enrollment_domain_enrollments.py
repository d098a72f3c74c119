"""A learner's way through a class: nomination within quotas, application, approval, waitlist, withdrawal, transfer."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from services.enrollment.domain.classes import CompletionCriteria, TrainingClass
from services.enrollment.domain.enrollments import (
    Enrollment,
    apply,
    approve,
    fill_seats,
    nominate,
    reject,
    transfer,
    withdraw,
)
from services.enrollment.domain.errors import AlreadyEnrolled, EligibilityError, EnrollmentError
from services.enrollment.domain.people import Person, StatusPeriod, change_status
from services.enrollment.domain.periods import Period
from services.enrollment.domain.vocabulary import (
    ClassStatus,
    EnrollmentRoute,
    EnrollmentStatus,
    PersonKind,
    PoliticalStatus,
    TrainingCategory,
)

T0 = datetime(2026, 2, 1, 2, tzinfo=UTC)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def dt_class(class_id: str = "DT-1", capacity: int | None = 2, **changes: object) -> TrainingClass:
    base = TrainingClass(
        class_id=class_id,
        title="发展对象培训班",
        category=TrainingCategory.DEVELOPMENT_TARGETS,
        year=2026,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 6),
        capacity=capacity,
        organiser="ORG",
        criteria=CompletionCriteria(Decimal(24), Decimal("0.2"), True, True),
        place="党校教室",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def target(person_id: str, unit: str = "MARX", since: date = date(2025, 9, 1)) -> Person:
    return Person(
        person_id,
        f"学员{person_id}",
        PersonKind.STUDENT,
        unit,
        statuses=(StatusPeriod(PoliticalStatus.DEVELOPMENT_TARGET, Period(since)),),
    )


def applied(person_id: str, training_class: TrainingClass, enrollments: list[Enrollment], at: datetime) -> Enrollment:
    return apply(f"E-{person_id}", target(person_id), training_class, enrollments=enrollments, at=at)


def seated(training_class: TrainingClass, *person_ids: str) -> list[Enrollment]:
    """Applied and approved in order, one minute apart: the first ``capacity`` get seats, the rest wait."""
    enrollments: list[Enrollment] = []
    for index, person_id in enumerate(person_ids):
        enrollment = applied(person_id, training_class, enrollments, minutes(index))
        enrollments.append(approve(enrollment, training_class, enrollments, minutes(index), person=target(person_id)))
    return enrollments


def by_person(enrollments: list[Enrollment]) -> dict[str, EnrollmentStatus]:
    return {e.person_id: e.status for e in enrollments}


# ── nomination and application ──────────────────────────────────────────────────────────────────────────


def test_a_nomination_records_the_unit_and_the_eligibility_decision() -> None:
    nominated = nominate("E1", target("1"), dt_class(), unit="MARX", enrollments=[], at=T0)
    assert (nominated.status, nominated.route, nominated.nominating_unit) == (
        EnrollmentStatus.NOMINATED,
        EnrollmentRoute.NOMINATION,
        "MARX",
    )
    assert nominated.version == 1
    assert nominated.eligibility_rule == "eligibility/v1"
    assert nominated.eligibility_reason == (
        "学员1 (1) on 2026-03-02 is 发展对象 since 2025-09-01; 发展对象培训 takes 发展对象"
    )


def test_an_ineligible_nominee_is_refused_with_the_reason() -> None:
    activist = replace(target("2"), statuses=(StatusPeriod(PoliticalStatus.ACTIVIST, Period(date(2025, 1, 1))),))
    with pytest.raises(EligibilityError, match="is 入党积极分子 since 2025-01-01; 发展对象培训 takes only 发展对象"):
        nominate("E2", activist, dt_class(), unit="MARX", enrollments=[], at=T0)
    with pytest.raises(EligibilityError, match="takes only 发展对象"):
        apply("E2", activist, dt_class(), enrollments=[], at=T0)


def test_eligibility_is_judged_as_the_person_will_be_on_the_first_day_of_the_class() -> None:
    becomes_target = change_status(
        replace(target("3"), statuses=(StatusPeriod(PoliticalStatus.ACTIVIST, Period(date(2025, 1, 1))),)),
        PoliticalStatus.DEVELOPMENT_TARGET,
        date(2026, 3, 2),
    )
    assert nominate("E3", becomes_target, dt_class(), unit="MARX", enrollments=[], at=T0).status == "nominated"
    with pytest.raises(EligibilityError):
        nominate("E3", becomes_target, dt_class(first_day=date(2026, 3, 1)), unit="MARX", enrollments=[], at=T0)


def test_one_person_takes_part_in_a_class_once_but_may_try_again_after_leaving_it_on_the_same_enrollment() -> None:
    first = nominate("E1", target("1"), dt_class(), unit="MARX", enrollments=[], at=T0)
    with pytest.raises(AlreadyEnrolled, match=re.escape("学员1 (1) is already enrolled in class DT-1")):
        apply("E2", target("1"), dt_class(), enrollments=[first], at=T0)
    rejected = reject(first, "名额已满", minutes(1))
    again = apply("E2", target("1"), dt_class(), enrollments=[rejected], at=minutes(2))
    assert (again.enrollment_id, again.version, again.status, again.route) == ("E1", 3, "applied", "application")
    assert again.nominating_unit is None  # the new way in, not a leftover of the old one


@pytest.mark.parametrize(
    ("status", "takes"),
    [
        (ClassStatus.PLANNED, True),
        (ClassStatus.OPEN, True),
        (ClassStatus.CLOSED, False),
        (ClassStatus.CANCELLED, False),
    ],
)
def test_only_a_planned_or_open_class_takes_people_in(status: ClassStatus, takes: bool) -> None:
    training_class = dt_class(status=status)
    if takes:
        assert apply("E1", target("1"), training_class, enrollments=[], at=T0).status == "applied"
        return
    with pytest.raises(EnrollmentError, match=f"class DT-1 is {status.label} \\({status.value}\\): it takes nobody in"):
        apply("E1", target("1"), training_class, enrollments=[], at=T0)


def test_a_class_without_days_takes_nobody_in_as_eligibility_is_judged_on_its_first_day() -> None:
    with pytest.raises(EnrollmentError, match="has no days yet: eligibility is judged as of its first day"):
        nominate("E1", target("1"), dt_class(first_day=None, last_day=None), unit="MARX", enrollments=[], at=T0)


def quota_class() -> TrainingClass:
    return dt_class(capacity=10, unit_quotas={"MARX": 2, "ADMIN": 1})


def test_a_unit_nominates_up_to_its_quota_and_no_further() -> None:
    training_class = quota_class()
    enrollments: list[Enrollment] = []
    for person_id in ("1", "2"):
        enrollments.append(
            nominate(f"E{person_id}", target(person_id), training_class, unit="MARX", enrollments=enrollments, at=T0)
        )
    with pytest.raises(EnrollmentError, match=re.escape("unit MARX has used its quota of 2 in class DT-1 (1, 2)")):
        nominate("E3", target("3"), training_class, unit="MARX", enrollments=enrollments, at=T0)
    # another unit's quota is its own
    assert (
        nominate("E4", target("4"), training_class, unit="ADMIN", enrollments=enrollments, at=T0).nominating_unit
        == "ADMIN"
    )


def test_a_withdrawn_or_rejected_nomination_gives_the_quota_back() -> None:
    training_class = quota_class()
    first = nominate("E1", target("1"), training_class, unit="ADMIN", enrollments=[], at=T0)
    with pytest.raises(EnrollmentError, match="quota of 1"):
        nominate("E2", target("2"), training_class, unit="ADMIN", enrollments=[first], at=T0)
    rejected = reject(first, "不符合选派条件", minutes(1))
    assert (
        nominate("E2", target("2"), training_class, unit="ADMIN", enrollments=[rejected], at=T0).status == "nominated"
    )


def test_a_unit_without_a_quota_cannot_nominate_where_quotas_are_set_but_anyone_can_where_none_are() -> None:
    with pytest.raises(
        EnrollmentError,
        match=re.escape("unit LIB has no quota (选派名额) in class DT-1; units with one: ADMIN (1), MARX (2)"),
    ):
        nominate("E1", target("1"), quota_class(), unit="LIB", enrollments=[], at=T0)
    assert nominate("E1", target("1"), dt_class(), unit="LIB", enrollments=[], at=T0).nominating_unit == "LIB"


def test_enrollments_of_other_classes_do_not_count() -> None:
    elsewhere = replace(
        nominate("E1", target("1"), quota_class(), unit="ADMIN", enrollments=[], at=T0), class_id="DT-2"
    )
    assert (
        nominate("E2", target("1"), quota_class(), unit="ADMIN", enrollments=[elsewhere], at=T0).status == "nominated"
    )


# ── approval and the waitlist ───────────────────────────────────────────────────────────────────────────


def test_approval_seats_learners_up_to_the_capacity_and_waitlists_the_rest_in_order() -> None:
    enrollments = seated(dt_class(capacity=2), "1", "2", "3", "4")
    assert by_person(enrollments) == {"1": "approved", "2": "approved", "3": "waitlisted", "4": "waitlisted"}
    assert [e.reason for e in enrollments] == [
        "approved: seat 1 of 2",
        "approved: seat 2 of 2",
        "class full (2 of 2 seats): number 1 on the waitlist",
        "class full (2 of 2 seats): number 2 on the waitlist",
    ]
    assert all(e.version == 2 for e in enrollments)
    assert enrollments[2].waitlisted_at == minutes(2)


def test_a_waitlisted_learner_is_approved_only_into_a_free_seat() -> None:
    training_class = dt_class(capacity=1)
    enrollments = seated(training_class, "1", "2")
    waiting = enrollments[1]
    with pytest.raises(EnrollmentError, match="off the waitlist: all 1 seats are taken"):
        approve(waiting, training_class, enrollments, minutes(5), person=target("2"))
    bigger = replace(training_class, capacity=2)
    promoted = approve(waiting, bigger, enrollments, minutes(5), person=target("2"))
    assert (promoted.status, promoted.version, promoted.waitlisted_at) == ("approved", 3, minutes(1))


def test_a_rejection_needs_a_reason_and_ends_the_way() -> None:
    enrollment = applied("1", dt_class(), [], T0)
    with pytest.raises(EnrollmentError, match="needs a reason"):
        reject(enrollment, " ", minutes(1))
    rejected = reject(enrollment, "本年度已参加同类培训", minutes(1))
    assert (rejected.status, rejected.reason, rejected.version) == ("rejected", "本年度已参加同类培训", 2)
    with pytest.raises(
        EnrollmentError, match=re.escape("cannot approve enrollment E-1 (1 in class DT-1): it is 未录取 (rejected)")
    ):
        approve(rejected, dt_class(), [rejected], minutes(2), person=target("1"))


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (EnrollmentStatus.APPROVED, "approve"),
        (EnrollmentStatus.APPROVED, "reject"),
        (EnrollmentStatus.WITHDRAWN, "withdraw"),
        (EnrollmentStatus.TRANSFERRED, "withdraw"),
        (EnrollmentStatus.REJECTED, "reject"),
        (EnrollmentStatus.WITHDRAWN, "transfer"),
    ],
)
def test_illegal_transitions_are_refused_naming_where_the_enrollment_stands(
    status: EnrollmentStatus, action: str
) -> None:
    enrollment = replace(applied("1", dt_class(), [], T0), status=status)
    steps = {
        "approve": lambda: approve(enrollment, dt_class(), [enrollment], T0, person=target("1")),
        "reject": lambda: reject(enrollment, "reason", T0),
        "withdraw": lambda: withdraw(enrollment, dt_class(), [enrollment], "", T0),
        "transfer": lambda: transfer(
            enrollment,
            "E-new",
            target("1"),
            from_class=dt_class(),
            from_enrollments=[enrollment],
            to_class=dt_class("DT-2"),
            to_enrollments=[],
            at=T0,
        ),
    }
    with pytest.raises(
        EnrollmentError,
        match=re.escape(
            f"cannot {action} enrollment E-1 (1 in class DT-1): it is {status.label} ({status.value}); only "
        ),
    ):
        steps[action]()


# ── withdrawal ──────────────────────────────────────────────────────────────────────────────────────────


def test_withdrawing_from_a_seat_promotes_whoever_has_waited_longest() -> None:
    training_class = dt_class(capacity=2)
    enrollments = seated(training_class, "1", "2", "3", "4")
    withdrawal = withdraw(enrollments[0], training_class, enrollments, "工作冲突", minutes(10))
    assert (withdrawal.withdrawn.status, withdrawal.withdrawn.reason, withdrawal.withdrawn.version) == (
        "withdrawn",
        "工作冲突",
        3,
    )
    assert [(e.person_id, e.status, e.version) for e in withdrawal.promoted] == [("3", "approved", 3)]
    assert withdrawal.promoted[0].reason == "promoted from the waitlist: a seat of 2 came free"


def test_withdrawing_from_the_waitlist_or_a_pending_enrollment_promotes_nobody() -> None:
    training_class = dt_class(capacity=1)
    enrollments = seated(training_class, "1", "2", "3")
    assert withdraw(enrollments[1], training_class, enrollments, "", minutes(10)).promoted == ()
    pending = applied("9", training_class, enrollments, minutes(11))
    withdrawal = withdraw(pending, training_class, [*enrollments, pending], "", minutes(12))
    assert (withdrawal.withdrawn.reason, withdrawal.promoted) == ("withdrew", ())


def test_the_waitlist_is_served_in_the_order_people_joined_it() -> None:
    training_class = dt_class(capacity=1)
    enrollments = seated(training_class, "1", "2", "3")
    # The later one has the smaller id: order is by time on the waitlist, not by id.
    enrollments[1] = replace(enrollments[1], enrollment_id="Z", waitlisted_at=minutes(1))
    enrollments[2] = replace(enrollments[2], enrollment_id="A", waitlisted_at=minutes(2))
    promoted = withdraw(enrollments[0], training_class, enrollments, "", minutes(10)).promoted
    assert [e.enrollment_id for e in promoted] == ["Z"]


def test_a_class_without_a_capacity_seats_everyone_and_empties_its_waitlist_when_the_limit_goes() -> None:
    unlimited = dt_class(capacity=None)
    enrollments = seated(unlimited, "1", "2", "3")
    assert by_person(enrollments) == {"1": "approved", "2": "approved", "3": "approved"}
    assert enrollments[2].reason == "approved: seat 3 (no limit on seats)"
    waiting = seated(dt_class(capacity=1), "1", "2", "3")
    promoted = fill_seats(unlimited, waiting, minutes(9))
    assert [(e.person_id, e.reason) for e in promoted] == [
        ("2", "promoted from the waitlist: the class has no limit on seats now"),
        ("3", "promoted from the waitlist: the class has no limit on seats now"),
    ]


def test_a_class_that_grows_fills_its_new_seats_from_the_waitlist() -> None:
    training_class = dt_class(capacity=1)
    enrollments = seated(training_class, "1", "2", "3", "4")
    assert [e.person_id for e in fill_seats(replace(training_class, capacity=3), enrollments, minutes(9))] == ["2", "3"]
    assert fill_seats(training_class, enrollments, minutes(9)) == ()


# ── transfer ────────────────────────────────────────────────────────────────────────────────────────────


def test_an_approved_learner_transfers_into_a_free_seat_and_their_old_seat_goes_to_the_waitlist() -> None:
    old_class, new_class = dt_class(capacity=1), dt_class("DT-2", capacity=5)
    enrollments = seated(old_class, "1", "2")
    moved = transfer(
        enrollments[0],
        "E-1b",
        target("1"),
        from_class=old_class,
        from_enrollments=enrollments,
        to_class=new_class,
        to_enrollments=[],
        at=minutes(10),
    )
    assert (moved.left.status, moved.left.transferred_to, moved.left.version) == ("transferred", "DT-2", 3)
    assert moved.left.reason == "transferred to class DT-2"
    joined = moved.joined
    assert (joined.enrollment_id, joined.class_id, joined.status, joined.version) == ("E-1b", "DT-2", "approved", 1)
    assert (joined.transferred_from, joined.reason) == ("DT-1", "transferred from class DT-1; approved: seat 1 of 5")
    assert [e.person_id for e in moved.promoted] == ["2"]


def test_a_transfer_into_a_full_class_waits_there_and_a_pending_one_stays_pending() -> None:
    old_class, full_class = dt_class(capacity=5), dt_class("DT-2", capacity=1)
    there = seated(full_class, "7")
    here = seated(old_class, "1")
    moved = transfer(
        here[0],
        "E-1b",
        target("1"),
        from_class=old_class,
        from_enrollments=here,
        to_class=full_class,
        to_enrollments=there,
        at=minutes(10),
    )
    assert (moved.joined.status, moved.joined.waitlisted_at) == ("waitlisted", minutes(10))
    nominated = nominate("E-2", target("2"), old_class, unit="MARX", enrollments=[], at=T0)
    moved = transfer(
        nominated,
        "E-2b",
        target("2"),
        from_class=old_class,
        from_enrollments=[nominated],
        to_class=full_class,
        to_enrollments=there,
        at=minutes(11),
    )
    assert (moved.joined.status, moved.joined.nominating_unit, moved.promoted) == ("nominated", "MARX", ())


def test_a_transfer_is_judged_by_the_new_class_its_quotas_and_who_is_already_there() -> None:
    old_class = dt_class(capacity=5)
    nominated = nominate("E-1", target("1"), old_class, unit="MARX", enrollments=[], at=T0)

    def move_to(to_class: TrainingClass, to_enrollments: list[Enrollment] | None = None):
        return transfer(
            nominated,
            "E-1b",
            target("1"),
            from_class=old_class,
            from_enrollments=[nominated],
            to_class=to_class,
            to_enrollments=to_enrollments or [],
            at=T0,
        )

    with pytest.raises(EligibilityError, match="入党积极分子培训 takes only 入党积极分子"):
        move_to(dt_class("ACT", category=TrainingCategory.ACTIVISTS))
    with pytest.raises(EnrollmentError, match="unit MARX has no quota"):
        move_to(dt_class("DT-2", unit_quotas={"ADMIN": 3}))
    already = applied("1", dt_class("DT-2"), [], T0)
    with pytest.raises(EnrollmentError, match="already enrolled in class DT-2"):
        move_to(dt_class("DT-2"), [already])
    with pytest.raises(EnrollmentError, match="cannot transfer to the class it is in"):
        move_to(old_class)
    with pytest.raises(EnrollmentError, match="is not 学员2 \\(2\\)'s in class DT-1"):
        transfer(
            nominated,
            "x",
            target("2"),
            from_class=old_class,
            from_enrollments=[],
            to_class=dt_class("DT-2"),
            to_enrollments=[],
            at=T0,
        )


def test_a_transfer_back_into_a_class_once_left_continues_the_enrollment_there() -> None:
    first, second = dt_class(capacity=5), dt_class("DT-2", capacity=5)
    there = [replace(e, enrollment_id="E-1-there") for e in seated(second, "1")]
    left_second = withdraw(there[0], second, there, "", minutes(1)).withdrawn
    here = seated(first, "1")
    moved = transfer(
        here[0],
        "E-new",
        target("1"),
        from_class=first,
        from_enrollments=here,
        to_class=second,
        to_enrollments=[left_second],
        at=minutes(5),
    )
    assert (moved.joined.enrollment_id, moved.joined.version, moved.joined.status) == ("E-1-there", 4, "approved")
    assert (moved.joined.transferred_from, moved.left.transferred_to) == ("DT-1", "DT-2")


def test_approval_judges_the_person_again_as_the_register_knows_them_now() -> None:
    nominated = nominate("E1", target("1"), dt_class(), unit="MARX", enrollments=[], at=T0)
    corrected = replace(target("1"), statuses=(StatusPeriod(PoliticalStatus.MASSES, Period(date(2020, 1, 1))),))
    with pytest.raises(EligibilityError, match=re.escape("学员1 (1) on 2026-03-02 is 群众 since 2020-01-01")):
        approve(nominated, dt_class(), [nominated], minutes(1), person=corrected)
    approved = approve(nominated, dt_class(), [nominated], minutes(1), person=target("1"))
    assert (approved.status, approved.eligibility_rule) == ("approved", "eligibility/v1")
    with pytest.raises(EnrollmentError, match="is not 学员2 \\(2\\)'s"):
        approve(nominated, dt_class(), [nominated], minutes(1), person=target("2"))
