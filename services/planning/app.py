"""Wiring of the planning service (the school office's year's work)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.planning.api import ROUTERS
from services.planning.handlers import handlers
from services.planning.settings import Settings
from shared.events.contracts.certificates import CERTIFICATES_TOPIC
from shared.events.contracts.evaluation import EVALUATION_TOPIC
from shared.events.contracts.hours import HOURS_TOPIC
from shared.events.contracts.planning import PLANNING_OFFICE_TOPIC, PLANNING_TOPIC
from shared.events.contracts.register import (
    CLASSES_TOPIC,
    ENROLLMENTS_TOPIC,
    ORGANISATIONS_TOPIC,
    PERSONS_TOPIC,
    SESSIONS_TOPIC,
)
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    settings = settings or Settings()
    return ServiceDefinition(
        title="dangxiao planning",
        description=(
            "The Party school office's year's work (年度工作): the annual plan and its execution, the five-year "
            "rotation of every member (党员集中轮训), training tasks from above and their fulfilment, new officers "
            "into Party-affairs classes, cultivation records (培养考察), class budgets against spending standards, "
            "and the training record for the organisation department. Announces on "
            f"`{PLANNING_TOPIC}`; keeps the office's own records on `{PLANNING_OFFICE_TOPIC}`."
        ),
        settings=settings,
        migrations_dir=Path(__file__).parent / "migrations",
        produces=produced_by(PLANNING_TOPIC, PLANNING_OFFICE_TOPIC),
        consumes={
            ORGANISATIONS_TOPIC: "Units and Party organisations: coverage up the Party tree, each branch's 党总支.",
            PERSONS_TOPIC: "Persons: statuses and positions as of a day; a new officer position is a new term.",
            CLASSES_TOPIC: "Classes: the plan's execution, rotation classes, Party-affairs classes by level.",
            SESSIONS_TOPIC: "Sessions: the days a class's budget counts person-days by.",
            ENROLLMENTS_TOPIC: "Enrollments: learners enrolled, places taken in Party-affairs classes.",
            HOURS_TOPIC: "学时 credited and reversed (tasks, branch study, records) and requirement standings.",
            EVALUATION_TOPIC: "Final assessments (结业考核) and who answered the needs surveys.",
            CERTIFICATES_TOPIC: "Certificates issued, revoked and reinstated: completions and rotations.",
            PLANNING_OFFICE_TOPIC: "The office's own records, read back so that a rebuild restores them.",
        },
        handlers=handlers,
        routers=ROUTERS,
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
