"""Types every contract shares: identifiers, 学时, vocabulary codes, effective-dated periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from shared.events.envelope import EventData, Moment, as_text

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
# A code of a vocabulary that grows (categories, teaching modes, positions…). Contracts carry the code only: the
# service that owns the vocabulary validates it and knows its label; a consumer meeting a code it does not know
# keeps it (and treats it by its own rules) instead of refusing the event.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
# A 学时 (training hour) is one class period (课时) of 45 minutes.
MINUTES_PER_TRAINING_HOUR = 45


def decimal_text(pattern: str, *, ge: int, le: int, places: int, examples: list[str]) -> Any:
    """A decimal written as a string ("24", "4.5") in every document and event, so that no float ever rounds it;
    documented as the string pattern it must match, and refused as a JSON number."""
    return Annotated[
        Decimal,
        BeforeValidator(as_text(f"a decimal number such as {examples[0]!r}")),
        Field(ge=ge, le=le, decimal_places=places),
        WithJsonSchema({"type": "string", "pattern": pattern, "examples": examples}),
    ]


# 学时 (training hours): 0 to 1000, at most two decimals.
HOURS_PATTERN = r"^(1000(\.0{1,2})?|\d{1,3}(\.\d{1,2})?)$"
Hours = decimal_text(HOURS_PATTERN, ge=0, le=1000, places=2, examples=["24", "4.5"])
# A day of the calendar, written YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(as_text("a date (YYYY-MM-DD)"))]


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
    since: Day
    until: Day | None = None

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
