"""Reports across people: compliance by unit and branch (and its Excel export), attendance still waiting for a
person or session; and reviewing the requirements as of a day that has ended."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.hours import views
from services.hours.access import READS_ALL, Visibility
from services.hours.api.common import AsOf, rules, today
from services.hours.exports import compliance_workbook
from services.hours.handlers.reviews import publish, review
from services.hours.models import CompliancePublic, PendingPublic, ReviewRequest, ReviewRequested
from shared.api import XLSX, XLSX_ANSWER, file_response
from shared.auth import Principal, Role, require
from shared.db import utcnow
from shared.service import Runtime

router = APIRouter(tags=["reports"])
Reader = Annotated[Principal, Depends(require(*READS_ALL, Role.CLASS_MANAGER))]
Office = Annotated[Principal, Depends(require(*READS_ALL))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
UnitId = Annotated[str | None, Query(description="one unit (单位) only")]
BranchId = Annotated[str | None, Query(description="one Party branch (党支部) only")]


@router.get("/compliance", response_model=CompliancePublic)
async def compliance(
    runtime: Runtime, viewer: Reader, as_of: AsOf = None, unit: UnitId = None, branch: BranchId = None
) -> CompliancePublic:
    """Who is behind which requirement and by how much, by unit and branch, with tallies (five-year windows for
    cadres). A class manager sees the learners of their classes."""
    async with runtime.database.sessions() as session:
        scope = await Visibility.of(session, viewer)
        return await views.compliance_view(
            session, as_of or today(), rules(runtime).requirements, scope, unit_id=unit, branch_id=branch
        )


@router.get("/compliance.xlsx", response_class=Response, responses=XLSX_ANSWER)
async def compliance_export(
    runtime: Runtime, viewer: Reader, as_of: AsOf = None, unit: UnitId = None, branch: BranchId = None
) -> Response:
    report = await compliance(runtime, viewer, as_of, unit, branch)
    return file_response(compliance_workbook(report), XLSX, f"compliance-{report.as_of.isoformat()}.xlsx")


@router.get("/pending", response_model=PendingPublic)
async def pending(runtime: Runtime, _: Office) -> PendingPublic:
    """Attendance waiting for the person or session it names to become known, oldest first (also a metric:
    dangxiao_parked_events, dangxiao_parked_oldest_age_seconds)."""
    async with runtime.database.sessions() as session:
        return await views.pending_view(session, utcnow())


@router.post("/requirements/reviews", response_model=ReviewRequested)
async def review_requirements(body: ReviewRequest, runtime: Runtime, _: Admin) -> ReviewRequested:
    """Review the requirements as of the end of a day that has ended: what time changed is announced (the service
    reviews each day itself once it ends; this is for a day it missed). Reviewing a day again announces the same
    events again, which consumers recognise as repeats."""
    async with runtime.unit_of_work() as uow:
        records = await review(uow, rules(runtime).requirements, body.day, source=runtime.source, now=utcnow())
    await publish(runtime.publishers.send, records)
    return ReviewRequested(day=body.day, announced=len(records))
