"""Training tasks from above (上级调训任务): recorded by the office, people nominated by eligibility, fulfilment as
their hours arrive from outside, and the report to send back up."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import exports, facts, views
from services.planning.api.access import AsOf, Office, RecordId, SchoolReader, as_of_or_today
from services.planning.handlers.tasks import create_task, nominate_people
from services.planning.models import OfficeTask
from services.planning.records import task_of
from services.planning.schemas import (
    FulfilmentPublic,
    Nominate,
    NominationPublic,
    NominationsPublic,
    TaskCreate,
    TaskPublic,
)
from shared.api import XLSX, XLSX_ANSWER, file_response
from shared.errors import NotFound
from shared.service import Runtime, execute

router = APIRouter(tags=["tasks from above"])


@router.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
async def record_task(body: TaskCreate, runtime: Runtime, _: Office) -> TaskPublic:
    """Record a task from 市委党校, 市教卫工作党委 or the 国家教育行政学院 online platform: what, quota, deadline,
    required 学时, which classes, categories or platform activities count, and who is eligible."""
    task_id = await execute(runtime, create_task, runtime.source, body)
    return await _task(runtime, task_id)


@router.get("/tasks", response_model=list[TaskPublic])
async def list_tasks(runtime: Runtime, _: SchoolReader) -> list[TaskPublic]:
    async with runtime.database.sessions() as session:
        rows = await session.exec(select(OfficeTask).order_by(col(OfficeTask.deadline), col(OfficeTask.task_id)))
        return [views.task_public(row) for row in rows.all()]


@router.get("/tasks/{task_id}", response_model=TaskPublic)
async def get_task(task_id: str, runtime: Runtime, _: SchoolReader) -> TaskPublic:
    return await _task(runtime, task_id)


@router.post("/tasks/{task_id}/nominations", response_model=NominationsPublic)
async def nominate(task_id: RecordId, body: Nominate, runtime: Runtime, _: Office) -> NominationsPublic:
    """Nominate people in the office's order: each judged eligible by the register's facts today, the eligible
    taking places until the quota is used; the answer gives each decision and its reason."""
    decisions = await execute(runtime, nominate_people, runtime.source, task_id, body.person_ids, facts.today())
    return NominationsPublic(
        decisions=[NominationPublic.model_validate(vars(decision)) for decision in decisions],
        task=await _task(runtime, task_id),
    )


@router.get("/tasks/{task_id}/fulfilment", response_model=FulfilmentPublic)
async def fulfilment(task_id: str, runtime: Runtime, _: SchoolReader, as_of: AsOf = None) -> FulfilmentPublic:
    """Each nominee's 学时 toward the task and whether they met it by the deadline."""
    async with runtime.database.sessions() as session:
        kept = await _kept(session, task_id)
        return views.fulfilment_public(await views.fulfilment_of(session, kept, as_of_or_today(as_of)))


@router.get("/tasks/{task_id}/fulfilment.xlsx", response_class=Response, responses=XLSX_ANSWER)
async def fulfilment_workbook(task_id: str, runtime: Runtime, _: SchoolReader, as_of: AsOf = None) -> Response:
    """The fulfilment report to send back up, as a workbook."""
    async with runtime.database.sessions() as session:
        kept = await _kept(session, task_id)
        report = await views.fulfilment_of(session, kept, as_of_or_today(as_of))
    return file_response(exports.fulfilment_workbook(task_of(kept), report), XLSX, f"调训任务完成情况-{task_id}.xlsx")


async def _kept(session: AsyncSession, task_id: str) -> OfficeTask:
    row = await session.get(OfficeTask, task_id)
    if row is None:
        raise NotFound(f"no task {task_id}")
    return row


async def _task(runtime: Runtime, task_id: str) -> TaskPublic:
    async with runtime.database.sessions() as session:
        return views.task_public(await _kept(session, task_id))
