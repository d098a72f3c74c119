"""The five-year rotation (党员集中轮训) against a fixture computed by hand: thirteen people over six years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.planning.domain.facts import (
    CertificateChange,
    Credit,
    Held,
    Organisation,
    Person,
    PlanningError,
    Reversal,
    TrainingClass,
    standing_credits,
)
from services.planning.domain.rotation import (
    MEMBER_ROTATION_V1,
    ClassCompleted,
    Coverage,
    CoverageRow,
    HoursInOneYear,
    Rotation,
    RotationRule,
    RotationStatus,
    coverage_by_branch,
    coverage_by_organisation,
    coverage_by_unit,
    due_list,
    find_rotations,
    rotation_status,
    rotation_statuses,
)

FULL = "full_member"
PROBATIONARY = "probationary_member"


def member(person_id: str, branch: str, unit: str, *statuses: Held, active: bool = True) -> Person:
    return Person(person_id, f"name of {person_id}", unit_id=unit, branch_id=branch, statuses=statuses, active=active)


def rotation_class(class_id: str, ends_on: date, category: str = "member_rotation") -> TrainingClass:
    return TrainingClass(class_id, f"{class_id} 党员集中轮训班", category, ends_on.year, ends_on, ends_on)


def certificate(person_id: str, class_id: str, revision: int = 1, *, valid: bool = True) -> CertificateChange:
    return CertificateChange(f"DX-{class_id}-{person_id}", revision, person_id, class_id, valid, date(2000, 1, 1))


def branch_study(entry_id: str, person_id: str, day: date, hours: str, year: int | None = None) -> Credit:
    return Credit(entry_id, person_id, year or day.year, Decimal(hours), day, category="branch_study")


# ── the fixture ────────────────────────────────────────────────────────────────────────────────────────
# 党委 PC ─┬─ 党总支 GB1 ─┬─ 党支部 B1
#          │              └─ 党支部 B2
#          └─ 党支部 B3
ORGANISATIONS = {
    "PC": Organisation("PC", "party_committee", "党委"),
    "GB1": Organisation("GB1", "general_branch", "第一党总支", "PC"),
    "B1": Organisation("B1", "branch", "第一党支部", "GB1"),
    "B2": Organisation("B2", "branch", "第二党支部", "GB1"),
    "B3": Organisation("B3", "branch", "第三党支部", "PC"),
}
CLASSES = {
    c.class_id: c
    for c in (
        rotation_class("R2019", date(2019, 6, 28)),
        rotation_class("R2020", date(2020, 7, 3)),
        rotation_class("R2022", date(2022, 6, 30)),
        rotation_class("R2024", date(2024, 6, 28)),
        rotation_class("P2023", date(2023, 5, 12), category="party_affairs"),
    )
}
PERSONS = (
    member("m01", "B1", "U1", Held(FULL, date(2010, 7, 1))),
    member("m02", "B1", "U1", Held(FULL, date(2012, 7, 1))),
    member("m03", "B1", "U2", Held(FULL, date(2015, 7, 1))),
    member("m04", "B2", "U1", Held(FULL, date(2016, 3, 1))),
    member(
        "m05",
        "B2",
        "U2",
        Held("activist", date(2023, 1, 1), date(2024, 6, 1)),
        Held(PROBATIONARY, date(2024, 6, 1)),
    ),
    member("m06", "B1", "U1", Held(PROBATIONARY, date(2024, 11, 15))),
    member("m07", "B3", "U2", Held(FULL, date(2005, 7, 1))),
    member("m08", "B3", "U2", Held(FULL, date(2008, 7, 1))),
    member("m09", "B3", "U1", Held(FULL, date(2009, 7, 1))),
    member("m10", "B2", "U2", Held(FULL, date(2011, 7, 1))),
    member("m11", "B1", "U1", Held(FULL, date(2010, 7, 1)), active=False),  # has left the school
    member("m12", "B1", "U1", Held("activist", date(2023, 3, 1))),  # not a member
    member(
        "m13",
        "B2",
        "U2",
        Held(PROBATIONARY, date(2023, 5, 1), date(2024, 5, 1)),
        Held(FULL, date(2024, 5, 1)),
    ),
)
CERTIFICATES = (
    certificate("m01", "R2019"),
    certificate("m02", "R2019"),
    certificate("m02", "R2019", revision=2, valid=False),  # revoked: does not count
    certificate("m02", "R2022"),
    certificate("m07", "R2020"),
    certificate("m09", "P2023"),  # a Party-affairs class: not a rotation
    certificate("m10", "R2019"),
    certificate("m10", "R2024"),
)
CREDITS = (
    # m03 reaches 24 学时 of branch study on the last of three days of 2020
    branch_study("c03a", "m03", date(2020, 3, 5), "10"),
    branch_study("c03b", "m03", date(2020, 9, 10), "8"),
    branch_study("c03c", "m03", date(2020, 12, 30), "6"),
    # m04 never reaches 24 within one year: 20 in 2021, 23.5 in 2022, 16 in 2023 once 8 were reversed
    branch_study("c04a", "m04", date(2021, 5, 10), "20"),
    branch_study("c04b", "m04", date(2022, 4, 1), "16"),
    branch_study("c04c", "m04", date(2022, 10, 1), "7.5"),
    branch_study("c04d", "m04", date(2023, 3, 1), "16"),
    branch_study("c04e", "m04", date(2023, 9, 1), "8"),
    # m05 studied 24 学时 with the branch as an activist, before joining: not a rotation of a member
    branch_study("c05a", "m05", date(2023, 11, 1), "24"),
    # m08: 24 学时 on 31 December 2019, exactly five years before the day we look from
    branch_study("c08a", "m08", date(2019, 12, 31), "24"),
    # m09: the 24th 学时 a day earlier; and 30 in 2025, after the day we look from
    branch_study("c09a", "m09", date(2019, 6, 1), "12"),
    branch_study("c09b", "m09", date(2019, 12, 30), "12"),
    branch_study("c09c", "m09", date(2025, 1, 2), "30"),
)
REVERSALS = (Reversal("r04e", reverses_entry_id="c04e"),)


def fixture_statuses(as_of: date) -> tuple[RotationStatus, ...]:
    rotations = find_rotations(standing_credits(CREDITS, REVERSALS), CERTIFICATES, CLASSES)
    return rotation_statuses(PERSONS, rotations, as_of)


def test_the_due_list_for_2025_puts_probationary_members_first_then_the_longest_overdue() -> None:
    # Computed by hand, as of 31 December 2024 (rule member-rotation/v1, five-year cycle):
    #   m05 预备党员, never rotated (branch study as an activist does not count): due from joining, 2024-06-01
    #   m06 预备党员, never rotated: due from joining, 2024-11-15
    #   m04 never rotated (never 24 学时 within one year): due from joining, 2016-03-01
    #   m13 正式党员 since 2024-05-01 (预备党员 before), never rotated: due from joining, 2023-05-01
    #   m01 R2019 ended 2019-06-28 → due 2024-06-28
    #   m09 24th 学时 of 2019 on 2019-12-30 → due 2024-12-30 (2025's 30 学时 lie after the day we look from)
    #   m08 24th 学时 on 2019-12-31 → due 2024-12-31
    #   m07 R2020 ended 2020-07-03 → due 2025-07-03
    #   m03 24th 学时 of 2020 on 2020-12-30 → due 2025-12-30
    # Not due: m02 (R2019 revoked, R2022 → 2027-06-30), m10 (R2024 → 2029-06-28); not listed: m11 (left the
    # school), m12 (an activist).
    due = due_list(fixture_statuses(date(2024, 12, 31)), 2025)
    assert [(s.person_id, s.next_due, s.probationary) for s in due] == [
        ("m05", date(2024, 6, 1), True),
        ("m06", date(2024, 11, 15), True),
        ("m04", date(2016, 3, 1), False),
        ("m13", date(2023, 5, 1), False),
        ("m01", date(2024, 6, 28), False),
        ("m09", date(2024, 12, 30), False),
        ("m08", date(2024, 12, 31), False),
        ("m07", date(2025, 7, 3), False),
        ("m03", date(2025, 12, 30), False),
    ]


def test_the_due_list_for_2024_seen_from_its_first_day() -> None:
    # As of 1 January 2024: m05 and m06 have not joined yet; m13 is still 预备党员; m10's R2024 lies ahead, so
    # R2019 is their last (due 2024-06-28, the same day as m01: the tie goes by id).
    due = due_list(fixture_statuses(date(2024, 1, 1)), 2024)
    assert [(s.person_id, s.next_due) for s in due] == [
        ("m13", date(2023, 5, 1)),
        ("m04", date(2016, 3, 1)),
        ("m01", date(2024, 6, 28)),
        ("m10", date(2024, 6, 28)),
        ("m09", date(2024, 12, 30)),
        ("m08", date(2024, 12, 31)),
    ]


def test_coverage_by_branch_over_the_rolling_five_years() -> None:
    # As of 31 December 2024, covered means rotated on or after 2019-12-31:
    #   B1: m01 overdue (2019-06-28), m02 covered (2022), m03 covered (2020), m06 never        → 4, 2, 1, 1
    #   B2: m04 never, m05 never, m10 covered (2024), m13 never                                 → 4, 1, 0, 3
    #   B3: m07 covered (2020), m08 covered (2019-12-31, due today), m09 overdue (2019-12-30)   → 3, 2, 1, 0
    rows = coverage_by_branch(fixture_statuses(date(2024, 12, 31)))
    assert rows == (
        CoverageRow("B1", members=4, covered=2, overdue=1, never_rotated=1),
        CoverageRow("B2", members=4, covered=1, overdue=0, never_rotated=3),
        CoverageRow("B3", members=3, covered=2, overdue=1, never_rotated=0),
    )
    assert [row.covered_share for row in rows] == [Decimal("50.0"), Decimal("25.0"), Decimal("66.7")]


def test_coverage_rolls_up_the_party_tree_and_is_kept_by_unit_too() -> None:
    # GB1 = B1 + B2: 8, 3, 1, 4 (37.5 %); PC = all three branches: 11, 5, 2, 4 (5/11 = 45.45… → 45.5 %)
    statuses = fixture_statuses(date(2024, 12, 31))
    rows = coverage_by_organisation(statuses, ORGANISATIONS)
    assert [(r.org_id, r.members, r.covered, r.overdue, r.never_rotated, r.covered_share) for r in rows] == [
        ("B1", 4, 2, 1, 1, Decimal("50.0")),
        ("B2", 4, 1, 0, 3, Decimal("25.0")),
        ("B3", 3, 2, 1, 0, Decimal("66.7")),
        ("GB1", 8, 3, 1, 4, Decimal("37.5")),
        ("PC", 11, 5, 2, 4, Decimal("45.5")),
    ]
    # U1: m01 overdue, m02 covered, m04 never, m06 never, m09 overdue; U2: m03, m07, m08, m10 covered, m05, m13 never
    assert coverage_by_unit(statuses) == (
        CoverageRow("U1", members=5, covered=1, overdue=2, never_rotated=2),
        CoverageRow("U2", members=6, covered=4, overdue=0, never_rotated=2),
    )


def test_each_status_says_why_in_words_and_names_its_rule() -> None:
    by_id = {s.person_id: s for s in fixture_statuses(date(2024, 12, 31))}
    assert by_id["m01"].coverage is Coverage.OVERDUE
    assert by_id["m01"].reason == (
        "last rotated on 2019-06-28: completed 党员集中轮训 class R2019 (ended 2019-06-28, certificate DX-R2019-m01); "
        "overdue since 2024-06-28"
    )
    assert by_id["m03"].reason == (
        "last rotated on 2020-12-30: 支部组织学习 reached 24 学时 in 2020 on 2020-12-30 (24 学时 by then); "
        "next due 2025-12-30"
    )
    assert by_id["m04"].reason == "never rotated; a member since 2016-03-01, due from then"
    assert {s.rule for s in by_id.values()} == {"member-rotation/v1"}


# ── the boundaries on their own ────────────────────────────────────────────────────────────────────────

ONE_MEMBER = member("x", "B1", "U1", Held(FULL, date(2000, 1, 1)))


def rotated_on(day: date) -> Rotation:
    return Rotation("x", day, "member-rotation/v1", "a rotation")


@pytest.mark.parametrize(
    ("rotated", "coverage"),
    [
        (date(2020, 3, 15), Coverage.COVERED),  # exactly five years before: due today, not yet overdue
        (date(2020, 3, 14), Coverage.OVERDUE),  # a day more
        (date(2020, 3, 16), Coverage.COVERED),
    ],
)
def test_a_member_is_overdue_from_the_day_after_five_years(rotated: date, coverage: Coverage) -> None:
    assert rotation_status(ONE_MEMBER, [rotated_on(rotated)], date(2025, 3, 15)).coverage is coverage


def test_a_rotation_on_29_february_is_due_again_on_28_february() -> None:
    assert rotation_status(ONE_MEMBER, [rotated_on(date(2020, 2, 29))], date(2025, 1, 1)).next_due == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("due", "listed"),
    [(date(2025, 12, 31), True), (date(2026, 1, 1), False)],
)
def test_the_due_list_of_a_year_ends_with_its_last_day(due: date, listed: bool) -> None:
    status = rotation_status(ONE_MEMBER, [rotated_on(date(due.year - 5, due.month, due.day))], date(2025, 1, 1))
    assert bool(due_list([status], 2025)) is listed


@pytest.mark.parametrize(
    ("hours", "rotated"),
    [("23.99", False), ("24", True), ("24.01", True)],
)
def test_branch_study_counts_as_a_rotation_from_exactly_the_hours_the_rule_asks(hours: str, rotated: bool) -> None:
    rotations = find_rotations([branch_study("c", "x", date(2022, 5, 1), hours)], [], {})
    assert ("x" in rotations) is rotated


def test_branch_study_is_not_added_up_across_a_new_year() -> None:
    credits = [
        branch_study("c1", "x", date(2022, 12, 31), "12"),
        branch_study("c2", "x", date(2023, 1, 1), "12"),
    ]
    assert find_rotations(credits, [], {}) == {}


def test_a_credit_counts_toward_the_ledger_year_it_was_posted_to() -> None:
    # the ledger counts a credit of 31 December late evening toward the year it names
    credits = [
        branch_study("c1", "x", date(2022, 12, 31), "12", year=2023),
        branch_study("c2", "x", date(2023, 1, 3), "12"),
    ]
    assert [r.on for r in find_rotations(credits, [], {})["x"]] == [date(2023, 1, 3)]


def test_a_rule_of_another_version_finds_other_rotations_and_says_so() -> None:
    stricter = RotationRule(
        name="member-rotation/v2",
        cycle_years=5,
        criteria=(
            ClassCompleted(frozenset({"member_rotation"})),
            HoursInOneYear(frozenset({"branch_study"}), Decimal(32)),
        ),
    )
    credits = [branch_study("c1", "x", date(2022, 5, 1), "24")]
    assert find_rotations(credits, [], {}, stricter) == {}
    assert find_rotations(credits, [], {}, MEMBER_ROTATION_V1)["x"][0].rule == "member-rotation/v1"


def test_a_class_without_an_end_date_dates_its_rotation_by_the_certificate() -> None:
    undated = {"R": TrainingClass("R", "轮训班", "member_rotation", 2023)}
    change = CertificateChange("DX-1", 1, "x", "R", True, date(2023, 9, 9))
    [rotation] = find_rotations([], [change], undated)["x"]
    assert rotation.on == date(2023, 9, 9)
    assert rotation.reason == "completed 党员集中轮训 class R (no end date; certified on 2023-09-09, certificate DX-1)"


def test_a_certificate_of_a_class_nobody_announced_is_refused() -> None:
    with pytest.raises(PlanningError, match="names class R9, which the register has not announced"):
        find_rotations([], [CertificateChange("DX-9", 1, "x", "R9", True, date(2023, 9, 9))], {})


def test_the_status_of_a_non_member_is_refused() -> None:
    with pytest.raises(PlanningError, match="m12 is not a Party member of the school on 2024-12-31"):
        rotation_status(PERSONS[11], [], date(2024, 12, 31))


def test_a_rule_without_criteria_is_refused() -> None:
    with pytest.raises(PlanningError, match="needs a cycle of at least a year and a criterion"):
        RotationRule("member-rotation/v9", 5, ())
