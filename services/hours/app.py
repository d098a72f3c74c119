"""Wiring of the hours service (学时 ledger)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.hours.api import router
from services.hours.configuration import rules_of
from services.hours.handlers import handlers_for
from services.hours.settings import Settings
from shared.events.contracts import contracts_on
from shared.events.contracts.attendance import ATTENDANCE_TOPIC
from shared.events.contracts.hours import HOURS_TOPIC
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
    # The attendance topic's name is configurable; its contracts are those of the default name.
    attendance_topic = settings.attendance_topic
    return ServiceDefinition(
        title="dangxiao hours",
        description=(
            f"The 学时 (training hour) ledger: credits attendance from `{attendance_topic}` (also received over "
            f"HTTP, xAPI, a class manager's marks and self check-in, which forward it there) by versioned rules, "
            f"judges the persons' 学时 requirements, and publishes credits, reversals, session attendance and "
            f"requirement standings on `{HOURS_TOPIC}`."
        ),
        settings=settings,
        migrations_dir=Path(__file__).parent / "migrations",
        produces={
            **produced_by(HOURS_TOPIC),
            attendance_topic: tuple(contracts_on(ATTENDANCE_TOPIC).values()),
        },
        consumes={
            ORGANISATIONS_TOPIC: "projects the units and Party organisations (names for compliance by unit and branch)",
            PERSONS_TOPIC: "projects the persons whose ledgers it keeps (status and positions, for requirements)",
            CLASSES_TOPIC: "projects the classes sessions belong to (category, crediting rule, managers)",
            SESSIONS_TOPIC: "projects the sessions attendance is for (学时, length, teaching mode)",
            ENROLLMENTS_TOPIC: "projects enrollments (whose learners a class manager sees, marks and lets check in)",
            attendance_topic: "credits 学时 for attendance and takes back what voided attendance credited",
        },
        handlers=handlers_for(rules_of(settings)),
        routers=[router],
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
