"""dangxiao.hours.v1: what the 学时 (training hour) ledger posts; dangxiao.hours.reviews.v1: the days whose end the
ledger reviews requirements on (pace and reach change with time alone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from shared.events.contracts.common import Code, Day, EventReference, Hours, Identifier
from shared.events.envelope import EventData

HOURS_TOPIC = "dangxiao.hours.v1"
# 学时 owed or credited in a requirement's window: five years of a cadre's training run past what one line holds.
WindowHours = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=8, decimal_places=2)]


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
    still possible to meet, out of reach (too few days left, or the window closed short), or no longer met (a
    reversal took them below it). A change the ledger or a change of status caused takes the time of its cause; one
    time alone caused (the review of a day) the end of that day in Beijing."""

    event_type = "dangxiao.hours.requirement_standing_changed.v1"
    topic = HOURS_TOPIC
    key_field = "person_id"

    person_id: Identifier
    requirement: str = Field(min_length=1, max_length=100, description="the rule and its version")
    title: str = Field(min_length=1, max_length=200, description="e.g. 党员每年集中学习培训不少于32学时")
    source: str = Field(min_length=1, max_length=300, description="the regulation it comes from")
    window_start: Day
    window_end: Day | None = Field(
        description="the last day of the window; null while it has no end yet (a development target not yet admitted)"
    )
    required_hours: WindowHours
    credited_hours: WindowHours
    standing: Code = Field(description="met, behind, out_of_reach or no_longer_met")
    met_on: Day | None = None
    as_of: Day
    reason: str | None = Field(
        default=None, max_length=500, description="the figures and the standing in words, as the school reads them"
    )
    revision: int = Field(
        default=1,
        ge=1,
        description="the count of announcements for this person, requirement and window, this one included",
    )

    def identity(self) -> str:
        return f"{self.person_id}/{self.requirement}/{self.window_start}/{self.standing}/{self.as_of}#{self.revision}"


HOURS_EVENTS = (HoursCredited, HoursReversed, SessionAttendanceChanged, RequirementStandingChanged)
