"""Wiring of the evaluation service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.evaluation.api import routers
from services.evaluation.handlers import handlers
from services.evaluation.settings import Settings
from shared.events.contracts.evaluation import EVALUATION_TOPIC
from shared.events.contracts.register import (
    CLASSES_TOPIC,
    COURSES_TOPIC,
    ENROLLMENTS_TOPIC,
    SESSIONS_TOPIC,
    TEACHERS_TOPIC,
)
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        title="dangxiao evaluation",
        description=(
            "Questionnaires (needs surveys 需求调研, learners' evaluation of teaching 学员评教) and the multi-party "
            f"final assessment (结业考核); publishes results and survey participation on `{EVALUATION_TOPIC}`."
        ),
        settings=settings or Settings(),
        migrations_dir=Path(__file__).parent / "migrations",
        keeps_first_hand="questionnaires, answers, evaluation schemes, scores and 结业考核 results",
        produces=produced_by(EVALUATION_TOPIC),
        consumes={
            CLASSES_TOPIC: "projects classes: their group and year, and who manages them",
            SESSIONS_TOPIC: "projects sessions: who teaches them, and their course",
            ENROLLMENTS_TOPIC: "projects enrollments: who may be assessed and answer a class's forms; applies what "
            "waited for them",
            TEACHERS_TOPIC: "projects teachers: their names in reports",
            COURSES_TOPIC: "projects courses: their titles in reports",
        },
        handlers=handlers,
        routers=routers,
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
