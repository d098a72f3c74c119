"""Needs surveys (需求调研): topics and teaching modes ranked per training group and year."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.evaluation.domain.forms import Form, Purpose, Subject
from services.evaluation.domain.needs import (
    GroupNeeds,
    NeedsSurveyError,
    Ranking,
    aggregate_needs,
    check_needs_template,
    needs_tables,
)
from services.evaluation.domain.questionnaires import (
    Choice,
    Item,
    ItemKind,
    Section,
    TemplateVersion,
    validate_answers,
)
from services.evaluation.domain.tallies import FormAnswers

TOPICS = Item(
    "topics",
    "希望学习的专题",
    ItemKind.MULTIPLE_CHOICE,
    choices=(Choice("theory", "党的创新理论"), Choice("history", "党史学习"), Choice("discipline", "纪律规矩")),
)
MODES = Item(
    "teaching_modes",
    "希望的教学形式",
    ItemKind.MULTIPLE_CHOICE,
    required=False,
    choices=(
        Choice("seminar", "研讨式"),
        Choice("case", "案例式"),
        Choice("online", "网络学习"),
        Choice("mobile", "移动学习"),
    ),
)
TEMPLATE = TemplateVersion("needs", 1, "培训需求调研", (Section("需求", (TOPICS, MODES)),))
CLOSES = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
AFTER = CLOSES + timedelta(days=1)


def survey(
    form_id: str,
    group: str,
    year: int,
    *given: tuple[list[str], list[str]],
    purpose: Purpose = Purpose.PRE_CLASS,
    closes_at: datetime = CLOSES,
    template: TemplateVersion = TEMPLATE,
) -> FormAnswers:
    the_form = Form(
        form_id=form_id,
        title=f"需求调研 {form_id}",
        purpose=purpose,
        template_id=template.template_id,
        template_version=template.version,
        opens_at=closes_at - timedelta(days=14),
        closes_at=closes_at,
        anonymous=True,
        subject=Subject(group, year, None if purpose == Purpose.ANNUAL_NEEDS else f"class-{form_id}"),
    )
    answer_sets = tuple(
        validate_answers(template, {"topics": topics, "teaching_modes": modes}) for topics, modes in given
    )
    return FormAnswers(the_form, template, answer_sets)


def ranks(ranking: Ranking) -> list[tuple[int, str, int, Decimal]]:
    return [(r.rank, r.code, r.chosen_by, r.share) for r in ranking.ranked]


ACTIVISTS_2026 = survey(
    "a",
    "activists",
    2026,
    (["theory", "history"], ["seminar"]),
    (["history"], ["case", "mobile"]),
    (["theory", "history"], ["seminar", "mobile"]),
)
ACTIVISTS_2026_ANNUAL = survey(
    "b",
    "activists",
    2026,
    (["theory"], []),
    (["discipline"], []),
    (["history"], ["seminar"]),
    purpose=Purpose.ANNUAL_NEEDS,
)


def test_topics_and_modes_are_ranked_by_how_many_asked_ties_sharing_a_rank() -> None:
    [needs] = aggregate_needs([ACTIVISTS_2026, ACTIVISTS_2026_ANNUAL], AFTER)
    assert (needs.group, needs.year) == ("activists", 2026)
    assert needs.topics.answered == 6
    # history 4 of 6 = 66.666…%, theory 3 of 6, discipline 1 of 6 = 16.666…%
    assert ranks(needs.topics) == [
        (1, "history", 4, Decimal("66.7")),
        (2, "theory", 3, Decimal("50.0")),
        (3, "discipline", 1, Decimal("16.7")),
    ]
    assert [r.label for r in needs.topics.ranked] == ["党史学习", "党的创新理论", "纪律规矩"]
    # Only 1 of the annual survey's answers chose a mode: that form's modes are left out, its topics are not.
    assert needs.modes.answered == 3
    assert ranks(needs.modes) == [
        (1, "seminar", 2, Decimal("66.7")),
        (1, "mobile", 2, Decimal("66.7")),  # a tie: the same rank, in the template's order
        (3, "case", 1, Decimal("33.3")),
        (4, "online", 0, Decimal("0.0")),  # offered and chosen by nobody: still listed
    ]
    assert needs.modes.note == "1 of 2 forms left out (1 form with fewer than 3 answers)"
    assert needs.topics.note == ""


def test_groups_and_years_are_ranked_apart() -> None:
    cadres = survey("c", "division_cadres", 2026, *[(["discipline"], ["case"])] * 3)
    next_year = survey("d", "activists", 2027, *[(["theory"], ["online"])] * 3, purpose=Purpose.ANNUAL_NEEDS)
    rows = aggregate_needs([next_year, ACTIVISTS_2026, cadres], AFTER)
    assert [(row.year, row.group) for row in rows] == [
        (2026, "activists"),
        (2026, "division_cadres"),
        (2027, "activists"),
    ]
    assert ranks(rows[1].topics)[0] == (1, "discipline", 3, Decimal("100.0"))
    assert ranks(rows[2].modes)[0] == (1, "online", 3, Decimal("100.0"))


def test_a_group_with_nothing_that_may_be_shown_says_why() -> None:
    two = survey("e", "united_front", 2026, (["theory"], ["case"]), (["history"], ["case"]))
    still_open = survey("f", "united_front", 2026, *[(["theory"], ["case"])] * 5, closes_at=AFTER + timedelta(hours=1))
    [needs] = aggregate_needs([two, still_open], AFTER)
    assert needs.topics == Ranking(None, (), "not shown: 1 form still open, 1 form with fewer than 3 answers")


def test_exactly_three_answers_are_enough() -> None:
    three = survey("g", "young_backbone", 2026, *[(["theory"], ["case"])] * 3)
    assert aggregate_needs([three], AFTER)[0].topics.answered == 3
    assert aggregate_needs([dataclasses.replace(three, answers=three.answers[:2])], AFTER)[0].topics.answered is None


def test_different_templates_add_up_by_the_codes_they_share() -> None:
    fewer_topics = dataclasses.replace(TOPICS, choices=(Choice("theory", "创新理论"), Choice("practice", "实务")))
    other = TemplateVersion("needs-cadres", 1, "处级干部需求调研", (Section("需求", (fewer_topics, MODES)),))
    with_other = survey("h", "activists", 2026, *[(["practice", "theory"], ["case"])] * 3, template=other)
    [needs] = aggregate_needs([ACTIVISTS_2026, with_other], AFTER)
    assert needs.topics.answered == 6
    assert ranks(needs.topics) == [
        (1, "theory", 5, Decimal("83.3")),
        (2, "history", 3, Decimal("50.0")),
        (2, "practice", 3, Decimal("50.0")),
        (4, "discipline", 0, Decimal("0.0")),
    ]


def test_only_needs_surveys_count() -> None:
    evaluation = survey("i", "activists", 2026, *[(["discipline"], ["online"])] * 3)
    evaluation = dataclasses.replace(
        evaluation, form=dataclasses.replace(evaluation.form, purpose=Purpose.TEACHING_EVALUATION)
    )
    assert aggregate_needs([ACTIVISTS_2026, evaluation], AFTER) == aggregate_needs([ACTIVISTS_2026], AFTER)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ((Section("需求", (MODES,)),), "needs a choice item with id 'topics'"),
        (
            (Section("需求", (Item("topics", "专题", ItemKind.FREE_TEXT), MODES)),),
            "needs a choice item with id 'topics'",
        ),
        ((Section("需求", (TOPICS,)),), "needs a choice item with id 'teaching_modes'"),
        (
            (
                Section(
                    "需求",
                    (
                        TOPICS,
                        dataclasses.replace(MODES, choices=(Choice("seminar", "研讨"), Choice("lecturing", "讲授"))),
                    ),
                ),
            ),
            "offers teaching modes lecturing, which are none of lecture, seminar",
        ),
    ],
)
def test_a_template_that_cannot_add_up_as_needs_is_refused(sections: tuple[Section, ...], message: str) -> None:
    with pytest.raises(NeedsSurveyError, match=message):
        check_needs_template(TemplateVersion("needs", 2, "需求调研", sections))
    check_needs_template(TEMPLATE)


def test_needs_tables_rank_within_each_group_and_year_for_planning() -> None:
    rows: Sequence[GroupNeeds] = aggregate_needs(
        [ACTIVISTS_2026, survey("j", "united_front", 2026, (["theory"], ["case"]))], AFTER
    )
    topics, modes = needs_tables(rows, {"activists": "入党积极分子培训"})
    assert topics.title == "需求专题 (topics asked for)"
    assert topics.header[3] == "专题 (topic)"
    assert modes.header[3] == "教学形式 (teaching mode)"
    assert topics.rows[0] == (2026, "入党积极分子培训", 1, "党史学习", 3, Decimal("100.0"), 3, None)
    assert topics.rows[-1] == (
        2026,
        "united_front",
        None,
        None,
        None,
        None,
        None,
        "not shown: fewer than 3 answered, to keep answers anonymous",
    )
    assert len(modes.rows) == 4 + 1
