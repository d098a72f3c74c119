"""Templates, the roster and the printable sign-in sheets, and the sample workbook the README imports."""

from __future__ import annotations

import importlib.util
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from services.enrollment.domain.classes import ClassSession, CompletionCriteria, TrainingClass, cancel_session
from services.enrollment.domain.enrollments import Enrollment, approve, nominate, withdraw
from services.enrollment.domain.errors import SessionError
from services.enrollment.domain.organisation import Organisation, build_organisation
from services.enrollment.domain.people import Person
from services.enrollment.domain.vocabulary import EnrollmentStatus, TeachingMode, TrainingCategory
from services.enrollment.spreadsheets import layouts as sheet
from services.enrollment.spreadsheets.imports import import_register, import_roster
from services.enrollment.spreadsheets.reading import read_tables
from services.enrollment.spreadsheets.writing import (
    INSTRUCTIONS,
    register_template,
    roster_template,
    roster_workbook,
    sign_in_workbook,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "sample" / "register-sample.xlsx"
BEIJING = timezone(timedelta(hours=8))
IMPORTED_ON = date(2026, 2, 1)
NOW = datetime(2026, 2, 10, 2, tzinfo=UTC)


def opened(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def sample_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_workbook", ROOT / "docs/sample/make_sample_workbook.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def the_sample_register() -> tuple[Organisation, dict[str, Person]]:
    result = import_register(
        read_tables(SAMPLE.read_bytes(), sheet.REGISTER_SHEETS), Organisation({}, {}), {}, IMPORTED_ON
    )
    assert result.problems == ()
    organisation = build_organisation(result.organisation.units.values(), result.organisation.party.values())
    return organisation, {person.person_id: person for person in result.people.created}


def spring_class(**changes: object) -> TrainingClass:
    """The class docs/sample/README.md sets up before importing the sample roster."""
    base = TrainingClass(
        class_id="DT-2026-SPRING",
        title="2026年春季发展对象培训班",
        category=TrainingCategory.DEVELOPMENT_TARGETS,
        year=2026,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 6),
        capacity=6,
        organiser="ORG",
        criteria=CompletionCriteria(Decimal(24), Decimal("0.2"), True, True),
        place="党校教室",
        unit_quotas={"ORG": 2, "MARX": 3, "ECON": 3, "INFO": 2, "XUHUI": 3},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def enrolled_sample() -> tuple[TrainingClass, Organisation, dict[str, Person], list[Enrollment]]:
    """The sample roster imported and approved in order: six seats, two on the waitlist."""
    organisation, people = the_sample_register()
    training_class = spring_class()
    roster = import_roster(
        read_tables(SAMPLE.read_bytes(), [sheet.ROSTER]),
        training_class,
        people=people,
        organisation=organisation,
        enrollments=[],
        at=NOW,
        new_enrollment_id=lambda person_id: f"E-{person_id}",
    )
    enrollments: list[Enrollment] = []
    for nomination in roster.nominations:
        enrollments.append(approve(nomination, training_class, enrollments, NOW, person=people[nomination.person_id]))
    return training_class, organisation, people, enrollments


def session(session_id: str, day: int, hour: int, title: str, **changes: object) -> ClassSession:
    base = ClassSession(
        session_id=session_id,
        class_id="DT-2026-SPRING",
        title=title,
        mode=TeachingMode.LECTURE,
        starts_at=datetime(2026, 3, day, hour, tzinfo=BEIJING),
        ends_at=datetime(2026, 3, day, hour + 3, tzinfo=BEIJING),
        hours=Decimal(4),
        teachers=("T-01",),
        place="党校教室",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ── templates ───────────────────────────────────────────────────────────────────────────────────────────


def test_the_register_template_has_chinese_headers_notes_and_drop_downs_and_reads_back_empty() -> None:
    data = register_template()
    workbook = opened(data)
    assert workbook.sheetnames == [INSTRUCTIONS, "单位", "党组织", "人员", "政治面貌", "职务"]
    people = workbook["人员"]
    assert [cell.value for cell in people[1]] == ["工号/学号", "姓名", "人员类别", "所在单位", "所在党支部"]
    assert people["A1"].comment is not None and people["A1"].comment.text.startswith("必填：工号或学号")
    assert people["E1"].comment is not None and people["E1"].comment.text.startswith("选填")
    drop_downs = {str(v.sqref): v.formula1 for v in people.data_validations.dataValidation}
    assert drop_downs == {"C2:C2000": '"教职工,学生"'}
    statuses = {str(v.sqref): v.formula1 for v in workbook["政治面貌"].data_validations.dataValidation}
    assert statuses == {"B2:B2000": '"正式党员,预备党员,入党积极分子,发展对象,群众,民主党派,无党派人士"'}
    assert people.freeze_panes == "A2"
    instructions = [row for row in workbook[INSTRUCTIONS].iter_rows(min_row=2, values_only=True)]
    assert (
        "人员",
        "人员（教职工、学生）及其所在单位、党支部",
        "人员类别",
        "必填",
        "教职工或学生（可选：教职工、学生）",
    ) in instructions
    tables = read_tables(data, sheet.REGISTER_SHEETS)
    assert {name: table.rows for name, table in tables.items()} == {layout.name: () for layout in sheet.REGISTER_SHEETS}


def test_the_roster_template_reads_back_as_an_empty_roster() -> None:
    tables = read_tables(roster_template(), [sheet.ROSTER])
    assert tables["花名册"].rows == ()
    assert [c.value for c in opened(roster_template())["花名册"][1]] == ["工号/学号", "姓名", "选派单位", "备注"]


# ── the roster ──────────────────────────────────────────────────────────────────────────────────────────


def test_the_roster_lists_the_seated_then_the_waitlisted_with_what_they_were_on_the_first_day() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    worksheet = opened(roster_workbook(training_class, enrollments, people, organisation))["花名册"]
    assert worksheet["A1"].value == "2026年春季发展对象培训班"
    assert worksheet["A2"].value == "发展对象培训　2026-03-02 至 2026-03-06　党校教室"
    assert [c.value for c in worksheet[3]] == [
        "序号",
        "工号/学号",
        "姓名",
        "人员类别",
        "所在单位",
        "所在党支部",
        "政治面貌",
        "选派单位",
        "报名方式",
        "状态",
        "备注",
    ]
    rows = [row for row in worksheet.iter_rows(min_row=4, max_row=11, values_only=True)]
    assert [row[9] for row in rows] == ["已录取"] * 6 + ["候补"] * 2
    assert rows[0] == (
        1,
        "20200405",
        "董一鸣",
        "教职工",
        "经济管理学院",
        None,
        "发展对象",
        "经济管理学院",
        "单位选派",
        "已录取",
        None,
    )
    assert [row[1] for row in rows[6:]] == ["20200604", "2024060101"]  # the waitlist in its order
    assert worksheet["A12"].value == "已录取 6 人，容量 6 人"
    assert worksheet.page_setup.orientation == "landscape"
    assert worksheet.print_title_rows == "$3:$3"


def test_withdrawn_learners_leave_the_roster_unless_asked_for() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    withdrawal = withdraw(enrollments[0], training_class, enrollments, "工作冲突", NOW)
    changed = {e.enrollment_id: e for e in (withdrawal.withdrawn, *withdrawal.promoted)}
    enrollments = [changed.get(e.enrollment_id, e) for e in enrollments]
    listed = opened(roster_workbook(training_class, enrollments, people, organisation))["花名册"]
    ids = [row[1] for row in listed.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert "20210204" not in ids and len(ids) == 7
    everyone = opened(
        roster_workbook(training_class, enrollments, people, organisation, statuses=set(EnrollmentStatus))
    )
    statuses = [row[9] for row in everyone["花名册"].iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert statuses == ["已录取"] * 6 + ["候补"] + ["已退出"]


def test_an_exported_roster_imports_again_into_another_class() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    exported = roster_workbook(training_class, enrollments, people, organisation)
    autumn = spring_class(
        class_id="DT-2026-AUTUMN", first_day=date(2026, 9, 7), last_day=date(2026, 9, 11), capacity=30
    )
    again = import_roster(
        read_tables(exported, [sheet.ROSTER]),
        autumn,
        people=people,
        organisation=organisation,
        enrollments=[],
        at=NOW,
        new_enrollment_id=lambda person_id: f"A-{person_id}",
    )
    assert again.problems == ()
    assert sorted(e.person_id for e in again.nominations) == sorted(e.person_id for e in enrollments)


# ── sign-in sheets (签到表) ──────────────────────────────────────────────────────────────────────────────


def test_the_sign_in_workbook_has_one_printable_sheet_per_scheduled_session_in_time_order() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    sessions = [
        session("S2", 3, 14, "党章学习：党员的权利和义务", teachers=("T-02", "T-03"), mode=TeachingMode.SEMINAR),
        session("S1", 2, 9, "学习贯彻党的二十大精神"),
        cancel_session(session("S3", 4, 9, "已取消的课"), "教师出差"),
        session("S4", 5, 9, "参观中共一大纪念馆", mode=TeachingMode.ON_SITE, place="中共一大纪念馆"),
    ]
    data = sign_in_workbook(
        training_class,
        sessions,
        enrollments=enrollments,
        people=people,
        organisation=organisation,
        teacher_names={"T-01": "王教授", "T-02": "李老师"},
    )
    workbook = opened(data)
    assert workbook.sheetnames == [
        "03-02 09.00 学习贯彻党的二十大精神",
        "03-03 14.00 党章学习：党员的权利和义务",
        "03-05 09.00 参观中共一大纪念馆",
    ]
    first, second = workbook.worksheets[0], workbook.worksheets[1]
    assert [first[f"A{row}"].value for row in range(1, 6)] == [
        "2026年春季发展对象培训班",
        "签 到 表",
        "课程：学习贯彻党的二十大精神（专题讲授）",
        "时间：2026年3月2日 星期一 09:00–12:00　　地点：党校教室",
        "授课教师：王教授　　学时：4",
    ]
    assert second["A5"].value == "授课教师：李老师、T-03　　学时：4"  # an unknown teacher shows by id
    assert [c.value for c in first[6]] == ["序号", "姓名", "工号/学号", "所在单位", "签到", "备注"]
    learners = [row for row in first.iter_rows(min_row=7, max_row=12, values_only=True)]
    assert len(learners) == 6 and all(row[4] is None for row in learners)  # only the seated, room to sign
    assert first["A13"].value == "应到 6 人，实到 ____ 人　　跟班管理人员签字：____________"


def test_a_sign_in_sheet_is_set_up_to_print() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    data = sign_in_workbook(
        training_class,
        [session("S1", 2, 9, "学习贯彻党的二十大精神")],
        enrollments=enrollments,
        people=people,
        organisation=organisation,
        teacher_names={},
    )
    worksheet = opened(data).worksheets[0]
    setup = worksheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "portrait", 1, 0)  # 9: A4
    assert worksheet.sheet_properties.pageSetUpPr is not None and worksheet.sheet_properties.pageSetUpPr.fitToPage
    assert worksheet.print_title_rows == "$6:$6"
    assert worksheet.print_options.horizontalCentered
    assert worksheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    cell = worksheet["E7"]
    assert all(
        side.style == "thin" for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
    )
    assert worksheet.row_dimensions[7].height == 28
    assert [worksheet.column_dimensions[letter].width for letter in "ABCDEF"] == [6, 12, 14, 30, 20, 14]
    assert "A1:F1" in {str(merged) for merged in worksheet.merged_cells.ranges}


def test_sheet_names_are_kept_within_excels_rules_and_unique() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    long_title = "关于[新时代]党的建设总要求*的专题辅导报告：理论与实践/案例?"
    sessions = [
        session("S1", 2, 9, long_title),
        session("S2", 2, 9, long_title, teachers=("T-09",), place="报告厅"),
    ]
    names = opened(
        sign_in_workbook(
            training_class,
            sessions,
            enrollments=enrollments,
            people=people,
            organisation=organisation,
            teacher_names={},
        )
    ).sheetnames
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)
    assert names[1].endswith("(2)")


def test_a_class_without_scheduled_sessions_has_no_sign_in_sheet() -> None:
    training_class, organisation, people, enrollments = enrolled_sample()
    cancelled = cancel_session(session("S1", 2, 9, "课"), "停课")
    with pytest.raises(SessionError, match="class DT-2026-SPRING has no scheduled sessions to sign in to"):
        sign_in_workbook(
            training_class,
            [cancelled],
            enrollments=enrollments,
            people=people,
            organisation=organisation,
            teacher_names={},
        )


# ── the sample workbook ─────────────────────────────────────────────────────────────────────────────────


def test_the_committed_sample_is_what_its_script_writes() -> None:
    committed = opened(SAMPLE.read_bytes())
    generated = opened(sample_module().sample_workbook())
    assert committed.sheetnames == generated.sheetnames
    for name in committed.sheetnames:
        assert list(committed[name].values) == list(generated[name].values), name


def test_the_sample_imports_cleanly_with_forty_people_and_a_roster_of_eligible_development_targets() -> None:
    organisation, people = the_sample_register()
    assert len(people) == 40
    assert len(organisation.units) == 6 and len(organisation.party) == 14
    training_class, _, _, enrollments = enrolled_sample()
    assert len(enrollments) == 8
    assert [e.status for e in enrollments].count(EnrollmentStatus.APPROVED) == 6
    nominations = [
        nominate("x", people[e.person_id], replace(training_class, unit_quotas={}), unit="ORG", enrollments=[], at=NOW)
        for e in enrollments
    ]
    assert all(n.eligibility_rule == "eligibility/v1" for n in nominations)


def test_the_sample_shows_the_organisation_over_time() -> None:
    organisation, _ = the_sample_register()
    split = organisation.party["MARX-B0"].period
    assert (split.since, split.until) == (date(2012, 3, 1), date(2022, 7, 1))
    assert organisation.party["MARX-B1"].period.since == date(2022, 7, 1)
