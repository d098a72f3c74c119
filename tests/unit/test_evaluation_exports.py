"""Report tables as an .xlsx workbook, and anonymity across every report, table and export."""

from __future__ import annotations

import secrets
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

from openpyxl import load_workbook

from services.evaluation.domain.forms import Form, Purpose, Response, Subject, beijing, submit
from services.evaluation.domain.needs import aggregate_needs, needs_tables
from services.evaluation.domain.questionnaires import (
    ONE_TO_FIVE,
    Choice,
    Item,
    ItemKind,
    RawAnswer,
    Section,
    TemplateVersion,
)
from services.evaluation.domain.reports import Table, class_report, report_tables, teacher_report
from services.evaluation.domain.tallies import FormAnswers
from services.evaluation.exports import workbook_bytes
from shared.ids import new_id

CREATED = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
TABLE = Table(
    "班级 class-2026-07 各课程 (each session)",
    ("课程 (session)", "平均分 (mean)", "作答人数 (answered)", "说明 (note)"),
    (
        ("第一讲", Decimal("4.67"), 3, None),
        ("第二讲", None, None, "not shown: fewer than 3 answered, to keep answers anonymous"),
        ('=HYPERLINK("http://example.invalid")', Decimal("66.7"), 12, "bell\x07 and vertical\x0b tab"),
    ),
)


def read(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(BytesIO(data))
    return {sheet.title: [tuple(cell.value for cell in row) for row in sheet.iter_rows()] for sheet in workbook}


def test_each_table_is_a_sheet_with_its_title_header_and_rows() -> None:
    [(name, rows)] = read(workbook_bytes([TABLE], created=CREATED)).items()
    assert name == "班级 class-2026-07 各课程 (each session)"[:31]
    assert rows[0][0] == TABLE.title
    assert rows[1] == TABLE.header
    assert rows[2] == ("第一讲", 4.67, 3, None)
    assert rows[3] == ("第二讲", None, None, "not shown: fewer than 3 answered, to keep answers anonymous")


def test_numbers_keep_their_places_and_text_never_becomes_a_formula() -> None:
    sheet = load_workbook(BytesIO(workbook_bytes([TABLE], created=CREATED))).active
    assert sheet is not None
    assert sheet["B3"].number_format == "0.00"
    assert sheet["B5"].number_format == "0.0"
    assert sheet["A5"].data_type == "s"
    assert sheet["A5"].value == '=HYPERLINK("http://example.invalid")'
    assert sheet["D5"].value == "bell and vertical tab"  # control characters Excel refuses are left out


def test_sheet_names_are_ones_excel_accepts_and_unique() -> None:
    long_title = "教师 teacher-a 各专题 (each course): 2025/2026 [all]?"
    names = list(read(workbook_bytes([Table(long_title, ("a",), ())] * 3, created=CREATED)))
    assert names == [
        "教师 teacher-a 各专题 (each course)",
        "教师 teacher-a 各专题 (each cour (2)",
        "教师 teacher-a 各专题 (each cour (3)",
    ]
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)


def test_a_title_with_control_characters_still_names_a_sheet() -> None:
    """Titles name what a report is about, whatever an id holds: a control character is left out of the name."""
    assert list(read(workbook_bytes([Table("教师 t\x1c1 各年度", ("a",), ())], created=CREATED))) == ["教师 t1 各年度"]


def test_the_same_tables_give_the_same_bytes() -> None:
    first = workbook_bytes([TABLE], created=CREATED)
    assert workbook_bytes([TABLE], created=CREATED) == first
    assert workbook_bytes([TABLE], created=CREATED + timedelta(seconds=2)) != first


# ── anonymity: after anonymous submissions, no respondent can be found in any report, table or export ──────────

