"""Workbooks through the HTTP API: templates, the sample register imported (dry run, applied, applied again),
a class roster imported row by row, bad files refused whole, the roster and 签到表 exported."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from services.enrollment.spreadsheets import layouts as sheet
from services.enrollment.spreadsheets.writing import CellValue, workbook_bytes
from tests.support import ROOT
from tests.unit.conftest import ServiceApi
from tests.unit.test_enrollment_api import (
    ADMIN,
    MANAGER,
    OTHER_MANAGER,
    Register,
    a_class,
    a_session,
    open_register,
)


@pytest.fixture
async def register(service_api: ServiceApi) -> Register:
    return await open_register(service_api)


SAMPLE = (ROOT / "docs" / "sample" / "register-sample.xlsx").read_bytes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPRING = "DT-2026-SPRING"
# The class docs/sample/README.md sets up for the sample roster.
SAMPLE_CLASS = a_class(
    SPRING,
    capacity=6,
    manager_ids=["manager-1"],
    unit_quotas={"ORG": 2, "MARX": 3, "ECON": 3, "INFO": 2, "XUHUI": 3},
    place="党校教室",
)


async def upload(
    register: Register, path: str, content: bytes, *, dry_run: bool = False, headers: dict[str, str] = ADMIN
) -> httpx.Response:
    return await register.client.post(
        path,
        content=content,
        params={"dry_run": str(dry_run).lower()},
        headers={**headers, "content-type": XLSX},
    )


def roster(*rows: list[CellValue]) -> bytes:
    return workbook_bytes((sheet.ROSTER,), {sheet.ROSTER.name: list(rows)})


def opened(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def counts(report: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {
        kind: (len(report[kind]["created"]), len(report[kind]["changed"]), len(report[kind]["unchanged"]))
        for kind in ("units", "party_organisations", "persons")
    }


async def sample_imported(register: Register) -> None:
    applied = await upload(register, "/imports/register", SAMPLE)
    assert applied.status_code == 200, applied.text


async def test_templates_have_chinese_headers(register: Register) -> None:
    response = await register.client.get("/templates/register.xlsx", headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    workbook = opened(response.content)
    assert workbook.sheetnames == ["填写说明", "单位", "党组织", "人员", "政治面貌", "职务"]
    assert [cell.value for cell in workbook["人员"][1]] == ["工号/学号", "姓名", "人员类别", "所在单位", "所在党支部"]
    roster_template = await register.client.get("/templates/roster.xlsx", headers=MANAGER)
    assert opened(roster_template.content).sheetnames == ["填写说明", "花名册"]


async def test_the_sample_register_imports_after_a_dry_run_and_a_second_import_changes_nothing(
    register: Register,
) -> None:
    dry = await upload(register, "/imports/register", SAMPLE, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["applied"], dry.json()["problems"]) == (False, [])
    assert counts(dry.json()) == {"units": (6, 0, 0), "party_organisations": (14, 0, 0), "persons": (40, 0, 0)}
    assert await register.events() == []

    applied = await upload(register, "/imports/register", SAMPLE)
    assert applied.json()["applied"] is True
    announced = await register.events()
    assert len(announced) == 6 + 14 + 40
    assert len(await register.get("/organisations", on="2026-03-02")) == 6 + 13  # MARX-B0 closed in 2022
    target = await register.get("/persons/2023030102", as_of="2026-03-02")
    assert (target["unit_id"], target["as_of"]["status"]) == ("MARX", "development_target")

    again = await upload(register, "/imports/register", SAMPLE)
    assert counts(again.json()) == {"units": (0, 0, 6), "party_organisations": (0, 0, 14), "persons": (0, 0, 40)}
    assert len(await register.events()) == len(announced)  # no new version, no event


async def test_a_changed_row_is_the_only_change_an_import_makes(register: Register) -> None:
    await sample_imported(register)
    before = len(await register.events())
    renamed = workbook_bytes((sheet.PEOPLE,), {sheet.PEOPLE.name: [["20220305", "高明轩", "教职工", "ECON", None]]})
    report = (await upload(register, "/imports/register", renamed)).json()
    assert report["persons"] == {"created": [], "changed": ["20220305"], "unchanged": []}
    [moved] = [e.data for e in (await register.events())[before:]]
    assert (moved["person_id"], moved["unit_id"], moved["version"]) == ("20220305", "ECON", 2)


async def test_a_register_file_with_bad_rows_is_reported_row_by_row_and_changes_nothing(register: Register) -> None:
    bad = workbook_bytes(
        (sheet.UNITS, sheet.PEOPLE),
        {
            sheet.UNITS.name: [
                ["LAW", "法学院", "学院", "2020-09-01", None],
                ["LAW", "法学院", "学院", "2020-09-01", None],
            ],
            sheet.PEOPLE.name: [
                ["30000001", "甲", "教职工", "LAW", None],
                ["30000002", "乙", "教职工", "NOWHERE", None],
                ["30000003", "丙", "老师", "LAW", None],
            ],
        },
    )
    dry = (await upload(register, "/imports/register", bad, dry_run=True)).json()
    assert [(p["sheet"], p["line"], p["column"]) for p in dry["problems"]] == [
        ("单位", 3, "单位代码"),
        ("人员", 3, "所在单位"),
        ("人员", 4, "人员类别"),
    ]
    assert "unknown unit 'NOWHERE'" in dry["problems"][1]["reason"]
    applied = await upload(register, "/imports/register", bad)
    assert applied.status_code == 422
    detail = applied.json()["detail"]
    assert detail.startswith("nothing was imported: the file has 3 problem(s)")
    assert "人员, line 3, 所在单位: unknown unit 'NOWHERE'" in detail
    assert await register.events() == []
    await register.get("/persons/30000001", status=404)


async def test_a_malformed_workbook_is_refused_naming_the_problem(register: Register) -> None:
    broken = await upload(register, "/imports/register", b"PK\x03\x04 not really a zip")
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("not a readable .xlsx workbook")
    old_excel = await upload(register, "/imports/register", b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    assert "old .xls workbook: save it as .xlsx" in old_excel.json()["detail"]
    no_sheet = await upload(register, "/imports/register", roster(["1", None, None, None]))
    assert "the workbook has no sheet named 单位, 党组织, 人员, 政治面貌, 职务" in no_sheet.json()["detail"]
    empty = await upload(register, "/imports/register", b"")
    assert empty.status_code == 422
    assert empty.json()["detail"].startswith("the request body is empty")
    assert await register.events() == []


async def test_one_sheet_as_csv_imports_too(register: Register) -> None:
    csv = "单位代码,单位名称,单位类别,成立日期,撤销日期\nLAW,法学院,学院,2020/9/1,\n".encode("gb18030")
    response = await register.client.post(
        "/imports/register", content=csv, headers={**ADMIN, "content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["units"]["created"] == ["LAW"]


# ── a class's roster ──────────────────────────────────────────────────────────────────────────────────


async def test_the_sample_roster_nominates_its_eight_and_the_same_file_again_nominates_nobody(
    register: Register,
) -> None:
    await sample_imported(register)
    await register.post("/classes", SAMPLE_CLASS, MANAGER)
    dry = (await upload(register, f"/classes/{SPRING}/roster", SAMPLE, dry_run=True, headers=MANAGER)).json()
    assert (len(dry["nominated"]), dry["problems"]) == (8, [])
    before = len(await register.events())
    applied = (await upload(register, f"/classes/{SPRING}/roster", SAMPLE, headers=MANAGER)).json()
    assert applied["nominated"] == dry["nominated"]
    nominations = (await register.events())[before:]
    assert {(e.data["status"], e.data["version"]) for e in nominations} == {("nominated", 1)}
    assert {e.data["nominated_by"] for e in nominations} == {"ORG", "MARX", "ECON", "INFO", "XUHUI"}
    again = (await upload(register, f"/classes/{SPRING}/roster", SAMPLE, headers=MANAGER)).json()
    assert (again["nominated"], len(again["already_enrolled"])) == ([], 8)
    assert len(await register.events()) == before + 8


async def test_a_roster_with_an_unknown_unit_or_an_ineligible_person_is_refused_whole(register: Register) -> None:
    await sample_imported(register)
    await register.post("/classes", SAMPLE_CLASS, MANAGER)
    bad = roster(
        ["20210204", "马思远", "ORG", None],
        ["2023030102", "梁宇航", "不存在的学院", None],
        ["20060301", "朱文博", None, None],
    )
    dry = (await upload(register, f"/classes/{SPRING}/roster", bad, dry_run=True, headers=MANAGER)).json()
    assert [(p["sheet"], p["line"], p["column"]) for p in dry["problems"]] == [
        ("花名册", 3, "选派单位"),
        ("花名册", 4, "工号/学号"),
    ]
    assert "unknown unit '不存在的学院'" in dry["problems"][0]["reason"]
    assert "ineligible: 朱文博 (20060301) on 2026-03-02 is 正式党员" in dry["problems"][1]["reason"]
    before = len(await register.events())
    applied = await upload(register, f"/classes/{SPRING}/roster", bad, headers=MANAGER)
    assert applied.status_code == 422
    assert "花名册, line 3, 选派单位: unknown unit '不存在的学院'" in applied.json()["detail"]
    assert len(await register.events()) == before
    assert await register.get(f"/classes/{SPRING}/enrollments", MANAGER) == []


async def test_only_the_class_s_managers_import_its_roster(register: Register) -> None:
    await sample_imported(register)
    await register.post("/classes", SAMPLE_CLASS, MANAGER)
    refused = await upload(register, f"/classes/{SPRING}/roster", SAMPLE, headers=OTHER_MANAGER)
    assert refused.status_code == 403
    assert refused.json()["detail"] == f"only an admin or a manager of class {SPRING} may import its roster"


# ── exports ───────────────────────────────────────────────────────────────────────────────────────────


async def test_the_roster_and_one_sign_in_sheet_per_session_are_exported(register: Register) -> None:
    await sample_imported(register)
    sessions = [a_session(1, SPRING, title="学习贯彻党的二十大精神"), a_session(2, SPRING, title="党章专题")]
    await register.post("/classes", {**SAMPLE_CLASS, "sessions": sessions}, MANAGER)
    await upload(register, f"/classes/{SPRING}/roster", SAMPLE, headers=MANAGER)
    for enrollment in await register.get(f"/classes/{SPRING}/enrollments", MANAGER):
        await register.post(f"/enrollments/{enrollment['enrollment_id']}/approve", {}, MANAGER, status=200)

    exported = await register.client.get(f"/classes/{SPRING}/roster.xlsx", headers=MANAGER)
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == f'attachment; filename="roster-{SPRING}.xlsx"'
    statuses = [row[9] for row in opened(exported.content)["花名册"].iter_rows(min_row=4, max_row=11, values_only=True)]
    assert statuses == ["已录取"] * 6 + ["候补"] * 2

    sign_in = await register.client.get(f"/classes/{SPRING}/sign-in.xlsx", headers=MANAGER)
    assert sign_in.status_code == 200
    workbook = opened(sign_in.content)
    assert workbook.sheetnames == ["03-02 09.00 学习贯彻党的二十大精神", "03-03 09.00 党章专题"]
    first = workbook.worksheets[0]
    assert first["A2"].value == "签 到 表"
    names = [row[1] for row in first.iter_rows(min_row=7, max_row=12, values_only=True)]
    assert len(names) == 6 and all(names)  # the six who hold a seat

    elsewhere = await register.client.get(f"/classes/{SPRING}/sign-in.xlsx", headers=OTHER_MANAGER)
    assert elsewhere.status_code == 403


async def test_a_class_without_sessions_has_no_sign_in_sheet_to_print(register: Register) -> None:
    await sample_imported(register)
    await register.post("/classes", SAMPLE_CLASS, MANAGER)
    response = await register.client.get(f"/classes/{SPRING}/sign-in.xlsx", headers=MANAGER)
    assert response.status_code == 422
    assert response.json()["detail"] == f"class {SPRING} has no scheduled sessions to sign in to"
