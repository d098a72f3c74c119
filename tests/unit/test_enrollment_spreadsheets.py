"""Reading workbooks and CSV files, and importing the register and class rosters with a report of every bad row."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from services.enrollment.domain.classes import CompletionCriteria, TrainingClass
from services.enrollment.domain.enrollments import Enrollment, apply
from services.enrollment.domain.organisation import Organisation, build_organisation
from services.enrollment.domain.people import Person
from services.enrollment.domain.vocabulary import (
    EnrollmentStatus,
    PersonKind,
    PoliticalStatus,
    Position,
    TrainingCategory,
)
from services.enrollment.spreadsheets import layouts as sheet
from services.enrollment.spreadsheets import reading
from services.enrollment.spreadsheets.imports import RegisterImport, RowProblem, import_register, import_roster
from services.enrollment.spreadsheets.reading import CellError, MalformedWorkbook, parse_date, read_tables, text
from services.enrollment.spreadsheets.writing import CellValue, workbook_bytes

TODAY = date(2026, 2, 1)
NOBODY: dict[str, Person] = {}
EMPTY = Organisation({}, {})

UNITS: list[list[CellValue]] = [
    ["MARX", "马克思主义学院", "学院", date(2012, 3, 1), None],
    ["ORG", "党委组织部", "部门", date(2005, 9, 1), None],
]
PARTY: list[list[CellValue]] = [
    ["PC", "学校党委", "党委", None, None, date(2005, 9, 1), None],
    ["MARX-GB", "马克思主义学院党总支", "党总支", "PC", "MARX", date(2012, 3, 1), None],
    ["MARX-B1", "马克思主义学院教工党支部", "党支部", "MARX-GB", "马克思主义学院", date(2012, 3, 1), None],
]
PEOPLE: list[list[CellValue]] = [
    ["20060301", "朱文博", "教职工", "MARX", "MARX-B1"],
    ["2023030102", "梁宇航", "学生", "马克思主义学院", None],
    ["20210204", "马思远", "教职工", "ORG", None],
    ["2023030103", "宋雨桐", "学生", "MARX", None],
]
STATUSES: list[list[CellValue]] = [
    ["20060301", "预备党员", date(2003, 5, 20), date(2003, 5, 20)],
    ["20060301", "正式党员", date(2004, 5, 20), date(2003, 5, 20)],
    ["2023030102", "入党积极分子", date(2024, 3, 15), None],
    ["2023030102", "发展对象", "2025/10/20", None],
    ["20210204", "development_target", date(2025, 9, 15), None],
    ["2023030103", "发展对象", date(2025, 10, 20), None],
]
POSITIONS: list[list[CellValue]] = [
    ["20060301", "党总支书记", date(2018, 1, 1), None],
    ["20060301", "县处级及以上", date(2018, 1, 1), None],
]


def register_file(**sheets: list[list[CellValue]]) -> bytes:
    rows = {
        sheet.UNITS.name: UNITS,
        sheet.PARTY_ORGANISATIONS.name: PARTY,
        sheet.PEOPLE.name: PEOPLE,
        sheet.STATUSES.name: STATUSES,
        sheet.POSITIONS.name: POSITIONS,
    }
    rows.update({getattr(sheet, name.upper()).name: value for name, value in sheets.items()})
    return workbook_bytes(sheet.REGISTER_SHEETS, rows)


def imported(data: bytes, organisation: Organisation = EMPTY, people: dict[str, Person] = NOBODY) -> RegisterImport:
    return import_register(read_tables(data, sheet.REGISTER_SHEETS), organisation, people, TODAY)


def problems_of(result: RegisterImport) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.sheet, p.line, p.column, p.reason) for p in result.problems]


def applied(result: RegisterImport) -> tuple[Organisation, dict[str, Person]]:
    """What the caller's transaction would leave behind: the new organisation and everyone created or changed."""
    organisation = build_organisation(result.organisation.units.values(), result.organisation.party.values())
    return organisation, {p.person_id: p for p in (*result.people.created, *result.people.changed)}


