"""Types every contract shares: identifiers, 学时, vocabulary codes, effective-dated periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.envelope import EventData, Moment

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
# A code of a vocabulary that grows (categories, teaching modes, positions…). Contracts carry the code only: the
# service that owns the vocabulary validates it and knows its label; a consumer meeting a code it does not know
# keeps it (and treats it by its own rules) instead of refusing the event.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
# A 学时 (training hour) is one class period (课时) of 45 minutes.
MINUTES_PER_TRAINING_HOUR = 45
# 学时 (training hours): non-negative, at most two decimals.
Hours = Annotated[Decimal, Field(ge=0, le=1000, max_digits=6, decimal_places=2)]


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class EventReference(BaseModel):
    """Another event, by its CloudEvents identity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1, max_length=255)
    id: str = Field(min_length=1, max_length=255)


class Period(BaseModel):
    """Something held from ``since`` until (not including) ``until``; open-ended while ``until`` is null."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    since: date
    until: date | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Period:
        if self.until is not None and self.until <= self.since:
            raise ValueError("until must be after since")
        return self

    def holds_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


class StateEvent(EventData):
    """The whole current state of one entity, with a version that only grows.

    Published on a log-compacted topic keyed by the entity id: the newest version is all a consumer needs, and a
    new consumer rebuilds its view by reading the topic from the start. Deleting, cancelling or withdrawing is a
    state (a status field), never a missing event.
    """

    entity: ClassVar[str]

    version: int = Field(ge=1, description="grows by one with every change of the entity")
    changed_at: Moment

    def identity(self) -> str:
        return f"{self.key()}@{self.version}"
