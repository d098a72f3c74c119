"""Evaluation's tables and API schemas (Base -> Create -> table -> Public).

- Projections of the register (``shared.projection``): classes, sessions, enrollments, teachers and courses, just
  what evaluation needs to know who may evaluate what and to name things in reports.
- Questionnaires (问卷): template versions, forms, and what was answered. Who answered a form
  (``SurveyParticipation``) and what was answered (``SurveyResponse``) are two tables with no column in common but
  the form: nothing stored leads from a person to their answers on an anonymous form.
- The 结业考核 (final assessment): each class's evaluation scheme, the parties' score sheets, and the assessments,
  every one kept (the latest of a learner stands).
- Commands that wait for what they refer to (an enrollment evaluation has not learnt yet): their status, polled by
  whoever posted them; the command itself waits in the shared parked-event table.

The API schemas of questionnaires and schemes are also their stored shape (JSON columns), and each turns into the
domain's value with ``to_domain``, which refuses what the rules refuse.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr
from sqlalchemy import JSON, Index, Numeric
from sqlmodel import Field, SQLModel

from services.evaluation.domain.forms import PURPOSE_LABELS, Form, Purpose, Response, Subject
from services.evaluation.domain.questionnaires import (
    AnswerSet,
    Choice,
    Choices,
    Item,
    ItemKind,
    Rating,
    Scale,
    Section,
    TemplateVersion,
    Text,
    Value,
)
from services.evaluation.domain.schemes import (
    GRADE_LABELS,
    PARTY_LABELS,
    ExamOnlyScheme,
    Grade,
    GradeThresholds,
    Party,
    Scheme,
    SchemeError,
    SchemePart,
    ScoredItem,
    WeightedScheme,
)
from services.evaluation.quantities import Score, Weight
from shared.db import UTCDateTime
from shared.events.contracts.common import Code, Identifier
from shared.events.envelope import Moment

ShortText = Annotated[str, Field(min_length=1, max_length=200)]

ItemId = Annotated[str, Field(min_length=1, max_length=64)]


# Versions of a template: far more than any school will make, and within every database's integers.
MAX_VERSION = 100_000


class Schema(BaseModel):
    """What the API takes and gives. Numbers and booleans in requests are taken as JSON types only (StrictInt,
    StrictBool): "5" is no rating and 0 is no "false", as the OpenAPI document says."""

    model_config = ConfigDict(extra="forbid")


# ── projections of the register ──────────────────────────────────────────────────────────────────────


class EvaluationClass(SQLModel, table=True):
    """A training class (培训班): its group and year (reports), and who manages it (who may evaluate it)."""

    __tablename__ = "evaluation_class"

    class_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    category: str = Field(max_length=64, description="the training group (培训类别)")
    year: int
    manager_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(max_length=64)


class EvaluationSession(SQLModel, table=True):
    """A session of a class (课次): who teaches it, and its course (专题), for teaching evaluations."""

    __tablename__ = "evaluation_session"

    session_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(index=True, max_length=64)
    title: str = Field(max_length=200)
    teaching_mode: str = Field(max_length=64)
    course_id: str | None = Field(default=None, max_length=64)
    teacher_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(max_length=64)


class EvaluationEnrollment(SQLModel, table=True):
    """A person's enrollment in a class: only an approved one may be assessed or answer the class's forms."""

    __tablename__ = "evaluation_enrollment"
    __table_args__ = (Index("ix_evaluation_enrollment_learner", "class_id", "person_id"),)

    enrollment_id: str = Field(primary_key=True, max_length=64)
    version: int
    class_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64)
    status: str = Field(max_length=64)


class EvaluationTeacher(SQLModel, table=True):
    """A teacher or outside expert (师资库), by the name reports give them."""

    __tablename__ = "evaluation_teacher"

    teacher_id: str = Field(primary_key=True, max_length=64)
    version: int
    name: str = Field(max_length=100)
    internal: bool
    active: bool


class EvaluationCourse(SQLModel, table=True):
    """A course of the catalogue (课程库), by the title reports give it."""

    __tablename__ = "evaluation_course"

    course_id: str = Field(primary_key=True, max_length=64)
    version: int
    title: str = Field(max_length=200)
    active: bool


# ── questionnaire templates ──────────────────────────────────────────────────────────────────────────


class ScaleSchema(Schema):
    low: StrictInt = Field(ge=0, le=100)
    high: StrictInt = Field(ge=0, le=100)

    def to_domain(self) -> Scale:
        return Scale(self.low, self.high)


class ChoiceSchema(Schema):
    code: Annotated[str, Field(min_length=1, max_length=64, description="what answers carry, e.g. seminar")]
    label: ShortText


class ItemSchema(Schema):
    item_id: ItemId
    prompt: Annotated[str, Field(min_length=1, max_length=500)]
    kind: ItemKind
    required: StrictBool = True
    scale: ScaleSchema | None = Field(default=None, description="rating items: e.g. 1-5 or 1-10")
    choices: list[ChoiceSchema] = Field(default_factory=list, max_length=100)

    def to_domain(self) -> Item:
        return Item(
            self.item_id,
            self.prompt,
            self.kind,
            self.required,
            self.scale.to_domain() if self.scale else None,
            tuple(Choice(choice.code, choice.label) for choice in self.choices),
        )


class SectionSchema(Schema):
    title: Annotated[str, Field(max_length=200)] = ""
    items: list[ItemSchema] = Field(min_length=1, max_length=200)

    def to_domain(self) -> Section:
        return Section(self.title, tuple(item.to_domain() for item in self.items))


class TemplateBody(Schema):
    title: ShortText
    sections: list[SectionSchema] = Field(min_length=1, max_length=50)

    def sections_domain(self) -> tuple[Section, ...]:
        return tuple(section.to_domain() for section in self.sections)

    def sections_json(self) -> list[dict[str, Any]]:
        return [section.model_dump(mode="json") for section in self.sections]


class TemplateCreate(TemplateBody):
    template_id: Identifier | None = Field(default=None, description="generated when not given")


class QuestionnaireTemplate(SQLModel, table=True):
    """One version of a questionnaire template. A version a form refers to is never edited."""

    __tablename__ = "questionnaire_template"

    template_id: str = Field(primary_key=True, max_length=64)
    version: int = Field(primary_key=True)
    title: str = Field(max_length=200)
    sections: list[dict[str, Any]] = Field(sa_type=JSON)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)

    def to_domain(self) -> TemplateVersion:
        sections = tuple(SectionSchema.model_validate(section).to_domain() for section in self.sections)
        return TemplateVersion(self.template_id, self.version, self.title, sections)


class TemplatePublic(Schema):
    template_id: str
    version: int
    title: str
    sections: list[SectionSchema]
    created_by: str
    created_at: datetime


class TemplateChangePublic(TemplatePublic):
    new_version: bool = Field(description="whether the change became a new version (the old one is in use)")
    reason: str


# ── forms and answers ────────────────────────────────────────────────────────────────────────────────


class FormCreate(Schema):
    form_id: Identifier | None = Field(default=None, description="generated when not given")
    title: ShortText
    purpose: Purpose
    template_id: Identifier
    template_version: StrictInt | None = Field(default=None, ge=1, le=MAX_VERSION, description="default: the latest")
    opens_at: Moment
    closes_at: Moment = Field(description="the first moment answers are no longer taken")
    anonymous: StrictBool = Field(description="学员评教 always is")
    class_id: Identifier | None = Field(default=None, description="every form but an annual needs survey's")
    session_id: Identifier | None = Field(default=None, description="a teaching evaluation of one session")
    teacher_id: Identifier | None = Field(
        default=None, description="a teaching evaluation of one teacher; a session's only teacher by default"
    )
    training_group: Code | None = Field(default=None, description="an annual needs survey: the group (培训类别) asked")
    year: StrictInt | None = Field(
        default=None, ge=2000, le=2100, description="an annual needs survey: the year planned"
    )


class EvaluationForm(SQLModel, table=True):
    """A questionnaire put to people for a while (a form), and what it asks about."""

    __tablename__ = "evaluation_form"

    form_id: str = Field(primary_key=True, max_length=64)
    title: str = Field(max_length=200)
    purpose: str = Field(max_length=32)
    template_id: str = Field(max_length=64)
    template_version: int
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    anonymous: bool
    training_group: str = Field(max_length=64)
    year: int
    class_id: str | None = Field(default=None, index=True, max_length=64)
    session_id: str | None = Field(default=None, max_length=64)
    teacher_id: str | None = Field(default=None, index=True, max_length=64)
    course: str | None = Field(default=None, max_length=64, description="the session's course (专题)")
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)

    def to_domain(self) -> Form:
        return Form(
            form_id=self.form_id,
            title=self.title,
            purpose=Purpose(self.purpose),
            template_id=self.template_id,
            template_version=self.template_version,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            anonymous=self.anonymous,
            subject=Subject(
                self.training_group, self.year, self.class_id, self.session_id, self.teacher_id, self.course
            ),
        )


class FormPublic(Schema):
    form_id: str
    title: str
    purpose: Purpose
    purpose_label: str
    template_id: str
    template_version: int
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    training_group: str
    year: int
    class_id: str | None
    session_id: str | None
    teacher_id: str | None
    course: str | None
    questions: TemplatePublic | None = None

    @classmethod
    def of(cls, form: EvaluationForm, template: QuestionnaireTemplate | None = None) -> FormPublic:
        return cls.model_validate(
            {
                **form.model_dump(exclude={"created_by", "created_at"}),
                "purpose_label": PURPOSE_LABELS[Purpose(form.purpose)],
                "questions": template.model_dump() if template else None,
            }
        )


# What a respondent may send for one item: a whole number, a choice code or text, a list of codes, or nothing.
# Strict, so that true is not taken for 1 nor 5 for "5".
RawAnswerSchema = StrictInt | StrictStr | list[StrictStr] | None


class AnswersBody(Schema):
    answers: dict[ItemId, RawAnswerSchema] = Field(max_length=200, description="by item id")


class AnswersChange(AnswersBody):
    receipt: str | None = Field(
        default=None, max_length=100, description="an anonymous form: the receipt given with the first answer"
    )


class AnswerReceipt(Schema):
    form_id: str
    answered_at: datetime
    editable_until: datetime
    receipt: str | None = Field(
        default=None,
        description="an anonymous form: the only way to change this answer, kept by nobody but you (only a digest "
        "of it is stored, beside the answer and never beside your name)",
    )


class SurveyParticipation(SQLModel, table=True):
    """That a person answered a form, and when: never what (see ``SurveyResponse``)."""

    __tablename__ = "survey_participation"

    form_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(primary_key=True, max_length=64)
    answered_at: datetime = Field(sa_type=UTCDateTime)


class SurveyResponse(SQLModel, table=True):
    """What was answered on a form. On an anonymous form it names nobody and has no time: its id is random and
    ``receipt_digest`` is a digest of a random receipt only the respondent holds, no function of who they are."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_receipt", "form_id", "receipt_digest"),
        Index("ix_survey_response_respondent", "form_id", "respondent_id"),
    )

    response_id: str = Field(primary_key=True, max_length=64)
    form_id: str = Field(max_length=64)
    answers: dict[str, Any] = Field(sa_type=JSON, description="by item id: points, text, or choice codes")
    respondent_id: str | None = Field(default=None, max_length=64, description="named forms only")
    receipt_digest: str | None = Field(default=None, max_length=64, description="anonymous forms only")

    @staticmethod
    def stored(answers: AnswerSet) -> dict[str, Any]:
        return {item_id: _stored_value(value) for item_id, value in answers.values.items()}

    def to_domain(self, template: TemplateVersion) -> Response:
        answers = self.answer_set(template)
        return Response(self.response_id, self.form_id, answers, self.respondent_id, self.receipt_digest)

    def answer_set(self, template: TemplateVersion) -> AnswerSet:
        values: dict[str, Value] = {}
        for item_id, stored in self.answers.items():
            item = template.item(item_id)
            assert item is not None  # answers were validated against this very version
            if item.kind == ItemKind.RATING:
                values[item_id] = Rating(stored)
            elif item.kind == ItemKind.FREE_TEXT:
                values[item_id] = Text(stored)
            else:
                values[item_id] = Choices(tuple(stored))
        return AnswerSet(template.template_id, template.version, values)


