"""Wiring of the enrollment service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.enrollment.api import ROUTERS
from services.enrollment.settings import Settings
from shared.events.contracts.register import REGISTER_EVENTS
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        title="dangxiao enrollment",
        description=(
            "The school's register: persons, organisation, courses, teachers, classes (培训班), sessions and "
            "enrollments; publishes each entity's state on its own log-compacted topic."
        ),
        settings=settings or Settings(),
        migrations_dir=Path(__file__).parent / "migrations",
        produces=produced_by(*(model.topic for model in REGISTER_EVENTS)),
        routers=ROUTERS,
        keeps_first_hand="the register (people, organisation, courses, teachers, classes, sessions, enrollments)",
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
