"""dangxiao.attendance.v1: the contract with outside systems (see docs/events.md and the attendance spec).

Card readers, e-learning platforms and class managers' tablets publish here, or post over HTTP/xAPI, whose doors
forward what they accept to this topic: one way an attendance takes effect.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.contracts.common import EventReference, Identifier
from shared.events.envelope import EventData

ATTENDANCE_TOPIC = "dangxiao.attendance.v1"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"


class Channel(StrEnum):
    OFFLINE = "offline"  # concentrated training (集中培训)
    ONLINE = "online"  # online study (网络学习)


class Activity(BaseModel):
    """Study outside a scheduled session, e.g. a course on the city's cadre e-learning site."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    platform: str = Field(min_length=1, max_length=100)


class AttendanceRecorded(EventData):
    """A person attended a session or finished a piece of study."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type = "dangxiao.attendance.recorded.v1"
    topic = ATTENDANCE_TOPIC
    key_field = "person_id"

    person_id: Identifier
    session_id: Identifier | None = None
    activity: Activity | None = None
    status: AttendanceStatus = AttendanceStatus.PRESENT
    minutes: int | None = Field(default=None, ge=0, le=1440)
    hours: Decimal | None = Field(default=None, ge=0, le=24, decimal_places=2)
    channel: Channel | None = None

    @model_validator(mode="after")
    def _session_xor_activity(self) -> AttendanceRecorded:
        if (self.session_id is None) == (self.activity is None):
            raise ValueError("exactly one of session_id and activity is required")
        return self

    @property
    def effective_channel(self) -> Channel:
        if self.channel is not None:
            return self.channel
        return Channel.OFFLINE if self.session_id is not None else Channel.ONLINE


class AttendanceVoided(EventData):
    """Takes back whatever the named attendance event credited."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type = "dangxiao.attendance.voided.v1"
    topic = ATTENDANCE_TOPIC
    key_field = "voids"

    voids: EventReference
    reason: str = Field(min_length=1, max_length=500)

    def key(self) -> str:
        return f"{self.voids.source}/{self.voids.id}"


ATTENDANCE_EVENTS = (AttendanceRecorded, AttendanceVoided)