def _stored_value(value: Value) -> int | str | list[str]:
    match value:
        case Rating(points):
            return points
        case Text(text):
            return text
        case Choices(codes):
            return list(codes)


# ── evaluation schemes ───────────────────────────────────────────────────────────────────────────────


class ThresholdsSchema(Schema):
    """The lowest score of each grade, on a hundred-mark scale."""

    excellent: Score = Field(description="优秀 from")
    good: Score = Field(description="良好 from")
    passing: Score = Field(description="合格 from")

    def to_domain(self) -> GradeThresholds:
        return GradeThresholds(self.excellent, self.good, self.passing)


class ScoredItemSchema(Schema):
    item_id: ItemId
    label: Annotated[str, Field(min_length=1, max_length=100, description="e.g. 研讨发言, 论文成绩, 出勤, 纪律")]
    scale: ScaleSchema
    weight: Weight = Field(description="its share of the party's part; a party's items add up to exactly 1")

    def to_domain(self) -> ScoredItem:
        return ScoredItem(self.item_id, self.label, self.scale.to_domain(), self.weight)


class SchemePartSchema(Schema):
    party: Party
    weight: Weight = Field(description="its share of the final score; the parties add up to exactly 1")
    items: list[ScoredItemSchema] = Field(min_length=1, max_length=50)

    def to_domain(self) -> SchemePart:
        return SchemePart(self.party, self.weight, tuple(item.to_domain() for item in self.items))


