"""What a dead-lettered record carries: itself unchanged, and why, where from, when."""

from __future__ import annotations

from typing import Any

from shared.broker import dead_letter_sender
from shared.consumer import InboundRecord


class CapturingBroker:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, value: bytes, topic: str, *, key: bytes | None, headers: dict[str, str]) -> None:
        self.published.append({"value": value, "topic": topic, "key": key, "headers": headers})


async def test_a_dead_letter_keeps_the_record_and_names_the_reason_even_with_odd_headers() -> None:
    broker = CapturingBroker()
    send = dead_letter_sender(broker, "hours")  # type: ignore[arg-type]
    record = InboundRecord(
        topic="dangxiao.attendance.v1",
        partition=2,
        offset=41,
        key=b"20260001",
        value=b"{not json",
        headers=[("trace", None), ("binary", b"\xff\xfe"), ("content-type", b"application/cloudevents+json")],  # type: ignore[list-item]
    )

    await send(record, "malformed-json", "the record value is not valid JSON")

    [letter] = broker.published
    assert (letter["topic"], letter["key"], letter["value"]) == (
        "dangxiao.attendance.v1.dlq",
        b"20260001",
        b"{not json",
    )
    headers = letter["headers"]
    assert headers["dlq-reason"] == "malformed-json"
    assert headers["dlq-message"] == "the record value is not valid JSON"
    assert (headers["dlq-service"], headers["dlq-original-partition"], headers["dlq-original-offset"]) == (
        "hours",
        "2",
        "41",
    )
    assert headers["trace"] == "" and headers["content-type"] == "application/cloudevents+json"
    assert headers["dlq-failed-at"]
