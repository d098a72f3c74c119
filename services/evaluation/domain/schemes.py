"""A class's evaluation scheme (考核方案) and the final assessment (结业考核) it computes for each learner.

Several parties (学员, 教师或专家, 跟班管理人员, 党校) score items on their own scales; each item is brought to a
hundred-mark score, a party's part is its items weighted, and the final score is the parts weighted. A class
with an exam only enters each learner's result directly instead.

Rounding: everything is computed exactly in ``Decimal`` and rounded once, at the end, half up (四舍五入) to two
places; the grade is read from that rounded score, so a score shown as 85.00 is never graded below an 85
threshold. Part and item scores in the result are shown rounded the same way, but the total is computed from
their exact values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.evaluation.domain.questionnaires import Scale
from services.evaluation.domain.tallies import to_cent

WEIGHTED_RULE = "weighted-scheme/v1"
EXAM_ONLY_RULE = "exam-only/v1"
# A class without a scheme: passed or failed as entered, as evaluation recorded every result before schemes.
DIRECT_ENTRY_RULE = "direct-entry/v1"
HUNDRED = Decimal(100)


class SchemeError(ValueError):
    """A scheme, or a score for one, that cannot be used as given."""


class Party(StrEnum):
    """Who takes part in assessing a learner."""

    LEARNERS = "learners"  # 学员: self and peer assessment (自评、互评)
    TEACHERS = "teachers"  # 教师或专家: 教师评学, e.g. seminar contribution, paper or report grade
    CLASS_MANAGERS = "class_managers"  # 跟班管理人员: discipline and participation, e.g. attendance, conduct
    SCHOOL = "school"  # 党校: the class as a whole; its score counts the same for every learner of the class


PARTY_LABELS: dict[Party, str] = {
    Party.LEARNERS: "学员",
    Party.TEACHERS: "教师或专家",
    Party.CLASS_MANAGERS: "跟班管理人员",
    Party.SCHOOL: "党校",
}
# Parties whose scores are about the class as a whole rather than one learner.
CLASS_WIDE = frozenset({Party.SCHOOL})


class Grade(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"  # noqa: S105 - a grade (合格), not a password
    FAIL = "fail"


GRADE_LABELS: dict[Grade, str] = {
    Grade.EXCELLENT: "优秀",
    Grade.GOOD: "良好",
    Grade.PASS: "合格",
    Grade.FAIL: "不合格",
}


def _check_decimal(value: object, what: str, low: Decimal, high: Decimal, *, in_cents: bool = True) -> None:
    """Scores and thresholds come in cents; weights need not (12.5% is 0.125), but must still add up exactly."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise SchemeError(f"{what} must be a Decimal number, not {value!r}")
    if not low <= value <= high:
        raise SchemeError(f"{what} must lie between {low} and {high}, not {value}")
    if in_cents and value != to_cent(value):
        raise SchemeError(f"{what} has more than two decimal places: {value}")


def _check_weights(weights: Iterable[Decimal], what: str) -> None:
    """Weights are shares of a whole: each more than 0, together exactly 1 (no float could promise that)."""
    weights = list(weights)
    for weight in weights:
        _check_decimal(weight, f"the weight of {what}", Decimal(0), Decimal(1), in_cents=False)
        if weight == 0:
            raise SchemeError(f"a weight of 0 in {what} takes no part: leave it out instead")
    total = sum(weights, Decimal(0))
    if total != 1:
        raise SchemeError(f"the weights of {what} add up to {total}, not 1")


@dataclass(frozen=True)
class GradeThresholds:
    """The lowest score of each grade: 优秀 from ``excellent``, 良好 from ``good``, 合格 from ``passing``."""

    excellent: Decimal
    good: Decimal
    passing: Decimal

    def __post_init__(self) -> None:
        for name, value in (("优秀", self.excellent), ("良好", self.good), ("合格", self.passing)):
            _check_decimal(value, f"the {name} threshold", Decimal(0), HUNDRED)
        if not 0 < self.passing < self.good < self.excellent:
            raise SchemeError(
                "thresholds must rise from 合格 through 良好 to 优秀, above 0: "
                f"got 合格 {self.passing}, 良好 {self.good}, 优秀 {self.excellent}"
            )

    def grade(self, score: Decimal) -> tuple[Grade, str]:
        """The grade of a (rounded) score, and why: on a threshold is in the grade it starts."""
        for grade, threshold in (
            (Grade.EXCELLENT, self.excellent),
            (Grade.GOOD, self.good),
            (Grade.PASS, self.passing),
        ):
            if score >= threshold:
                return grade, f"{score} ≥ {threshold}: {GRADE_LABELS[grade]}"
        return Grade.FAIL, f"{score} < {self.passing}: {GRADE_LABELS[Grade.FAIL]}"


