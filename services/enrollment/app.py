"""Wiring of the enrollment service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.enrollment.api import router
from services.enrollment.settings import Settings
from shared.events.contracts import ENROLLMENT_TOPIC
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        title="dangxiao enrollment",
        description=f"Classes (培训班), sessions, persons and enrollments; publishes them on `{ENROLLMENT_TOPIC}`.",
        settings=settings or Settings(),
        migrations_dir=Path(__file__).parent / "migrations",
        produces=produced_by(ENROLLMENT_TOPIC),
        routers=[router],
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
