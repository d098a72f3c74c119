"""Wiring of the evaluation service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.evaluation.api import router
from services.evaluation.handlers import handlers
from services.evaluation.settings import Settings
from shared.events.contracts.evaluation import EVALUATION_TOPIC
from shared.events.contracts.register import CLASSES_TOPIC, ENROLLMENTS_TOPIC
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        title="dangxiao evaluation",
        description=f"Final assessments (结业考核) of learners in classes; publishes them on `{EVALUATION_TOPIC}`.",
        settings=settings or Settings(),
        migrations_dir=Path(__file__).parent / "migrations",
        produces=produced_by(EVALUATION_TOPIC),
        consumes={
            CLASSES_TOPIC: "Classes: which exist, and who manages them.",
            ENROLLMENTS_TOPIC: "Enrollments: who may be assessed in which class.",
        },
        handlers=handlers,
        routers=[router],
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
