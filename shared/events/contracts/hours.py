"""dangxiao.hours.v1: what the 学时 (training hour) ledger posts."""

from __future__ import annotations

from pydantic import Field

from shared.events.contracts.common import Code, Day, EventReference, Hours, Identifier
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
    platform: str | None = Field(
        default=None, min_length=1, max_length=100, description="the outside platform of the activity, if any"
    )
    rule: str
    reason: str
    attendance: EventReference
    channel: Code | None = Field(default=None, description="offline (concentrated, 集中) or online (网络)")
    category: Code | None = Field(default=None, description="the training category of the class, if any")
    trained_on: Day | None = Field(default=None, description="the day of the training, in Beijing time")

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
    channel: Code | None = Field(default=None, description="as the credit it takes back")
    category: Code | None = Field(default=None, description="as the credit it takes back")
    trained_on: Day | None = Field(default=None, description="as the credit it takes back")

    def identity(self) -> str:
        return self.entry_id


class SessionAttendanceChanged(EventData):
    """A learner's attendance at one session as the ledger now judges it: the status of the attendance that
    stands (``none`` once every report of it was voided) and the 学时 it holds. ``revision`` grows with each
    change for this learner and session."""

    event_type = "dangxiao.hours.session_attendance_changed.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    person_id: Identifier
    session_id: Identifier
    class_id: Identifier
    status: Code = Field(description="present, late, left_early, absent, excused, or none")
    minutes: int | None = Field(default=None, ge=0, le=1440)
    hours: Hours
    revision: int = Field(ge=1)

    def identity(self) -> str:
        return f"{self.person_id}/{self.session_id}#{self.revision}"


class RequirementStandingChanged(EventData):
    """How a person stands against a 学时 requirement, announced when that changes: met, fallen behind while
    still possible to meet, out of reach, or no longer met (a reversal took them below it)."""

    event_type = "dangxiao.hours.requirement_standing_changed.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    person_id: Identifier
    requirement: str = Field(min_length=1, max_length=100, description="the rule and its version")
    title: str = Field(min_length=1, max_length=200, description="e.g. 党员每年集中学习培训不少于32学时")
    source: str = Field(min_length=1, max_length=300, description="the regulation it comes from")
    window_start: Day
    window_end: Day = Field(description="the last day of the window")
    required_hours: Hours
    credited_hours: Hours
    standing: Code = Field(description="met, on_track, behind, out_of_reach or no_longer_met")
    met_on: Day | None = None
    as_of: Day

    def identity(self) -> str:
        return f"{self.person_id}/{self.requirement}/{self.window_start}/{self.standing}/{self.as_of}"


HOURS_EVENTS = (HoursCredited, HoursReversed, SessionAttendanceChanged, RequirementStandingChanged)
