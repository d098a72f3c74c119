"""Cultivation records (培养考察) and the readiness of activists and development targets, as of a day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.planning.domain.cultivation import (
    ActivityKind,
    Check,
    CultivationRecord,
    PracticeActivity,
    Talk,
    TrainingLine,
    cultivation_record,
    readiness,
)
from services.planning.domain.facts import CertificateChange, Credit, Held, Person, PlanningError, TrainingClass

APPLICANT = Person(
    "a1",
    "王五",
    branch_id="B1",
    statuses=(
        Held("activist", date(2024, 3, 1), date(2025, 3, 15)),
        Held("development_target", date(2025, 3, 15)),
    ),
)
CLASSES = {
    "A24": TrainingClass("A24", "入党积极分子培训班", "activists", 2024, date(2024, 5, 6), date(2024, 5, 7)),
    "D25": TrainingClass("D25", "发展对象培训班", "development_targets", 2025, date(2025, 4, 8), date(2025, 4, 10)),
}


def credit(entry_id: str, day: date, hours: str, class_id: str | None, category: str, person_id: str = "a1") -> Credit:
    return Credit(entry_id, person_id, day.year, Decimal(hours), day, class_id=class_id, category=category)


CREDITS = (
    credit("c1", date(2024, 5, 6), "8", "A24", "activists"),
    credit("c2", date(2024, 5, 7), "8", "A24", "activists"),
    credit("c3", date(2025, 4, 8), "8", "D25", "development_targets"),
    credit("c4", date(2025, 4, 9), "8", "D25", "development_targets"),
    credit("c5", date(2025, 4, 10), "7.5", "D25", "development_targets"),
    credit("c6", date(2025, 4, 20), "2", None, "branch_study"),
    credit("c7", date(2025, 4, 9), "8", "D25", "development_targets", person_id="someone else"),
    credit("c8", date(2025, 6, 1), "8", None, "branch_study"),  # after the day of the record
)
CERTIFICATES = (CertificateChange("DX2024-A", 1, "a1", "A24", True, date(2024, 5, 8)),)
ACTIVITIES = (
    PracticeActivity(ActivityKind.VOLUNTEER_SERVICE, date(2024, 12, 1), "社区志愿服务", Decimal(4)),
    PracticeActivity(ActivityKind.SOCIAL_PRACTICE, date(2024, 7, 15), "暑期社会实践"),
)
TALKS = (
    Talk(date(2025, 4, 15), "谈入党动机与近期表现", "t2"),
    Talk(date(2024, 9, 1), "谈学习与思想情况", "t1"),
)
AS_OF = date(2025, 5, 1)


def record(
    as_of: date = AS_OF,
    credits: tuple[Credit, ...] = CREDITS,
    certificates: tuple[CertificateChange, ...] = CERTIFICATES,
    talks: tuple[Talk, ...] = TALKS,
    person: Person = APPLICANT,
) -> CultivationRecord:
    return cultivation_record(
        person,
        classes=CLASSES,
        credits=credits,
        certificates=certificates,
        activities=ACTIVITIES,
        talks=talks,
        as_of=as_of,
    )


def test_the_record_holds_training_practice_service_and_talks_as_of_its_day() -> None:
    kept = record()
    assert (kept.status, kept.activist_since, kept.development_target_since) == (
        "development_target",
        date(2024, 3, 1),
        date(2025, 3, 15),
    )
    assert kept.training == (
        TrainingLine(
            "A24", "入党积极分子培训班", "activists", Decimal("16.00"), (date(2024, 5, 6), date(2024, 5, 7)), "DX2024-A"
        ),
        TrainingLine(
            "D25",
            "发展对象培训班",
            "development_targets",
            Decimal("23.50"),
            (date(2025, 4, 8), date(2025, 4, 9), date(2025, 4, 10)),
            None,
        ),
        TrainingLine(None, "study outside a class", "branch_study", Decimal("2.00"), (date(2025, 4, 20),), None),
    )
    assert [a.kind for a in kept.activities] == [ActivityKind.SOCIAL_PRACTICE, ActivityKind.VOLUNTEER_SERVICE]
    assert [t.on for t in kept.talks] == [date(2024, 9, 1), date(2025, 4, 15)]
    assert kept.contacts == ("t1", "t2")


def test_a_development_target_with_three_days_of_training_is_ready() -> None:
    ready = readiness(record())
    assert (ready.stage, ready.ready, ready.rule) == ("development_target", True, "cultivation-readiness/v1")
    assert ready.checks == (
        Check("入党积极分子培训 completed", True, "completed A24 入党积极分子培训班 (certificate DX2024-A)"),
        Check(
            "发展对象培训 ≥ 24 学时 or 3 days",
            True,
            "发展对象培训 23.5 学时 on 3 days: 3 days met",
        ),
        Check("谈心谈话 with a 培养联系人 within 183 days", True, "last talk on 2025-04-15 with t2, 16 days ago"),
    )


SHORT = "neither 24 学时 nor 3 days"


@pytest.mark.parametrize(
    ("april_days_and_hours", "met", "reason"),
    [
        (((8, "12"), (9, "12")), True, "24 学时 on 2 days: 24 学时 met"),
        (((8, "12"), (9, "11.5")), False, f"23.5 学时 on 2 days: {SHORT}"),
        (((8, "1"), (9, "1"), (10, "1")), True, "3 学时 on 3 days: 3 days met"),
        (((8, "8"), (8, "8"), (9, "7.5")), False, f"23.5 学时 on 2 days: {SHORT}"),  # two credits of one day
    ],
)
def test_development_target_training_is_met_by_24_hours_or_by_three_days(
    april_days_and_hours: tuple[tuple[int, str], ...], met: bool, reason: str
) -> None:
    credits = tuple(
        credit(f"d{i}", date(2025, 4, day), hours, "D25", "development_targets")
        for i, (day, hours) in enumerate(april_days_and_hours)
    )
    [_, training, _] = readiness(record(credits=(*CREDITS[:2], *credits))).checks
    assert (training.met, training.reason) == (met, f"发展对象培训 {reason}")


def test_study_of_the_category_outside_the_class_counts_toward_it_too() -> None:
    online = credit("o1", date(2025, 4, 9), "0.5", None, "development_targets")
    [_, training, _] = readiness(record(credits=(*CREDITS, online))).checks
    assert training.reason == "发展对象培训 24 学时 on 3 days: 24 学时 met"


@pytest.mark.parametrize(
    ("as_of", "met", "reason"),
    [
        (date(2025, 2, 28), False, "入党积极分子 since 2024-03-01: 1 year only reached on 2025-03-01"),
        (date(2025, 3, 1), True, "入党积极分子 since 2024-03-01: 1 year reached on 2025-03-01"),
    ],
)
def test_an_activist_is_ready_to_be_listed_after_a_year_of_cultivation(as_of: date, met: bool, reason: str) -> None:
    ready = readiness(record(as_of=as_of, talks=(Talk(date(2025, 1, 10), "谈心", "t1"),)))
    [period, training, _talk] = ready.checks
    assert ready.stage == "activist"
    assert (period.condition, period.met, period.reason) == ("入党积极分子 for at least 1 year", met, reason)
    assert training.met
    assert ready.ready is met


@pytest.mark.parametrize(("days_ago", "met"), [(183, True), (184, False)])
def test_the_last_talk_must_be_recent(days_ago: int, met: bool) -> None:
    talk = Talk(AS_OF - timedelta(days=days_ago), "谈心", "t1")
    [_, _, recent] = readiness(record(talks=(talk,))).checks
    assert (recent.met, recent.reason) == (met, f"last talk on {talk.on} with t1, {days_ago} days ago")


def test_nothing_recorded_is_said_plainly() -> None:
    newcomer = Person("a2", "赵六", statuses=(Held("activist", date(2025, 4, 1)),))
    ready = readiness(record(person=newcomer, credits=(), certificates=(), talks=()))
    assert not ready.ready
    assert [c.reason for c in ready.checks] == [
        "入党积极分子 since 2025-04-01: 1 year only reached on 2026-04-01",
        "no valid certificate of a 入党积极分子培训 class",
        "no talk recorded",
    ]


def test_a_revoked_activist_certificate_is_no_longer_training_done() -> None:
    revoked = (*CERTIFICATES, CertificateChange("DX2024-A", 2, "a1", "A24", False, date(2025, 1, 5)))
    [training, _, _] = readiness(record(certificates=revoked)).checks
    assert not training.met


def test_readiness_is_refused_for_someone_who_is_neither_activist_nor_development_target() -> None:
    member = replace(APPLICANT, statuses=(Held("probationary_member", date(2025, 1, 1)),))
    with pytest.raises(PlanningError, match="a1 is neither an activist nor a development target on 2025-05-01"):
        readiness(record(person=member))


def test_a_class_the_register_never_announced_is_refused() -> None:
    with pytest.raises(PlanningError, match="class X1 in the record of training is unknown to the register"):
        record(credits=(credit("x", date(2025, 4, 8), "8", "X1", "development_targets"),))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Talk(date(2025, 1, 1), "谈心", " "), "needs the 培养联系人 who held it"),
        (lambda: Talk(date(2025, 1, 1), "", "t1"), "the talk of 2025-01-01 needs its content"),
        (lambda: PracticeActivity(ActivityKind.SOCIAL_PRACTICE, date(2025, 1, 1), ""), "needs a description"),
    ],
)
def test_a_record_entry_missing_what_the_branch_must_keep_is_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        make()
