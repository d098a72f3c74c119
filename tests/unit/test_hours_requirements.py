"""Requirements: who must reach how many 学时 in which window, judged by what people were on the day they trained."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.hours.domain.requirements import (
    BUILT_IN_REQUIREMENTS,
    Assessment,
    Change,
    Requirement,
    RequirementsError,
    Standing,
    Target,
    Tenure,
    YearsWindow,
    assess,
    change_between,
    parse_requirements,
    transitions,
)
from services.hours.domain.transcript import PostedEntry
from shared.events.contracts.attendance import Channel
from tests.unit.hours_lines import beijing, line, online, reversal

BY_FAMILY = {requirement.family: requirement for requirement in BUILT_IN_REQUIREMENTS}
MEMBER_STUDY = BY_FAMILY["party-member-study"]
BRANCH_LEADERS = BY_FAMILY["branch-leader-study"]
DIVISION_CADRES = BY_FAMILY["cadre-division-training"]
SECTION_CADRES = BY_FAMILY["cadre-section-training"]
CADRES_ONLINE = BY_FAMILY["cadre-online-study"]
DEVELOPMENT_TARGETS = BY_FAMILY["development-target-training"]
MEMBER_SINCE_2010 = (Tenure("full_member", date(2010, 7, 1)),)


def assessed(
    requirement: Requirement,
    tenures: tuple[Tenure, ...],
    entries: list[PostedEntry],
    as_of: date,
    **options: Any,
) -> Assessment:
    found = [a for a in assess("p-1", tenures, entries, [requirement], as_of, **options)]
    assert len(found) == 1, found
    return found[0]


def test_the_built_in_requirements_each_name_their_source() -> None:
    assert [(r.name, r.target.hours_needed) for r in BUILT_IN_REQUIREMENTS] == [
        ("party-member-study/v1", 32),
        ("branch-leader-study/v1", 56),
        ("cadre-division-training/v1", 500),  # 550 学时 or 3 months; 3 months = 500 学时
        ("cadre-section-training/v1", 90),
        ("cadre-online-study/v1", 50),
        ("development-target-training/v1", 24),  # 24 学时 or 3 days: the same
    ]
    assert "第二十条" in MEMBER_STUDY.source
    assert all("《" in r.source or "规划" in r.source for r in BUILT_IN_REQUIREMENTS)


@pytest.mark.parametrize(
    ("target", "needed"),
    [
        (Target(Decimal(550), or_months=Decimal(3)), "500.00"),  # 3 × 250/12 days × 8
        (Target(Decimal(550), or_months=Decimal(1)), "166.67"),
        (Target(Decimal(24), or_days=Decimal(3)), "24.00"),
        (Target(Decimal(30), or_days=Decimal(3)), "24.00"),  # the smaller alternative fulfils it
        (Target(Decimal(20), or_days=Decimal(3)), "20.00"),
    ],
)
def test_alternatives_in_days_and_months_are_counted_in_hours_and_the_smallest_suffices(
    target: Target, needed: str
) -> None:
    assert str(target.hours_needed) == needed


# ── A calendar year ────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("last", "standing", "shortfall"),
    [("15.5", Standing.MISSED, "0.50"), ("16", Standing.MET, "0.00"), ("16.5", Standing.MET, "0.00")],
)
def test_a_member_owes_32_hours_of_concentrated_study_by_the_end_of_the_year(
    last: str, standing: Standing, shortfall: str
) -> None:
    entries = [line(date(2026, 3, 10), 16), line(date(2026, 12, 31), last)]
    result = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, entries, date(2026, 12, 31))
    assert (result.required, result.standing, str(result.shortfall)) == (32, standing, shortfall)
    assert result.window.start == date(2026, 1, 1) and result.deadline == date(2026, 12, 31)
    assert result.met_on == (date(2026, 12, 31) if standing == Standing.MET else None)


def test_only_the_years_own_concentrated_lines_count() -> None:
    entries = [
        line(date(2025, 12, 31), 32),  # the year before
        online(date(2026, 5, 1), 32),  # online study is not concentrated study
        line(date(2026, 5, 1), 4),
    ]
    result = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, entries, date(2026, 12, 31))
    assert result.credited == 4


@pytest.mark.parametrize(
    ("since", "required", "credited"),
    [
        # Lines of 1, 2, 4 and 8 学时 on 30 June, 1 July, 2 July and 15 September; admitted on `since`.
        (date(2026, 6, 30), "16.00", "15.00"),  # Jul–Dec held on the 1st: 32 × 6/12; all four lines count
        (date(2026, 7, 1), "16.00", "14.00"),  # the 30 June line was an activist's
        (date(2026, 7, 2), "13.50", "12.00"),  # Aug–Dec: 32 × 5/12 = 13.33, rounded up to a half
    ],
)
def test_status_changing_mid_year_a_person_owes_the_share_of_the_months_held_and_counts_the_days_held(
    since: date, required: str, credited: str
) -> None:
    tenures = (Tenure("activist", date(2025, 3, 1), since), Tenure("probationary_member", since))
    entries = [
        line(date(2026, 6, 30), 1),
        line(date(2026, 7, 1), 2),
        line(date(2026, 7, 2), 4),
        line(date(2026, 9, 15), 8),
    ]
    result = assessed(MEMBER_STUDY, tenures, entries, date(2026, 12, 31))
    assert (str(result.required), str(result.credited), result.standing) == (required, credited, Standing.MISSED)
    assert "× " in result.explanation and "months held, rounded up to a half" in result.explanation


def test_probationary_then_full_member_is_one_membership_all_year() -> None:
    tenures = (
        Tenure("probationary_member", date(2025, 7, 1), date(2026, 7, 1)),
        Tenure("full_member", date(2026, 7, 1)),
    )
    result = assessed(
        MEMBER_STUDY, tenures, [line(date(2026, 2, 1), 10), line(date(2026, 8, 1), 22)], date(2026, 12, 31)
    )
    assert (result.required, result.credited, result.met_on) == (32, 32, date(2026, 8, 1))


def test_a_status_admitted_in_december_after_its_first_day_owes_nothing_that_year() -> None:
    tenures = (Tenure("probationary_member", date(2026, 12, 2)),)
    assert assess("p-1", tenures, [line(date(2026, 12, 5), 8)], [MEMBER_STUDY], date(2026, 12, 31)) == ()


def test_a_status_beginning_after_the_day_assessed_is_not_judged_yet() -> None:
    tenures = (Tenure("full_member", date(2026, 7, 1)),)
    assert assess("p-1", tenures, [], [MEMBER_STUDY], date(2026, 6, 30)) == ()
    assert assessed(MEMBER_STUDY, tenures, [], date(2026, 7, 1)).required == 16


def test_whoever_left_a_position_mid_year_is_judged_on_the_months_and_days_held() -> None:
    tenures = (Tenure("branch_secretary", date(2023, 1, 1), date(2026, 7, 1)),)
    entries = [line(date(2026, 3, 1), 20), line(date(2026, 8, 1), 10)]  # the August line is after the term
    before = assessed(BRANCH_LEADERS, tenures, entries, date(2026, 6, 29))
    # 56 × 6/12 = 28 owed by 30 June; 8 to go with 1 day left is still possible; pace 28 × 5/6 = 23.34
    assert (before.required, before.credited, before.deadline, before.standing) == (
        28,
        20,
        date(2026, 6, 30),
        Standing.BEHIND,
    )
    after = assessed(BRANCH_LEADERS, tenures, entries, date(2026, 7, 15))
    assert (after.credited, after.shortfall, after.standing) == (20, 8, Standing.MISSED)


def test_a_branch_secretary_who_is_a_member_is_under_both_requirements_and_a_line_counts_for_both() -> None:
    tenures = (*MEMBER_SINCE_2010, Tenure("branch_secretary", date(2024, 1, 1)))
    results = assess("p-1", tenures, [line(date(2026, 4, 1), 40)], BUILT_IN_REQUIREMENTS, date(2026, 12, 31))
    assert [(r.requirement.family, r.credited, r.standing) for r in results] == [
        ("party-member-study", 40, Standing.MET),
        ("branch-leader-study", 40, Standing.MISSED),
    ]


# ── Pace, and what is still possible ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("as_of", "credited", "pace", "standing"),
    [
        (date(2026, 1, 30), "0", "0.00", Standing.ON_TRACK),  # no month over yet
        (date(2026, 3, 30), "5.33", "5.34", Standing.BEHIND),  # Jan, Feb over: 32 × 2/12 = 5.333
        (date(2026, 3, 30), "5.34", "5.34", Standing.ON_TRACK),
        (date(2026, 3, 31), "7.99", "8.00", Standing.BEHIND),  # March over on its last day: 32 × 3/12
        (date(2026, 3, 31), "8", "8.00", Standing.ON_TRACK),
        (date(2026, 3, 31), "8.01", "8.00", Standing.ON_TRACK),
    ],
)
def test_pace_is_the_share_of_the_target_for_the_months_over(
    as_of: date, credited: str, pace: str, standing: Standing
) -> None:
    entries = [line(date(2026, 1, 5), credited)] if Decimal(credited) else []
    result = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, entries, as_of)
    assert (str(result.pace), result.standing) == (pace, standing)


@pytest.mark.parametrize(
    ("credited", "standing"),
    [
        ("8", Standing.BEHIND),  # 24 to go in the 3 days after 28 December: 8 a day is still possible
        ("7.5", Standing.OUT_OF_REACH),  # 24.5 to go
        ("32", Standing.MET),
    ],
)
def test_a_requirement_is_out_of_reach_when_8_hours_a_day_for_the_days_left_would_not_do(
    credited: str, standing: Standing
) -> None:
    result = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, [line(date(2026, 6, 1), credited)], date(2026, 12, 28))
    assert result.standing == standing


def test_on_the_last_day_of_the_window_a_shortfall_is_missed() -> None:
    result = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, [line(date(2026, 6, 1), 31)], date(2026, 12, 31))
    assert (result.standing, result.explanation) == (
        Standing.MISSED,
        "31 of 32 学时 (32 学时): missed, 1 学时 short when the window closed on 2026-12-31",
    )


# ── Five-year windows ──────────────────────────────────────────────────────────────────────────────────────────

DIVISION_SINCE_2020 = (Tenure("cadre_division_and_above", date(2020, 1, 1)),)


@pytest.mark.parametrize(("last", "standing"), [("199.5", Standing.MISSED), ("200", Standing.MET)])
def test_a_division_cadre_owes_500_hours_over_2023_to_2027_counting_across_the_years(
    last: str, standing: Standing
) -> None:
    entries = [
        line(date(2022, 12, 31), 100),  # the window before
        line(date(2023, 1, 1), 100),
        line(date(2025, 6, 1), 200),
        online(date(2026, 6, 1), 100),  # online study counts toward the online requirement, not this one
        line(date(2027, 12, 31), last),
    ]
    result = assessed(DIVISION_CADRES, DIVISION_SINCE_2020, entries, date(2027, 12, 31))
    assert (result.window.start, result.window.end) == (date(2023, 1, 1), date(2028, 1, 1))
    assert (result.required, result.standing) == (500, standing)
    assert result.credited == 300 + Decimal(last)
    assert result.explanation.startswith(f"{300 + Decimal(last)} of 500 学时 (550 学时 or 3 months, that is 500 学时)")


def test_the_next_five_year_window_starts_afresh() -> None:
    result = assessed(DIVISION_CADRES, DIVISION_SINCE_2020, [line(date(2027, 12, 31), 500)], date(2028, 1, 5))
    assert (result.window.start, result.credited, result.required) == (date(2028, 1, 1), 0, 500)


def test_a_cadre_promoted_mid_window_owes_the_share_of_the_months_at_that_rank() -> None:
    tenures = (
        Tenure("cadre_section_and_below", date(2015, 1, 1), date(2025, 1, 1)),
        Tenure("cadre_division_and_above", date(2025, 1, 1)),
    )
    entries = [line(date(2024, 5, 1), 100), line(date(2025, 5, 1), 120)]  # the 2024 line was a section cadre's
    result = assessed(DIVISION_CADRES, tenures, entries, date(2026, 6, 30))
    # 36 of the 60 months held: 500 × 36/60 = 300; pace: 18 of those 36 months over, 150
    assert (result.required, result.credited, result.pace, result.standing) == (300, 120, 150, Standing.BEHIND)


def test_a_rolling_window_is_the_years_ending_with_the_year_assessed() -> None:
    rolling = YearsWindow(years=5)
    assert (rolling.around(date(2026, 6, 1)).start, rolling.around(date(2026, 6, 1)).end) == (
        date(2022, 1, 1),
        date(2027, 1, 1),
    )
    fixed = YearsWindow(years=5, anchor_year=2023)
    assert fixed.around(date(2022, 12, 31)).start == date(2018, 1, 1)
    assert fixed.around(date(2032, 12, 31)).start == date(2028, 1, 1)


def test_cadres_owe_online_and_concentrated_hours_apart() -> None:
    tenures = (Tenure("cadre_section_and_below", date(2020, 1, 1)),)
    entries = [line(date(2026, 3, 1), 90), online(date(2026, 4, 1), 49)]
    results = {
        r.requirement.family: r for r in assess("p-1", tenures, entries, BUILT_IN_REQUIREMENTS, date(2026, 12, 31))
    }
    assert set(results) == {"cadre-section-training", "cadre-online-study"}
    assert (results["cadre-section-training"].standing, results["cadre-online-study"].shortfall) == (Standing.MET, 1)


# ── Before admission ───────────────────────────────────────────────────────────────────────────────────────────

DEVELOPMENT = (
    Tenure("activist", date(2024, 9, 1), date(2025, 11, 10)),
    Tenure("development_target", date(2025, 11, 10), date(2026, 3, 1)),
    Tenure("probationary_member", date(2026, 3, 1)),
)


def development_lines(*, with_january: bool = True) -> list[PostedEntry]:
    lines = [
        line(date(2025, 11, 9), 8, category="development_targets"),  # the day before: an activist's
        line(date(2025, 11, 20), 16, category="development_targets"),
        line(date(2025, 12, 5), 8, category="development_targets", channel=Channel.ONLINE),  # not concentrated
        line(date(2026, 1, 12), 4, category="member_rotation"),  # another category
    ]
    if with_january:
        lines.append(line(date(2026, 1, 10), 8, category="development_targets"))
    return lines


@pytest.mark.parametrize(
    ("as_of", "credited", "standing"),
    [
        (date(2026, 1, 9), "16.00", Standing.IN_PROGRESS),
        (date(2026, 1, 10), "24.00", Standing.MET),
    ],
)
def test_a_development_target_owes_24_hours_of_their_own_training_before_admission_across_the_new_year(
    as_of: date, credited: str, standing: Standing
) -> None:
    result = assessed(DEVELOPMENT_TARGETS, DEVELOPMENT, development_lines(), as_of)
    assert (str(result.credited), result.standing, result.deadline) == (credited, standing, date(2026, 2, 28))
    assert (result.window.start, result.pace) == (date(2025, 11, 10), None)


def test_admitted_without_the_training_is_missed_and_stays_on_the_record() -> None:
    result = assessed(DEVELOPMENT_TARGETS, DEVELOPMENT, development_lines(with_january=False), date(2026, 6, 1))
    assert (result.credited, result.shortfall, result.standing) == (16, 8, Standing.MISSED)


def test_a_development_target_not_yet_admitted_has_no_deadline() -> None:
    tenures = (Tenure("development_target", date(2026, 4, 1)),)
    result = assessed(DEVELOPMENT_TARGETS, tenures, [], date(2026, 6, 1))
    assert (result.standing, result.deadline, result.explanation) == (
        Standing.IN_PROGRESS,
        None,
        "0 of 24 学时 (24 学时 or 3 days): 24 学时 to go, no deadline yet",
    )


# ── Corrections, late lines and versions ───────────────────────────────────────────────────────────────────────

MARCH = line(date(2026, 3, 1), 20)
JUNE = line(date(2026, 6, 1), 12)
JUNE_TAKEN_BACK = reversal(JUNE, recorded=beijing(date(2026, 7, 1)))
JUNE_CORRECTED = line(date(2026, 6, 1), 10, recorded=beijing(date(2026, 7, 1)))
SEPTEMBER = line(date(2026, 9, 1), 2)
CORRECTED_YEAR = [MARCH, JUNE, JUNE_TAKEN_BACK, JUNE_CORRECTED, SEPTEMBER]


@pytest.mark.parametrize(
    ("as_of", "credited", "standing", "met_on"),
    [
        (date(2026, 6, 30), "32.00", Standing.MET, date(2026, 6, 1)),
        (date(2026, 7, 1), "30.00", Standing.ON_TRACK, None),  # the June credit corrected from 12 to 10
        (date(2026, 9, 1), "32.00", Standing.MET, date(2026, 9, 1)),
    ],
)
def test_a_correction_can_undo_meeting_a_requirement_and_the_date_met_follows(
    as_of: date, credited: str, standing: Standing, met_on: date | None
) -> None:
    result = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, CORRECTED_YEAR, as_of)
    assert (str(result.credited), result.standing, result.met_on) == (credited, standing, met_on)


def test_a_closed_year_can_be_judged_with_lines_that_arrived_after_it() -> None:
    late = line(date(2026, 12, 30), 2, recorded=beijing(date(2027, 1, 5)))
    entries = [line(date(2026, 5, 1), 30), late]
    assert assessed(MEMBER_STUDY, MEMBER_SINCE_2010, entries, date(2026, 12, 31)).standing == Standing.MISSED
    closed = assessed(MEMBER_STUDY, MEMBER_SINCE_2010, entries, date(2026, 12, 31), recorded_by=date(2027, 1, 5))
    assert (closed.standing, closed.met_on) == (Standing.MET, date(2026, 12, 30))
    with pytest.raises(RequirementsError, match="cannot judge as of 2026-12-31"):
        assess("p-1", MEMBER_SINCE_2010, entries, [MEMBER_STUDY], date(2026, 12, 31), recorded_by=date(2026, 12, 30))


def member_study(**changes: Any) -> dict[str, Any]:
    spec = {
        "name": "member-study/v1",
        "label": "党员集中学习培训",
        "source": "《中国共产党党员教育管理工作条例》第二十条",
        "applies_to": ["full_member", "probationary_member"],
        "window": {"kind": "years"},
        "target": {"hours": 32},
        "counts": {"channels": ["offline"]},
        "from": "2019-01-01",
    }
    return {**spec, **changes}


def test_the_version_in_force_on_the_day_assessed_governs_the_window() -> None:
    versions = parse_requirements(
        {
            "requirements": [
                member_study(until="2027-01-01"),
                member_study(name="member-study/v2", target={"hours": 40}, **{"from": "2027-01-01"}),
            ]
        }
    )
    assert [r.requirement.name for r in assess("p-1", MEMBER_SINCE_2010, [], versions, date(2026, 12, 31))] == [
        "member-study/v1"
    ]
    in_2027 = assess("p-1", MEMBER_SINCE_2010, [], versions, date(2027, 1, 1))
    assert [(r.requirement.name, r.required) for r in in_2027] == [("member-study/v2", 40)]


def test_a_requirement_not_pro_rata_is_owed_in_full_by_whoever_holds_it_at_all() -> None:
    [whole] = parse_requirements({"requirements": [member_study(pro_rata=False)]})
    tenures = (Tenure("full_member", date(2026, 10, 1)),)
    assert assessed(whole, tenures, [], date(2026, 12, 31)).required == 32


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": ""}, r"requirements\[0\]\.source: expected a non-empty text"),
        ({"name": "Member study"}, "named like 'party-member-study/v1'"),
        ({"applies_to": []}, r"applies_to: expected at least one item"),
        ({"applies_to": ["Full Member"]}, "'Full Member' is not a status or position code"),
        ({"window": {"kind": "weeks"}}, "window kind must be 'years' or 'tenure'"),
        ({"window": {"kind": "years", "years": 0}}, r"window\.years: expected 1 or more"),
        ({"window": {"kind": "tenure"}, "pro_rata": True}, "a tenure window is never pro rata"),
        ({"target": {"hours": 0}}, "a target must be more than 0"),
        ({"target": {"hours": 32, "or_weeks": 1}}, r"target: unknown 'or_weeks'"),
        ({"counts": {"channels": ["radio"]}}, "unknown channel radio"),
        ({"until": "2018-01-01"}, r"until \(2018-01-01\) must come after from"),
        ({"article": 20}, r"requirements\[0\]: unknown 'article'"),
    ],
)
def test_requirements_that_cannot_be_read_say_where_and_why(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RequirementsError, match=message):
        parse_requirements({"requirements": [member_study(**changes)]})


def test_two_versions_of_a_requirement_may_not_be_in_force_at_once() -> None:
    with pytest.raises(RequirementsError, match="are versions of one requirement in force at the same time"):
        parse_requirements({"requirements": [member_study(), member_study(name="member-study/v2")]})
    with pytest.raises(RequirementsError, match="defined twice"):
        parse_requirements({"requirements": [member_study(until="2020-01-01"), member_study(**{"from": "2021-01-01"})]})


# ── What to announce ───────────────────────────────────────────────────────────────────────────────────────────


def standings(as_of: date, entries: list[PostedEntry]) -> tuple[Assessment, ...]:
    return assess("p-1", MEMBER_SINCE_2010, entries, [MEMBER_STUDY], as_of)


def test_meeting_a_requirement_is_announced_once() -> None:
    before = standings(date(2026, 5, 31), [MARCH])
    met = standings(date(2026, 6, 1), [MARCH, JUNE])
    assert [(t.change, t.assessment.met_on) for t in transitions(before, met)] == [(Change.MET, date(2026, 6, 1))]
    assert transitions(met, standings(date(2026, 6, 2), [MARCH, JUNE])) == ()


def test_a_correction_that_undoes_it_is_announced_and_so_is_meeting_it_again() -> None:
    met = standings(date(2026, 6, 30), CORRECTED_YEAR)
    undone = standings(date(2026, 7, 1), CORRECTED_YEAR)
    again = standings(date(2026, 9, 1), CORRECTED_YEAR)
    assert [t.change for t in transitions(met, undone)] == [Change.NO_LONGER_MET]
    assert [t.change for t in transitions(undone, again)] == [Change.MET]


def test_falling_behind_is_announced_when_it_happens_not_while_it_lasts() -> None:
    on_pace = standings(date(2026, 2, 27), [line(date(2026, 1, 5), 3)])  # pace 2.67 after January
    behind = standings(date(2026, 2, 28), [line(date(2026, 1, 5), 3)])  # pace 5.34 after February
    still_behind = standings(date(2026, 3, 15), [line(date(2026, 1, 5), 3)])
    assert [t.change for t in transitions(on_pace, behind)] == [Change.BEHIND]
    assert transitions(behind, still_behind) == ()


def test_a_window_seen_for_the_first_time_behind_is_announced() -> None:
    assert [t.change for t in transitions((), standings(date(2026, 5, 1), []))] == [Change.BEHIND]


def test_out_of_reach_is_announced_once_and_a_window_closing_short_after_it_is_not_news() -> None:
    behind = standings(date(2026, 12, 28), [line(date(2026, 6, 1), 8)])
    out_of_reach = standings(date(2026, 12, 29), [line(date(2026, 6, 1), 8)])  # 24 to go in 2 days
    missed = standings(date(2026, 12, 31), [line(date(2026, 6, 1), 8)])
    assert (out_of_reach[0].standing, missed[0].standing) == (Standing.OUT_OF_REACH, Standing.MISSED)
    assert [t.change for t in transitions(behind, out_of_reach)] == [Change.OUT_OF_REACH]
    assert [t.change for t in transitions((), out_of_reach)] == [Change.OUT_OF_REACH]
    assert transitions(out_of_reach, missed) == ()


def test_a_window_closing_short_while_still_possible_the_day_before_is_out_of_reach() -> None:
    one_day_to_go = standings(date(2026, 12, 30), [line(date(2026, 6, 1), 24)])  # 8 to go: one full day
    missed = standings(date(2026, 12, 31), [line(date(2026, 6, 1), 24)])
    assert one_day_to_go[0].standing == Standing.BEHIND
    assert [t.change for t in transitions(one_day_to_go, missed)] == [Change.OUT_OF_REACH]


@pytest.mark.parametrize(
    ("was", "now", "change"),
    [
        (None, Standing.ON_TRACK, None),
        (None, Standing.IN_PROGRESS, None),
        (None, Standing.MET, Change.MET),
        (Standing.MET, Standing.MET, None),
        (Standing.MET, Standing.ON_TRACK, Change.NO_LONGER_MET),
        (Standing.MET, Standing.MISSED, Change.NO_LONGER_MET),  # one announcement, not two
        (Standing.ON_TRACK, Standing.BEHIND, Change.BEHIND),
        (Standing.BEHIND, Standing.ON_TRACK, None),  # catching up is not news; meeting it is
        (Standing.MISSED, Standing.MET, Change.MET),  # a late credit for a closed year
        (Standing.IN_PROGRESS, Standing.MISSED, Change.OUT_OF_REACH),
    ],
)
def test_what_a_change_of_standing_announces(was: Standing | None, now: Standing, change: Change | None) -> None:
    assert change_between(was, now) == change
