"""A person's 学时: the ledger of a year, the transcript (学时档案) as of a day and its Excel export, where they stand
on their requirements, and the yearly figures of a 学时证明 (annual hours certificate); and a class's learners
against its required 学时 and maximum absence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.hours import views
from services.hours.access import Visibility
from services.hours.api.common import AsOf, Viewer, rules, today
from services.hours.domain.compliance import ComplianceError
from services.hours.exports import transcript_workbook
from services.hours.models import (
    AnnualHoursPublic,
    ClassProgressPublic,
    PersonHoursPublic,
    RequirementsPublic,
    TranscriptPublic,
)
from shared.api import XLSX, XLSX_ANSWER, file_response
from shared.db import utcnow
from shared.errors import CommandRejected, Forbidden
from shared.service import Runtime

router = APIRouter(tags=["hours"])
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year in Beijing time")]


@router.get("/persons/{person_id}/hours", response_model=PersonHoursPublic)
async def person_hours(person_id: str, runtime: Runtime, viewer: Viewer, year: Year = None) -> PersonHoursPublic:
    async with runtime.database.sessions() as session:
        (await Visibility.of(session, viewer)).check_sees(person_id)
        return await views.person_hours_view(session, person_id, year or today().year)


@router.get("/persons/{person_id}/transcript", response_model=TranscriptPublic)
async def person_transcript(person_id: str, runtime: Runtime, viewer: Viewer, as_of: AsOf = None) -> TranscriptPublic:
    """Every line on the ledger at the end of ``as_of``, with its reason, rule and source; totals per year,
    channel (concentrated / online) and category."""
    async with runtime.database.sessions() as session:
        (await Visibility.of(session, viewer)).check_sees(person_id)
        return await views.transcript_view(session, person_id, as_of or today())


@router.get("/persons/{person_id}/transcript.xlsx", response_class=Response, responses=XLSX_ANSWER)
async def person_transcript_workbook(person_id: str, runtime: Runtime, viewer: Viewer, as_of: AsOf = None) -> Response:
    shown = await person_transcript(person_id, runtime, viewer, as_of)
    return file_response(transcript_workbook(shown), XLSX, f"transcript-{person_id}-{shown.as_of.isoformat()}.xlsx")


@router.get("/persons/{person_id}/requirements", response_model=RequirementsPublic)
async def person_requirements(
    person_id: str, runtime: Runtime, viewer: Viewer, as_of: AsOf = None
) -> RequirementsPublic:
    """Where the person stands on each requirement that applies to them, as of the end of ``as_of``."""
    async with runtime.database.sessions() as session:
        (await Visibility.of(session, viewer)).check_sees(person_id)
        return await views.requirements_view(session, person_id, as_of or today(), rules(runtime).requirements)


@router.get("/persons/{person_id}/annual-hours", response_model=AnnualHoursPublic)
async def person_annual_hours(person_id: str, runtime: Runtime, viewer: Viewer, year: Year = None) -> AnnualHoursPublic:
    """The figures a 学时证明 states for ``year``: totals by channel and category, and each requirement's standing
    at the year's end (as of today while it is under way)."""
    async with runtime.database.sessions() as session:
        (await Visibility.of(session, viewer)).check_sees(person_id)
        on = today()
        try:
            return await views.annual_hours_view(session, person_id, year or on.year, on, rules(runtime).requirements)
        except ComplianceError as error:  # a year not begun yet
            raise CommandRejected(str(error)) from error


@router.get("/classes/{class_id}/progress", response_model=ClassProgressPublic)
async def class_progress(class_id: str, runtime: Runtime, viewer: Viewer) -> ClassProgressPublic:
    """Each learner of the class against its required 学时 and maximum absence (excused and unexcused told
    apart), from the sessions that have ended; for its managers, the office and the organisation department."""
    async with runtime.database.sessions() as session:
        scope = await Visibility.of(session, viewer)
        if not (scope.sees_everyone or class_id in scope.managed_classes):
            raise Forbidden(f"only the managers of class {class_id}, the office and the organisation department")
        return await views.class_progress_view(session, class_id, utcnow())