class SchemeKind(StrEnum):
    WEIGHTED = "weighted"  # computed from the parties' scores
    EXAM_ONLY = "exam_only"  # each learner's result entered directly


class SchemeBody(Schema):
    kind: SchemeKind
    parts: list[SchemePartSchema] = Field(default_factory=list, max_length=4)
    thresholds: ThresholdsSchema

    def to_domain(self) -> Scheme:
        thresholds = self.thresholds.to_domain()
        if self.kind == SchemeKind.EXAM_ONLY:
            if self.parts:
                raise SchemeError("an exam-only class has no parties scoring it: leave parts out")
            return ExamOnlyScheme(thresholds)
        return WeightedScheme(tuple(part.to_domain() for part in self.parts), thresholds)


class EvaluationScheme(SQLModel, table=True):
    """A class's evaluation scheme (考核方案); it can change only until the first score or result is in."""

    __tablename__ = "evaluation_scheme"

    class_id: str = Field(primary_key=True, max_length=64)
    definition: dict[str, Any] = Field(sa_type=JSON, description="a SchemeBody")
    set_by: str = Field(max_length=200)
    set_at: datetime = Field(sa_type=UTCDateTime)

    def to_domain(self) -> Scheme:
        return SchemeBody.model_validate(self.definition).to_domain()


