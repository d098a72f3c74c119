"""The training record for the organisation department, and a unit's yearly table, from the facts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.planning.domain.cadre_record import (
    CadreRecord,
    RequirementStanding,
    UnitYearRow,
    YearHours,
    cadre_record,
    latest_standings,
    unit_year_table,
)
from services.planning.domain.facts import (
    Assessment,
    CertificateChange,
    Credit,
    Enrollment,
    Held,
    Person,
    PlanningError,
    TrainingClass,
)

CADRE = Person(
    "c1",
    "陈七",
    unit_id="U1",
    statuses=(Held("full_member", date(2001, 7, 1)),),
    positions=(Held("cadre_division_and_above", date(2020, 1, 1)),),
)
CLASSES = {
    c.class_id: c
    for c in (
        TrainingClass("K24", "处级干部专题培训班", "division_cadres", 2024),
        TrainingClass("K25", "支部书记培训班", "party_affairs", 2025, level="branch_secretary"),
        TrainingClass("K25b", "青年骨干培训班", "young_backbone", 2025),
        TrainingClass("KX", "市委党校调训班", "external_municipal_party_school", 2025),
    )
}
ENROLLMENTS = (
    Enrollment("e1", "K24", "c1", "approved"),
    Enrollment("e2", "K25", "c1", "approved"),
    Enrollment("e3", "K25b", "c1", "withdrawn"),  # nothing else of it: not in the record
    Enrollment("e4", "K24", "c2", "approved"),
)


def credit(
    entry_id: str, day: date, hours: str, class_id: str | None, channel: str | None, person: str = "c1"
) -> Credit:
    return Credit(entry_id, person, day.year, Decimal(hours), day, class_id=class_id, channel=channel)


CREDITS = (
    credit("h1", date(2024, 4, 2), "16", "K24", "offline"),
    credit("h2", date(2024, 9, 9), "10", None, "online"),
    credit("h3", date(2025, 3, 3), "8", "K25", "offline"),
    credit("h4", date(2025, 3, 4), "4", "K25", "offline"),
    credit("h5", date(2025, 4, 1), "24", "KX", "offline"),
    credit("h6", date(2025, 5, 5), "6", None, "online"),
    credit("h7", date(2025, 5, 6), "2", None, None),  # the ledger named no channel
    credit("h8", date(2025, 8, 1), "8", None, "online"),  # after the day of the record
    credit("h9", date(2025, 3, 3), "8", "K25", "offline", person="c2"),
)
ASSESSMENTS = (
    Assessment("a1", "K24", "c1", True, datetime(2024, 4, 5, tzinfo=UTC), grade="excellent"),
    Assessment("a2", "K25", "c1", False, datetime(2025, 3, 5, tzinfo=UTC), grade="fail"),
    Assessment("a3", "K25", "c1", True, datetime(2025, 3, 20, tzinfo=UTC), grade="pass"),  # re-assessed
)
CERTIFICATES = (
    CertificateChange("DX2024-1", 1, "c1", "K24", True, date(2024, 4, 6), Decimal(16)),
    CertificateChange("DX2025-1", 1, "c1", "K25", True, date(2025, 3, 21), Decimal(12)),
    CertificateChange("DX2025-1", 2, "c1", "K25", False, date(2025, 4, 2)),
)
MEMBER_YEARLY = "党员每年集中学习培训不少于32学时"
CADRE_ONLINE = "干部每年网络学习不少于50学时"


def standing(
    requirement: str, title: str, year: int, state: str, as_of: date, person: str = "c1"
) -> RequirementStanding:
    return RequirementStanding(
        person, requirement, title, date(year, 1, 1), date(year, 12, 31), Decimal(32), Decimal(0), state, None, as_of
    )


STANDINGS = (
    standing("party-member-yearly/v1", MEMBER_YEARLY, 2024, "behind", date(2024, 6, 30)),
    standing("party-member-yearly/v1", MEMBER_YEARLY, 2024, "met", date(2024, 11, 3)),
    standing("party-member-yearly/v1", MEMBER_YEARLY, 2025, "on_track", date(2025, 6, 30)),
    standing("party-member-yearly/v1", MEMBER_YEARLY, 2025, "met", date(2025, 9, 1)),  # after the day of the record
    standing("cadre-online-yearly/v1", CADRE_ONLINE, 2025, "behind", date(2025, 6, 30)),
)
AS_OF = date(2025, 7, 1)


def record_of(person: Person = CADRE) -> CadreRecord:
    return cadre_record(
        person,
        classes=CLASSES,
        enrollments=ENROLLMENTS,
        credits=CREDITS,
        assessments=ASSESSMENTS,
        certificates=CERTIFICATES,
        standings=STANDINGS,
        as_of=AS_OF,
    )


def test_a_cadre_s_record_lists_classes_with_hours_results_and_certificates() -> None:
    record = record_of()
    assert (record.status, record.positions) == ("full_member", frozenset({"cadre_division_and_above"}))
    assert [(c.class_id, c.title, c.category, c.year, c.enrolled) for c in record.classes] == [
        ("K24", "处级干部专题培训班", "division_cadres", 2024, True),
        ("K25", "支部书记培训班", "party_affairs", 2025, True),
        ("KX", "市委党校调训班", "external_municipal_party_school", 2025, False),  # 学时 credited, never enrolled
    ]
    assert [(c.hours, c.passed, c.grade, c.certificate_number, c.certificate_valid) for c in record.classes] == [
        (Decimal("16.00"), True, "excellent", "DX2024-1", True),
        (Decimal("12.00"), True, "pass", "DX2025-1", False),  # passed when re-assessed; certificate revoked
        (Decimal("24.00"), None, None, None, None),
    ]


def test_hours_by_year_split_offline_and_online() -> None:
    assert record_of().hours_by_year == (
        YearHours(2024, Decimal("26.00"), Decimal("16.00"), Decimal("10.00")),
        YearHours(2025, Decimal("44.00"), Decimal("36.00"), Decimal("6.00")),  # 2 学时 of no channel in the total
    )


def test_requirements_show_each_window_s_newest_standing_known_on_the_day() -> None:
    assert [(s.title, s.window_start.year, s.standing) for s in record_of().requirements] == [
        (MEMBER_YEARLY, 2024, "met"),
        (CADRE_ONLINE, 2025, "behind"),
        (MEMBER_YEARLY, 2025, "on_track"),
    ]


def test_of_two_standings_judged_the_same_day_the_later_one_stands() -> None:
    day = date(2025, 6, 30)
    first = standing("r/v1", "t", 2025, "behind", day)
    second = standing("r/v1", "t", 2025, "met", day)
    assert latest_standings([first, second]) == (second,)


def test_a_unit_s_yearly_table_has_a_row_for_each_of_its_people() -> None:
    colleague = Person("c2", "周八", unit_id="U1")
    elsewhere = Person("c3", "吴九", unit_id="U2")
    records = [record_of(elsewhere), record_of(CADRE), record_of(colleague)]
    assert unit_year_table("U1", 2025, records) == (
        UnitYearRow(
            "c1",
            "陈七",
            "full_member",
            frozenset({"cadre_division_and_above"}),
            classes=2,
            certificates=0,  # K25's was revoked
            hours=Decimal("44.00"),
            offline=Decimal("36.00"),
            online=Decimal("6.00"),
            requirements_met=(),
            requirements_not_met=(f"{CADRE_ONLINE} (behind)", f"{MEMBER_YEARLY} (on_track)"),
        ),
        UnitYearRow(
            "c2",
            "周八",
            None,
            frozenset(),
            classes=1,  # enrolled in K24 and credited in K25: K25 is of 2025
            certificates=0,
            hours=Decimal("8.00"),
            offline=Decimal("8.00"),
            online=Decimal("0.00"),
            requirements_met=(),
            requirements_not_met=(),
        ),
    )
    [row_2024, _] = unit_year_table("U1", 2024, records)
    assert (row_2024.classes, row_2024.certificates, row_2024.hours) == (1, 1, Decimal("26.00"))
    assert row_2024.requirements_met == (MEMBER_YEARLY,)


def test_a_class_unknown_to_the_register_is_refused() -> None:
    with pytest.raises(PlanningError, match="class K99 in the record of c1 is unknown to the register"):
        cadre_record(
            CADRE,
            classes=CLASSES,
            enrollments=[Enrollment("e9", "K99", "c1", "approved")],
            credits=(),
            assessments=(),
            certificates=(),
            standings=(),
            as_of=AS_OF,
        )


def test_a_window_without_an_end_yet_touches_every_year_from_its_start() -> None:
    # A development target's 发展对象培训 requirement runs until they are admitted: no end while they are not.
    open_window = RequirementStanding(
        "c1",
        "development-target/v1",
        "发展对象培训不少于24学时",
        date(2024, 9, 1),
        None,
        Decimal(24),
        Decimal(8),
        "behind",
        None,
        date(2025, 3, 1),
    )
    record = cadre_record(
        CADRE,
        classes=CLASSES,
        enrollments=(),
        credits=(),
        assessments=(),
        certificates=(),
        standings=[open_window],
        as_of=AS_OF,
    )
    for year in (2024, 2025):
        [row] = unit_year_table("U1", year, [record])
        assert row.requirements_not_met == ("发展对象培训不少于24学时 (behind)",), year
    [row_2023] = unit_year_table("U1", 2023, [record])
    assert row_2023.requirements_not_met == ()