OVERALL = Item("overall", "总体评价", ItemKind.RATING, scale=ONE_TO_FIVE)
COMMENT = Item("comment", "意见建议", ItemKind.FREE_TEXT, required=False)
EVALUATION = TemplateVersion("teaching-evaluation", 1, "学员评教", (Section("评价", (OVERALL, COMMENT)),))
NEEDS = TemplateVersion(
    "needs",
    1,
    "需求调研",
    (
        Section(
            "需求",
            (
                Item(
                    "topics",
                    "专题",
                    ItemKind.MULTIPLE_CHOICE,
                    choices=(Choice("theory", "理论"), Choice("history", "党史")),
                ),
                Item(
                    "teaching_modes",
                    "形式",
                    ItemKind.MULTIPLE_CHOICE,
                    choices=(Choice("seminar", "研讨式"), Choice("case", "案例式")),
                ),
            ),
        ),
    ),
)
OPENS = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)


def anonymous_form(form_id: str, template: TemplateVersion, purpose: Purpose, **subject: str) -> Form:
    return Form(
        form_id=form_id,
        title=form_id,
        purpose=purpose,
        template_id=template.template_id,
        template_version=template.version,
        opens_at=OPENS,
        closes_at=CLOSES,
        anonymous=True,
        subject=Subject("activists", 2026, "class-2026-07", **subject),
    )


def test_no_report_table_or_export_holds_anything_that_leads_to_a_respondent() -> None:
    forms = [
        (anonymous_form("whole", EVALUATION, Purpose.TEACHING_EVALUATION), EVALUATION),
        (
            anonymous_form(
                "session",
                EVALUATION,
                Purpose.TEACHING_EVALUATION,
                session_id="s1",
                teacher_id="teacher-a",
                course="党史",
            ),
            EVALUATION,
        ),
        (
            anonymous_form("few", EVALUATION, Purpose.TEACHING_EVALUATION, session_id="s2", teacher_id="teacher-a"),
            EVALUATION,
        ),
        (anonymous_form("needs", NEEDS, Purpose.PRE_CLASS), NEEDS),
    ]
    people = [f"P{n:04d}XQ" for n in range(1, 6)]
    secrets_kept: list[str] = [*people]
    answered = []
    for the_form, template in forms:
        responses: list[Response] = []
        for n, person in enumerate(people[: 2 if the_form.form_id == "few" else 5]):
            raw: dict[str, RawAnswer] = (
                {"topics": ["theory"], "teaching_modes": ["case"]}
                if template is NEEDS
                else {"overall": 1 + n, "comment": f"第{n}条意见"}
            )
            receipt = secrets.token_urlsafe(16)
            submission = submit(
                the_form,
                template,
                raw,
                person_id=person,
                previous=None,
                now=OPENS + timedelta(hours=n),
                response_id=new_id("response"),
                receipt=receipt,
            )
            assert submission.participation.person_id == person  # kept apart, and only there
            response = submission.response
            assert response.receipt_digest is not None
            secrets_kept += [receipt, response.response_id, response.receipt_digest, submitted_at(n)]
            responses.append(response)
        answered.append(FormAnswers(the_form, template, tuple(r.answers for r in responses)))

    after = CLOSES + timedelta(days=1)
    reports = [class_report("class-2026-07", answered, after), teacher_report("teacher-a", answered, after)]
    needs = aggregate_needs(answered, after)
    tables = [table for report in reports for table in report_tables(report, {})] + list(needs_tables(needs, {}))
    export = everything_written(workbook_bytes(tables, created=after))

    # The answers are there: the comments of the forms that may be shown, the ranking of the needs survey…
    assert "第4条意见" in export
    assert "理论" in export
    # …and nothing anyone could use to tell who gave them: no person, response id, receipt or submission time.
    for where in (repr(reports), repr(needs), repr(tables), export):
        found = [kept for kept in secrets_kept if kept in where]
        assert found == [], found


def everything_written(xlsx: bytes) -> str:
    """Every text and attribute in every part of the workbook, character references decoded."""
    with zipfile.ZipFile(BytesIO(xlsx)) as archive:
        parts = [ElementTree.fromstring(archive.read(name)) for name in archive.namelist()]
    return "\n".join(
        text for part in parts for element in part.iter() for text in (*element.itertext(), *element.attrib.values())
    )


def submitted_at(n: int) -> str:
    """The time of the n-th submission as a report would show it, were it to leak there."""
    return beijing(OPENS + timedelta(hours=n))
