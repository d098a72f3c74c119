"""dangxiao.evaluation.v1: results of evaluation, above all the final assessment (结业考核)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from shared.events.contracts.common import Code, Identifier
from shared.events.envelope import EventData, Moment

EVALUATION_TOPIC = "dangxiao.evaluation.v1"


class AssessmentRecorded(EventData):
    """A final assessment (结业考核) of a learner in a class was recorded.

    The assessment that stands is the one with the latest ``assessed_at``; ties go to the greater
    ``assessment_id``.
    """

    event_type = "dangxiao.evaluation.assessment_recorded.v1"
    topic = EVALUATION_TOPIC
    key_field = "class_id"

    assessment_id: Identifier
    class_id: Identifier
    person_id: Identifier
    passed: bool
    score: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    assessed_by: str
    assessed_at: Moment
    grade: Code | None = Field(default=None, description="excellent (优秀), good (良好), pass (合格) or fail (不合格)")
    rule: str | None = Field(default=None, max_length=64, description="how it was decided, e.g. weighted-scheme/v1")

    def identity(self) -> str:
        return self.assessment_id


class SurveyAnswered(EventData):
    """A learner answered a questionnaire of a class: who answered, never what (answers stay in evaluation, and
    an anonymous form's answers are not linked to anyone)."""

    event_type = "dangxiao.evaluation.survey_answered.v1"
    topic = EVALUATION_TOPIC
    key_field = "class_id"

    form_id: Identifier
    class_id: Identifier
    person_id: Identifier
    purpose: Code = Field(description="pre_class (训前), mid_class (训中), after_class (训后), teaching_evaluation…")
    answered_at: Moment

    def identity(self) -> str:
        return f"{self.form_id}/{self.person_id}"


EVALUATION_EVENTS = (AssessmentRecorded, SurveyAnswered)