def xlsx(rows_by_sheet: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in rows_by_sheet.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ── reading ─────────────────────────────────────────────────────────────────────────────────────────────


def test_a_workbook_is_read_by_sheet_name_with_the_lines_the_spreadsheet_shows() -> None:
    data = xlsx(
        {
            "说明": [["ignored"]],
            "人员": [
                ["2026年人员名单"],  # a title above the header row
                [],
                ["工号／学号", "姓名", " 人员类别 ", "所在单位", "Extra"],
                [20190001, "张三", "教职工", "MARX", "x"],
                [None, None, None, None, None],  # blank rows are skipped
                ["20190002", "李四", "学生", "MARX"],
            ],
        }
    )
    tables = read_tables(data, sheet.REGISTER_SHEETS)
    assert list(tables) == ["人员"]
    rows = tables["人员"].rows
    assert [row.line for row in rows] == [4, 6]
    assert rows[0].cells == {
        "工号/学号": 20190001,
        "姓名": "张三",
        "人员类别": "教职工",
        "所在单位": "MARX",
    }
    assert text(rows[0].cells["工号/学号"]) == "20190001"


def test_a_csv_file_is_recognised_by_its_header_in_utf8_or_gb18030() -> None:
    content = "工号/学号,姓名,人员类别,所在单位,所在党支部\n20190001,张三,教职工,MARX,\n"
    for data in (content.encode("utf-8-sig"), content.encode("gb18030")):
        tables = read_tables(data, sheet.REGISTER_SHEETS)
        assert list(tables) == ["人员"]
        assert tables["人员"].rows[0].line == 2
        assert tables["人员"].rows[0].cells["姓名"] == "张三"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old .xls workbook: save it as .xlsx"),
        (b"PK\x03\x04 not really a zip", "not a readable .xlsx workbook"),
        (b"hello,world\n1,2\n", "not a workbook, nor a CSV file with a known header row"),
        ("工号,名字\n1,2\n".encode("gb18030"), "expected 单位: 单位代码, 单位名称"),
        (b"\xff\xfe\x00\x00\x81", "neither UTF-8 nor GB18030"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(MalformedWorkbook, match=re.escape(message)):
        read_tables(data, sheet.REGISTER_SHEETS)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(MalformedWorkbook, match=r"not a readable \.xlsx workbook"):
        read_tables(buffer.getvalue(), sheet.REGISTER_SHEETS)


def test_a_workbook_without_the_sheets_asked_for_names_the_sheets_it_has() -> None:
    with pytest.raises(
        MalformedWorkbook, match=re.escape("the workbook has no sheet named 花名册 (its sheets: Sheet1, 名单)")
    ):
        read_tables(xlsx({"Sheet1": [["a"]], "名单": [["b"]]}), [sheet.ROSTER])


def test_a_sheet_without_its_required_headers_names_the_missing_ones() -> None:
    data = xlsx({"人员": [["工号/学号", "名字", "人员类别"], ["1", "张三", "教职工"]]})
    with pytest.raises(
        MalformedWorkbook,
        match=re.escape(
            "sheet 人员 has no header row with 工号/学号, 姓名, 人员类别, 所在单位: line 1 lacks 姓名, 所在单位"
        ),
    ):
        read_tables(data, sheet.REGISTER_SHEETS)
    with pytest.raises(MalformedWorkbook, match="sheet 人员 is empty"):
        read_tables(xlsx({"人员": []}), sheet.REGISTER_SHEETS)


def test_a_header_given_twice_is_refused() -> None:
    data = xlsx({"花名册": [["工号/学号", "姓名", "工号/学号"]]})
    with pytest.raises(MalformedWorkbook, match="sheet 花名册, line 1: the header 工号/学号 appears twice"):
        read_tables(data, [sheet.ROSTER])


def test_a_sheet_beyond_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    data = xlsx({"花名册": [["工号/学号"], *([str(n)] for n in range(4))]})
    with pytest.raises(MalformedWorkbook, match="more than 3 rows"):
        read_tables(data, [sheet.ROSTER])
    assert (
        len(
            read_tables(xlsx({"花名册": [["工号/学号"], *([str(n)] for n in range(3))]}), [sheet.ROSTER])["花名册"].rows
        )
        == 3
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-06-01", date(2024, 6, 1)),
        ("2024/6/1", date(2024, 6, 1)),
        ("2024.06.01", date(2024, 6, 1)),
        ("2024年6月1日", date(2024, 6, 1)),
        ("20240601", date(2024, 6, 1)),
        (20240601, date(2024, 6, 1)),
        (datetime(2024, 6, 1, 0, 0), date(2024, 6, 1)),
        (date(2024, 6, 1), date(2024, 6, 1)),
    ],
)
def test_dates_are_read_the_ways_people_write_them(written: object, expected: date) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize("written", ["2024-13-01", "2024-02-30", "yesterday", "6/1/2024", 45444.0])
def test_a_malformed_date_says_how_to_write_one(written: object) -> None:
    with pytest.raises(CellError, match=r"malformed date .*: write it as 2024-06-01"):
        parse_date(written)


# ── importing the register ──────────────────────────────────────────────────────────────────────────────


def test_a_clean_register_file_creates_everything_it_lists() -> None:
    result = imported(register_file())
    assert result.problems == ()
    assert [u.code for u in result.units.created] == ["MARX", "ORG"]
    assert [o.code for o in result.party_organisations.created] == ["PC", "MARX-GB", "MARX-B1"]
    assert result.organisation.party["MARX-B1"].unit == "MARX"  # the unit given by name reads as its code
    people = {p.person_id: p for p in result.people.created}
    assert set(people) == {"20060301", "2023030102", "20210204", "2023030103"}
    zhu = people["20060301"]
    assert (zhu.kind, zhu.unit, zhu.branch) == (PersonKind.STAFF, "MARX", "MARX-B1")
    assert [(s.status, s.period.since, s.period.until) for s in zhu.statuses] == [
        (PoliticalStatus.PROBATIONARY_MEMBER, date(2003, 5, 20), date(2004, 5, 20)),
        (PoliticalStatus.FULL_MEMBER, date(2004, 5, 20), None),
    ]
    assert {p.position for p in zhu.positions} == {Position.GENERAL_BRANCH_SECRETARY, Position.CADRE_DIVISION_AND_ABOVE}
    assert people["2023030102"].statuses[-1].period.since == date(2025, 10, 20)  # 2025/10/20 typed as text


def test_the_same_file_twice_changes_nothing() -> None:
    data = register_file()
    organisation, people = applied(imported(data))
    again = imported(data, organisation, people)
    assert again.problems == ()
    assert (again.units.created, again.units.changed) == ((), ())
    assert (again.party_organisations.created, again.party_organisations.changed) == ((), ())
    assert (again.people.created, again.people.changed) == ((), ())
    assert sorted(again.people.unchanged) == ["20060301", "20210204", "2023030102", "2023030103"]
    assert sorted(again.units.unchanged) == ["MARX", "ORG"]


def test_a_changed_row_is_reported_as_a_change_and_unlisted_histories_stay() -> None:
    organisation, people = applied(imported(register_file()))
    renamed = [["20060301", "朱文博（更正）", "教职工", "MARX", "MARX-B1"]]
    result = imported(register_file(people=renamed, statuses=[], positions=[]), organisation, people)
    assert [p.name for p in result.people.changed] == ["朱文博（更正）"]
    assert result.people.changed[0].statuses == people["20060301"].statuses
    assert result.people.changed[0].positions == people["20060301"].positions


def test_history_rows_may_update_a_person_already_in_the_register() -> None:
    organisation, people = applied(imported(register_file()))
    promoted = [
        ["20210204", "发展对象", date(2025, 9, 15), None],
        ["20210204", "预备党员", date(2026, 1, 10), date(2026, 1, 10)],
    ]
    result = imported(register_file(people=[], statuses=promoted, positions=[]), organisation, people)
    assert result.problems == ()
    assert [p.person_id for p in result.people.changed] == ["20210204"]
    assert result.people.changed[0].statuses[-1].status is PoliticalStatus.PROBATIONARY_MEMBER


def at(sheet_name: str, line: int, column: str | None, reason: str) -> tuple[str, int, str | None, str]:
    return (sheet_name, line, column, reason)


def test_every_bad_people_row_is_reported_with_its_line_column_and_reason() -> None:
    people = [
        ["20060301", "朱文博", "教职工", "MARX", "MARX-B1"],
        ["20060301", "朱文博", "教职工", "MARX", None],  # duplicate 工号
        ["20190001", "张三", "教职工", "信息学院", None],  # unknown unit
        ["20190002", "李四", "教师", "MARX", None],  # unknown kind
        ["20190003", "", "学生", "MARX", None],  # no name
        ["20190004", "王五", "教职工", "MARX", "MARX-GB"],  # a 党总支 is no branch
        ["20190005", "赵六", "教职工", "MARX", "不存在的支部"],
    ]
    result = imported(register_file(people=people, statuses=[], positions=[]))
    assert problems_of(result) == [
        at("人员", 3, "工号/学号", "duplicate 工号/学号 20060301 (first on line 2)"),
        at("人员", 4, "所在单位", "unknown unit '信息学院'"),
        at(
            "人员",
            5,
            "人员类别",
            "unknown kind of person (人员类别) '教师': accepted are staff (教职工), student (学生)",
        ),
        at("人员", 6, "姓名", "姓名 is required"),
        at("人员", 7, "所在党支部", "党总支 马克思主义学院党总支 (MARX-GB) is not a 党支部: people belong to a branch"),
        at("人员", 8, "所在党支部", "unknown Party branch '不存在的支部'"),
    ]
    assert [p.person_id for p in result.people.created] == ["20060301"]


def test_a_unit_or_branch_closed_before_the_import_day_is_refused() -> None:
    units = [["OLD", "旧学院", "学院", date(2000, 1, 1), date(2020, 1, 1)]]
    result = imported(
        register_file(units=[*UNITS, *units], people=[["1", "甲", "教职工", "OLD", None]], statuses=[], positions=[])
    )
    assert problems_of(result) == [
        at("人员", 2, "所在单位", "unit 'OLD' does not exist on 2026-02-01 (2000-01-01 – 2020-01-01)")
    ]


def test_every_bad_history_row_is_reported() -> None:
    statuses = [
        ["20060301", "党员", date(2003, 5, 20), None],  # unknown status
        ["20060301", "正式党员", "2004-13-01", None],  # malformed date
        ["99999999", "群众", date(2020, 1, 1), None],  # unknown person
        ["2023030102", "入党积极分子", date(2024, 3, 15), None],
        ["2023030102", "发展对象", date(2024, 3, 15), None],  # two statuses from one day
        ["20210204", "预备党员", date(2026, 1, 10), None],  # no 入党日期
    ]
    positions = [
        ["20060301", "县处级及以上", date(2018, 1, 1), date(2018, 1, 1)],  # removed on the day appointed
        ["2023030102", "青年骨干", date(2024, 1, 1), None],
        ["2023030102", "青年骨干", date(2025, 1, 1), None],  # held twice at once
        ["20210204", "校长", date(2024, 1, 1), None],
    ]
    result = imported(register_file(statuses=statuses, positions=positions))
    reasons = problems_of(result)
    assert reasons == [
        at("政治面貌", 2, "政治面貌", reasons[0][3]),
        at("政治面貌", 3, "起始日期", "malformed date '2004-13-01': write it as 2024-06-01"),
        at("政治面貌", 4, "工号/学号", "unknown 工号/学号 99999999: not on the 人员 sheet nor in the register"),
        at("政治面貌", 6, "起始日期", "2023030102 already has a status from 2024-03-15 (line 5)"),
        at("政治面貌", 7, None, "预备党员 since 2026-01-10 needs its 入党日期 (admission date)"),
        at("职务", 2, "免职日期", "免职日期 ends (2018-01-01) on or before it begins (2018-01-01)"),
        at("职务", 3, None, "青年骨干 (2024-01-01 – open) overlaps 青年骨干 (2025-01-01 – open)"),
        at("职务", 5, "职务/身份", reasons[7][3]),
    ]
    assert reasons[0][3].startswith("unknown political status (政治面貌) '党员': accepted are full_member (正式党员)")
    assert reasons[7][3].startswith("unknown position (职务/身份) '校长': accepted are cadre_division_and_above")


def test_a_person_whose_own_row_is_bad_is_not_reported_again_on_every_history_row() -> None:
    people = [["20060301", "朱文博", "教职工", "NOPE", None]]
    statuses: list[list[CellValue]] = [["20060301", "正式党员", date(2004, 5, 20), date(2003, 5, 20)]]
    result = imported(register_file(people=people, statuses=statuses, positions=[]))
    assert problems_of(result) == [at("人员", 2, "所在单位", "unknown unit 'NOPE'")]


def test_every_bad_organisation_row_is_reported_at_its_line() -> None:
    units = [
        ["MARX", "马克思主义学院", "学院", date(2012, 3, 1), None],
        ["MARX", "重复", "学院", date(2012, 3, 1), None],
        ["LAB", "实验室", "实验室", date(2012, 3, 1), None],
        ["", "无代码", "部门", date(2012, 3, 1), None],
    ]
    party = [
        ["PC", "学校党委", "党委", None, None, date(2005, 9, 1), None],
        ["GB", "党总支", "党总支", "PC", "MARX", date(2012, 3, 1), None],
        ["B1", "第一党支部", "党支部", "B1X", None, date(2012, 3, 1), None],
        ["B2", "第二党支部", "党支部", "GB", "无此单位", date(2012, 3, 1), None],
        ["GB2", "第二党总支", "党总支", "GB", None, date(2012, 3, 1), None],
        ["B3", "早于上级", "党支部", "GB", None, date(2011, 1, 1), None],
    ]
    result = imported(register_file(units=units, party_organisations=party, people=[], statuses=[], positions=[]))
    reasons = problems_of(result)
    assert reasons == [
        at("单位", 3, "单位代码", "duplicate 单位代码 MARX (first on line 2)"),
        at("单位", 4, "单位类别", reasons[1][3]),
        at("单位", 5, "单位代码", "单位代码 is required"),
        at("党组织", 4, None, "党支部 第一党支部 (B1) sits under unknown Party organisation B1X"),
        at("党组织", 5, "所在单位", "unknown unit '无此单位'"),
        at("党组织", 6, None, "a 党总支 cannot sit under a 党总支 (GB): it sits under a 党委"),
        at(
            "党组织",
            7,
            None,
            "党支部 早于上级 (B3) (2011-01-01 – open) is not within the life of GB (2012-03-01 – open)",
        ),
    ]
    assert reasons[1][3].startswith("unknown kind of unit (单位类别) '实验室'")


def test_an_organisation_problem_caused_by_existing_records_names_them_without_a_line() -> None:
    organisation, people = applied(imported(register_file()))
    # The file closes the 党总支 while the register's branch under it stays open.
    party = [["MARX-GB", "马克思主义学院党总支", "党总支", "PC", "MARX", date(2012, 3, 1), date(2025, 1, 1)]]
    result = imported(
        register_file(units=[], party_organisations=party, people=[], statuses=[], positions=[]), organisation, people
    )
    assert [(p.sheet, p.line, p.reason) for p in result.problems] == [
        (
            "党组织",
            None,
            "党支部 马克思主义学院教工党支部 (MARX-B1) (2012-03-01 – open) "
            "is not within the life of MARX-GB (2012-03-01 – 2025-01-01)",
        )
    ]
    assert result.problems[0].text().startswith("党组织: 党支部 马克思主义学院教工党支部")


def test_a_problem_reads_as_sheet_line_column_and_reason() -> None:
    assert RowProblem("人员", 7, "所在单位", "unknown unit 'X'").text() == "人员, line 7, 所在单位: unknown unit 'X'"


# ── importing a class roster ────────────────────────────────────────────────────────────────────────────


def dt_class(**changes: object) -> TrainingClass:
    base = TrainingClass(
        class_id="DT-2026",
        title="2026年春季发展对象培训班",
        category=TrainingCategory.DEVELOPMENT_TARGETS,
        year=2026,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 6),
        capacity=30,
        organiser="ORG",
        criteria=CompletionCriteria(Decimal(24), Decimal("0.2"), True, True),
        place="党校教室",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


NOW = datetime(2026, 2, 10, 2, tzinfo=UTC)


def roster(
    rows: list[list[CellValue]],
    training_class: TrainingClass | None = None,
    enrollments: list[Enrollment] | None = None,
):
    organisation, people = applied(imported(register_file()))
    return import_roster(
        read_tables(workbook_bytes((sheet.ROSTER,), {sheet.ROSTER.name: rows}), [sheet.ROSTER]),
        training_class or dt_class(),
        people=people,
        organisation=organisation,
        enrollments=enrollments or [],
        at=NOW,
        new_enrollment_id=lambda person_id: f"E-{person_id}",
    )


def test_a_clean_roster_becomes_nominations_by_the_units_it_names() -> None:
    result = roster([["2023030102", "梁宇航", "马克思主义学院", None], ["20210204", None, None, "备注"]])
    assert result.problems == ()
    assert [(e.enrollment_id, e.person_id, e.nominating_unit, e.status) for e in result.nominations] == [
        ("E-2023030102", "2023030102", "MARX", EnrollmentStatus.NOMINATED),
        ("E-20210204", "20210204", "ORG", EnrollmentStatus.NOMINATED),  # blank unit: the person's own
    ]


def test_a_roster_imported_again_changes_nothing() -> None:
    rows: list[list[CellValue]] = [["2023030102", "梁宇航", "MARX", None]]
    first = roster(rows)
    again = roster(rows, enrollments=list(first.nominations))
    assert (again.nominations, again.already_enrolled, again.problems) == ((), ("2023030102",), ())


def test_every_bad_roster_row_is_reported_and_nothing_else_is_held_back_from_the_report() -> None:
    rows: list[list[CellValue]] = [
        ["2023030102", "梁宇航", "MARX", None],
        ["2023030102", "梁宇航", "MARX", None],  # duplicate
        ["88888888", "无名", "MARX", None],  # unknown person
        ["20210204", "马斯远", "ORG", None],  # name does not match
        ["2023030103", "宋雨桐", "信息学院", None],  # unknown unit
        ["20060301", "朱文博", "MARX", None],  # a 正式党员: ineligible for a development-target class
        [None, "没有工号", "MARX", None],
    ]
    result = roster(rows)
    assert [(p.line, p.column, p.reason) for p in result.problems] == [
        (3, "工号/学号", "duplicate 工号/学号 2023030102 (first on line 2)"),
        (4, "工号/学号", "unknown 工号/学号 88888888: register the person first"),
        (5, "姓名", "the register knows 20210204 as 马思远, not 马斯远"),
        (6, "选派单位", "unknown unit '信息学院'"),
        (
            7,
            "工号/学号",
            "ineligible: 朱文博 (20060301) on 2026-03-02 is 正式党员 since 2004-05-20; "
            "发展对象培训 takes only 发展对象",
        ),
        (8, "工号/学号", "工号/学号 is required"),
    ]
    assert all(p.sheet == "花名册" for p in result.problems)


def test_a_roster_beyond_a_units_quota_is_reported_at_the_row_that_exceeds_it() -> None:
    rows: list[list[CellValue]] = [["2023030102", None, "MARX", None], ["20210204", None, "MARX", None]]
    result = roster(rows, dt_class(unit_quotas={"MARX": 1, "ORG": 1}))
    assert [(p.line, p.column, p.reason) for p in result.problems] == [
        (3, "选派单位", "unit MARX has used its quota of 1 in class DT-2026 (2023030102)")
    ]


def test_people_already_taking_part_are_left_alone() -> None:
    _, people = applied(imported(register_file()))
    existing = apply("E-old", people["2023030102"], dt_class(), enrollments=[], at=NOW)
    result = roster([["2023030102", None, None, None]], enrollments=[existing])
    assert (result.nominations, result.already_enrolled) == ((), ("2023030102",))


def test_a_roster_file_without_its_sheet_is_a_problem() -> None:
    organisation, people = applied(imported(register_file()))
    result = import_roster(
        {}, dt_class(), people=people, organisation=organisation, enrollments=[], at=NOW, new_enrollment_id=str
    )
    assert [p.reason for p in result.problems] == ["the file has no 花名册 sheet"]
