"""Questionnaire templates, their versions, and answer validation: no broker, no database, no clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.evaluation.domain.questionnaires import (
    ONE_TO_FIVE,
    ONE_TO_TEN,
    TEXT_LIMIT,
    AnswerError,
    Choice,
    Choices,
    Item,
    ItemKind,
    Rating,
    RawAnswer,
    Scale,
    Section,
    TemplateError,
    TemplateVersion,
    Text,
    change_template,
    validate_answers,
)

OVERALL = Item("overall", "总体评价", ItemKind.RATING, scale=ONE_TO_FIVE)
CONTENT = Item("content", "授课内容", ItemKind.RATING, required=False, scale=ONE_TO_TEN)
MODE = Item(
    "mode",
    "最喜欢的教学形式",
    ItemKind.SINGLE_CHOICE,
    required=False,
    choices=(Choice("seminar", "研讨式"), Choice("case", "案例式"), Choice("online", "网络学习")),
)
TOPICS = Item(
    "topics",
    "希望增加的专题",
    ItemKind.MULTIPLE_CHOICE,
    required=False,
    choices=(Choice("theory", "理论学习"), Choice("history", "党史"), Choice("practice", "实务")),
)
COMMENT = Item("comment", "意见建议", ItemKind.FREE_TEXT, required=False)
SECTIONS = (Section("总体", (OVERALL, CONTENT)), Section("形式与内容", (MODE, TOPICS, COMMENT)))
TEMPLATE = TemplateVersion("teaching-evaluation", 1, "学员评教", SECTIONS)


def test_a_full_answer_set_becomes_typed_values_with_choices_in_the_templates_order() -> None:
    answers = validate_answers(
        TEMPLATE,
        {"overall": 5, "content": 10, "mode": "case", "topics": ["practice", "theory"], "comment": "  很好 \n"},
    )
    assert (answers.template_id, answers.version) == ("teaching-evaluation", 1)
    assert answers.values == {
        "overall": Rating(5),
        "content": Rating(10),
        "mode": Choices(("case",)),
        "topics": Choices(("theory", "practice")),
        "comment": Text("很好"),
    }


@pytest.mark.parametrize(
    "left_blank",
    [{}, {"content": None}, {"mode": ""}, {"topics": []}, {"comment": "   "}],
)
def test_optional_items_left_blank_are_absent_from_the_answers(left_blank: dict[str, RawAnswer]) -> None:
    answers = validate_answers(TEMPLATE, {"overall": 3, **left_blank})
    assert answers.values == {"overall": Rating(3)}


@pytest.mark.parametrize(("points", "fits"), [(0, False), (1, True), (5, True), (6, False)])
def test_a_rating_fits_its_scale_from_the_lowest_to_the_highest_point(points: int, fits: bool) -> None:
    if fits:
        assert validate_answers(TEMPLATE, {"overall": points}).values["overall"] == Rating(points)
    else:
        with pytest.raises(AnswerError, match=f"item overall 「总体评价」: {points} is not on the scale 1–5"):
            validate_answers(TEMPLATE, {"overall": points})


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"content": 7}, "item overall 「总体评价」 is required"),
        ({"overall": True}, "item overall 「总体评价」: expected a whole number from 1–5, got True"),
        ({"overall": "5"}, "item overall 「总体评价」: expected a whole number from 1–5, got '5'"),
        ({"overall": 4, "mode": "lecture"}, "item mode 「最喜欢的教学形式」: 'lecture' not among the choices"),
        ({"overall": 4, "mode": ["case"]}, "item mode 「最喜欢的教学形式」: expected one choice code"),
        ({"overall": 4, "topics": "theory"}, "item topics 「希望增加的专题」: expected a list of choice codes"),
        (
            {"overall": 4, "topics": ["theory", "theory"]},
            "「希望增加的专题」: a choice is given more than once",
        ),
        ({"overall": 4, "comment": 5}, "item comment 「意见建议」: expected text"),
        ({"overall": 4, "comment": "长" * (TEXT_LIMIT + 1)}, f"{TEXT_LIMIT + 1} characters, more than the 2000 kept"),
        ({"overall": 4, "teacher": 5}, "there is no item teacher in this template"),
    ],
)
def test_an_answer_that_does_not_fit_is_refused_naming_the_item(answer: dict[str, RawAnswer], problem: str) -> None:
    with pytest.raises(AnswerError) as refused:
        validate_answers(TEMPLATE, answer)
    assert str(refused.value).startswith("answers do not fit 「学员评教」 version 1: ")
    assert problem in str(refused.value)


def test_text_of_exactly_the_limit_is_kept() -> None:
    answers = validate_answers(TEMPLATE, {"overall": 4, "comment": "长" * TEXT_LIMIT})
    assert answers.values["comment"] == Text("长" * TEXT_LIMIT)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(AnswerError) as refused:
        validate_answers(TEMPLATE, {"content": 11, "mode": "x"})
    assert len(refused.value.problems) == 3
    assert [problem.split(":")[0].split(" is ")[0] for problem in refused.value.problems] == [
        "item overall 「总体评价」",
        "item content 「授课内容」",
        "item mode 「最喜欢的教学形式」",
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Scale(3, 3), "a scale runs from a low point of 0 or more up to a higher one, not 3–3"),
        (lambda: Scale(-1, 5), "not -1–5"),
        (lambda: Item("q", "评分", ItemKind.RATING), "item q 「评分」: a scale belongs to rating items"),
        (lambda: Item("q", "意见", ItemKind.FREE_TEXT, scale=ONE_TO_FIVE), "a scale belongs to rating items"),
        (lambda: Item("q", "单选", ItemKind.SINGLE_CHOICE, choices=(Choice("a", "A"),)), "at least two choices"),
        (
            lambda: Item("q", "单选", ItemKind.SINGLE_CHOICE, choices=(Choice("a", "A"), Choice("a", "B"))),
            "choice codes must be present and different",
        ),
        (lambda: Item("q", "意见", ItemKind.FREE_TEXT, choices=(Choice("a", "A"),)), "only choice items offer"),
        (lambda: Item(" ", "意见", ItemKind.FREE_TEXT), "an item needs an id and a prompt"),
        (lambda: TemplateVersion("t", 0, "评教", SECTIONS), "template versions count from 1, not 0"),
        (lambda: TemplateVersion("t", 1, "评教", (Section("空", ()),)), "template 「评教」 has no items"),
        (
            lambda: TemplateVersion("t", 1, "评教", (Section("a", (OVERALL,)), Section("b", (OVERALL,)))),
            "uses item ids more than once: overall",
        ),
    ],
)
def test_a_template_that_cannot_be_used_is_refused_saying_why(build: Callable[[], object], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        build()


def test_a_template_no_form_uses_is_edited_in_place() -> None:
    change = change_template(TEMPLATE, "学员评教（修订）", SECTIONS, in_use=False)
    assert not change.new_version
    assert change.version.version == 1
    assert change.version.title == "学员评教（修订）"
    assert change.reason == "version 1 is used by no form yet: edited in place"


def test_a_template_in_use_is_never_edited_its_change_is_the_next_version() -> None:
    added = Item("pace", "授课节奏", ItemKind.RATING, scale=ONE_TO_FIVE)
    change = change_template(TEMPLATE, TEMPLATE.title, (*SECTIONS, Section("节奏", (added,))), in_use=True)
    assert change.new_version
    assert change.version.version == 2
    assert change.version.item("pace") == added
    assert change.reason == "version 1 is used by a form and stays as it is: the change is version 2"
    assert TEMPLATE.item("pace") is None  # version 1 as it was


def test_changing_nothing_makes_no_new_version_even_in_use() -> None:
    change = change_template(TEMPLATE, TEMPLATE.title, SECTIONS, in_use=True)
    assert change.version is TEMPLATE
    assert not change.new_version


def test_a_kept_item_may_change_its_wording_but_not_its_kind_or_scale() -> None:
    reworded = Item("overall", "对本班的总体评价", ItemKind.RATING, scale=ONE_TO_FIVE)
    change = change_template(TEMPLATE, TEMPLATE.title, (Section("总体", (reworded, CONTENT)), SECTIONS[1]), in_use=True)
    assert change.version.item("overall") == reworded

    rescaled = Item("overall", "总体评价", ItemKind.RATING, scale=ONE_TO_TEN)
    with pytest.raises(
        TemplateError, match="item overall 「总体评价」 was a rating 1–5 item and would become a rating 1–10"
    ):
        change_template(TEMPLATE, TEMPLATE.title, (Section("总体", (rescaled, CONTENT)), SECTIONS[1]), in_use=False)

    now_multiple = Item("mode", "教学形式", ItemKind.MULTIPLE_CHOICE, required=False, choices=MODE.choices)
    with pytest.raises(TemplateError, match="give it a new id"):
        change_template(TEMPLATE, TEMPLATE.title, (SECTIONS[0], Section("形式", (now_multiple,))), in_use=True)
