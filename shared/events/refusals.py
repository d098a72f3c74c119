"""One vocabulary of refusals for every door an event comes in by.

The Kafka door puts the code in the dead-letter record's ``dlq-reason`` header; the HTTP door (and the xAPI door)
name it in each event's outcome as ``reason``; a problem document of the HTTP API carries it as ``code``.
docs/events.md lists each with an example, and a test keeps that list and this one the same.
"""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """Why an event changed nothing."""

    EMPTY_RECORD = "empty-record"  # a Kafka record without a value
    MALFORMED_JSON = "malformed-json"  # not JSON, or not UTF-8 text
    MALFORMED_HEADER = "malformed-header"  # a Kafka header that is not UTF-8 text
    NOT_A_CLOUDEVENT = "not-a-cloudevent"  # neither a structured nor a binary-mode CloudEvent
    UNSUPPORTED_CONTENT_TYPE = "unsupported-content-type"  # binary-mode data that is not JSON
    INVALID_ENVELOPE = "invalid-envelope"  # CloudEvents attributes missing or malformed
    TOO_LARGE = "too-large"  # over 64 KiB
    UNKNOWN_EVENT_TYPE = "unknown-event-type"  # a type the contract does not know (on the attendance topic)
    INVALID_DATA = "invalid-data"  # data that breaks its type's schema
    CONFLICTING_DUPLICATE = "conflicting-duplicate"  # a known (source, id) with other content
    SOURCE_NOT_ALLOWED = "source-not-allowed"  # a sender speaking for a source its token does not name
    PROCESSING_FAILED = "processing-failed"  # still failing after the bounded attempts
