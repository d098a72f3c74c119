"""The link to cadre selection and management (信息沟通机制): a person's training record for the organisation
department (and the person themself), and a unit's records of a year as a table and a workbook."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from services.planning import exports, views
from services.planning.api.access import AsOf, SchoolReader, Year, as_of_or_today
from services.planning.schemas import TrainingRecordPublic, UnitYearRowPublic
from shared.api import XLSX, XLSX_ANSWER, file_response
from shared.auth import Principal, Role, require
from shared.errors import Forbidden
from shared.service import Runtime

router = APIRouter(tags=["training records"])
RecordReader = Annotated[Principal, Depends(require(Role.ADMIN, Role.ORGANISATION_DEPARTMENT, Role.LEARNER))]


@router.get("/persons/{person_id}/training-record", response_model=TrainingRecordPublic)
async def training_record(
    person_id: str, runtime: Runtime, principal: RecordReader, as_of: AsOf = None
) -> TrainingRecordPublic:
    """Classes with 学时, results (结业考核) and certificates; 学时 by year, offline and online; each requirement's
    standing as the ledger last judged it."""
    if not principal.has_any(Role.ADMIN, Role.ORGANISATION_DEPARTMENT) and principal.subject != person_id:
        raise Forbidden("a learner sees only their own training record")
    async with runtime.database.sessions() as session:
        return await views.record_view(session, person_id, as_of_or_today(as_of))


@router.get("/units/{unit_id}/training-records", response_model=list[UnitYearRowPublic])
async def unit_records(unit_id: str, runtime: Runtime, _: SchoolReader, year: Year) -> list[UnitYearRowPublic]:
    """A unit's people and their training of the year, one row each, as it stood at the year's end."""
    async with runtime.database.sessions() as session:
        rows = await views.unit_year_rows(session, unit_id, year)
    return [UnitYearRowPublic.model_validate({**vars(row), "positions": sorted(row.positions)}) for row in rows]


@router.get("/units/{unit_id}/training-records.xlsx", response_class=Response, responses=XLSX_ANSWER)
async def unit_records_workbook(unit_id: str, runtime: Runtime, _: SchoolReader, year: Year) -> Response:
    async with runtime.database.sessions() as session:
        rows = await views.unit_year_rows(session, unit_id, year)
    return file_response(
        exports.unit_records_workbook(unit_id, year, rows), XLSX, f"{year}年度干部教育培训情况-{unit_id}.xlsx"
    )
