"""Each service is wired as documented: what it publishes and consumes shows in its AsyncAPI document."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from services.hours.app import define
from services.hours.settings import Settings
from shared.service import ServiceRuntime

REGISTER = {f"dangxiao.enrollment.{entity}.v1" for entity in ("organisations", "persons", "courses", "teachers")} | {
    "dangxiao.enrollment.classes.v1",
    "dangxiao.enrollment.sessions.v1",
    "dangxiao.enrollment.enrollments.v1",
}
EXPECTED = {
    "enrollment": (REGISTER, set()),
    "hours": (
        {"dangxiao.hours.v1", "dangxiao.attendance.v1"},
        {
            "dangxiao.enrollment.organisations.v1",
            "dangxiao.enrollment.persons.v1",
            "dangxiao.enrollment.classes.v1",
            "dangxiao.enrollment.sessions.v1",
            "dangxiao.enrollment.enrollments.v1",
            "dangxiao.attendance.v1",
        },
    ),
    "evaluation": (
        {"dangxiao.evaluation.v1"},
        {
            "dangxiao.enrollment.classes.v1",
            "dangxiao.enrollment.sessions.v1",
            "dangxiao.enrollment.teachers.v1",
            "dangxiao.enrollment.courses.v1",
            "dangxiao.enrollment.enrollments.v1",
        },
    ),
    "certificates": (
        {"dangxiao.certificates.v1"},
        {
            "dangxiao.certificates.v1",  # its own statements: a rebuild restores them
            "dangxiao.enrollment.sessions.v1",
            "dangxiao.enrollment.classes.v1",
            "dangxiao.enrollment.persons.v1",
            "dangxiao.enrollment.enrollments.v1",
            "dangxiao.hours.v1",
            "dangxiao.evaluation.v1",
        },
    ),
    "planning": (
        {"dangxiao.planning.v1", "dangxiao.planning.office.v1"},
        {
            "dangxiao.planning.office.v1",  # the office's own records: a rebuild restores them
            "dangxiao.enrollment.organisations.v1",
            "dangxiao.enrollment.persons.v1",
            "dangxiao.enrollment.classes.v1",
            "dangxiao.enrollment.sessions.v1",
            "dangxiao.enrollment.enrollments.v1",
            "dangxiao.hours.v1",
            "dangxiao.evaluation.v1",
            "dangxiao.certificates.v1",
        },
    ),
}


def channels(runtime: ServiceRuntime) -> tuple[set[str], set[str]]:
    """(published, consumed) topics; channels are titled ``<topic>:publish`` and ``<topic>:consume``."""
    document = runtime.asyncapi().to_specification().to_jsonable()
    published = {c["address"] for name, c in document["channels"].items() if name.lower().endswith(":publish")}
    consumed = {c["address"] for name, c in document["channels"].items() if name.lower().endswith(":consume")}
    assert published | consumed == {c["address"] for c in document["channels"].values()}
    return published, consumed


@pytest.mark.parametrize("service", EXPECTED)
def test_the_asyncapi_document_names_what_the_service_publishes_and_consumes(service: str, tmp_path: Path) -> None:
    app = importlib.import_module(f"services.{service}.app")
    settings = importlib.import_module(f"services.{service}.settings").Settings(data_dir=tmp_path)
    runtime = ServiceRuntime(app.define(settings))
    assert channels(runtime) == EXPECTED[service]


def test_the_attendance_topic_can_be_renamed(tmp_path: Path) -> None:
    runtime = ServiceRuntime(define(Settings(data_dir=tmp_path, attendance_topic="campus.attendance.v1")))
    published, consumed = channels(runtime)
    assert "campus.attendance.v1" in published and "campus.attendance.v1" in consumed
    assert "dangxiao.attendance.v1" not in published | consumed