@dataclass(frozen=True)
class ScoredItem:
    """An item a party scores, on its own scale, with its share of the party's part."""

    item_id: str
    label: str  # e.g. "研讨发言", "论文成绩", "出勤", "纪律"
    scale: Scale
    weight: Decimal

    def hundred_mark(self, score: Decimal) -> Decimal:
        """The score as a hundred-mark one: each point of the scale is worth 100 / its top (a 4 of 5 is 80)."""
        return score * HUNDRED / self.scale.high


@dataclass(frozen=True)
class SchemePart:
    party: Party
    weight: Decimal  # share of the final score
    items: tuple[ScoredItem, ...]

    def __post_init__(self) -> None:
        ids = [item.item_id for item in self.items]
        if not ids:
            raise SchemeError(f"{PARTY_LABELS[self.party]} scores no item")
        if len(set(ids)) != len(ids):
            raise SchemeError(f"{PARTY_LABELS[self.party]} scores an item twice: {', '.join(ids)}")
        _check_weights((item.weight for item in self.items), f"{PARTY_LABELS[self.party]}'s items")

    def item(self, item_id: str) -> ScoredItem | None:
        return next((item for item in self.items if item.item_id == item_id), None)


@dataclass(frozen=True)
class WeightedScheme:
    """Which parties take part, their weights, the items each scores, and the grade thresholds.

    Every part is required: a learner's final assessment waits until each item of each part has a score.
    """

    parts: tuple[SchemePart, ...]
    thresholds: GradeThresholds

    def __post_init__(self) -> None:
        parties = [part.party for part in self.parts]
        if not parties:
            raise SchemeError("a scheme needs at least one party")
        if len(set(parties)) != len(parties):
            raise SchemeError(f"a party appears twice in the scheme: {', '.join(PARTY_LABELS[p] for p in parties)}")
        _check_weights((part.weight for part in self.parts), "the parties")

    def part(self, party: Party) -> SchemePart | None:
        return next((part for part in self.parts if part.party == party), None)


@dataclass(frozen=True)
class ExamOnlyScheme:
    """A class assessed by an exam alone: each learner's result is entered directly."""

    thresholds: GradeThresholds


Scheme = WeightedScheme | ExamOnlyScheme


@dataclass(frozen=True)
class PartyScore:
    """One scorer's scores for one party: about a learner, or for 党校 about the class as a whole.

    A scorer may score some items now and others later; several scorers of a party (peers, teachers) are
    averaged item by item. The comment (评语) is kept beside the numbers.
    """

    party: Party
    scorer_id: str
    scores: Mapping[str, Decimal]  # item id -> score on the item's scale
    comment: str | None = None


def standing_scores(given: Sequence[PartyScore]) -> tuple[PartyScore, ...]:
    """What stands of every score given, oldest first: per party and scorer, their latest score of each item and
    their latest comment. A correction replaces the scorer's earlier score; it is never averaged with it."""
    standing: dict[tuple[Party, str], PartyScore] = {}
    for score in given:
        earlier = standing.get((score.party, score.scorer_id))
        if earlier is None:
            standing[score.party, score.scorer_id] = score
            continue
        standing[score.party, score.scorer_id] = PartyScore(
            score.party, score.scorer_id, {**earlier.scores, **score.scores}, score.comment or earlier.comment
        )
    return tuple(standing.values())


def check_score(scheme: WeightedScheme, score: PartyScore) -> None:
    """Refuse a score the scheme has no place for, or off its item's scale; say which item."""
    part = scheme.part(score.party)
    if part is None:
        raise SchemeError(f"{PARTY_LABELS[score.party]} takes no part in this class's scheme")
    for item_id, value in score.scores.items():
        item = part.item(item_id)
        if item is None:
            raise SchemeError(f"{PARTY_LABELS[score.party]} scores no item {item_id} in this scheme")
        _check_decimal(
            value,
            f"{PARTY_LABELS[score.party]}'s score of 「{item.label}」",
            Decimal(item.scale.low),
            Decimal(item.scale.high),
        )


@dataclass(frozen=True)
class ItemResult:
    item: ScoredItem
    scorers: int
    score: Decimal  # the scorers' mean on the item's scale, rounded to two places


@dataclass(frozen=True)
class PartResult:
    party: Party
    weight: Decimal
    score: Decimal  # hundred-mark, rounded to two places
    items: tuple[ItemResult, ...]
    comments: tuple[str, ...]


