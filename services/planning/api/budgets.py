"""Budgets (规范经费使用): spending standards by class type, each class's lines planned and spent, flags awaiting an
approver's note, and the year's spending by training group."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse, Response
from sqlmodel import col, select

from services.planning import exports, facts, views
from services.planning.api.access import Office, RecordId, Year
from services.planning.handlers.budgets import add_note, publish_standards, put_budget
from services.planning.models import OfficeStandards
from services.planning.schemas import (
    BudgetPublic,
    BudgetPut,
    GroupSpendingPublic,
    NoteCreate,
    SpendingPublic,
    StandardsPublic,
    StandardsPublish,
)
from shared.api import XLSX, XLSX_ANSWER, file_response
from shared.service import Runtime, execute

router = APIRouter(tags=["budgets"])


@router.post(
    "/spending-standards",
    status_code=status.HTTP_201_CREATED,
    response_model=StandardsPublic,
    responses={200: {"model": StandardsPublic, "description": "published already, with the same figures"}},
)
async def publish(body: StandardsPublish, runtime: Runtime, _: Office) -> JSONResponse:
    """Publish spending standards per person-day by class type (e.g. spending-standards/v2). A published version
    never changes: other figures under its name are refused; the same again is answered as it is."""
    created = await execute(runtime, publish_standards, runtime.source, body)
    async with runtime.database.sessions() as session:
        row = await session.get(OfficeStandards, body.name)
    assert row is not None  # published just now, or before
    answer = views.standards_public(row).model_dump(mode="json")
    return JSONResponse(answer, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@router.get("/spending-standards", response_model=list[StandardsPublic])
async def list_standards(runtime: Runtime, _: Office) -> list[StandardsPublic]:
    """Every version published, the newest (the default for a new budget) first."""
    async with runtime.database.sessions() as session:
        rows = await session.exec(
            select(OfficeStandards).order_by(col(OfficeStandards.changed_at).desc(), col(OfficeStandards.name).desc())
        )
        return [views.standards_public(row) for row in rows.all()]


@router.put("/classes/{class_id}/budget", response_model=BudgetPublic)
async def write_budget(class_id: RecordId, body: BudgetPut, runtime: Runtime, _: Office) -> BudgetPublic:
    """The class's budget lines, planned and spent (notes already written stay); measured against the standards it
    names, per person-day (learners × days: as given, else as the register says)."""
    await execute(runtime, put_budget, runtime.source, class_id, body)
    return await _budget(runtime, class_id)


@router.post("/classes/{class_id}/budget/notes", status_code=status.HTTP_201_CREATED, response_model=BudgetPublic)
async def write_note(class_id: RecordId, body: NoteCreate, runtime: Runtime, principal: Office) -> BudgetPublic:
    """An approver's note accepting a flag up to what is spent now (spending more needs a new note)."""
    await execute(runtime, add_note, runtime.source, class_id, body, approver_id=principal.subject, on=facts.today())
    return await _budget(runtime, class_id)


@router.get("/classes/{class_id}/budget", response_model=BudgetPublic)
async def budget(class_id: str, runtime: Runtime, _: Office) -> BudgetPublic:
    return await _budget(runtime, class_id)


@router.get("/budgets/spending", response_model=SpendingPublic)
async def spending(runtime: Runtime, _: Office, year: Year) -> SpendingPublic:
    """The year's spending by training group, then the total."""
    async with runtime.database.sessions() as session:
        found = await views.spending_of(session, year)
    return SpendingPublic(
        year=year,
        groups=[GroupSpendingPublic.model_validate(vars(group)) for group in found.groups],
        unmeasured=found.unmeasured,
    )


@router.get("/budgets/spending.xlsx", response_class=Response, responses=XLSX_ANSWER)
async def spending_workbook(runtime: Runtime, _: Office, year: Year) -> Response:
    async with runtime.database.sessions() as session:
        found = await views.spending_of(session, year)
    return file_response(exports.spending_workbook(found), XLSX, f"{year}年度培训经费使用情况.xlsx")


async def _budget(runtime: Runtime, class_id: str) -> BudgetPublic:
    async with runtime.database.sessions() as session:
        return await views.budget_view(session, class_id)
