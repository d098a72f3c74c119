"""Prometheus metrics shared by every service. One registry per process, served on ``/metrics``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

EVENTS_PROCESSED = Counter(
    "dangxiao_events_processed_total",
    "Events a consumer finished with, by outcome (applied, duplicate, ignored, parked, dead_lettered).",
    ["service", "event_type", "outcome"],
    registry=REGISTRY,
)
EVENT_PROCESSING_SECONDS = Histogram(
    "dangxiao_event_processing_seconds",
    "Time from receiving an event to committing its effect.",
    ["service", "event_type"],
    registry=REGISTRY,
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_DEAD_LETTERED = Counter(
    "dangxiao_events_dead_lettered_total",
    "Events sent to a dead-letter topic, by reason code.",
    ["service", "topic", "reason"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "dangxiao_outbox_backlog",
    "Committed events not yet published.",
    ["service"],
    registry=REGISTRY,
)
OUTBOX_OLDEST_AGE_SECONDS = Gauge(
    "dangxiao_outbox_oldest_age_seconds",
    "Age of the oldest committed event not yet published.",
    ["service"],
    registry=REGISTRY,
)
OUTBOX_PUBLISHED = Counter(
    "dangxiao_outbox_published_total",
    "Events the outbox relay published.",
    ["service", "topic"],
    registry=REGISTRY,
)
OUTBOX_FAILED = Counter(
    "dangxiao_outbox_failed_total",
    "Committed events Kafka refused for good (too large, unknown topic); kept in the outbox, skipped.",
    ["service", "topic"],
    registry=REGISTRY,
)
PARKED_EVENTS = Gauge(
    "dangxiao_parked_events",
    "Events kept until what they refer to (a session, a person, a class…) becomes known, by what they wait for.",
    ["service", "waiting_for"],
    registry=REGISTRY,
)
PARKED_OLDEST_AGE_SECONDS = Gauge(
    "dangxiao_parked_oldest_age_seconds",
    "How long the longest-waiting parked event has waited.",
    ["service"],
    registry=REGISTRY,
)
PARKED_SECONDS = Histogram(
    "dangxiao_parked_seconds",
    "How long parked events waited before what they referred to arrived.",
    ["service", "event_type"],
    registry=REGISTRY,
    buckets=(0.1, 1, 10, 60, 600, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600),
)
