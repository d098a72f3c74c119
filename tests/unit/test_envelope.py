"""The CloudEvents Kafka binding: both modes parse to the same event; anything else is a contract violation."""

from __future__ import annotations

import json

import pytest

from shared.events.contracts.attendance import ATTENDANCE_TOPIC, AttendanceRecorded
from shared.events.envelope import ContractViolation, parse_data, parse_event, parse_kafka_record
from tests.support import binary_record, event_of, structured_record


def attendance(**data: object) -> dict[str, object]:
    return {"person_id": "20260001", "session_id": "s-1", **data}


def test_structured_and_binary_mode_give_the_same_event_and_digest() -> None:
    event = event_of(attendance(minutes=90), event_type=AttendanceRecorded.event_type, subject="20260001")
    structured = structured_record(event, ATTENDANCE_TOPIC)
    binary = binary_record(event, ATTENDANCE_TOPIC)

    from_structured = parse_kafka_record(structured.value, structured.headers)
    from_binary = parse_kafka_record(binary.value, binary.headers)

    assert from_structured == from_binary
    assert from_structured.digest() == from_binary.digest() == event.digest()


def test_the_digest_changes_with_the_content() -> None:
    event = event_of(attendance(minutes=90), event_type=AttendanceRecorded.event_type)
    assert event.model_copy(update={"data": attendance(minutes=91)}).digest() != event.digest()


@pytest.mark.parametrize(
    ("value", "headers", "code"),
    [
        (b"{not json", [("content-type", b"application/cloudevents+json")], "malformed-json"),
        (None, [("content-type", b"application/cloudevents+json")], "empty-record"),
        (b"[1, 2]", [], "not-a-cloudevent"),
        (b'{"hello": "world"}', [("content-type", b"text/plain")], "not-a-cloudevent"),
        (
            b'{"specversion": "0.3", "id": "1", "source": "x", "type": "t", "time": "2026-01-01T00:00:00Z"}',
            [],
            "invalid-envelope",
        ),
        (
            b'{"specversion": "1.0", "id": "1", "source": "x", "type": "t", "time": "2026-01-01T00:00:00"}',
            [],
            "invalid-envelope",
        ),
        (
            b"{}",
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"x"),
                ("ce_type", b"t"),
                ("content-type", b"application/xml"),
            ],
            "unsupported-content-type",
        ),
        (
            b"{}",
            [("ce_specversion", b"1.0"), ("ce_id", b"\xff"), ("content-type", b"application/json")],
            "malformed-header",
        ),
    ],
)
def test_records_that_are_not_cloudevents_are_contract_violations(
    value: bytes | None, headers: list[tuple[str, bytes]], code: str
) -> None:
    with pytest.raises(ContractViolation) as raised:
        parse_kafka_record(value, headers)
    assert raised.value.code == code
    assert raised.value.message


def test_an_id_too_long_to_record_is_refused_up_front() -> None:
    document = {"specversion": "1.0", "id": "x" * 256, "source": "x", "type": "t", "time": "2026-01-01T09:00:00Z"}
    with pytest.raises(ContractViolation, match="id: String should have at most 255 characters"):
        parse_kafka_record(json.dumps(document).encode(), [])


@pytest.mark.parametrize(
    ("extension", "code"),
    [("\ud800", "invalid-envelope"), ("x" * 70_000, "too-large")],
)
def test_events_that_could_not_be_stored_or_relayed_are_refused_up_front(extension: str, code: str) -> None:
    document = {"specversion": "1.0", "id": "1", "source": "x", "type": "t", "time": "2026-01-01T09:00:00Z"}
    with pytest.raises(ContractViolation) as raised:
        parse_event({**document, "comment": extension})
    assert raised.value.code == code


@pytest.mark.parametrize("time", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+08:00"])
def test_times_outside_any_calendar_the_school_keeps_are_refused(time: str) -> None:
    document = {"specversion": "1.0", "id": "1", "source": "x", "type": "t", "time": time}
    with pytest.raises(ContractViolation, match="between the years 1900 and 2999"):
        parse_event(document)


def test_a_time_without_offset_is_named_in_the_reason() -> None:
    document = {"specversion": "1.0", "id": "1", "source": "x", "type": "t", "time": "2026-01-01T09:00:00"}
    with pytest.raises(ContractViolation, match="time"):
        parse_kafka_record(json.dumps(document).encode(), [])


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"person_id": "p"}, "exactly one of session_id and activity"),
        (attendance(activity={"id": "a", "title": "t", "platform": "p"}), "exactly one of session_id and activity"),
        (attendance(minutes=1441), "minutes"),
        (attendance(hours="2.555"), "hours"),
        (attendance(hours=25), "hours"),
        (attendance(status="asleep"), "status"),
        (attendance(minute=3), "minute"),
    ],
)
def test_attendance_data_outside_the_contract_is_rejected_with_the_field_named(
    data: dict[str, object], fragment: str
) -> None:
    event = event_of(data, event_type=AttendanceRecorded.event_type)
    with pytest.raises(ContractViolation) as raised:
        parse_data(event, AttendanceRecorded)
    assert raised.value.code == "invalid-data"
    assert fragment in raised.value.message


def test_the_channel_defaults_by_what_was_attended() -> None:
    on_site = AttendanceRecorded.model_validate(attendance())
    online = AttendanceRecorded.model_validate(
        {"person_id": "p", "activity": {"id": "a", "title": "党史学习", "platform": "干部在线学习"}}
    )
    assert (on_site.effective_channel, online.effective_channel) == ("offline", "online")
