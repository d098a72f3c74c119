"""The annual plan (年度培训计划): written by the office, its execution at a glance, the needs surveys that fed it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import views
from services.planning.api.access import AsOf, Office, RecordId, SchoolReader, as_of_or_today
from services.planning.handlers.plans import add_survey, put_plan
from services.planning.models import OfficePlan
from services.planning.schemas import PlanExecutionPublic, PlanPublic, PlanPut
from shared.errors import NotFound
from shared.events.contracts.planning import SurveyLink
from shared.service import Runtime, execute

router = APIRouter(tags=["annual plan"])


@router.put("/plans/{plan_id}", response_model=PlanPublic)
async def write_plan(plan_id: RecordId, body: PlanPut, runtime: Runtime, _: Office) -> PlanPublic:
    """Create the year's plan or replace what it says: planned classes per training group with their targets,
    dates and budgets, a planned class linked to the register's class once opened, and the surveys that fed it."""
    await execute(runtime, put_plan, runtime.source, plan_id, body)
    return await _plan(runtime, plan_id)


@router.post("/plans/{plan_id}/surveys", status_code=status.HTTP_201_CREATED, response_model=PlanPublic)
async def attach_survey(plan_id: RecordId, link: SurveyLink, runtime: Runtime, _: Office) -> PlanPublic:
    """Attach a needs survey (需求调研, an evaluation form) whose results fed the plan."""
    await execute(runtime, add_survey, runtime.source, plan_id, link)
    return await _plan(runtime, plan_id)


@router.get("/plans", response_model=list[PlanPublic])
async def list_plans(
    runtime: Runtime, _: SchoolReader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[PlanPublic]:
    async with runtime.database.sessions() as session:
        query = select(OfficePlan).order_by(col(OfficePlan.year).desc(), col(OfficePlan.plan_id))
        if year is not None:
            query = query.where(OfficePlan.year == year)
        return [await views.plan_view(session, row) for row in (await session.exec(query)).all()]


@router.get("/plans/{plan_id}", response_model=PlanPublic)
async def get_plan(plan_id: str, runtime: Runtime, _: SchoolReader) -> PlanPublic:
    return await _plan(runtime, plan_id)


@router.get("/plans/{plan_id}/execution", response_model=PlanExecutionPublic)
async def plan_execution(plan_id: str, runtime: Runtime, _: SchoolReader, as_of: AsOf = None) -> PlanExecutionPublic:
    """The plan carried out, per training group and overall: classes opened, held and cancelled, classes held
    without a plan, learners enrolled against the target, passed (结业考核) and completed (a valid 结业证书)."""
    async with runtime.database.sessions() as session:
        return await views.execution_view(session, await _kept(session, plan_id), as_of_or_today(as_of))


async def _plan(runtime: Runtime, plan_id: str) -> PlanPublic:
    async with runtime.database.sessions() as session:
        return await views.plan_view(session, await _kept(session, plan_id))


async def _kept(session: AsyncSession, plan_id: str) -> OfficePlan:
    row = await session.get(OfficePlan, plan_id)
    if row is None:
        raise NotFound(f"no plan {plan_id}")
    return row
