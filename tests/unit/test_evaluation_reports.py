"""Reports on learners' evaluation of teaching: per class, per teacher across classes and years, and the threshold."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.evaluation.domain.forms import Form, Purpose, Subject
from services.evaluation.domain.questionnaires import (
    ONE_TO_FIVE,
    AnswerSet,
    Choice,
    Item,
    ItemKind,
    RawAnswer,
    Section,
    TemplateVersion,
    validate_answers,
)
from services.evaluation.domain.reports import Report, Row, Scope, class_report, report_tables, teacher_report
from services.evaluation.domain.tallies import FormAnswers, TallyError, summarise, tally

OVERALL = Item("overall", "总体评价", ItemKind.RATING, scale=ONE_TO_FIVE)
MODE = Item(
    "mode",
    "教学形式是否适合",
    ItemKind.SINGLE_CHOICE,
    required=False,
    choices=(Choice("yes", "适合"), Choice("partly", "基本适合"), Choice("no", "不适合")),
)
COMMENT = Item("comment", "意见建议", ItemKind.FREE_TEXT, required=False)
TEMPLATE = TemplateVersion("teaching-evaluation", 1, "学员评教", (Section("评价", (OVERALL, MODE, COMMENT)),))
CLOSES = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)  # 18:00 Beijing time
AFTER = CLOSES + timedelta(days=1)


def form(
    form_id: str,
    *,
    class_id: str = "class-2026-07",
    year: int = 2026,
    session_id: str | None = None,
    teacher_id: str | None = None,
    course: str | None = None,
    closes_at: datetime = CLOSES,
    template: TemplateVersion = TEMPLATE,
) -> Form:
    return Form(
        form_id=form_id,
        title=f"评教 {form_id}",
        purpose=Purpose.TEACHING_EVALUATION,
        template_id=template.template_id,
        template_version=template.version,
        opens_at=closes_at - timedelta(days=7),
        closes_at=closes_at,
        anonymous=True,
        subject=Subject(
            "development_targets", year, class_id, session_id=session_id, teacher_id=teacher_id, course=course
        ),
    )


def answers(template: TemplateVersion, *given: dict[str, RawAnswer]) -> tuple[AnswerSet, ...]:
    return tuple(validate_answers(template, raw) for raw in given)


def rated(the_form: Form, *points: int, template: TemplateVersion = TEMPLATE) -> FormAnswers:
    return FormAnswers(the_form, template, answers(template, *({"overall": p} for p in points)))


def figures(row: Row) -> tuple[int | None, Decimal | None, str]:
    return (row.summary.answered, row.summary.mean, row.summary.note)


def rows_of(report: Report, section: int, item_id: str = "overall") -> dict[Scope, Row]:
    return {row.scope: row for row in report.sections[section].rows if row.summary.item.item_id == item_id}


WHOLE_CLASS = FormAnswers(
    form("whole"),
    TEMPLATE,
    answers(
        TEMPLATE,
        {"overall": 5, "mode": "yes", "comment": "安排紧凑"},
        {"overall": 4, "mode": "yes", "comment": "=希望多些研讨"},
        {"overall": 4, "mode": "partly", "comment": "Excellent"},
        {"overall": 3},
    ),
)
SESSION_1 = rated(form("s1", session_id="s1", teacher_id="teacher-a", course="党章学习"), 5, 5, 4)
SESSION_2 = rated(form("s2", session_id="s2", teacher_id="teacher-a", course="党史"), 1, 2)
SESSION_3 = rated(
    form("s3", session_id="s3", teacher_id="teacher-b", course="党的纪律", closes_at=AFTER + timedelta(days=1)), 5, 5, 5
)
CLASS = [WHOLE_CLASS, SESSION_1, SESSION_2, SESSION_3]


def test_the_class_as_a_whole_shows_each_item_with_its_mean_and_distribution() -> None:
    report = class_report("class-2026-07", CLASS, AFTER)
    overall, mode, comment = report.sections[0].rows
    assert overall.scope == Scope(class_id="class-2026-07")
    assert figures(overall) == (4, Decimal("4.00"), "")
    assert overall.summary.counts == (("5", 1), ("4", 2), ("3", 1), ("2", 0), ("1", 0))
    assert (mode.summary.answered, mode.summary.mean, mode.summary.counts) == (
        3,
        None,
        (("yes", 2), ("partly", 1), ("no", 0)),
    )
    assert comment.summary.texts == ("=希望多些研讨", "Excellent", "安排紧凑")  # sorted, not in the order given


def test_an_item_is_shown_from_exactly_three_answers_and_a_row_says_why_it_is_not() -> None:
    sessions = rows_of(class_report("class-2026-07", CLASS, AFTER), 1)
    s1, s2, s3 = (
        sessions[Scope(session_id=f"s{n}", course=course, teacher_id=teacher)]
        for n, course, teacher in ((1, "党章学习", "teacher-a"), (2, "党史", "teacher-a"), (3, "党的纪律", "teacher-b"))
    )
    assert figures(s1) == (3, Decimal("4.67"), "")
    assert figures(s2) == (None, None, "not shown: fewer than 3 answered, to keep answers anonymous")
    assert s2.summary.counts == ()
    assert figures(s3) == (None, None, "not shown: open until 2026-07-02 18:00 (Beijing time)")


def test_a_teacher_row_adds_up_only_the_forms_that_may_be_shown() -> None:
    teachers = rows_of(class_report("class-2026-07", CLASS, AFTER), 2)
    assert figures(teachers[Scope(teacher_id="teacher-a")]) == (
        3,
        Decimal("4.67"),
        "1 of 2 forms left out (1 form with fewer than 3 answers)",
    )
    assert figures(teachers[Scope(teacher_id="teacher-b")])[:2] == (None, None)


def test_a_withheld_forms_answers_move_no_figure_anywhere() -> None:
    """Were a withheld form counted in any total, changing its answers would show there."""
    other_answers = rated(SESSION_2.form, 5, 5)
    for report_of in (
        lambda forms: class_report("class-2026-07", forms, AFTER),
        lambda forms: teacher_report("teacher-a", forms, AFTER),
    ):
        before = report_of(CLASS)
        after = report_of([WHOLE_CLASS, SESSION_1, other_answers, SESSION_3])
        assert before == after


def test_nothing_is_shown_while_a_form_is_open_however_many_answered() -> None:
    report = class_report("class-2026-07", CLASS, CLOSES - timedelta(microseconds=1))
    assert all(row.summary.answered is None for section in report.sections for row in section.rows)
    assert report.comments == ()
    shown_at_closing = class_report("class-2026-07", CLASS, CLOSES)
    assert figures(shown_at_closing.sections[0].rows[0])[:2] == (4, Decimal("4.00"))


def test_comments_are_listed_only_where_three_commented_each_under_its_form() -> None:
    three_comments = FormAnswers(
        SESSION_1.form,
        TEMPLATE,
        answers(
            TEMPLATE,
            {"overall": 5, "comment": "讲得透"},
            {"overall": 4, "comment": "案例好"},
            {"overall": 4, "comment": "Add more cases"},
        ),
    )
    two_comments = FormAnswers(
        SESSION_2.form,
        TEMPLATE,
        answers(
            TEMPLATE,
            {"overall": 4, "comment": "only two of us commented"},
            {"overall": 4, "comment": "so neither is listed"},
            {"overall": 4},
        ),
    )
    report = class_report("class-2026-07", [WHOLE_CLASS, three_comments, two_comments], AFTER)
    s1 = Scope(session_id="s1", course="党章学习", teacher_id="teacher-a")
    assert [(c.scope, c.prompt, c.text) for c in report.comments] == [
        (s1, "意见建议", "Add more cases"),
        (s1, "意见建议", "案例好"),
        (s1, "意见建议", "讲得透"),
        (Scope(), "意见建议", "=希望多些研讨"),
        (Scope(), "意见建议", "Excellent"),
        (Scope(), "意见建议", "安排紧凑"),
    ]
    s2_comment = rows_of(report, 1, "comment")[Scope(session_id="s2", course="党史", teacher_id="teacher-a")]
    assert figures(s2_comment) == (None, None, "not shown: fewer than 3 answered, to keep answers anonymous")


def test_means_are_rounded_half_up_to_two_places() -> None:
    # 33 / 8 = 4.125: half up gives 4.13 (half to even would give 4.12)
    eight = rated(form("eight"), 5, 5, 5, 4, 4, 4, 3, 3)
    assert summarise([t for t in tally(eight) if t.item.item_id == "overall"], AFTER).mean == Decimal("4.13")


def test_a_teacher_across_classes_and_years_by_class_course_year_and_all_together() -> None:
    last_year = rated(
        form("s9", class_id="class-2025-03", year=2025, session_id="s9", teacher_id="teacher-a", course="党章学习"),
        3,
        3,
        3,
        3,
    )
    other_teacher = rated(form("s8", session_id="s8", teacher_id="teacher-c", course="党章学习"), 1, 1, 1)
    report = teacher_report("teacher-a", [*CLASS, last_year, other_teacher], AFTER)
    by_class, by_course, by_year, together = (rows_of(report, n) for n in range(4))
    assert list(by_class) == [
        Scope(year=2025, class_id="class-2025-03", session_id="s9", course="党章学习"),
        Scope(year=2026, class_id="class-2026-07", session_id="s1", course="党章学习"),
        Scope(year=2026, class_id="class-2026-07", session_id="s2", course="党史"),
    ]
    # 党章学习: 3, 3, 3, 3 in 2025 and 5, 5, 4 in 2026 = 26 / 7
    assert figures(by_course[Scope(course="党章学习")]) == (7, Decimal("3.71"), "")
    assert figures(by_course[Scope(course="党史")])[:2] == (None, None)
    assert figures(by_year[Scope(year=2025)]) == (4, Decimal("3.00"), "")
    assert figures(by_year[Scope(year=2026)]) == (
        3,
        Decimal("4.67"),
        "1 of 2 forms left out (1 form with fewer than 3 answers)",
    )
    assert figures(together[Scope()]) == (
        7,
        Decimal("3.71"),
        "1 of 3 forms left out (1 form with fewer than 3 answers)",
    )


def test_versions_of_a_template_add_up_under_the_latest_wording() -> None:
    reworded = Item("overall", "对本课程的总体评价", ItemKind.RATING, scale=ONE_TO_FIVE)
    version_2 = dataclasses.replace(TEMPLATE, version=2, sections=(Section("评价", (reworded,)),))
    first = rated(form("v1", session_id="a", teacher_id="teacher-a"), 4, 4, 4)
    second = rated(form("v2", session_id="b", teacher_id="teacher-a", template=version_2), 5, 5, 5, template=version_2)
    [row] = rows_of(teacher_report("teacher-a", [first, second], AFTER), 3).values()
    assert row.summary.item == reworded
    assert figures(row) == (6, Decimal("4.50"), "")


def test_needs_surveys_and_other_classes_stay_out_of_a_class_report() -> None:
    needs_form = dataclasses.replace(form("needs"), purpose=Purpose.AFTER_CLASS, anonymous=False)
    elsewhere = rated(form("x", class_id="class-2026-08"), 1, 1, 1)
    report = class_report("class-2026-07", [*CLASS, rated(needs_form, 1, 1, 1), elsewhere], AFTER)
    assert report == class_report("class-2026-07", CLASS, AFTER)


def test_answers_must_belong_to_the_template_version_the_form_asks() -> None:
    version_2 = dataclasses.replace(TEMPLATE, version=2)
    with pytest.raises(TallyError, match="holds answers to another template version than template teaching-eval"):
        FormAnswers(form("f"), TEMPLATE, answers(version_2, {"overall": 4}))
    with pytest.raises(TallyError, match=r"form f asks template teaching-evaluation version 1, not .* version 2"):
        FormAnswers(form("f"), version_2, ())


def test_a_summary_adds_up_one_item() -> None:
    whole_class = tally(WHOLE_CLASS)
    with pytest.raises(TallyError, match="exactly one item"):
        summarise(whole_class, AFTER)
    with pytest.raises(TallyError, match="exactly one item"):
        summarise([], AFTER)


def test_report_tables_show_names_and_say_why_instead_of_a_number() -> None:
    names = {"class-2026-07": "2026年发展对象培训班", "teacher-a": "张老师", "s1": "第一讲"}
    tables = report_tables(class_report("class-2026-07", CLASS, AFTER), names)
    assert [table.title for table in tables] == [
        "班级 class-2026-07 班级整体 (the class as a whole)",
        "班级 class-2026-07 各课程 (each session)",
        "班级 class-2026-07 各教师 (each teacher)",
        "班级 class-2026-07 意见建议 (comments)",
    ]
    whole, sessions, _, comments = tables
    assert whole.header == (
        "班级 (class)",
        "题目 (item)",
        "量表 (scale)",
        "作答人数 (answered)",
        "平均分 (mean)",
        "分布 (distribution)",
        "说明 (note)",
    )
    assert whole.rows[0] == (
        "2026年发展对象培训班",
        "总体评价",
        "1–5",
        4,
        Decimal("4.00"),
        "5分: 1; 4分: 2; 3分: 1; 2分: 0; 1分: 0",
        None,
    )
    assert whole.rows[1][5] == "适合: 2; 基本适合: 1; 不适合: 0"
    assert whole.rows[2][5] == "3 comments, listed apart"
    assert sessions.header[:3] == ("课程 (session)", "专题 (course)", "教师 (teacher)")
    assert sessions.rows[0][:6] == ("第一讲", "党章学习", "张老师", "总体评价", "1–5", 3)
    withheld = sessions.rows[3]
    assert withheld[:3] == ("s2", "党史", "张老师")
    assert withheld[5:] == (None, None, None, "not shown: fewer than 3 answered, to keep answers anonymous")
    # Comments on the class as a whole need no scope column in the class's own report.
    assert comments.header == ("题目 (item)", "意见 (comment)")
    assert comments.rows == (("意见建议", "=希望多些研讨"), ("意见建议", "Excellent"), ("意见建议", "安排紧凑"))
