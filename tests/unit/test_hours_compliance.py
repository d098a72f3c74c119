"""Compliance by unit and branch, checked against a table computed by hand for 50 people; the 学时证明 figures.

The fixture: 50 people in 4 Party branches of 2 units, assessed on the built-in requirements as of 30 September
2026. How the expected figures were computed (by hand, from the rules in requirements.py):
- nine months are over by 30 September, so a full-year holder's pace is 9/12 of the target: 24 of 32 (members),
  42 of 56 (branch leaders), 67.5 of 90 (section cadres), 37.5 of 50 (online); behind = credited below pace;
- 92 days are left in the year (736 学时 at 8 a day), so no calendar-year requirement is out of reach yet;
- a partial holder owes target × months held on the 1st / 12, rounded up to a half, and their pace is that
  spread over their months: e.g. p12, member since 15 April: May–Dec = 8 months, 32 × 8/12 = 21.33 → 21.5;
  5 of those months over, pace 21.5 × 5/8 = 13.44;
- the division cadres' window is 2023–2027 (60 months, 500 学时: 550 or 3 months = 500); 45 months are over,
  pace 375; p30, division cadre since July 2025, holds 30 of the 60 months: 500 × 30/60 = 250, pace 250 × 15/30;
- lines count only on days the person held the status, only if recorded by the end of 30 September (Beijing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.hours.domain.compliance import (
    ComplianceError,
    Person,
    UnitCompliance,
    annual_figures,
    compliance,
)
from services.hours.domain.requirements import BUILT_IN_REQUIREMENTS, Standing, Tenure
from services.hours.domain.transcript import PostedEntry
from tests.unit.hours_lines import beijing, line, online, reversal

AS_OF = date(2026, 9, 30)
MET, ON_TRACK, BEHIND = Standing.MET, Standing.ON_TRACK, Standing.BEHIND
MISSED, OUT_OF_REACH, IN_PROGRESS = Standing.MISSED, Standing.OUT_OF_REACH, Standing.IN_PROGRESS
M, B, DV, S, ON, DT = (
    "party-member-study",
    "branch-leader-study",
    "cadre-division-training",
    "cadre-section-training",
    "cadre-online-study",
    "development-target-training",
)
OFFICE, SCHOOL = "机关", "经济管理学院"
BRANCHES = {
    "A": (OFFICE, "机关第一党支部"),
    "B": (OFFICE, "机关第二党支部"),
    "C": (SCHOOL, "经管教工党支部"),
    "D": (SCHOOL, "经管学生党支部"),
}


def day(text: str) -> date:
    """``"03-10"`` is a day of 2026; other years are written in full."""
    return date.fromisoformat(text if len(text) > 5 else f"2026-{text}")


def off(when: str, hours: str | int, **options: object) -> PostedEntry:
    return line(day(when), hours, **options)  # type: ignore[arg-type]


def net(when: str, hours: str | int) -> PostedEntry:
    return online(day(when), hours)


def dt(when: str, hours: str | int) -> PostedEntry:
    return line(day(when), hours, category="development_targets")


def held(code: str, since: str, until: str | None = None) -> Tenure:
    return Tenure(code, day(since), day(until) if until else None)


MEMBER = held("full_member", "2010-07-01")
CORRECTED = off("03-01", 30)

PEOPLE: list[tuple[str, str, str, tuple[Tenure, ...], list[PostedEntry]]] = [
    # ── A 机关第一党支部 ──
    (
        "p01",
        "王芳",
        "A",
        (MEMBER, held("branch_secretary", "2024-01-01")),
        [off("03-10", 16), off("06-15", 16), off("09-20", 24)],
    ),
    ("p02", "李强", "A", (MEMBER, held("branch_committee_member", "2025-01-01")), [off("04-01", 20), off("08-01", 20)]),
    ("p03", "张伟", "A", (MEMBER,), [off("05-01", 24)]),
    ("p04", "刘洋", "A", (MEMBER,), [off("02-01", 8), off("07-01", 8)]),
    ("p05", "陈静", "A", (MEMBER,), []),
    (
        "p06",
        "杨磊",
        "A",
        (MEMBER, held("cadre_section_and_below", "2020-01-01")),
        [off("03-01", 40), off("06-01", 40), net("04-01", 30), net("09-01", 10)],
    ),
    (
        "p07",
        "赵敏",
        "A",
        (MEMBER, held("cadre_division_and_above", "2021-01-01")),
        [off("2023-05-01", 100), off("2024-05-01", 120), off("2025-05-01", 100), off("03-01", 40), net("05-01", 50)],
    ),
    ("p08", "黄丽", "A", (MEMBER,), [off("09-30", 32)]),
    ("p09", "周杰", "A", (MEMBER,), [off("09-28", 32, recorded=beijing(day("10-02")))]),  # recorded too late
    (
        "p10",
        "吴刚",
        "A",
        (MEMBER,),
        [CORRECTED, reversal(CORRECTED, beijing(day("04-01"))), off("03-01", 20, recorded=beijing(day("04-01")))],
    ),
    ("p11", "郑红", "A", (held("masses", "2000-01-01"),), [off("05-01", 8)]),
    (
        "p12",
        "孙涛",
        "A",
        (held("activist", "2024-09-01", "04-15"), held("probationary_member", "04-15")),
        [off("04-10", 8), off("06-01", 8), off("09-01", 6)],
    ),
    ("p13", "马琳", "A", (MEMBER,), [net("03-01", 32)]),
    # ── B 机关第二党支部 ──
    (
        "p14",
        "朱军",
        "B",
        (MEMBER, held("general_branch_secretary", "2022-01-01")),
        [off("01-15", 20), off("05-20", 20), off("09-10", 10)],
    ),
    (
        "p15",
        "胡萍",
        "B",
        (MEMBER, held("branch_secretary", "2023-01-01", "07-01")),
        [off("03-01", 20), off("08-01", 20)],
    ),
    (
        "p16",
        "郭亮",
        "B",
        (MEMBER, held("branch_committee_member", "07-01")),
        [off("03-01", 10), off("07-15", 10), off("09-15", 10)],
    ),
    ("p17", "何雪", "B", (MEMBER,), [off("06-30", 24)]),
    ("p18", "高峰", "B", (MEMBER,), [off("06-30", "23.5")]),
    ("p19", "林娜", "B", (MEMBER,), [off("02-02", 12), off("03-03", 12), off("04-04", 12)]),
    (
        "p20",
        "罗斌",
        "B",
        (MEMBER, held("cadre_section_and_below", "2019-03-01")),
        [off("01-10", 30), off("04-10", 30), net("02-01", 20)],
    ),
    (
        "p21",
        "梁燕",
        "B",
        (held("masses", "2000-01-01"), held("cadre_section_and_below", "2018-01-01")),
        [off("05-05", 90)],
    ),
    ("p22", "宋洁", "B", (MEMBER,), [off("2025-12-31", 32, recorded=beijing(day("01-02")))]),  # last year's
    (
        "p23",
        "谢东",
        "B",
        (held("probationary_member", "2025-06-01", "06-01"), held("full_member", "06-01")),
        [off("07-01", 24)],
    ),
    ("p24", "韩梅", "B", (MEMBER,), [off("08-08", 8, category="branch_study"), off("09-09", 16)]),
    (
        "p25",
        "唐伟",
        "B",
        (held("activist", "2025-05-01", "05-01"), held("development_target", "05-01")),
        [dt("06-10", 16)],
    ),
    # ── C 经管教工党支部 ──
    ("p26", "冯刚", "C", (MEMBER, held("branch_secretary", "2020-01-01")), [off("01-20", 30), off("06-20", 30)]),
    ("p27", "邓丽", "C", (MEMBER, held("branch_committee_member", "2020-01-01")), [off("03-15", 16), off("04-15", 16)]),
    ("p28", "曹阳", "C", (MEMBER,), [off("05-01", 28)]),
    ("p29", "彭静", "C", (MEMBER,), []),
    (
        "p30",
        "曾勇",
        "C",
        (
            MEMBER,
            held("cadre_section_and_below", "2018-01-01", "2025-07-01"),
            held("cadre_division_and_above", "2025-07-01"),
        ),
        [off("2025-03-01", 40), off("2025-10-01", 60), off("03-01", 50), off("05-01", 50), net("06-01", 50)],
    ),
    ("p31", "蒋华", "C", (MEMBER,), [off("01-01", 24)]),
    ("p32", "蔡明", "C", (MEMBER,), [off("09-30", 8, recorded=datetime(2026, 9, 30, 16, 30, tzinfo=UTC))]),  # 00:30
    ("p33", "贾琳", "C", (MEMBER,), [off("04-01", 40)]),
    ("p34", "丁伟", "C", (MEMBER,), [net("05-01", 10), off("05-02", 14)]),
    ("p35", "薛梅", "C", (MEMBER,), [off("03-01", 8), off("03-02", 8), off("03-03", 8)]),
    (
        "p36",
        "叶军",
        "C",
        (MEMBER, held("cadre_section_and_below", "2021-01-01")),
        [off("02-01", 45), off("07-01", 45), net("03-01", "37.5")],
    ),
    ("p37", "阎红", "C", (held("democratic_party", "2015-01-01"),), [off("04-01", 16)]),
    ("p38", "余洋", "C", (MEMBER,), [off("07-07", 20), off("07-08", "4.5")]),
    # ── D 经管学生党支部 ──
    ("p39", "潘婷", "D", (held("activist", "2025-03-01"),), [off("03-01", 8)]),
    (
        "p40",
        "杜鹏",
        "D",
        (
            held("activist", "2024-10-01", "2025-11-10"),
            held("development_target", "2025-11-10", "03-01"),
            held("probationary_member", "03-01"),
        ),
        [dt("2025-11-20", 16), dt("01-10", 8), off("05-01", 8)],
    ),
    (
        "p41",
        "戴静",
        "D",
        (held("development_target", "2025-12-01", "04-01"), held("probationary_member", "04-01")),
        [dt("01-15", 16), off("06-01", 12)],
    ),
    ("p42", "夏雨", "D", (held("development_target", "06-01"),), [dt("06-20", 8), dt("06-21", 8), dt("06-22", 8)]),
    ("p43", "钟林", "D", (held("development_target", "08-01"),), []),
    (
        "p44",
        "汪洋",
        "D",
        (held("development_target", "07-01", "10-02"), held("probationary_member", "10-02")),
        [dt("07-10", 8)],
    ),
    ("p45", "田甜", "D", (held("probationary_member", "2025-10-01"),), [off("04-01", 10), off("09-01", 14)]),
    ("p46", "任杰", "D", (held("full_member", "2024-06-01"),), [off("09-15", 33)]),
    (
        "p47",
        "姜楠",
        "D",
        (held("activist", "2024-09-01", "01-01"), held("probationary_member", "01-01")),
        [off("03-01", 20)],
    ),
    (
        "p48",
        "范琳",
        "D",
        (held("activist", "2024-09-01", "01-02"), held("probationary_member", "01-02")),
        [off("01-01", 8), off("03-01", 22)],
    ),
    ("p49", "方舟", "D", (held("masses", "2000-01-01"),), []),
    (
        "p50",
        "石磊",
        "D",
        (held("full_member", "2023-06-01"), held("branch_committee_member", "2025-09-01")),
        [off("03-01", 24), off("06-01", 24), off("09-01", 8)],
    ),
]

# (person, requirement): required, credited, shortfall, standing — by hand, as the module docstring explains.
EXPECTED: dict[str, dict[tuple[str, str], tuple[str, str, str, Standing]]] = {
    "A": {
        ("p01", M): ("32", "56", "0", MET),
        ("p01", B): ("56", "56", "0", MET),
        ("p02", M): ("32", "40", "0", MET),
        ("p02", B): ("56", "40", "16", BEHIND),  # pace 42
        ("p03", M): ("32", "24", "8", ON_TRACK),  # exactly the pace of 24
        ("p04", M): ("32", "16", "16", BEHIND),
        ("p05", M): ("32", "0", "32", BEHIND),
        ("p06", M): ("32", "80", "0", MET),
        ("p06", S): ("90", "80", "10", ON_TRACK),  # pace 67.5
        ("p06", ON): ("50", "40", "10", ON_TRACK),  # pace 37.5
        ("p07", M): ("32", "40", "0", MET),
        ("p07", DV): ("500", "360", "140", BEHIND),  # 100 + 120 + 100 + 40 in 2023–2026; pace 375
        ("p07", ON): ("50", "50", "0", MET),
        ("p08", M): ("32", "32", "0", MET),  # on the very day
        ("p09", M): ("32", "0", "32", BEHIND),  # recorded on 2 October
        ("p10", M): ("32", "20", "12", BEHIND),  # 30 taken back, 20 instead
        ("p12", M): ("21.5", "14", "7.5", ON_TRACK),  # 8 + 6 as a member (the April line was an activist's); pace 13.44
        ("p13", M): ("32", "0", "32", BEHIND),  # online study is not concentrated study
    },
    "B": {
        ("p14", M): ("32", "50", "0", MET),
        ("p14", B): ("56", "50", "6", ON_TRACK),
        ("p15", M): ("32", "40", "0", MET),
        ("p15", B): ("28", "20", "8", MISSED),  # secretary until 1 July: 56 × 6/12; the August line is after
        ("p16", M): ("32", "30", "2", ON_TRACK),
        ("p16", B): ("28", "20", "8", ON_TRACK),  # since 1 July: 56 × 6/12; 20 since then; pace 28 × 3/6 = 14
        ("p17", M): ("32", "24", "8", ON_TRACK),
        ("p18", M): ("32", "23.5", "8.5", BEHIND),
        ("p19", M): ("32", "36", "0", MET),
        ("p20", M): ("32", "60", "0", MET),
        ("p20", S): ("90", "60", "30", BEHIND),
        ("p20", ON): ("50", "20", "30", BEHIND),
        ("p21", S): ("90", "90", "0", MET),  # a cadre outside the Party
        ("p21", ON): ("50", "0", "50", BEHIND),
        ("p22", M): ("32", "0", "32", BEHIND),  # trained on 31 December 2025: last year's
        ("p23", M): ("32", "24", "8", ON_TRACK),  # probationary then full: one membership all year
        ("p24", M): ("32", "24", "8", ON_TRACK),  # a branch study line counts as concentrated study
        ("p25", DT): ("24", "16", "8", IN_PROGRESS),  # not admitted yet: no deadline
    },
    "C": {
        ("p26", M): ("32", "60", "0", MET),
        ("p26", B): ("56", "60", "0", MET),
        ("p27", M): ("32", "32", "0", MET),
        ("p27", B): ("56", "32", "24", BEHIND),
        ("p28", M): ("32", "28", "4", ON_TRACK),
        ("p29", M): ("32", "0", "32", BEHIND),
        ("p30", M): ("32", "100", "0", MET),
        ("p30", DV): ("250", "160", "90", ON_TRACK),  # 60 (Oct 2025) + 100; the March 2025 line was a section cadre's
        ("p30", ON): ("50", "50", "0", MET),  # a cadre all year, first section then division
        ("p31", M): ("32", "24", "8", ON_TRACK),
        ("p32", M): ("32", "0", "32", BEHIND),  # recorded at 00:30 on 1 October, Beijing time
        ("p33", M): ("32", "40", "0", MET),
        ("p34", M): ("32", "14", "18", BEHIND),
        ("p35", M): ("32", "24", "8", ON_TRACK),
        ("p36", M): ("32", "90", "0", MET),
        ("p36", S): ("90", "90", "0", MET),
        ("p36", ON): ("50", "37.5", "12.5", ON_TRACK),
        ("p38", M): ("32", "24.5", "7.5", ON_TRACK),
    },
    "D": {
        ("p40", M): ("27", "8", "19", BEHIND),  # since 1 March: 32 × 10/12 = 26.67 → 27; pace 27 × 7/10 = 18.9
        ("p40", DT): ("24", "24", "0", MET),  # 16 in November 2025 + 8 in January 2026
        ("p41", M): ("24", "12", "12", BEHIND),  # since 1 April: 32 × 9/12; pace 24 × 6/9 = 16
        ("p41", DT): ("24", "16", "8", MISSED),  # admitted on 1 April with 16
        ("p42", DT): ("24", "24", "0", MET),
        ("p43", DT): ("24", "0", "24", IN_PROGRESS),
        ("p44", DT): ("24", "8", "16", OUT_OF_REACH),  # admission on 2 October: 1 day left, 8 学时 at most
        ("p45", M): ("32", "24", "8", ON_TRACK),
        ("p46", M): ("32", "33", "0", MET),
        ("p47", M): ("32", "20", "12", BEHIND),  # since 1 January: the whole year
        ("p48", M): ("29.5", "22", "7.5", ON_TRACK),  # since 2 January: Feb–Dec, 32 × 11/12 = 29.33 → 29.5; pace 21.46
        ("p50", M): ("32", "56", "0", MET),
        ("p50", B): ("56", "56", "0", MET),
    },
}

# unit: requirement: (people under it, {standing: count}, total shortfall) — summed by hand from the table above.
EXPECTED_UNIT_TALLIES = {
    OFFICE: {
        M: (22, {MET: 9, ON_TRACK: 6, BEHIND: 7}, "206"),
        B: (5, {MET: 1, ON_TRACK: 2, BEHIND: 1, MISSED: 1}, "38"),
        DV: (1, {BEHIND: 1}, "140"),
        S: (3, {MET: 1, ON_TRACK: 1, BEHIND: 1}, "40"),
        ON: (4, {MET: 1, ON_TRACK: 1, BEHIND: 2}, "90"),
        DT: (1, {IN_PROGRESS: 1}, "8"),
    },
    SCHOOL: {
        M: (19, {MET: 7, ON_TRACK: 6, BEHIND: 6}, "168"),
        B: (3, {MET: 2, BEHIND: 1}, "24"),
        DV: (1, {ON_TRACK: 1}, "90"),
        S: (1, {MET: 1}, "0"),
        ON: (2, {MET: 1, ON_TRACK: 1}, "12.5"),
        DT: (5, {MET: 2, IN_PROGRESS: 1, MISSED: 1, OUT_OF_REACH: 1}, "48"),
    },
}


def report() -> tuple[UnitCompliance, ...]:
    people = [Person(person_id, *BRANCHES[branch], tenures=tenures) for person_id, _name, branch, tenures, _ in PEOPLE]
    entries = {person_id: lines for person_id, _, _, _, lines in PEOPLE}
    return compliance(people, entries, BUILT_IN_REQUIREMENTS, AS_OF)


def test_the_fixture_has_fifty_people_in_four_branches() -> None:
    assert len({person_id for person_id, *_ in PEOPLE}) == 50
    assert {branch for _, _, branch, _, _ in PEOPLE} == set(BRANCHES)


def test_each_branch_matches_the_table_computed_by_hand() -> None:
    units = report()
    assert [(unit.unit, [branch.branch for branch in unit.branches]) for unit in units] == [
        (OFFICE, ["机关第一党支部", "机关第二党支部"]),
        (SCHOOL, ["经管学生党支部", "经管教工党支部"]),
    ]
    branch_key = {names: key for key, names in BRANCHES.items()}
    for unit in units:
        for branch in unit.branches:
            found = {
                (row.person_id, row.assessment.requirement.family): (
                    row.assessment.required,
                    row.assessment.credited,
                    row.assessment.shortfall,
                    row.assessment.standing,
                )
                for row in branch.rows
            }
            expected = {
                key: (Decimal(required), Decimal(credited), Decimal(shortfall), standing)
                for key, (required, credited, shortfall, standing) in EXPECTED[
                    branch_key[unit.unit, branch.branch]
                ].items()
            }
            assert found == expected, branch.branch


def test_people_under_no_requirement_do_not_appear() -> None:
    listed = {row.person_id for unit in report() for branch in unit.branches for row in branch.rows}
    assert {"p11", "p37", "p39", "p49"}.isdisjoint(listed)
    assert len(listed) == 46


def test_each_unit_tallies_its_branches() -> None:
    for unit in report():
        found = {tally.requirement: (tally.under, tally.by_standing, tally.shortfall) for tally in unit.tallies}
        expected = {
            family: (under, counts, Decimal(shortfall))
            for family, (under, counts, shortfall) in EXPECTED_UNIT_TALLIES[unit.unit].items()
        }
        assert found == expected, unit.unit


def test_a_branch_lists_who_is_behind_which_requirement_by_how_much() -> None:
    first = report()[0].branches[0]
    behind = [(row.person_id, row.assessment.requirement.family, row.assessment.shortfall) for row in first.behind]
    assert behind == [
        ("p04", M, 16),
        ("p05", M, 32),
        ("p09", M, 32),
        ("p10", M, 12),
        ("p13", M, 32),
        ("p02", B, 16),
        ("p07", DV, 140),
    ]


def test_the_report_is_the_same_whatever_order_the_people_come_in() -> None:
    forwards = report()
    people = [
        Person(person_id, *BRANCHES[branch], tenures=tenures)
        for person_id, _name, branch, tenures, _ in reversed(PEOPLE)
    ]
    entries = {person_id: list(reversed(lines)) for person_id, _, _, _, lines in PEOPLE}
    assert compliance(people, entries, BUILT_IN_REQUIREMENTS, AS_OF) == forwards


# ── 学时证明 (annual hours certificate) ────────────────────────────────────────────────────────────────────────


def test_the_certificate_figures_of_a_closed_year_count_lines_that_arrived_in_january() -> None:
    late = off("12-30", 2, recorded=beijing(day("2027-01-05")))
    entries = [off("05-01", 30), net("06-01", 5), late]
    figures = annual_figures("p-1", (MEMBER,), entries, BUILT_IN_REQUIREMENTS, year=2026, as_of=day("2027-01-10"))
    assert figures.as_of == day("12-31")
    assert (figures.totals.total, figures.totals.concentrated, figures.totals.online) == (37, 32, 5)
    [member] = figures.requirements
    assert (member.standing, member.met_on) == (MET, day("12-30"))


def test_the_certificate_figures_of_the_year_under_way_are_as_of_the_day_asked() -> None:
    figures = annual_figures("p-1", (MEMBER,), [off("05-01", 30)], BUILT_IN_REQUIREMENTS, year=2026, as_of=AS_OF)
    assert figures.as_of == AS_OF
    assert (figures.totals.total, figures.requirements[0].standing) == (30, ON_TRACK)
    with pytest.raises(ComplianceError, match="before the year began"):
        annual_figures("p-1", (MEMBER,), [], BUILT_IN_REQUIREMENTS, year=2027, as_of=AS_OF)