@dataclass(frozen=True)
class FinalAssessment:
    """A learner's final assessment (结业考核), the rule (and version) that decided it, and why, in words."""

    score: Decimal | None  # hundred-mark, two places; None for a pass/fail entered without a score
    grade: Grade
    rule: str
    reason: str
    parts: tuple[PartResult, ...] = ()

    @property
    def passed(self) -> bool:
        return self.grade != Grade.FAIL


@dataclass(frozen=True)
class Pending:
    """Not computable yet: the parts still missing, each naming party and item."""

    missing: tuple[str, ...]

    @property
    def reason(self) -> str:
        return f"结业考核 waits for: {'; '.join(self.missing)}"


def assess(scheme: WeightedScheme, scores: Sequence[PartyScore]) -> FinalAssessment | Pending:
    """A learner's final assessment from the scores that stand about them (and the class-wide ones), once all are in.

    A scorer's correction replaces their earlier score of the item: pass only the one that stands, since a scorer
    scoring an item twice is refused rather than averaged with themselves.
    """
    labels = {(part.party, item.item_id): item.label for part in scheme.parts for item in part.items}
    seen: set[tuple[Party, str, str]] = set()
    for score in scores:
        check_score(scheme, score)
        for item_id in score.scores:
            if (score.party, score.scorer_id, item_id) in seen:
                raise SchemeError(
                    f"{score.scorer_id} scored {PARTY_LABELS[score.party]}'s 「{labels[score.party, item_id]}」 "
                    "more than once: pass only the score that stands"
                )
            seen.add((score.party, score.scorer_id, item_id))
    missing = [
        f"{PARTY_LABELS[part.party]}: 「{item.label}」"
        for part in scheme.parts
        for item in part.items
        if not any(score.party == part.party and item.item_id in score.scores for score in scores)
    ]
    if missing:
        return Pending(tuple(missing))
    exact_total = Decimal(0)
    parts = []
    for part in scheme.parts:
        of_party = [score for score in scores if score.party == part.party]
        exact_part = Decimal(0)
        items = []
        for item in part.items:
            given = [score.scores[item.item_id] for score in of_party if item.item_id in score.scores]
            mean = sum(given, Decimal(0)) / len(given)
            exact_part += item.weight * item.hundred_mark(mean)
            items.append(ItemResult(item, len(given), to_cent(mean)))
        exact_total += part.weight * exact_part
        comments = tuple(score.comment for score in of_party if score.comment)
        parts.append(PartResult(part.party, part.weight, to_cent(exact_part), tuple(items), comments))
    final = to_cent(exact_total)
    grade, why = scheme.thresholds.grade(final)
    terms = " + ".join(f"{PARTY_LABELS[p.party]} {_percent(p.weight)} × {p.score}" for p in parts)
    return FinalAssessment(final, grade, WEIGHTED_RULE, f"{terms} = {final}; {why}", tuple(parts))


def enter_exam_result(scheme: Scheme | None, *, score: Decimal | None, passed: bool | None) -> FinalAssessment:
    """The result of an exam-only class, entered directly: a score graded by the thresholds, or pass/fail.

    A class without a scheme has no thresholds to grade by: its result is entered as passed or failed, with the
    score (if any) kept as given.
    """
    if isinstance(scheme, WeightedScheme):
        raise SchemeError(
            "this class's 结业考核 is computed from its evaluation scheme: enter the parties' scores instead"
        )
    if score is not None:
        _check_decimal(score, "an exam score", Decimal(0), HUNDRED)
    if scheme is None:
        if passed is None:
            raise SchemeError("this class has no evaluation scheme to grade a score by: say whether the learner passed")
        grade = Grade.PASS if passed else Grade.FAIL
        given = "without a score" if score is None else f"with the score {score}"
        return FinalAssessment(
            score, grade, DIRECT_ENTRY_RULE, f"entered as {GRADE_LABELS[grade]} {given}; the class has no scheme"
        )
    if score is None:
        if passed is None:
            raise SchemeError("an exam result needs a score or whether the learner passed")
        grade = Grade.PASS if passed else Grade.FAIL
        return FinalAssessment(None, grade, EXAM_ONLY_RULE, f"entered as {GRADE_LABELS[grade]}, without a score")
    grade, why = scheme.thresholds.grade(score)
    if passed is not None and passed != (grade != Grade.FAIL):
        raise SchemeError(f"entered as {'passed' if passed else 'failed'}, but the score says otherwise: {why}")
    return FinalAssessment(score, grade, EXAM_ONLY_RULE, f"exam score {why}")


def _percent(weight: Decimal) -> str:
    return f"{(weight * HUNDRED).normalize():f}%"
