"""The CloudEvents 1.0 envelope and its Kafka protocol binding (structured and binary mode).

Every event on every dangxiao topic is a CloudEvent. Inbound records may come in either mode (outside
systems choose); dangxiao itself always publishes structured mode.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

import orjson
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from shared.events.refusals import Refusal
from shared.ids import derived_uuid

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
# Well under Kafka's default record limit (1 MiB): an attendance is a few hundred bytes.
MAX_EVENT_BYTES = 64 * 1024
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
JSON_CONTENT_TYPE = "application/json"

# The HTTP request being served right now: events its command causes carry its id as their correlation id.
current_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
# Event ids dangxiao derives (uuid5 of this namespace and what the event announces): replaying the topics that
# caused an event derives the same id, so consumers downstream recognise it.
EVENT_ID_NAMESPACE = uuid.UUID("6f1c9d2e-4b7a-5c3e-9a10-5d8f2b7e4c61")


def _within_the_calendar_we_keep(moment: datetime) -> datetime:
    # Far-off years overflow when converted to UTC or Beijing time; nothing the school records is near them.
    if not 1900 <= moment.year <= 2999:
        raise ValueError("must be between the years 1900 and 2999")
    return moment


def as_text(what: str) -> Callable[[Any], Any]:
    """Refuses a JSON number where a documented string is due (pydantic would read 0 as 1970-01-01, say), so that
    what is accepted is what the schema says; values built in Python pass as they are."""

    def text_only(value: Any) -> Any:
        if isinstance(value, bool | int | float):
            raise ValueError(f"must be {what} written as a string")
        return value

    return text_only


# A point in time as events carry it: RFC 3339 with an offset, within the years anything could happen.
Moment = Annotated[
    AwareDatetime, BeforeValidator(as_text("an RFC 3339 date-time")), AfterValidator(_within_the_calendar_we_keep)
]


class ContractViolation(Exception):
    """An event that breaks its contract: it changes nothing and is dead-lettered with ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CloudEvent(BaseModel):
    """CloudEvents 1.0 context attributes plus ``data``; extension attributes are kept as extras."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"]
    # Bounded so that every (source, id) fits the inbox and outbox columns that record it.
    id: str = Field(min_length=1, max_length=255)
    source: str = Field(min_length=1, max_length=255)
    type: str = Field(min_length=1, max_length=200)
    time: Moment
    subject: str | None = None
    datacontenttype: str | None = JSON_CONTENT_TYPE
    dataschema: str | None = None
    # Extensions dangxiao sets on its own events (CloudEvents names: lowercase, no separators).
    correlationid: str | None = None
    causationid: str | None = None
    data: Any = None

    def digest(self) -> str:
        """What "the same content" means for a repeated (source, id): every attribute, normalised, whichever
        mode or door it came by. Raises ``ContractViolation`` for text that is not valid Unicode."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        try:
            canonical = orjson.dumps(self.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS)
        except (orjson.JSONEncodeError, UnicodeEncodeError) as error:
            # JSON allows lone surrogates ("\ud800"); UTF-8, the inbox and Kafka do not.
            raise ContractViolation(
                Refusal.INVALID_ENVELOPE, "the event holds text that is not valid Unicode"
            ) from error
        return hashlib.sha256(canonical).hexdigest()

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class EventData(BaseModel):
    """Base of every event's ``data``: the type it travels as, its topic, which field is its key, and what makes
    it the event it is (its identity, from which its id derives)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]
    key_field: ClassVar[str]

    def key(self) -> str:
        return str(getattr(self, self.key_field))

    def identity(self) -> str:
        """Names this one fact among all of its type (a ledger entry id, an entity and its version…).

        The same fact announced again has the same identity, hence the same event id; two facts never share one.
        """
        raise NotImplementedError(f"{type(self).__name__} must say what identifies it (EventData.identity)")


@dataclass(frozen=True)
class Announcement:
    """An event dangxiao emits, as the structured-mode JSON it publishes."""

    id: str
    type: str
    payload: bytes


def announce(data: EventData, *, source: str, cause: CloudEvent | None = None) -> Announcement:
    """The event announcing ``data``, its id derived from what it announces.

    An event caused by another takes its time and correlation from that cause, so replaying the causes derives
    byte-identical events; one caused by an HTTP command happens now and carries the request's correlation id.
    """
    event_id = derived_uuid(EVENT_ID_NAMESPACE, f"{source}\n{data.event_type}\n{data.identity()}")
    if cause is not None:
        time, correlation, causation = cause.time, cause.correlationid or cause.id, cause.id
    else:
        time, correlation, causation = datetime.now(UTC), current_correlation_id.get() or event_id, None
    # Written straight to JSON: every attribute is dangxiao's own, and ``data`` was validated when it was made.
    document = {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": data.event_type,
        "time": time,
        "subject": data.key(),
        "datacontenttype": JSON_CONTENT_TYPE,
        "correlationid": correlation,
        **({"causationid": causation} if causation else {}),
        "data": data.model_dump(mode="json"),
    }
    return Announcement(event_id, data.event_type, orjson.dumps(document, option=orjson.OPT_UTC_Z))


def _validation_message(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(event)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_event(document: Any) -> CloudEvent:
    """Validate a structured-mode event that is already decoded JSON (the HTTP doors, binary-mode records)."""
    if not isinstance(document, dict):
        raise ContractViolation(Refusal.NOT_A_CLOUDEVENT, "a structured CloudEvent must be a JSON object")
    try:
        event = CloudEvent.model_validate(document)
    except ValidationError as error:
        raise ContractViolation(Refusal.INVALID_ENVELOPE, _validation_message(error)) from error
    event.digest()  # refuses text that is not valid Unicode
    size = len(event.to_json())
    if size > MAX_EVENT_BYTES:
        raise ContractViolation(
            Refusal.TOO_LARGE, f"the event has {size} bytes; at most {MAX_EVENT_BYTES} are accepted"
        )
    return event


def _text(raw: bytes | None, what: str) -> str:
    if raw is None:
        raise ContractViolation(Refusal.EMPTY_RECORD, f"{what} is empty")
    if len(raw) > MAX_EVENT_BYTES:
        raise ContractViolation(
            Refusal.TOO_LARGE, f"{what} has {len(raw)} bytes; at most {MAX_EVENT_BYTES} are accepted"
        )
    try:
        return raw.decode()
    except UnicodeDecodeError as error:
        raise ContractViolation(
            Refusal.MALFORMED_JSON, f"{what} is not UTF-8 text (byte {raw[error.start]:#04x} at position {error.start})"
        ) from error


def _decode_json(raw: bytes | None, what: str) -> Any:
    try:
        return json.loads(_text(raw, what))
    except json.JSONDecodeError as error:
        raise ContractViolation(Refusal.MALFORMED_JSON, f"{what} is not valid JSON: {error}") from error


def _structured(raw: bytes | None, refusal: str) -> CloudEvent:
    """A structured-mode record value, parsed and validated in one pass; ``refusal`` is the code of an envelope
    that is JSON but not a valid CloudEvent."""
    text = _text(raw, "the record value")
    try:
        event = CloudEvent.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            raise ContractViolation(
                Refusal.MALFORMED_JSON, f"the record value is not valid JSON: {first['msg']}"
            ) from error
        if not first["loc"]:
            raise ContractViolation(
                Refusal.NOT_A_CLOUDEVENT, "a structured CloudEvent must be a JSON object"
            ) from error
        raise ContractViolation(refusal, _validation_message(error)) from error
    event.digest()  # refuses text that is not valid Unicode
    return event


def parse_kafka_record(value: bytes | None, headers: Sequence[tuple[str, bytes | None]]) -> CloudEvent:
    """Read a CloudEvent from a Kafka record in structured or binary mode (CloudEvents Kafka binding).

    A record labelled plain ``application/json`` without ``ce_`` headers is read as structured mode when its
    value is a CloudEvent: that is what the official CloudEvents SDKs produce (``to_structured``).
    """
    header_map: dict[str, str] = {}
    for name, raw in headers:
        try:
            header_map[name.lower()] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as error:
            raise ContractViolation(Refusal.MALFORMED_HEADER, f"header {name!r} is not UTF-8 text") from error
    content_type = header_map.get("content-type", "").split(";")[0].strip().lower()

    if "ce_specversion" in header_map:
        attributes: dict[str, Any] = {
            name.removeprefix("ce_"): text for name, text in header_map.items() if name.startswith("ce_")
        }
        if content_type and content_type != JSON_CONTENT_TYPE and not content_type.endswith("+json"):
            raise ContractViolation(
                Refusal.UNSUPPORTED_CONTENT_TYPE, f"binary-mode data must be JSON, not {content_type}"
            )
        attributes["datacontenttype"] = content_type or JSON_CONTENT_TYPE
        attributes["data"] = _decode_json(value, "the record value (binary-mode data)")
        return parse_event(attributes)

    if content_type in ("", STRUCTURED_CONTENT_TYPE):
        return _structured(value, Refusal.INVALID_ENVELOPE)
    if content_type == JSON_CONTENT_TYPE:
        return _structured(value, Refusal.NOT_A_CLOUDEVENT)
    raise ContractViolation(
        Refusal.NOT_A_CLOUDEVENT,
        f"content-type {content_type!r} without ce_ headers: neither structured nor binary CloudEvent",
    )


def parse_data(event: CloudEvent, model: type[EventData]) -> EventData:
    try:
        return model.model_validate(event.data)
    except ValidationError as error:
        raise ContractViolation(Refusal.INVALID_DATA, f"{event.type}: {_validation_message(error)}") from error


def kafka_headers() -> Mapping[str, str]:
    """Headers dangxiao sets on the structured events it publishes."""
    return {"content-type": STRUCTURED_CONTENT_TYPE}
