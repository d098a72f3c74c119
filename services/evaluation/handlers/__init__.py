"""How evaluation changes, one module per concern: the register's facts it projects (``projections``), who may
evaluate what (``access``), questionnaires and answers (``questionnaires``), schemes, scores and the 结业考核
(``assessments``).

Handlers work in the caller's unit of work and never commit: the consumer, or the HTTP route, commits the effect,
the inbox records and the outbox rows together. Besides the register's events, the consumer path applies the
commands that waited for them (``commands``): they come back through these same handlers once released.
"""

from __future__ import annotations

from services.evaluation.commands import AssessmentEntered, ScoreSubmitted
from services.evaluation.handlers.assessments import assessment_released, score_released
from services.evaluation.handlers.projections import PROJECTIONS
from shared.consumer import EventHandlers

handlers = EventHandlers()
PROJECTIONS.install(handlers)
handlers.on(ScoreSubmitted)(score_released)
handlers.on(AssessmentEntered)(assessment_released)
