"""Commands that may have to wait: a score or a 结业考核 posted for a learner whose enrollment (or class) evaluation
has not learnt yet.

Such a command is not refused: it is kept as an event-like record in the shared parked-event table, waiting for
what it refers to, and applied by the same handler as soon as that arrives (``shared.projection``'s parking). The
caller is answered 202 with a ``Location`` to poll (``EvaluationCommand``). These types are evaluation's own: they
are never published, and the consumer ignores them on any topic, since they are in no contract.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from services.evaluation.domain.schemes import Party
from shared.auth import Principal, Role
from shared.db import utcnow
from shared.events.envelope import JSON_CONTENT_TYPE, CloudEvent, EventData, current_correlation_id

COMMANDS_SOURCE = "urn:dangxiao:evaluation:commands"
# Where the commands would travel, were they ever published: they are not; EventData needs a topic.
COMMANDS_TOPIC = "dangxiao.evaluation.commands.internal"


class Command(EventData):
    """What a command keeps of who posted it: authorisation is judged again when it is applied."""

    topic = COMMANDS_TOPIC
    key_field = "class_id"
    kind: ClassVar[str]  # as its status names it: score or assessment

    command_id: str
    class_id: str
    person_id: str | None
    submitted_by: str
    roles: list[Role]

    def identity(self) -> str:
        return self.command_id

    @property
    def principal(self) -> Principal:
        return Principal(subject=self.submitted_by, roles=frozenset(self.roles))

    def as_event(self) -> CloudEvent:
        """The command as the event its effects are caused by: their ids derive from it, their time is its time."""
        return CloudEvent(
            specversion="1.0",
            id=self.command_id,
            source=COMMANDS_SOURCE,
            type=self.event_type,
            time=utcnow(),
            subject=self.class_id,
            datacontenttype=JSON_CONTENT_TYPE,
            correlationid=current_correlation_id.get(),
            data=self.model_dump(mode="json"),
        )


class ScoreSubmitted(Command):
    """A party's scores of a learner (or, 党校's, of the class as a whole)."""

    event_type = "dangxiao.evaluation.internal.score_submitted"
    kind = "score"

    party: Party
    scores: dict[str, Decimal]
    comment: str | None = Field(default=None)


class AssessmentEntered(Command):
    """A 结业考核 entered directly (an exam-only class, or one without a scheme)."""

    event_type = "dangxiao.evaluation.internal.assessment_entered"
    kind = "assessment"

    passed: bool | None
    score: Decimal | None
    comment: str | None
