"""dangxiao.evaluation.v1: results of evaluation, above all the final assessment (结业考核)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from shared.events.contracts.common import Identifier
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

    def identity(self) -> str:
        return self.assessment_id


EVALUATION_EVENTS = (AssessmentRecorded,)
