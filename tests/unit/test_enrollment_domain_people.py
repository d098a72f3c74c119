"""The register's vocabularies, organisation tree, people as of a day and who may join which class."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services.enrollment.domain.eligibility import (
    ELIGIBILITY_V1,
    check_eligible,
    judge_eligibility,
    policy_from_data,
)
from services.enrollment.domain.errors import (
    EligibilityError,
    OrganisationError,
    PersonError,
    RegisterError,
    VocabularyError,
)
from services.enrollment.domain.organisation import (
    PartyOrganisation,
    Unit,
    branch_on,
    build_organisation,
    by_code_or_name,
    chain_of_command,
    children_on,
    close_party_organisation,
    close_unit,
    organisation_problems,
    party_as_of,
    unit_on,
    with_party_organisation,
)
from services.enrollment.domain.people import (
    Person,
    PositionPeriod,
    StatusPeriod,
    as_of,
    change_status,
    checked,
    leave_position,
    person_problems,
    placement_problems,
    take_position,
)
from services.enrollment.domain.periods import Period
from services.enrollment.domain.vocabulary import (
    Labelled,
    PartyAffairsLevel,
    PartyOrganisationKind,
    PersonKind,
    PoliticalStatus,
    Position,
    TeachingMode,
    TrainingCategory,
    UnitKind,
    parse,
)
from shared.vocabulary import CATEGORY_LABELS, category_label

COMMITTEE = PartyOrganisationKind.PARTY_COMMITTEE
GENERAL = PartyOrganisationKind.GENERAL_BRANCH
BRANCH = PartyOrganisationKind.BRANCH
LONG_AGO = date(2000, 1, 1)


def unit(code: str, name: str = "", since: date = LONG_AGO, until: date | None = None) -> Unit:
    return Unit(code, name or f"单位{code}", UnitKind.COLLEGE, Period(since, until))


def party(
    code: str,
    kind: PartyOrganisationKind,
    parent: str | None,
    since: date = LONG_AGO,
    until: date | None = None,
    unit_code: str | None = None,
    name: str = "",
) -> PartyOrganisation:
    return PartyOrganisation(code, name or f"组织{code}", kind, parent, Period(since, until), unit_code)


def school() -> tuple[list[Unit], list[PartyOrganisation]]:
    units = [unit("MARX", "马克思主义学院"), unit("ADMIN", "党委办公室")]
    tree = [
        party("SOU", COMMITTEE, None, name="中共上海开放大学委员会"),
        party("MARX-GB", GENERAL, "SOU", unit_code="MARX", name="马克思主义学院党总支"),
        party("MARX-B1", BRANCH, "MARX-GB", unit_code="MARX", name="马克思主义学院教工第一党支部"),
        party("ADMIN-B", BRANCH, "SOU", unit_code="ADMIN", name="机关直属党支部"),
    ]
    return units, tree


# ── vocabulary ──────────────────────────────────────────────────────────────────────────────────────────


def test_a_code_or_its_label_reads_as_the_same_member() -> None:
    assert parse(PoliticalStatus, "full_member") is PoliticalStatus.FULL_MEMBER
    assert parse(PoliticalStatus, " 正式党员 ") is PoliticalStatus.FULL_MEMBER
    assert parse(TrainingCategory, '统战"两支队伍"培训') is TrainingCategory.UNITED_FRONT
    assert TeachingMode("on_site").label == "现场教学"
    assert TrainingCategory.PARTY_AFFAIRS == "party_affairs"  # travels in events as the plain code


def test_an_unknown_code_is_refused_with_every_accepted_one_listed() -> None:
    with pytest.raises(VocabularyError) as refused:
        parse(TeachingMode, "workshop")
    message = str(refused.value)
    assert "unknown teaching mode (教学形式) 'workshop'" in message
    for mode in TeachingMode:
        assert f"{mode.value} ({mode.label})" in message
    assert isinstance(refused.value, ValueError)


def test_every_code_has_its_label_in_the_shared_table_and_a_vocabulary_without_one_is_refused() -> None:
    assert TrainingCategory.BRANCH_STUDY.label == CATEGORY_LABELS["branch_study"] == "支部组织学习"
    assert category_label("external_municipal_party_school") == "市委党校"
    with pytest.raises(TypeError, match=re.escape("Colour: no label for blue in shared.vocabulary")):

        class Colour(Labelled, labels={"red": "红"}):
            RED = "red"
            BLUE = "blue"


def test_only_the_three_outside_categories_run_elsewhere() -> None:
    elsewhere = {category for category in TrainingCategory if category.runs_elsewhere}
    assert elsewhere == {
        TrainingCategory.EXTERNAL_MUNICIPAL_PARTY_SCHOOL,
        TrainingCategory.EXTERNAL_MUNICIPAL_EDUCATION_COMMITTEE,
        TrainingCategory.EXTERNAL_NATIONAL_ACADEMY_ONLINE,
    }


# ── periods ─────────────────────────────────────────────────────────────────────────────────────────────


def test_a_period_covers_its_first_day_but_not_its_until() -> None:
    period = Period(date(2025, 7, 1), date(2026, 7, 1))
    assert period.covers(date(2025, 7, 1))
    assert period.covers(date(2026, 6, 30))
    assert not period.covers(date(2026, 7, 1))
    assert not period.covers(date(2025, 6, 30))
    assert Period(date(2025, 7, 1)).covers(date(2999, 1, 1))


def test_periods_that_meet_do_not_overlap() -> None:
    first = Period(date(2025, 1, 1), date(2025, 7, 1))
    assert not first.overlaps(Period(date(2025, 7, 1)))
    assert first.overlaps(Period(date(2025, 6, 30)))
    assert Period(date(2025, 1, 1)).overlaps(Period(date(2030, 1, 1)))


# ── organisation ────────────────────────────────────────────────────────────────────────────────────────


def test_a_valid_tree_answers_who_is_above_and_below() -> None:
    organisation = build_organisation(*school())
    chain = [o.code for o in chain_of_command(organisation, "MARX-B1")]
    assert chain == ["MARX-B1", "MARX-GB", "SOU"]
    assert [o.code for o in children_on(organisation, "SOU", date(2026, 1, 1))] == ["ADMIN-B", "MARX-GB"]


@pytest.mark.parametrize(
    ("kind", "parent_kind", "allowed"),
    [
        (GENERAL, COMMITTEE, True),
        (BRANCH, GENERAL, True),
        (BRANCH, COMMITTEE, True),  # 直属党支部
        (COMMITTEE, COMMITTEE, True),  # a college's 二级党委
        (GENERAL, GENERAL, False),
        (GENERAL, BRANCH, False),
        (BRANCH, BRANCH, False),
        (COMMITTEE, GENERAL, False),
    ],
)
def test_which_kind_may_sit_under_which(
    kind: PartyOrganisationKind, parent_kind: PartyOrganisationKind, allowed: bool
) -> None:
    tree = [party("TOP", COMMITTEE, None), party("P", parent_kind, "TOP" if parent_kind is not COMMITTEE else None)]
    tree.append(party("C", kind, "P"))
    problems = organisation_problems([], tree)
    if allowed:
        assert problems == []
    else:
        assert [p.code for p in problems] == ["C"]
        assert f"a {kind.label} cannot sit under a {parent_kind.label} (P)" in problems[0].reason


def test_only_a_committee_stands_at_the_top() -> None:
    problems = organisation_problems([], [party("B", BRANCH, None)])
    assert [p.reason for p in problems] == [
        "党支部 组织B (B) needs a parent: only a 党委 stands at the top of the tree"
    ]


def test_one_code_names_either_a_unit_or_a_party_organisation() -> None:
    problems = organisation_problems([unit("MARX")], [party("MARX", COMMITTEE, None)])
    assert [(p.code, p.is_unit, p.reason) for p in problems] == [
        ("MARX", False, "code MARX names both a unit and a Party organisation")
    ]


def test_a_loop_in_the_tree_is_refused() -> None:
    tree = [party("A", COMMITTEE, "C"), party("B", COMMITTEE, "A"), party("C", COMMITTEE, "B")]
    problems = organisation_problems([], tree)
    assert sorted(p.code for p in problems) == ["A", "B", "C"]
    assert all("is its own ancestor" in p.reason for p in problems)
    with pytest.raises(OrganisationError, match="must not loop"):
        build_organisation([], tree)


def test_references_to_unknown_parents_and_units_are_named() -> None:
    tree = [party("SOU", COMMITTEE, None), party("B", BRANCH, "NOPE"), party("C", BRANCH, "SOU", unit_code="GONE")]
    reasons = {p.code: p.reason for p in organisation_problems([], tree)}
    assert reasons == {
        "B": "党支部 组织B (B) sits under unknown Party organisation NOPE",
        "C": "党支部 组织C (C) is set up in unknown unit GONE",
    }


def test_duplicate_codes_blank_names_and_backward_periods_are_named() -> None:
    units = [unit("U"), unit("U"), Unit("V", " ", UnitKind.DEPARTMENT, Period(date(2026, 1, 1), date(2026, 1, 1)))]
    reasons = [p.reason for p in organisation_problems(units, [])]
    assert "unit code U appears more than once" in reasons
    assert "V: a name is required" in reasons
    assert "V ends (2026-01-01) on or before it begins (2026-01-01)" in reasons


def test_an_organisation_cannot_outlive_its_parent_or_its_unit() -> None:
    units = [unit("U", until=date(2025, 1, 1))]
    tree = [
        party("SOU", COMMITTEE, None, since=date(2010, 1, 1)),
        party("EARLY", BRANCH, "SOU", since=date(2009, 12, 31)),
        party("LATE", BRANCH, "SOU", since=date(2010, 1, 1), unit_code="U"),
    ]
    reasons = {p.code: p.reason for p in organisation_problems(units, tree)}
    assert "is not within the life of SOU (2010-01-01 – open)" in reasons["EARLY"]
    assert "outlives its unit U (2000-01-01 – 2025-01-01)" in reasons["LATE"]


def test_closing_a_branch_keeps_it_in_history_but_not_on_later_days() -> None:
    organisation = build_organisation(*school())
    closed = close_party_organisation(organisation, "MARX-B1", date(2026, 7, 1))
    assert "MARX-B1" in [o.code for o in party_as_of(closed, date(2026, 6, 30))]
    assert "MARX-B1" not in [o.code for o in party_as_of(closed, date(2026, 7, 1))]
    assert branch_on(closed, "MARX-B1", date(2026, 6, 30)).name == "马克思主义学院教工第一党支部"
    with pytest.raises(OrganisationError, match="does not exist on 2026-07-01"):
        branch_on(closed, "MARX-B1", date(2026, 7, 1))
    with pytest.raises(OrganisationError, match="already closed since 2026-07-01"):
        close_party_organisation(closed, "MARX-B1", date(2026, 8, 1))


def test_a_general_branch_with_open_branches_cannot_close() -> None:
    organisation = build_organisation(*school())
    with pytest.raises(OrganisationError, match="MARX-B1 under it are still open"):
        close_party_organisation(organisation, "MARX-GB", date(2026, 7, 1))
    # Its branch closing first, or on the same day, lets it close.
    organisation = close_party_organisation(organisation, "MARX-B1", date(2026, 7, 1))
    closed = close_party_organisation(organisation, "MARX-GB", date(2026, 7, 1))
    assert closed.party["MARX-GB"].period.until == date(2026, 7, 1)


def test_a_branch_closing_after_its_general_branch_blocks_it() -> None:
    organisation = build_organisation(*school())
    organisation = close_party_organisation(organisation, "MARX-B1", date(2026, 7, 2))
    with pytest.raises(OrganisationError, match="still open"):
        close_party_organisation(organisation, "MARX-GB", date(2026, 7, 1))


def test_a_unit_with_an_open_party_organisation_cannot_close_and_none_closes_before_it_opens() -> None:
    organisation = build_organisation(*school())
    with pytest.raises(OrganisationError, match="ADMIN-B set up in it are still open"):
        close_unit(organisation, "ADMIN", date(2026, 7, 1))
    with pytest.raises(OrganisationError, match="it opened on 2000-01-01"):
        close_party_organisation(organisation, "ADMIN-B", LONG_AGO)
    organisation = close_party_organisation(organisation, "ADMIN-B", date(2026, 7, 1))
    assert close_unit(organisation, "ADMIN", date(2026, 7, 1)).units["ADMIN"].period.until == date(2026, 7, 1)


def test_a_new_organisation_is_checked_against_the_tree() -> None:
    organisation = build_organisation(*school())
    added = with_party_organisation(organisation, party("MARX-B2", BRANCH, "MARX-GB", since=date(2026, 3, 1)))
    assert [o.code for o in children_on(added, "MARX-GB", date(2026, 3, 1))] == ["MARX-B1", "MARX-B2"]
    assert [o.code for o in children_on(added, "MARX-GB", date(2026, 2, 28))] == ["MARX-B1"]
    with pytest.raises(OrganisationError, match="cannot sit under a 党支部"):
        with_party_organisation(organisation, party("X", BRANCH, "MARX-B1"))


def test_units_and_branches_are_found_by_code_or_name_on_a_day() -> None:
    organisation = build_organisation(*school())
    assert unit_on(organisation, "马克思主义学院", date(2026, 1, 1)).code == "MARX"
    assert unit_on(organisation, " MARX ", date(2026, 1, 1)).code == "MARX"
    assert branch_on(organisation, "机关直属党支部", date(2026, 1, 1)).code == "ADMIN-B"
    with pytest.raises(OrganisationError, match="unknown unit '信息学院'"):
        unit_on(organisation, "信息学院", date(2026, 1, 1))
    with pytest.raises(OrganisationError, match="is not a 党支部"):
        branch_on(organisation, "MARX-GB", date(2026, 1, 1))


def test_without_a_day_any_unit_of_that_code_or_name_is_found_unless_two_share_the_name() -> None:
    units = {"A": unit("A", "继续教育学院", until=date(2020, 1, 1)), "B": unit("B", "继续教育学院")}
    assert by_code_or_name(units, "A", "unit").code == "A"
    with pytest.raises(OrganisationError, match="unit name '继续教育学院' is ambiguous: use one of the codes A, B"):
        by_code_or_name(units, "继续教育学院", "unit")
    assert by_code_or_name(units, "继续教育学院", "unit", date(2021, 1, 1)).code == "B"


def test_a_name_shared_by_two_open_units_must_be_given_as_a_code() -> None:
    organisation = build_organisation([unit("A", "继续教育学院"), unit("B", "继续教育学院")], [])
    with pytest.raises(OrganisationError, match=r"ambiguous .* A, B"):
        unit_on(organisation, "继续教育学院", date(2026, 1, 1))


# ── people ──────────────────────────────────────────────────────────────────────────────────────────────


def member_since_2020() -> Person:
    return Person(
        person_id="20150001",
        name="张明",
        kind=PersonKind.STAFF,
        unit="MARX",
        branch="MARX-B1",
        statuses=(
            StatusPeriod(
                PoliticalStatus.PROBATIONARY_MEMBER, Period(date(2019, 6, 1), date(2020, 6, 1)), date(2019, 6, 1)
            ),
            StatusPeriod(PoliticalStatus.FULL_MEMBER, Period(date(2020, 6, 1)), date(2019, 6, 1)),
        ),
        positions=(PositionPeriod(Position.BRANCH_SECRETARY, Period(date(2024, 1, 1))),),
    )


def status_of(person: Person, day: date) -> PoliticalStatus | None:
    held = as_of(person, day).status
    return held.status if held else None


def test_as_of_a_day_a_person_is_what_they_were_then() -> None:
    person = member_since_2020()
    assert status_of(person, date(2020, 5, 31)) is PoliticalStatus.PROBATIONARY_MEMBER
    assert status_of(person, date(2020, 6, 1)) is PoliticalStatus.FULL_MEMBER
    assert as_of(person, date(2019, 5, 31)).status is None
    assert as_of(person, date(2023, 12, 31)).positions == frozenset()
    assert as_of(person, date(2024, 1, 1)).positions == {Position.BRANCH_SECRETARY}


def test_a_probationary_member_needs_an_admission_date() -> None:
    person = Person(
        "20200002",
        "李华",
        PersonKind.STAFF,
        "MARX",
        statuses=(StatusPeriod(PoliticalStatus.PROBATIONARY_MEMBER, Period(date(2025, 6, 1))),),
    )
    assert person_problems(person) == ["预备党员 since 2025-06-01 needs its 入党日期 (admission date)"]
    with pytest.raises(PersonError, match=r"李华 \(20200002\): 预备党员 since 2025-06-01 needs its 入党日期"):
        checked(person)


def test_admission_dates_must_be_single_not_later_than_the_period_and_only_for_members() -> None:
    person = Person(
        "20200003",
        "王芳",
        PersonKind.STAFF,
        "MARX",
        statuses=(
            StatusPeriod(PoliticalStatus.ACTIVIST, Period(date(2023, 1, 1), date(2024, 1, 1)), date(2023, 1, 1)),
            StatusPeriod(
                PoliticalStatus.PROBATIONARY_MEMBER, Period(date(2024, 1, 1), date(2025, 1, 1)), date(2024, 2, 1)
            ),
            StatusPeriod(PoliticalStatus.FULL_MEMBER, Period(date(2025, 1, 1)), date(2024, 1, 1)),
        ),
    )
    assert person_problems(person) == [
        "入党积极分子 cannot have a 入党日期: only 预备党员 and 正式党员 have been admitted",
        "预备党员 since 2024-01-01 cannot be admitted later, on 2024-02-01",
        "one person has one 入党日期, not 2023-01-01, 2024-01-01, 2024-02-01",
    ]


def test_two_statuses_at_once_are_refused_but_consecutive_ones_are_fine() -> None:
    overlapping = Person(
        "20200004",
        "赵强",
        PersonKind.STUDENT,
        "MARX",
        statuses=(
            StatusPeriod(PoliticalStatus.ACTIVIST, Period(date(2024, 3, 1), date(2025, 3, 2))),
            StatusPeriod(PoliticalStatus.DEVELOPMENT_TARGET, Period(date(2025, 3, 1))),
        ),
    )
    assert person_problems(overlapping) == [
        "入党积极分子 (2024-03-01 – 2025-03-02) overlaps 发展对象 (2025-03-01 – open): "
        "a person has one political status at a time"
    ]
    consecutive = Person(
        "20200004",
        "赵强",
        PersonKind.STUDENT,
        "MARX",
        statuses=(
            StatusPeriod(PoliticalStatus.ACTIVIST, Period(date(2024, 3, 1), date(2025, 3, 1))),
            StatusPeriod(PoliticalStatus.DEVELOPMENT_TARGET, Period(date(2025, 3, 1))),
        ),
    )
    assert person_problems(consecutive) == []


def test_a_position_held_twice_at_once_or_two_cadre_ranks_at_once_are_refused() -> None:
    person = Person(
        "20100005",
        "钱进",
        PersonKind.STAFF,
        "ADMIN",
        positions=(
            PositionPeriod(Position.CADRE_SECTION_AND_BELOW, Period(date(2015, 1, 1), date(2021, 1, 2))),
            PositionPeriod(Position.CADRE_DIVISION_AND_ABOVE, Period(date(2021, 1, 1))),
            PositionPeriod(Position.YOUNG_BACKBONE, Period(date(2015, 1, 1), date(2018, 1, 1))),
            PositionPeriod(Position.YOUNG_BACKBONE, Period(date(2017, 1, 1))),
            PositionPeriod(Position.BRANCH_SECRETARY, Period(date(2015, 1, 1))),  # alongside a rank: fine
        ),
    )
    assert person_problems(person) == [
        "乡科级及以下 (2015-01-01 – 2021-01-02) overlaps 县处级及以上 (2021-01-01 – open): "
        "one holds only one of 乡科级及以下 / 县处级及以上 at a time",
        "青年骨干 (2015-01-01 – 2018-01-01) overlaps 青年骨干 (2017-01-01 – open)",
    ]


def test_blank_ids_and_names_are_refused() -> None:
    assert person_problems(Person(" 1 ", " ", PersonKind.STAFF, "U")) == [
        "工号/学号 ' 1 ' must be non-blank without surrounding blanks",
        " 1 : a name is required",
    ]


def test_a_change_of_status_closes_the_last_one_on_the_day_it_begins() -> None:
    activist = Person(
        "20230006",
        "孙丽",
        PersonKind.STUDENT,
        "MARX",
        statuses=(StatusPeriod(PoliticalStatus.ACTIVIST, Period(date(2024, 3, 1))),),
    )
    target = change_status(activist, PoliticalStatus.DEVELOPMENT_TARGET, date(2025, 9, 1))
    probationary = change_status(target, PoliticalStatus.PROBATIONARY_MEMBER, date(2026, 6, 1), date(2026, 6, 1))
    full = change_status(probationary, PoliticalStatus.FULL_MEMBER, date(2027, 6, 1))
    assert [(s.status, s.period) for s in full.statuses] == [
        (PoliticalStatus.ACTIVIST, Period(date(2024, 3, 1), date(2025, 9, 1))),
        (PoliticalStatus.DEVELOPMENT_TARGET, Period(date(2025, 9, 1), date(2026, 6, 1))),
        (PoliticalStatus.PROBATIONARY_MEMBER, Period(date(2026, 6, 1), date(2027, 6, 1))),
        (PoliticalStatus.FULL_MEMBER, Period(date(2027, 6, 1))),
    ]
    assert full.statuses[-1].admission_date == date(2026, 6, 1)  # carried from the probation
    assert status_of(full, date(2025, 8, 31)) is PoliticalStatus.ACTIVIST


def test_a_change_of_status_must_move_forward_and_change_something() -> None:
    person = member_since_2020()
    with pytest.raises(PersonError, match="must come after the last one"):
        change_status(person, PoliticalStatus.MASSES, date(2020, 6, 1))
    with pytest.raises(PersonError, match="already 正式党员 since 2020-06-01"):
        change_status(person, PoliticalStatus.FULL_MEMBER, date(2026, 1, 1))
    with pytest.raises(PersonError, match="needs its 入党日期"):
        change_status(Person("1", "甲", PersonKind.STAFF, "U"), PoliticalStatus.PROBATIONARY_MEMBER, date(2026, 1, 1))


def test_positions_are_taken_and_left_with_their_dates() -> None:
    person = take_position(member_since_2020(), Position.YOUNG_BACKBONE, date(2025, 1, 1))
    person = leave_position(person, Position.BRANCH_SECRETARY, date(2026, 1, 1))
    assert as_of(person, date(2025, 12, 31)).positions == {Position.BRANCH_SECRETARY, Position.YOUNG_BACKBONE}
    assert as_of(person, date(2026, 1, 1)).positions == {Position.YOUNG_BACKBONE}
    with pytest.raises(PersonError, match="does not hold the position 党支部书记"):
        leave_position(person, Position.BRANCH_SECRETARY, date(2027, 1, 1))
    with pytest.raises(PersonError, match="they took it on 2025-01-01"):
        leave_position(person, Position.YOUNG_BACKBONE, date(2025, 1, 1))
    with pytest.raises(PersonError, match="overlaps 青年骨干"):
        take_position(person, Position.YOUNG_BACKBONE, date(2026, 1, 1))


def test_a_person_is_placed_in_a_unit_and_branch_that_exist_on_the_day() -> None:
    organisation = build_organisation(*school())
    person = member_since_2020()
    assert placement_problems(person, organisation, date(2026, 1, 1)) == []
    closed = close_party_organisation(organisation, "MARX-B1", date(2026, 7, 1))
    assert placement_problems(person, closed, date(2026, 7, 1)) == [
        "Party branch 'MARX-B1' does not exist on 2026-07-01 (2000-01-01 – 2026-07-01)"
    ]
    elsewhere = Person("9", "丙", PersonKind.STAFF, "NOWHERE", branch="MARX-GB")
    assert placement_problems(elsewhere, organisation, date(2026, 1, 1)) == [
        "unknown unit 'NOWHERE'",
        "党总支 马克思主义学院党总支 (MARX-GB) is not a 党支部: people belong to a branch",
    ]


# ── eligibility ─────────────────────────────────────────────────────────────────────────────────────────


def person_with(status: PoliticalStatus | None = None, *positions: Position, since: date = date(2025, 9, 1)) -> Person:
    admission = since if status in (PoliticalStatus.FULL_MEMBER, PoliticalStatus.PROBATIONARY_MEMBER) else None
    return Person(
        "20230007",
        "周洁",
        PersonKind.STAFF,
        "MARX",
        statuses=(StatusPeriod(status, Period(since), admission),) if status else (),
        positions=tuple(PositionPeriod(position, Period(since)) for position in positions),
    )


ON = date(2026, 5, 10)


@pytest.mark.parametrize(
    ("category", "level", "status", "positions", "eligible"),
    [
        (TrainingCategory.DEVELOPMENT_TARGETS, None, PoliticalStatus.DEVELOPMENT_TARGET, (), True),
        (TrainingCategory.DEVELOPMENT_TARGETS, None, PoliticalStatus.ACTIVIST, (), False),
        (TrainingCategory.ACTIVISTS, None, PoliticalStatus.ACTIVIST, (), True),
        (TrainingCategory.ACTIVISTS, None, PoliticalStatus.MASSES, (), False),
        (TrainingCategory.MEMBER_ROTATION, None, PoliticalStatus.PROBATIONARY_MEMBER, (), True),
        (TrainingCategory.MEMBER_ROTATION, None, PoliticalStatus.FULL_MEMBER, (), True),
        (TrainingCategory.MEMBER_ROTATION, None, PoliticalStatus.DEVELOPMENT_TARGET, (), False),
        (TrainingCategory.BRANCH_STUDY, None, PoliticalStatus.FULL_MEMBER, (), True),
        (TrainingCategory.BRANCH_STUDY, None, PoliticalStatus.ACTIVIST, (), False),
        (TrainingCategory.DIVISION_CADRES, None, PoliticalStatus.MASSES, (Position.CADRE_DIVISION_AND_ABOVE,), True),
        (
            TrainingCategory.DIVISION_CADRES,
            None,
            PoliticalStatus.FULL_MEMBER,
            (Position.CADRE_SECTION_AND_BELOW,),
            False,
        ),
        (TrainingCategory.YOUNG_BACKBONE, None, None, (Position.YOUNG_BACKBONE,), True),
        (TrainingCategory.YOUNG_BACKBONE, None, PoliticalStatus.FULL_MEMBER, (), False),
        (
            TrainingCategory.DISCIPLINE_INSPECTION,
            None,
            PoliticalStatus.FULL_MEMBER,
            (Position.DISCIPLINE_INSPECTION,),
            True,
        ),
        (
            TrainingCategory.DISCIPLINE_INSPECTION,
            None,
            PoliticalStatus.FULL_MEMBER,
            (Position.BRANCH_SECRETARY,),
            False,
        ),
        (TrainingCategory.UNITED_FRONT, None, PoliticalStatus.FULL_MEMBER, (Position.UNITED_FRONT_CADRE,), True),
        (
            TrainingCategory.UNITED_FRONT,
            None,
            PoliticalStatus.DEMOCRATIC_PARTY,
            (Position.NON_PARTY_REPRESENTATIVE,),
            True,
        ),
        (TrainingCategory.UNITED_FRONT, None, PoliticalStatus.DEMOCRATIC_PARTY, (), False),
        (TrainingCategory.EXTERNAL_MUNICIPAL_PARTY_SCHOOL, None, None, (), True),
        (TrainingCategory.EXTERNAL_NATIONAL_ACADEMY_ONLINE, None, PoliticalStatus.MASSES, (), True),
        (TrainingCategory.PARTY_AFFAIRS, None, PoliticalStatus.FULL_MEMBER, (Position.BRANCH_COMMITTEE_MEMBER,), True),
        (TrainingCategory.PARTY_AFFAIRS, None, PoliticalStatus.FULL_MEMBER, (Position.YOUNG_BACKBONE,), False),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.GENERAL_BRANCH_SECRETARY,
            PoliticalStatus.FULL_MEMBER,
            (Position.GENERAL_BRANCH_SECRETARY,),
            True,
        ),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.GENERAL_BRANCH_SECRETARY,
            PoliticalStatus.FULL_MEMBER,
            (Position.BRANCH_SECRETARY,),
            False,
        ),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.BRANCH_SECRETARY,
            PoliticalStatus.FULL_MEMBER,
            (Position.BRANCH_SECRETARY,),
            True,
        ),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.BRANCH_SECRETARY,
            PoliticalStatus.PROBATIONARY_MEMBER,  # cannot have been elected
            (Position.BRANCH_SECRETARY,),
            False,
        ),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.COMMITTEE_MEMBER,
            PoliticalStatus.FULL_MEMBER,
            (Position.GENERAL_BRANCH_COMMITTEE_MEMBER,),
            True,
        ),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.COMMITTEE_MEMBER,
            PoliticalStatus.FULL_MEMBER,
            (Position.BRANCH_COMMITTEE_MEMBER,),
            True,
        ),
        (
            TrainingCategory.PARTY_AFFAIRS,
            PartyAffairsLevel.COMMITTEE_MEMBER,
            PoliticalStatus.FULL_MEMBER,
            (Position.BRANCH_SECRETARY,),
            False,
        ),
    ],
)
def test_the_default_policy_admits_exactly_whom_each_category_is_for(
    category: TrainingCategory,
    level: PartyAffairsLevel | None,
    status: PoliticalStatus | None,
    positions: tuple[Position, ...],
    eligible: bool,
) -> None:
    decision = judge_eligibility(person_with(status, *positions), category, level, ON)
    assert decision.eligible is eligible
    assert decision.rule == "eligibility/v1"


def test_eligibility_is_judged_by_what_the_person_was_on_the_day() -> None:
    target = change_status(
        person_with(PoliticalStatus.ACTIVIST, since=date(2024, 3, 1)), PoliticalStatus.DEVELOPMENT_TARGET, ON
    )
    category = TrainingCategory.DEVELOPMENT_TARGETS
    assert not judge_eligibility(target, category, None, date(2026, 5, 9)).eligible
    assert judge_eligibility(target, category, None, ON).eligible


def test_the_reason_says_what_the_person_was_and_whom_the_class_takes() -> None:
    refused = judge_eligibility(person_with(PoliticalStatus.ACTIVIST), TrainingCategory.DEVELOPMENT_TARGETS, None, ON)
    assert refused.reason == (
        "周洁 (20230007) on 2026-05-10 is 入党积极分子 since 2025-09-01; 发展对象培训 takes only 发展对象"
    )
    admitted = judge_eligibility(
        person_with(PoliticalStatus.FULL_MEMBER, Position.BRANCH_SECRETARY),
        TrainingCategory.PARTY_AFFAIRS,
        PartyAffairsLevel.BRANCH_SECRETARY,
        ON,
    )
    assert admitted.reason == (
        "周洁 (20230007) on 2026-05-10 is 正式党员 since 2025-09-01 and holds 党支部书记; "
        "党务干部培训 (支部书记) takes 正式党员, 党支部书记"
    )
    unknown = judge_eligibility(person_with(None), TrainingCategory.MEMBER_ROTATION, None, ON)
    assert "has no political status on record for 2026-05-10" in unknown.reason
    wrong_position = judge_eligibility(
        person_with(PoliticalStatus.MASSES, Position.YOUNG_BACKBONE), TrainingCategory.DIVISION_CADRES, None, ON
    )
    assert (
        "holds 青年骨干, none of the qualifying positions; 处级干部专题培训 takes only 县处级及以上"
        in wrong_position.reason
    )
    no_position = judge_eligibility(person_with(PoliticalStatus.MASSES), TrainingCategory.DIVISION_CADRES, None, ON)
    assert "holds no position on record" in no_position.reason


def test_check_eligible_raises_with_the_reason() -> None:
    with pytest.raises(EligibilityError, match="发展对象培训 takes only 发展对象"):
        check_eligible(person_with(PoliticalStatus.MASSES), TrainingCategory.DEVELOPMENT_TARGETS, None, ON)
    assert check_eligible(person_with(PoliticalStatus.ACTIVIST), TrainingCategory.ACTIVISTS, None, ON).eligible


def test_a_level_belongs_only_to_party_affairs_classes() -> None:
    with pytest.raises(EligibilityError, match="only a 党务干部培训 class has a level"):
        judge_eligibility(
            person_with(PoliticalStatus.ACTIVIST), TrainingCategory.ACTIVISTS, PartyAffairsLevel.BRANCH_SECRETARY, ON
        )


def policy_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "eligibility/v2",
        "categories": {category.value: {} for category in TrainingCategory},
        "party_affairs_levels": {level.value: {} for level in PartyAffairsLevel},
    }
    data.update(changes)
    return data


def test_a_policy_read_from_configuration_decides_with_its_own_name() -> None:
    categories = {category.value: {} for category in TrainingCategory}
    categories["development_targets"] = {"statuses": ["发展对象", "activist"]}  # labels or codes
    policy = policy_from_data(policy_data(categories=categories))
    activist = person_with(PoliticalStatus.ACTIVIST)
    decision = judge_eligibility(activist, TrainingCategory.DEVELOPMENT_TARGETS, None, ON, policy)
    assert decision.eligible and decision.rule == "eligibility/v2"
    assert not judge_eligibility(activist, TrainingCategory.DEVELOPMENT_TARGETS, None, ON).eligible  # v1 unchanged


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "strict"}, "versioned name such as 'eligibility/v2', not 'strict'"),
        ({"categories": {"activists": {}}}, "says nothing about division_cadres, party_affairs"),
        ({"categories": {"cooking": {}}}, "unknown training category (培训类别) 'cooking'"),
        ({"categories": {"activists": {"statuses": ["党员"]}}}, "unknown political status"),
        ({"categories": {"activists": {"ranks": []}}}, "not ranks"),
        ({"categories": {"activists": {"statuses": "activist"}}}, "lists of codes"),
        ({"party_affairs_levels": []}, "must be a mapping of codes"),
    ],
)
def test_a_policy_that_cannot_be_read_is_refused_naming_the_problem(changes: dict[str, object], message: str) -> None:
    with pytest.raises(EligibilityError, match=re.escape(message)):
        policy_from_data(policy_data(**changes))


def test_the_default_policy_has_a_rule_for_every_category_and_level() -> None:
    assert set(ELIGIBILITY_V1.categories) == set(TrainingCategory)
    assert set(ELIGIBILITY_V1.party_affairs_levels) == set(PartyAffairsLevel)


def test_every_domain_error_is_a_value_error() -> None:
    assert issubclass(RegisterError, ValueError)
