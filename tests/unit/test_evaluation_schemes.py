"""Evaluation schemes and the final assessment (结业考核) they compute: weights, thresholds, missing parts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from services.evaluation.domain.questionnaires import ONE_TO_FIVE, ONE_TO_TEN, Scale
from services.evaluation.domain.schemes import (
    DIRECT_ENTRY_RULE,
    EXAM_ONLY_RULE,
    WEIGHTED_RULE,
    ExamOnlyScheme,
    FinalAssessment,
    Grade,
    GradeThresholds,
    Party,
    PartyScore,
    Pending,
    SchemeError,
    SchemePart,
    ScoredItem,
    WeightedScheme,
    assess,
    check_score,
    enter_exam_result,
    standing_scores,
)

D = Decimal
HUNDRED_MARKS = Scale(0, 100)
THRESHOLDS = GradeThresholds(excellent=D(90), good=D(80), passing=D(60))
TEACHERS = SchemePart(
    Party.TEACHERS,
    D("0.5"),
    (
        ScoredItem("seminar", "研讨发言", ONE_TO_TEN, D("0.4")),
        ScoredItem("paper", "论文成绩", HUNDRED_MARKS, D("0.6")),
    ),
)
MANAGERS = SchemePart(
    Party.CLASS_MANAGERS,
    D("0.3"),
    (ScoredItem("attendance", "出勤", HUNDRED_MARKS, D("0.5")), ScoredItem("conduct", "纪律", ONE_TO_FIVE, D("0.5"))),
)
LEARNERS = SchemePart(Party.LEARNERS, D("0.1"), (ScoredItem("peer", "互评", ONE_TO_FIVE, D(1)),))
SCHOOL = SchemePart(Party.SCHOOL, D("0.1"), (ScoredItem("class", "班级整体", HUNDRED_MARKS, D(1)),))
SCHEME = WeightedScheme((TEACHERS, MANAGERS, LEARNERS, SCHOOL), THRESHOLDS)


def everything(
    seminar: str = "8",
    paper: str = "85",
    attendance: str = "100",
    conduct: str = "4",
    peer: str = "5",
    school: str = "90",
) -> list[PartyScore]:
    return [
        PartyScore(Party.TEACHERS, "teacher-1", {"seminar": D(seminar), "paper": D(paper)}, "研讨积极，论文扎实"),
        PartyScore(Party.CLASS_MANAGERS, "manager-1", {"attendance": D(attendance), "conduct": D(conduct)}),
        PartyScore(Party.LEARNERS, "T2024002", {"peer": D(peer)}),
        PartyScore(Party.SCHOOL, "school", {"class": D(school)}, "班风良好"),
    ]


def computed(scores: list[PartyScore], scheme: WeightedScheme = SCHEME) -> FinalAssessment:
    result = assess(scheme, scores)
    assert isinstance(result, FinalAssessment), result
    return result


def test_the_final_score_is_the_parties_weighted_each_their_items_weighted() -> None:
    result = computed(everything())
    # 教师 0.4 × 80 + 0.6 × 85 = 83; 跟班 0.5 × 100 + 0.5 × 80 = 90; 学员 100; 党校 90
    # 0.5 × 83 + 0.3 × 90 + 0.1 × 100 + 0.1 × 90 = 87.5
    assert result.score == D("87.50")
    assert result.grade == Grade.GOOD
    assert result.passed
    assert result.rule == WEIGHTED_RULE
    assert result.reason == (
        "教师或专家 50% × 83.00 + 跟班管理人员 30% × 90.00 + 学员 10% × 100.00 + 党校 10% × 90.00 = 87.50; "
        "87.50 ≥ 80: 良好"
    )
    assert [part.score for part in result.parts] == [D("83.00"), D("90.00"), D("100.00"), D("90.00")]
    # Comments (评语) are kept beside the numbers.
    assert result.parts[0].comments == ("研讨积极，论文扎实",)
    assert result.parts[3].comments == ("班风良好",)


@pytest.mark.parametrize(
    ("paper", "score", "grade"),
    [
        # Every other item is fixed so that the final score is 0.3 × paper + 63.
        ("90", "90.00", Grade.EXCELLENT),  # exactly on the 优秀 threshold
        ("89.97", "89.99", Grade.GOOD),  # 89.991, one cent below it
        ("56.67", "80.00", Grade.GOOD),  # 80.001 rounds to exactly the 良好 threshold
        ("56.65", "80.00", Grade.GOOD),  # 79.995 rounds half up onto it
        ("56.64", "79.99", Grade.PASS),  # 79.992
        ("0.35", "63.11", Grade.PASS),  # 63.105: half up, not half to even (63.10)
        ("0", "63.00", Grade.PASS),
    ],
)
def test_the_grade_is_read_from_the_score_rounded_half_up_to_two_places(paper: str, score: str, grade: Grade) -> None:
    only_paper = WeightedScheme(
        (
            SchemePart(Party.TEACHERS, D("0.3"), (ScoredItem("paper", "论文成绩", HUNDRED_MARKS, D(1)),)),
            SchemePart(Party.CLASS_MANAGERS, D("0.7"), (ScoredItem("attendance", "出勤", HUNDRED_MARKS, D(1)),)),
        ),
        THRESHOLDS,
    )
    result = computed(
        [
            PartyScore(Party.TEACHERS, "teacher-1", {"paper": D(paper)}),
            PartyScore(Party.CLASS_MANAGERS, "manager-1", {"attendance": D(90)}),
        ],
        only_paper,
    )
    assert (result.score, result.grade) == (D(score), grade)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.99", Grade.PASS),
        ("60", Grade.PASS),
        ("59.99", Grade.FAIL),
        ("0", Grade.FAIL),
    ],
)
def test_each_threshold_starts_its_grade(score: str, grade: Grade) -> None:
    assert THRESHOLDS.grade(D(score))[0] == grade


def test_a_failing_score_says_which_threshold_it_missed() -> None:
    assert THRESHOLDS.grade(D("59.99")) == (Grade.FAIL, "59.99 < 60: 不合格")


def test_a_missing_party_leaves_the_assessment_pending_naming_what_is_missing() -> None:
    without_school = [score for score in everything() if score.party != Party.SCHOOL]
    result = assess(SCHEME, without_school)
    assert result == Pending(("党校: 「班级整体」",))
    assert result.reason == "结业考核 waits for: 党校: 「班级整体」"


def test_an_item_not_yet_scored_leaves_the_assessment_pending() -> None:
    scores = everything()
    scores[0] = PartyScore(Party.TEACHERS, "teacher-1", {"seminar": D(8)})  # the paper is not graded yet
    assert assess(SCHEME, scores) == Pending(("教师或专家: 「论文成绩」",))
    assert assess(SCHEME, []) == Pending(
        (
            "教师或专家: 「研讨发言」",
            "教师或专家: 「论文成绩」",
            "跟班管理人员: 「出勤」",
            "跟班管理人员: 「纪律」",
            "学员: 「互评」",
            "党校: 「班级整体」",
        )
    )


def test_items_scored_at_different_times_and_by_several_scorers_are_averaged_item_by_item() -> None:
    scores = [
        *everything()[1:],
        PartyScore(Party.TEACHERS, "teacher-1", {"seminar": D(8)}),
        PartyScore(Party.TEACHERS, "teacher-2", {"seminar": D(9), "paper": D(85)}),
        PartyScore(Party.LEARNERS, "T2024003", {"peer": D(4)}),
        PartyScore(Party.LEARNERS, "T2024004", {"peer": D(4)}),
    ]
    result = computed(scores)
    teachers, _, learners, _ = result.parts
    assert [(item.scorers, item.score) for item in teachers.items] == [(2, D("8.50")), (1, D("85.00"))]
    assert [(item.scorers, item.score) for item in learners.items] == [(3, D("4.33"))]
    # 学员 (5 + 4 + 4) / 3 × 20 = 86.666…: kept exact until the end, shown as 86.67.
    assert learners.score == D("86.67")
    # 0.5 × (0.4 × 85 + 0.6 × 85) + 0.3 × 90 + 0.1 × 86.666… + 0.1 × 90 = 87.1666…
    assert result.score == D("87.17")


def test_a_scorer_scoring_an_item_twice_is_refused_rather_than_averaged_with_themselves() -> None:
    correction = PartyScore(Party.TEACHERS, "teacher-1", {"paper": D(95)})
    with pytest.raises(
        SchemeError, match="teacher-1 scored 教师或专家's 「论文成绩」 more than once: pass only the score"
    ):
        assess(SCHEME, [*everything(), correction])
    # The same item from another scorer is a second opinion, averaged.
    second = PartyScore(Party.TEACHERS, "teacher-2", {"paper": D(95)})
    assert computed([*everything(), second]).parts[0].items[1].score == D("90.00")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (("0.5", "0.3", "0.1", "0.09"), "the weights of the parties add up to 0.99, not 1"),
        (("0.5", "0.3", "0.1", "0.11"), "the weights of the parties add up to 1.01, not 1"),
        (("0.5", "0.5", "0.1", "0"), "a weight of 0 in the parties takes no part: leave it out instead"),
        (("0.5", "0.3", "0.3", "-0.1"), "the weight of the parties must lie between 0 and 1, not -0.1"),
    ],
)
def test_party_weights_not_summing_to_exactly_one_are_refused(weights: tuple[str, ...], message: str) -> None:
    parts = tuple(
        SchemePart(part.party, D(weight), part.items)
        for part, weight in zip((TEACHERS, MANAGERS, LEARNERS, SCHOOL), weights, strict=True)
    )
    with pytest.raises(SchemeError, match=message):
        WeightedScheme(parts, THRESHOLDS)


def test_weights_may_have_more_places_and_trailing_zeros_as_long_as_they_add_up_to_one() -> None:
    # 0.5 × 83 + 0.125 × 90 + 0.125 × 100 + 0.25 × 90 = 41.5 + 11.25 + 12.5 + 22.5
    weights = (D("0.500"), D("0.125"), D("0.125"), D("0.25"))
    parts = tuple(
        SchemePart(part.party, weight, part.items)
        for part, weight in zip((TEACHERS, MANAGERS, LEARNERS, SCHOOL), weights, strict=True)
    )
    assert computed(everything(), WeightedScheme(parts, THRESHOLDS)).reason.startswith(
        "教师或专家 50% × 83.00 + 跟班管理人员 12.5% × 90.00 + 学员 12.5% × 100.00 + 党校 25% × 90.00 = 87.75"
    )


def test_thirds_are_written_so_they_add_up() -> None:
    thirds = ("0.33", "0.33", "0.34")
    parts = tuple(
        SchemePart(part.party, D(weight), part.items)
        for part, weight in zip((TEACHERS, MANAGERS, SCHOOL), thirds, strict=True)
    )
    assert sum(part.weight for part in WeightedScheme(parts, THRESHOLDS).parts) == 1
    with pytest.raises(SchemeError, match=r"add up to 0\.9999, not 1"):
        WeightedScheme(
            tuple(SchemePart(part.party, D("0.3333"), part.items) for part in (TEACHERS, MANAGERS, SCHOOL)), THRESHOLDS
        )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SchemePart(Party.TEACHERS, D(1), ()), "教师或专家 scores no item"),
        (
            lambda: SchemePart(Party.TEACHERS, D(1), (ScoredItem("paper", "论文", HUNDRED_MARKS, D("0.5")),) * 2),
            "教师或专家 scores an item twice",
        ),
        (
            lambda: SchemePart(Party.TEACHERS, D(1), (ScoredItem("paper", "论文", HUNDRED_MARKS, D("0.9")),)),
            "the weights of 教师或专家's items add up to 0.9, not 1",
        ),
        (
            lambda: SchemePart(Party.TEACHERS, D(1), (ScoredItem("paper", "论文", HUNDRED_MARKS, 1.0),)),  # type: ignore[arg-type]
            "must be a Decimal number, not 1.0",
        ),
        (lambda: WeightedScheme((), THRESHOLDS), "a scheme needs at least one party"),
        (
            lambda: WeightedScheme((SchemePart(Party.SCHOOL, D("0.5"), SCHOOL.items),) * 2, THRESHOLDS),
            "a party appears twice in the scheme: 党校, 党校",
        ),
    ],
)
def test_a_scheme_that_cannot_work_is_refused_saying_why(build: Callable[[], object], message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        build()


@pytest.mark.parametrize(
    ("excellent", "good", "passing", "message"),
    [
        (
            "90",
            "90",
            "60",
            "thresholds must rise from 合格 through 良好 to 优秀, above 0: got 合格 60, 良好 90, 优秀 90",
        ),
        ("80", "90", "60", "must rise"),
        ("90", "80", "0", "must rise"),
        ("101", "80", "60", "the 优秀 threshold must lie between 0 and 100, not 101"),
        ("90", "80", "60.005", "the 合格 threshold has more than two decimal places: 60.005"),
        ("90", "80", "NaN", "the 合格 threshold must be a Decimal number"),
    ],
)
def test_thresholds_must_rise_within_a_hundred(excellent: str, good: str, passing: str, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        GradeThresholds(D(excellent), D(good), D(passing))


def test_thresholds_may_reach_a_hundred_and_start_just_above_nothing() -> None:
    assert GradeThresholds(D(100), D("0.02"), D("0.01")).grade(D(100))[0] == Grade.EXCELLENT


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (
            PartyScore(Party.TEACHERS, "t", {"seminar": D(11)}),
            "教师或专家's score of 「研讨发言」 must lie between 1 and 10",
        ),
        (PartyScore(Party.TEACHERS, "t", {"seminar": D("0.99")}), "must lie between 1 and 10, not 0.99"),
        (PartyScore(Party.TEACHERS, "t", {"essay": D(80)}), "教师或专家 scores no item essay in this scheme"),
        (PartyScore(Party.TEACHERS, "t", {"paper": D("85.555")}), "has more than two decimal places"),
    ],
)
def test_a_score_off_the_items_scale_or_outside_the_scheme_is_refused(score: PartyScore, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        check_score(SCHEME, score)
    with pytest.raises(SchemeError, match=message):
        assess(SCHEME, [*everything(), score])


def test_a_party_outside_the_scheme_cannot_score() -> None:
    without_learners = WeightedScheme(
        (TEACHERS, MANAGERS, SchemePart(Party.SCHOOL, D("0.2"), SCHOOL.items)), THRESHOLDS
    )
    with pytest.raises(SchemeError, match="学员 takes no part in this class's scheme"):
        check_score(without_learners, PartyScore(Party.LEARNERS, "T2024002", {"peer": D(5)}))


def test_scale_ends_are_scores_the_scale_allows() -> None:
    for seminar in ("1", "10"):
        check_score(SCHEME, PartyScore(Party.TEACHERS, "t", {"seminar": D(seminar)}))


def test_an_exam_only_class_grades_the_score_entered() -> None:
    exam_only = ExamOnlyScheme(THRESHOLDS)
    result = enter_exam_result(exam_only, score=D(60), passed=None)
    assert (result.score, result.grade, result.passed, result.rule) == (D(60), Grade.PASS, True, EXAM_ONLY_RULE)
    assert result.reason == "exam score 60 ≥ 60: 合格"
    assert not enter_exam_result(exam_only, score=D("59.99"), passed=False).passed


def test_an_exam_only_class_may_record_a_pass_or_fail_without_a_score() -> None:
    exam_only = ExamOnlyScheme(THRESHOLDS)
    assert enter_exam_result(exam_only, score=None, passed=True).grade == Grade.PASS
    failed = enter_exam_result(exam_only, score=None, passed=False)
    assert (failed.score, failed.grade, failed.reason) == (None, Grade.FAIL, "entered as 不合格, without a score")


@pytest.mark.parametrize(
    ("scheme", "score", "passed", "message"),
    [
        (SCHEME, D(80), True, "computed from its evaluation scheme: enter the parties' scores instead"),
        (ExamOnlyScheme(THRESHOLDS), None, None, "needs a score or whether the learner passed"),
        (ExamOnlyScheme(THRESHOLDS), D("59.99"), True, "entered as passed, but the score says otherwise: 59.99 < 60"),
        (ExamOnlyScheme(THRESHOLDS), D(60), False, "entered as failed, but the score says otherwise: 60 ≥ 60"),
        (ExamOnlyScheme(THRESHOLDS), D("100.01"), None, "an exam score must lie between 0 and 100"),
        (None, D(80), None, "no evaluation scheme to grade a score by: say whether the learner passed"),
        (None, D("-0.01"), True, "an exam score must lie between 0 and 100"),
    ],
)
def test_a_direct_entry_that_does_not_fit_is_refused(
    scheme: WeightedScheme | ExamOnlyScheme | None, score: Decimal | None, passed: bool | None, message: str
) -> None:
    with pytest.raises(SchemeError, match=message):
        enter_exam_result(scheme, score=score, passed=passed)


def test_a_class_without_a_scheme_keeps_the_result_as_entered() -> None:
    passed = enter_exam_result(None, score=D("81.5"), passed=True)
    assert (passed.score, passed.grade, passed.rule) == (D("81.5"), Grade.PASS, DIRECT_ENTRY_RULE)
    assert passed.reason == "entered as 合格 with the score 81.5; the class has no scheme"
    # No thresholds: a low score entered as passed stays passed, and a high one entered as failed stays failed.
    assert enter_exam_result(None, score=D(10), passed=True).passed
    failed = enter_exam_result(None, score=D(95), passed=False)
    assert (failed.passed, failed.grade) == (False, Grade.FAIL)
    assert enter_exam_result(None, score=None, passed=False).reason == (
        "entered as 不合格 without a score; the class has no scheme"
    )


def test_a_scorers_correction_replaces_their_earlier_score_of_that_item_only() -> None:
    given = [
        PartyScore(Party.TEACHERS, "T1", {"seminar": D(6), "paper": D(70)}, "研讨积极"),
        PartyScore(Party.TEACHERS, "T2", {"seminar": D(9)}),
        PartyScore(Party.TEACHERS, "T1", {"paper": D(88)}),  # T1 corrects the paper grade, keeps the rest
        PartyScore(Party.CLASS_MANAGERS, "T1", {"conduct": D(5)}),  # the same person for another party
    ]

    standing = standing_scores(given)

    assert standing == (
        PartyScore(Party.TEACHERS, "T1", {"seminar": D(6), "paper": D(88)}, "研讨积极"),
        PartyScore(Party.TEACHERS, "T2", {"seminar": D(9)}),
        PartyScore(Party.CLASS_MANAGERS, "T1", {"conduct": D(5)}),
    )
    # What stands is what assess() takes: two teachers' seminar scores averaged, T1's corrected paper alone.
    result = assess(SCHEME, [*standing, *everything()[1:]])
    assert isinstance(result, FinalAssessment)
    teachers = next(part for part in result.parts if part.party == Party.TEACHERS)
    assert [(item.item.item_id, item.scorers, item.score) for item in teachers.items] == [
        ("seminar", 2, D("7.50")),
        ("paper", 1, D("88.00")),
    ]
