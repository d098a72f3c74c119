"""Wiring of the certificates service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.certificates.api import router
from services.certificates.handlers import handlers
from services.certificates.settings import Settings
from shared.events.contracts.certificates import CERTIFICATES_TOPIC
from shared.events.contracts.evaluation import EVALUATION_TOPIC
from shared.events.contracts.hours import HOURS_TOPIC
from shared.events.contracts.register import CLASSES_TOPIC, ENROLLMENTS_TOPIC, PERSONS_TOPIC
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        title="dangxiao certificates",
        description=(
            "Training certificates (结业证书): issued when a learner completes a class, revoked when the facts "
            f"change; publishes them on `{CERTIFICATES_TOPIC}`. Anyone can verify a certificate number."
        ),
        settings=settings or Settings(),
        migrations_dir=Path(__file__).parent / "migrations",
        produces=produced_by(CERTIFICATES_TOPIC),
        consumes={
            CLASSES_TOPIC: "Classes: what their certificates say, and what completing them takes.",
            PERSONS_TOPIC: "Persons: the name a certificate carries.",
            ENROLLMENTS_TOPIC: "Enrollments: only an approved learner is enrolled.",
            HOURS_TOPIC: "学时 credited to and reversed from a class.",
            EVALUATION_TOPIC: "Final assessments (结业考核); the latest one stands.",
        },
        handlers=handlers,
        routers=[router],
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
