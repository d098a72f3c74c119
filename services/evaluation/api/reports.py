"""Reports over HTTP, as JSON tables or as the same tables in an Excel workbook (.xlsx)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.evaluation import views
from services.evaluation.domain.reports import Table
from services.evaluation.exports import workbook_bytes
from services.evaluation.models import TablePublic
from shared.auth import Principal, Role, require
from shared.db import utcnow
from shared.service import Runtime

router = APIRouter(tags=["reports"])
Reader = Annotated[Principal, Depends(require(Role.ADMIN, Role.ORGANISATION_DEPARTMENT, Role.CLASS_MANAGER))]
TeacherReader = Annotated[Principal, Depends(require(Role.ADMIN, Role.ORGANISATION_DEPARTMENT, Role.TEACHER))]
Year = Annotated[int, Query(ge=2000, le=2100, description="the training year (培训年度)")]
Group = Annotated[str | None, Query(max_length=64, description="one training group, e.g. development_targets")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {}}, "description": "the report's tables, one sheet each"}
}


@router.get("/classes/{class_id}/report", response_model=list[TablePublic])
async def class_report(class_id: str, runtime: Runtime, principal: Reader) -> list[TablePublic]:
    """学员评教 of the class: as a whole, each session, each teacher, and the comments."""
    async with runtime.database.sessions() as session:
        return _public(await views.class_report_tables(session, class_id, principal, utcnow()))


@router.get("/classes/{class_id}/report.xlsx", response_class=Response, responses=WORKBOOK)
async def class_report_workbook(class_id: str, runtime: Runtime, principal: Reader) -> Response:
    async with runtime.database.sessions() as session:
        tables = await views.class_report_tables(session, class_id, principal, utcnow())
    return _workbook(tables, "class-report.xlsx")


@router.get("/teachers/{teacher_id}/report", response_model=list[TablePublic])
async def teacher_report(teacher_id: str, runtime: Runtime, principal: TeacherReader) -> list[TablePublic]:
    """学员评教 of one teacher across classes and years."""
    async with runtime.database.sessions() as session:
        return _public(await views.teacher_report_tables(session, teacher_id, principal, utcnow()))


@router.get("/teachers/{teacher_id}/report.xlsx", response_class=Response, responses=WORKBOOK)
async def teacher_report_workbook(teacher_id: str, runtime: Runtime, principal: TeacherReader) -> Response:
    async with runtime.database.sessions() as session:
        tables = await views.teacher_report_tables(session, teacher_id, principal, utcnow())
    return _workbook(tables, "teacher-report.xlsx")


@router.get("/needs", response_model=list[TablePublic])
async def needs_report(runtime: Runtime, _: Reader, year: Year, group: Group = None) -> list[TablePublic]:
    """需求调研: the topics and teaching modes asked for, ranked per training group, for planning."""
    async with runtime.database.sessions() as session:
        return _public(await views.needs_report_tables(session, year, group, utcnow()))


@router.get("/needs.xlsx", response_class=Response, responses=WORKBOOK)
async def needs_report_workbook(runtime: Runtime, _: Reader, year: Year, group: Group = None) -> Response:
    async with runtime.database.sessions() as session:
        return _workbook(await views.needs_report_tables(session, year, group, utcnow()), f"needs-{year}.xlsx")


def _public(tables: Sequence[Table]) -> list[TablePublic]:
    return [TablePublic(title=t.title, header=list(t.header), rows=[list(row) for row in t.rows]) for t in tables]


def _workbook(tables: Sequence[Table], filename: str) -> Response:
    return Response(
        workbook_bytes(tables, created=utcnow()),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
