"""Versioned event contracts: one module per topic, one pydantic model per event type.

The JSON Schemas in ``docs/events/`` are exported from these models (``python -m shared.events.export``); they
are a public contract, and ``python -m shared.events.compatibility`` refuses a breaking change to a published type.
A breaking change is a new type (``….v2``), never an edit of a ``v1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.contracts.attendance import ATTENDANCE_EVENTS, ATTENDANCE_TOPIC
from shared.events.contracts.certificates import CERTIFICATE_EVENTS, CERTIFICATES_TOPIC
from shared.events.contracts.common import dead_letter_topic
from shared.events.contracts.evaluation import EVALUATION_EVENTS, EVALUATION_TOPIC
from shared.events.contracts.hours import HOURS_EVENTS, HOURS_TOPIC
from shared.events.contracts.planning import OFFICE_EVENTS, PLANNING_EVENTS, PLANNING_OFFICE_TOPIC, PLANNING_TOPIC
from shared.events.contracts.register import REGISTER_EVENTS
from shared.events.envelope import EventData


@dataclass(frozen=True)
class TopicSpec:
    name: str
    # Log-compacted: the topic keeps the newest record per key (state-carrying events of the register).
    compacted: bool


ALL_EVENTS: tuple[type[EventData], ...] = (
    *REGISTER_EVENTS,
    *ATTENDANCE_EVENTS,
    *HOURS_EVENTS,
    *EVALUATION_EVENTS,
    *CERTIFICATE_EVENTS,
    *PLANNING_EVENTS,
    *OFFICE_EVENTS,
)
CONTRACTS: dict[str, type[EventData]] = {model.event_type: model for model in ALL_EVENTS}

# Every topic of the catalogue, in the order the services depend on them; each has a dead-letter twin.
TOPICS: tuple[TopicSpec, ...] = (
    *(TopicSpec(model.topic, compacted=True) for model in REGISTER_EVENTS),
    TopicSpec(ATTENDANCE_TOPIC, compacted=False),
    TopicSpec(HOURS_TOPIC, compacted=False),
    TopicSpec(EVALUATION_TOPIC, compacted=False),
    TopicSpec(CERTIFICATES_TOPIC, compacted=False),
    TopicSpec(PLANNING_TOPIC, compacted=False),
    # The office's records: the newest state of each is all a rebuild needs.
    TopicSpec(PLANNING_OFFICE_TOPIC, compacted=True),
)


def contracts_on(topic: str) -> dict[str, type[EventData]]:
    return {event_type: model for event_type, model in CONTRACTS.items() if model.topic == topic}


def topic_spec(name: str) -> TopicSpec:
    """The spec of a catalogue topic; a topic renamed by configuration (the attendance topic) is not compacted."""
    return next((spec for spec in TOPICS if spec.name == name), TopicSpec(name, compacted=False))


__all__ = ["ALL_EVENTS", "CONTRACTS", "TOPICS", "TopicSpec", "contracts_on", "dead_letter_topic", "topic_spec"]