class SchemePublic(SchemeBody):
    class_id: str
    set_by: str
    set_at: datetime


# ── scores and final assessments (结业考核) ─────────────────────────────────────────────────────────────


class ScoreCreate(Schema):
    party: Party
    person_id: Identifier | None = Field(
        default=None, description="the learner scored; left out by 党校 (school), which scores the class as a whole"
    )
    scores: dict[ItemId, Score] = Field(min_length=1, max_length=50, description="item id -> score on its scale")
    comment: str | None = Field(default=None, max_length=1000, description="评语")


class ScoreSheet(SQLModel, table=True):
    """One scorer's scores of some items for one party, about a learner or (党校) the class as a whole.

    A scorer's later sheet replaces their earlier score of the same item; every sheet is kept.
    """

    __tablename__ = "score_sheet"
    __table_args__ = (Index("ix_score_sheet_class_learner", "class_id", "person_id"),)

    sheet_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(max_length=64)
    person_id: str | None = Field(default=None, max_length=64)
    party: str = Field(max_length=32)
    scorer_id: str = Field(max_length=200)
    scores: dict[str, str] = Field(sa_type=JSON, description="item id -> score (a decimal, as text)")
    comment: str | None = Field(default=None, max_length=1000)
    scored_at: datetime = Field(sa_type=UTCDateTime)


class ScorePublic(Schema):
    sheet_id: str
    class_id: str
    person_id: str | None
    party: Party
    party_label: str
    scorer_id: str
    scores: dict[str, Decimal]
    comment: str | None
    scored_at: datetime

    @classmethod
    def of(cls, sheet: ScoreSheet) -> ScorePublic:
        return cls.model_validate(
            {**sheet.model_dump(), "party_label": PARTY_LABELS[Party(sheet.party)]},
        )


