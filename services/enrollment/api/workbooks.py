"""HTTP routes of the register's workbooks: templates to fill in, imports (dry run or applied), and the roster
(花名册) and sign-in sheets (签到表) of a class.

An upload is the file itself as the request body, not a multipart form: ``curl --data-binary @file.xlsx``. The
reader tells .xlsx from .csv by the content, whatever the content type says.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.enrollment import views
from services.enrollment.access import check_manages
from services.enrollment.api.dependencies import WORKBOOK_BODY, XLSX, Admin, ClassStaff, Policy, Workbook, xlsx
from services.enrollment.handlers import imports
from services.enrollment.models import RegisterImportReport, RosterImportReport
from services.enrollment.spreadsheets import writing
from shared.service import Runtime, execute

router = APIRouter()
DryRun = Annotated[bool, Query(description="report what the file would do and every bad row, change nothing")]
_XLSX_ANSWER: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}}}


@router.get("/templates/register.xlsx", tags=["workbooks"], responses=_XLSX_ANSWER, response_class=Response)
async def register_template(_: Admin) -> Response:
    """The workbook to fill in: 单位, 党组织, 人员, 政治面貌, 职务, with a 填写说明 sheet."""
    return xlsx(writing.register_template(), "register-template.xlsx")


@router.get("/templates/roster.xlsx", tags=["workbooks"], responses=_XLSX_ANSWER, response_class=Response)
async def roster_template(_: ClassStaff) -> Response:
    """The 花名册 to fill in for a class."""
    return xlsx(writing.roster_template(), "roster-template.xlsx")


@router.post("/imports/register", tags=["workbooks"], openapi_extra=WORKBOOK_BODY)
async def import_register(
    runtime: Runtime, _: Admin, workbook: Workbook, dry_run: DryRun = False
) -> RegisterImportReport:
    """Units, Party organisations, people and their histories from a workbook like the template (or one sheet of
    it as CSV). All or nothing: a file with any bad row changes nothing (422, every row named). Importing the same
    file again changes nothing."""
    return await execute(runtime, imports.import_register, workbook, apply=not dry_run)


@router.post("/classes/{class_id}/roster", tags=["workbooks"], openapi_extra=WORKBOOK_BODY)
async def import_roster(
    class_id: str,
    *,
    runtime: Runtime,
    principal: ClassStaff,
    policy: Policy,
    workbook: Workbook,
    dry_run: DryRun = False,
) -> RosterImportReport:
    """Nominations from a 花名册: each row is checked as a nomination is (unit, quota, eligibility). All or
    nothing; people the class has already are left as they are."""
    return await execute(
        runtime, imports.import_roster, class_id, workbook, apply=not dry_run, principal=principal, policy=policy
    )


@router.get("/classes/{class_id}/roster.xlsx", tags=["workbooks"], responses=_XLSX_ANSWER, response_class=Response)
async def export_roster(class_id: str, runtime: Runtime, principal: ClassStaff) -> Response:
    """The class's 花名册: everyone taking part, seated first by unit, then the waitlist in order."""
    async with runtime.database.sessions() as session:
        check_manages(principal, await views.class_row(session, class_id), "export its roster")
        return xlsx(await views.roster_workbook(session, class_id), f"roster-{class_id}.xlsx")


@router.get("/classes/{class_id}/sign-in.xlsx", tags=["workbooks"], responses=_XLSX_ANSWER, response_class=Response)
async def export_sign_in_sheets(class_id: str, runtime: Runtime, principal: ClassStaff) -> Response:
    """签到表: one printable A4 sheet per scheduled session, listing the learners who hold a seat."""
    async with runtime.database.sessions() as session:
        check_manages(principal, await views.class_row(session, class_id), "print its sign-in sheets")
        return xlsx(await views.sign_in_workbook(session, class_id), f"sign-in-{class_id}.xlsx")
