"""Tasks assigned from above: nomination by the register's facts, fulfilment as outside hours arrive."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.planning.domain.facts import Credit, Held, Person, PlanningError
from services.planning.domain.tasks import (
    ActivityRef,
    Counting,
    Eligibility,
    FulfilmentState,
    Issuer,
    Nomination,
    Task,
    counting_description,
    fulfilment_report,
    nominate,
    nominee_fulfilment,
)

PLATFORM = "国家教育行政学院"
TASK = Task(
    task_id="T2025-01",
    issuer=Issuer.NATIONAL_ACADEMY_ONLINE,
    title="2025年处级干部网络专题学习",
    quota=3,
    assigned_on=date(2025, 3, 1),
    deadline=date(2025, 6, 30),
    required_hours=Decimal(50),
    counting=Counting(activities=frozenset({ActivityRef(PLATFORM, "A1"), ActivityRef(PLATFORM, "A2")})),
    eligibility=Eligibility(
        statuses=frozenset({"full_member", "probationary_member"}),
        positions=frozenset({"cadre_division_and_above"}),
    ),
)
NOMINATION_DAY = date(2025, 3, 5)


def cadre(person_id: str, *, status: str = "full_member", until: date | None = None, active: bool = True) -> Person:
    return Person(
        person_id,
        f"name of {person_id}",
        unit_id="U1",
        statuses=(Held(status, date(2000, 1, 1)),),
        positions=(Held("cadre_division_and_above", date(2020, 1, 1), until),),
        active=active,
    )


def online(
    entry_id: str, person_id: str, day: date, hours: str, activity: str = "A1", platform: str | None = PLATFORM
) -> Credit:
    return Credit(
        entry_id, person_id, day.year, Decimal(hours), day, channel="online", activity_id=activity, platform=platform
    )


# ── nomination ────────────────────────────────────────────────────────────────────────────────────────


def test_eligible_candidates_take_places_in_the_office_s_order_until_the_quota_is_used() -> None:
    decisions = nominate(
        TASK,
        [
            cadre("p1"),
            cadre("p2", status="masses"),
            cadre("p3", status="probationary_member"),
            cadre("p4", until=NOMINATION_DAY),  # held until (not including) the day
            cadre("p5"),
            cadre("p6"),
        ],
        NOMINATION_DAY,
    )
    assert decisions == (
        Nomination("p1", True, "task-eligibility/v1", "eligible: 正式党员, 县处级及以上 on 2025-03-05"),
        Nomination(
            "p2", False, "task-eligibility/v1", "not eligible: 群众 on 2025-03-05, the task asks 正式党员 or 预备党员"
        ),
        Nomination("p3", True, "task-eligibility/v1", "eligible: 预备党员, 县处级及以上 on 2025-03-05"),
        Nomination(
            "p4",
            False,
            "task-eligibility/v1",
            "not eligible: holds no position the task asks (县处级及以上) on 2025-03-05",
        ),
        Nomination("p5", True, "task-eligibility/v1", "eligible: 正式党员, 县处级及以上 on 2025-03-05"),
        Nomination("p6", False, "task-eligibility/v1", "all 3 places are taken"),
    )


def test_places_already_taken_count_against_the_quota() -> None:
    decisions = nominate(TASK, [cadre("p5"), cadre("p6")], NOMINATION_DAY, already_nominated={"p1", "p3"})
    assert [d.accepted for d in decisions] == [True, False]


def test_a_position_held_until_the_day_after_still_counts() -> None:
    [decision] = nominate(TASK, [cadre("p4", until=date(2025, 3, 6))], NOMINATION_DAY)
    assert decision.accepted


def test_every_problem_of_a_candidate_is_told() -> None:
    person = Person("p7", "李四", unit_id="U9", active=False)
    task = Task(
        "T", Issuer.MUNICIPAL_PARTY_SCHOOL, "调训", 1, date(2025, 3, 1), date(2025, 6, 30), Decimal(24),
        Counting(categories=frozenset({"external_municipal_party_school"})),
        Eligibility(statuses=frozenset({"full_member"}), unit_ids=frozenset({"U1"})),
    )  # fmt: skip
    [decision] = nominate(task, [person], NOMINATION_DAY)
    assert decision.reason == (
        "not eligible: has left the school; no political status on 2025-03-05, the task asks 正式党员; "
        "unit U9 is not among those the task names"
    )


def test_nominating_someone_twice_is_refused() -> None:
    with pytest.raises(PlanningError, match="p1 is nominated for task T2025-01 more than once"):
        nominate(TASK, [cadre("p1")], NOMINATION_DAY, already_nominated={"p1"})
    with pytest.raises(PlanningError, match="more than once"):
        nominate(TASK, [cadre("p1"), cadre("p1")], NOMINATION_DAY)


# ── fulfilment ────────────────────────────────────────────────────────────────────────────────────────

CREDITS = (
    online("c1", "n1", date(2025, 4, 1), "30"),
    online("c2", "n1", date(2025, 6, 30), "20", activity="A2"),  # the 50th 学时 on the deadline itself
    online("c3", "n2", date(2025, 4, 1), "30"),
    online("c4", "n2", date(2025, 7, 1), "20", activity="A2"),  # the 50th a day late
    online("c5", "n3", date(2025, 4, 1), "30"),
    online("c6", "n4", date(2025, 4, 1), "30", platform="another platform"),  # same id elsewhere: not this one
    online("c7", "n4", date(2025, 4, 2), "30", platform=None),  # a platform the ledger did not name
    online("c8", "n4", date(2025, 2, 28), "30"),  # before the task was assigned
    online("c9", "n4", date(2025, 4, 3), "30", activity="A3"),  # an activity the task does not name
)


@pytest.mark.parametrize(
    ("person_id", "as_of", "state", "hours", "reason"),
    [
        (
            "n1",
            date(2025, 7, 15),
            FulfilmentState.DONE,
            "50",
            "50 of 50 学时, met on 2025-06-30, by the deadline 2025-06-30",
        ),
        (
            "n2",
            date(2025, 7, 15),
            FulfilmentState.LATE,
            "50",
            "50 of 50 学时, met on 2025-07-01, 1 day after the deadline 2025-06-30",
        ),
        ("n2", date(2025, 6, 30), FulfilmentState.IN_PROGRESS, "30", "30 of 50 学时; the deadline 2025-06-30"),
        ("n3", date(2025, 6, 30), FulfilmentState.IN_PROGRESS, "30", "30 of 50 学时; the deadline 2025-06-30"),
        ("n3", date(2025, 7, 1), FulfilmentState.LATE, "30", "30 of 50 学时; the deadline 2025-06-30 has passed"),
        ("n4", date(2025, 6, 30), FulfilmentState.NOT_STARTED, "0", "no 学时 yet; the deadline 2025-06-30"),
        ("n1", date(2025, 3, 31), FulfilmentState.NOT_STARTED, "0", "no 学时 yet; the deadline 2025-06-30"),
    ],
)
def test_a_nominee_s_fulfilment_follows_their_hours_and_the_deadline(
    person_id: str, as_of: date, state: FulfilmentState, hours: str, reason: str
) -> None:
    fulfilment = nominee_fulfilment(TASK, person_id, CREDITS, as_of)
    assert (fulfilment.state, fulfilment.hours, fulfilment.reason) == (state, Decimal(hours), reason)
    assert fulfilment.rule == "task-fulfilment/v1"


def test_the_report_sent_back_up_counts_every_state_and_the_places_used() -> None:
    report = fulfilment_report(replace(TASK, quota=5), {"n4", "n3", "n2", "n1"}, CREDITS, date(2025, 7, 15))
    assert (report.nominated, report.done, report.in_progress, report.not_started, report.late) == (4, 1, 0, 0, 3)
    assert report.quota_used == "4 of 5 places used"
    assert [n.person_id for n in report.nominees] == ["n1", "n2", "n3", "n4"]
    assert report.issuer.label == "国家教育行政学院网络学习平台"


def test_classes_and_categories_can_count_too() -> None:
    task = Task(
        "T2", Issuer.MUNICIPAL_EDUCATION_COMMITTEE, "专题培训", 2, date(2025, 3, 1), date(2025, 6, 30), Decimal(16),
        Counting(class_ids=frozenset({"K7"}), categories=frozenset({"external_municipal_education_committee"})),
    )  # fmt: skip
    credits = [
        Credit("c1", "n1", 2025, Decimal(8), date(2025, 4, 1), class_id="K7", category="party_affairs"),
        Credit("c2", "n1", 2025, Decimal(8), date(2025, 4, 2), category="external_municipal_education_committee"),
        Credit("c3", "n1", 2025, Decimal(8), date(2025, 4, 3), class_id="K8", category="party_affairs"),
    ]
    assert nominee_fulfilment(task, "n1", credits, date(2025, 5, 1)).met_on == date(2025, 4, 2)
    assert counting_description(task.counting) == (
        "task-counting/v1: 学时 of class K7, 市教卫工作党委, trained since the task was assigned"
    )


@pytest.mark.parametrize(
    ("quota", "deadline", "required", "counting", "message"),
    [
        (0, date(2025, 6, 30), "8", Counting(class_ids=frozenset({"K"})), "a quota of at least one place"),
        (1, date(2025, 2, 28), "8", Counting(class_ids=frozenset({"K"})), "due on 2025-02-28, before it was assigned"),
        (1, date(2025, 6, 30), "0", Counting(class_ids=frozenset({"K"})), "must require some 学时"),
        (1, date(2025, 6, 30), "8", Counting(), "must name the classes, categories or activities that count"),
    ],
)
def test_a_task_that_cannot_be_fulfilled_is_refused(
    quota: int, deadline: date, required: str, counting: Counting, message: str
) -> None:
    with pytest.raises(PlanningError, match=message):
        Task("T", Issuer.MUNICIPAL_PARTY_SCHOOL, "调训", quota, date(2025, 3, 1), deadline, Decimal(required), counting)
