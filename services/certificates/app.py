"""Wiring of the certificates service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.certificates.api import router_for
from services.certificates.handlers import certificate_handlers
from services.certificates.issuing import Issuing
from services.certificates.settings import Settings
from shared.events.contracts.certificates import CERTIFICATES_TOPIC
from shared.events.contracts.evaluation import EVALUATION_TOPIC
from shared.events.contracts.hours import HOURS_TOPIC
from shared.events.contracts.register import CLASSES_TOPIC, ENROLLMENTS_TOPIC, PERSONS_TOPIC, SESSIONS_TOPIC
from shared.service import ServiceDefinition, create_app, produced_by


def define(settings: Settings | None = None) -> ServiceDefinition:
    settings = settings or Settings()
    issuing = Issuing.from_settings(settings)
    return ServiceDefinition(
        title="dangxiao certificates",
        description=(
            "Training certificates (结业证书): issued when a learner completes a class by its own criteria, revoked "
            "when the facts change and reinstated when they hold again; Open Badges 3.0 credentials anyone can "
            "verify, a Bitstring Status List, Chinese PDFs and the annual 学时 statement (年度学时证明). Publishes on "
            f"`{CERTIFICATES_TOPIC}`."
        ),
        settings=settings,
        migrations_dir=Path(__file__).parent / "migrations",
        produces=produced_by(CERTIFICATES_TOPIC),
        consumes={
            CLASSES_TOPIC: "Classes: what their certificates say, and their completion criteria (结业条件).",
            SESSIONS_TOPIC: "Sessions: the 学时 a class schedules, against which absence is measured.",
            PERSONS_TOPIC: "Persons: the name a certificate carries.",
            ENROLLMENTS_TOPIC: "Enrollments: only an approved learner is enrolled; a withdrawn one is not.",
            HOURS_TOPIC: "学时 credited and reversed, attendance at sessions, and annual requirement standings.",
            EVALUATION_TOPIC: "Final assessments (结业考核; the latest stands) and after-class surveys answered.",
            CERTIFICATES_TOPIC: "Its own annual 学时 statements, read back so that a rebuild restores them.",
        },
        handlers=certificate_handlers(issuing),
        routers=[router_for(issuing)],
        cautions=issuing.cautions,
    )


def app(settings: Settings | None = None) -> FastAPI:
    return create_app(define(settings))