class AssessmentCreate(Schema):
    """A 结业考核 entered directly: an exam-only class's score (graded by its thresholds) or pass/fail; a class
    without a scheme records whether the learner passed, with the score if there is one."""

    person_id: Identifier = Field(description="工号/学号 of the learner assessed")
    passed: StrictBool | None = None
    score: Score | None = Field(default=None, description="0-100")
    comment: str | None = Field(default=None, max_length=1000)


class Assessment(SQLModel, table=True):
    """A final assessment (结业考核). Every one is kept; the latest for a learner in a class stands."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_class_person", "class_id", "person_id", "assessed_at"),)

    assessment_id: str = Field(primary_key=True, max_length=64)
    class_id: str = Field(max_length=64)
    person_id: str = Field(max_length=64)
    passed: bool
    score: Decimal | None = Field(default=None, sa_type=Numeric(5, 2))
    grade: str = Field(max_length=16, description="excellent, good, pass or fail")
    rule: str = Field(max_length=64, description="e.g. weighted-scheme/v1")
    reason: str = Field(max_length=1000)
    comment: str | None = Field(default=None, max_length=1000)
    assessed_by: str = Field(max_length=200, description="subject of the token whose command decided it")
    assessed_at: datetime = Field(sa_type=UTCDateTime)


class AssessmentPublic(Schema):
    assessment_id: str
    class_id: str
    person_id: str
    passed: bool
    score: Decimal | None
    grade: Grade
    grade_label: str
    rule: str
    reason: str
    comment: str | None
    assessed_by: str
    assessed_at: datetime

    @classmethod
    def of(cls, assessment: Assessment) -> AssessmentPublic:
        return cls.model_validate(
            {**assessment.model_dump(), "grade_label": GRADE_LABELS[Grade(assessment.grade)]},
        )


class ScoreResult(Schema):
    """A score recorded, and the 结业考核 it decided: one per learner it completed or changed (党校's score of the
    class completes many), and for a learner still missing parts, what they are."""

    score: ScorePublic
    assessments: list[AssessmentPublic]
    waiting_for: dict[str, list[str]] = Field(description="learner -> the parts their 结业考核 still waits for")

    def summary(self) -> str:
        """In words, for the status of a command that waited."""
        told = [f"score {self.score.sheet_id} recorded"]
        told += [f"结业考核 of {a.person_id}: {a.reason}" for a in self.assessments]
        told += [f"{person_id}: 结业考核 waits for {'; '.join(parts)}" for person_id, parts in self.waiting_for.items()]
        return ". ".join(told)


class LearnerStanding(Schema):
    class_id: str
    person_id: str
    assessment: AssessmentPublic | None = Field(description="the 结业考核 that stands")
    waiting_for: list[str] = Field(description="the parties' items still missing (a weighted scheme)")


# ── commands waiting for what they refer to ──────────────────────────────────────────────────────────


class CommandStatus(StrEnum):
    PENDING = "pending"  # waiting for what it refers to (see waiting_for)
    APPLIED = "applied"
    REFUSED = "refused"  # once it could be judged, it was refused; detail says why


class EvaluationCommand(SQLModel, table=True):
    """A score or an assessment posted before evaluation knew what it refers to, and what became of it."""

    __tablename__ = "evaluation_command"

    command_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32, description="score or assessment")
    class_id: str = Field(max_length=64)
    person_id: str | None = Field(default=None, max_length=64)
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(max_length=16)
    waiting_for: list[str] = Field(default_factory=list, sa_type=JSON)
    detail: str = Field(max_length=1000)
    result_id: str | None = Field(default=None, max_length=64, description="the score sheet or assessment made")


class CommandPublic(Schema):
    command_id: str
    kind: Literal["score", "assessment"]
    class_id: str
    person_id: str | None
    submitted_by: str
    submitted_at: datetime
    status: CommandStatus
    waiting_for: list[str]
    detail: str
    result_id: str | None


# ── reports ──────────────────────────────────────────────────────────────────────────────────────────


class TablePublic(Schema):
    """A report table, as the Excel export has it: a title, a header, rows."""

    title: str
    header: list[str]
    rows: list[list[str | int | Decimal | None]]
