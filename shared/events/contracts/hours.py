"""dangxiao.hours.v1: what the 学时 (training hour) ledger posts."""

from __future__ import annotations

from shared.events.contracts.common import EventReference, Hours, Identifier
from shared.events.envelope import EventData

HOURS_TOPIC = "dangxiao.hours.v1"


class HoursCredited(EventData):
    """A credit entry was posted to a person's 学时 ledger."""

    event_type = "dangxiao.hours.credited.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    entry_id: Identifier
    person_id: Identifier
    year: int
    hours: Hours
    class_id: Identifier | None = None
    session_id: Identifier | None = None
    activity_id: Identifier | None = None
    rule: str
    reason: str
    attendance: EventReference

    def identity(self) -> str:
        return self.entry_id


class HoursReversed(EventData):
    """An earlier credit was taken back by a reversing entry (hours are never edited in place).

    A correction is a reversal followed by a new credit; ``replaced_by_entry_id`` names that credit, so a
    consumer can judge the person's hours once both have arrived rather than in between.
    """

    event_type = "dangxiao.hours.reversed.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    entry_id: Identifier
    reverses_entry_id: Identifier
    replaced_by_entry_id: Identifier | None = None
    person_id: Identifier
    year: int
    hours: Hours
    class_id: Identifier | None = None
    session_id: Identifier | None = None
    activity_id: Identifier | None = None
    reason: str

    def identity(self) -> str:
        return self.entry_id


HOURS_EVENTS = (HoursCredited, HoursReversed)
