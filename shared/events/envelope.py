"""The CloudEvents 1.0 envelope and its Kafka protocol binding (structured and binary mode).

Every event on every dangxiao topic is a CloudEvent. Inbound records may come in either mode (outside
systems choose); dangxiao itself always publishes structured mode.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticSerializationError

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
# Well under Kafka's default record limit (1 MiB): an attendance is a few hundred bytes.
MAX_EVENT_BYTES = 64 * 1024
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
JSON_CONTENT_TYPE = "application/json"

# The event being handled right now; events it causes inherit its correlation id.
current_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
current_causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def _within_the_calendar_we_keep(moment: datetime) -> datetime:
    # Far-off years overflow when converted to UTC or Beijing time; nothing the school records is near them.
    if not 1900 <= moment.year <= 2999:
        raise ValueError("must be between the years 1900 and 2999")
    return moment


# A point in time as events carry it: RFC 3339 with an offset, within the years anything could happen.
Moment = Annotated[AwareDatetime, AfterValidator(_within_the_calendar_we_keep)]


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
        """What "the same content" means for a repeated (source, id): every attribute, normalised."""
        canonical = json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class EventData(BaseModel):
    """Base of every event's ``data``: the type it travels as, its topic and which field is its key."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]
    key_field: ClassVar[str]

    def key(self) -> str:
        return str(getattr(self, self.key_field))


def new_event(data: EventData, *, source: str, subject: str | None = None) -> CloudEvent:
    """A fresh event carrying ``data``; it continues the correlation of the event being handled, if any."""
    event_id = str(uuid.uuid4())
    return CloudEvent(
        specversion="1.0",
        id=event_id,
        source=source,
        type=data.event_type,
        time=datetime.now(UTC),
        subject=subject if subject is not None else data.key(),
        datacontenttype=JSON_CONTENT_TYPE,
        correlationid=current_correlation_id.get() or event_id,
        causationid=current_causation_id.get(),
        data=data.model_dump(mode="json"),
    )


def _validation_message(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(event)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_event(document: Any) -> CloudEvent:
    """Validate a structured-mode event (already decoded JSON)."""
    if not isinstance(document, dict):
        raise ContractViolation("not-a-cloudevent", "a structured CloudEvent must be a JSON object")
    try:
        event = CloudEvent.model_validate(document)
    except ValidationError as error:
        raise ContractViolation("invalid-envelope", _validation_message(error)) from error
    try:
        size = len(event.to_json())
    except (UnicodeEncodeError, PydanticSerializationError) as error:
        # JSON allows lone surrogates ("\ud800"); UTF-8, the inbox and Kafka do not.
        raise ContractViolation("invalid-envelope", "the event holds text that is not valid Unicode") from error
    if size > MAX_EVENT_BYTES:
        raise ContractViolation("too-large", f"the event has {size} bytes; at most {MAX_EVENT_BYTES} are accepted")
    return event


def _decode_json(raw: bytes | None, what: str) -> Any:
    if raw is None:
        raise ContractViolation("empty-record", f"{what} is empty")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ContractViolation("malformed-json", f"{what} is not valid JSON: {error}") from error


def parse_kafka_record(value: bytes | None, headers: Sequence[tuple[str, bytes]]) -> CloudEvent:
    """Read a CloudEvent from a Kafka record in structured or binary mode (CloudEvents Kafka binding)."""
    header_map: dict[str, str] = {}
    for name, raw in headers:
        try:
            header_map[name.lower()] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as error:
            raise ContractViolation("malformed-header", f"header {name!r} is not UTF-8") from error
    content_type = header_map.get("content-type", "").split(";")[0].strip().lower()

    if "ce_specversion" in header_map:
        attributes: dict[str, Any] = {
            name.removeprefix("ce_"): text for name, text in header_map.items() if name.startswith("ce_")
        }
        if content_type and content_type != JSON_CONTENT_TYPE and not content_type.endswith("+json"):
            raise ContractViolation("unsupported-content-type", f"binary-mode data must be JSON, not {content_type}")
        attributes["datacontenttype"] = content_type or JSON_CONTENT_TYPE
        attributes["data"] = _decode_json(value, "the record value (binary-mode data)")
        return parse_event(attributes)

    if content_type in ("", STRUCTURED_CONTENT_TYPE):
        return parse_event(_decode_json(value, "the record value"))
    raise ContractViolation(
        "not-a-cloudevent",
        f"content-type {content_type!r} without ce_ headers: neither structured nor binary CloudEvent",
    )


def parse_data(event: CloudEvent, model: type[EventData]) -> EventData:
    try:
        return model.model_validate(event.data)
    except ValidationError as error:
        raise ContractViolation("invalid-data", f"{event.type}: {_validation_message(error)}") from error


def kafka_headers() -> Mapping[str, str]:
    """Headers dangxiao sets on the structured events it publishes."""
    return {"content-type": STRUCTURED_CONTENT_TYPE}
