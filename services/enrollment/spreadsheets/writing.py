"""Workbooks the register hands out: import templates, a class roster (花名册) and sign-in sheets (签到表).

Each returns the .xlsx file's bytes. Templates and the sample workbook are written from the same layouts the
importer reads, so whatever is filled into a template imports. Sign-in sheets are meant to be printed: A4,
one page wide, the header row repeated on every page, a row high enough to sign in.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from services.enrollment.domain.classes import SCHOOL_TIMEZONE, ClassSession, TrainingClass
from services.enrollment.domain.enrollments import ACTIVE, Enrollment
from services.enrollment.domain.errors import SessionError
from services.enrollment.domain.organisation import Organisation
from services.enrollment.domain.people import Person, as_of
from services.enrollment.domain.vocabulary import EnrollmentStatus, SessionStatus
from services.enrollment.spreadsheets import layouts as sheet
from services.enrollment.spreadsheets.layouts import SheetLayout

INSTRUCTIONS = "填写说明"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_BOLD = Font(bold=True)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAPPED = Alignment(vertical="center", wrap_text=True)
_VALIDATED_ROWS = 2000  # drop-downs reach this far down a template
_WEEKDAYS = "一二三四五六日"
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_STATUS_ORDER = list(EnrollmentStatus)

CellValue = str | int | Decimal | date | None


def workbook_bytes(layouts: Sequence[SheetLayout], rows: Mapping[str, Sequence[Sequence[CellValue]]]) -> bytes:
    """A workbook with an instructions sheet, then one sheet per layout: headers, notes, drop-downs, ``rows``."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None  # a new workbook always has its first sheet
    _write_instructions(instructions, layouts)
    for layout in layouts:
        worksheet = workbook.create_sheet(layout.name)
        _write_headers(worksheet, layout)
        for values in rows.get(layout.name, ()):
            worksheet.append(list(values))
    return _saved(workbook)


def register_template() -> bytes:
    """The empty workbook for importing units, Party organisations, people, statuses and positions."""
    return workbook_bytes(sheet.REGISTER_SHEETS, {})


def roster_template() -> bytes:
    return workbook_bytes((sheet.ROSTER,), {})


def roster_workbook(
    training_class: TrainingClass,
    enrollments: Sequence[Enrollment],
    people: Mapping[str, Person],
    organisation: Organisation,
    statuses: Collection[EnrollmentStatus] = ACTIVE,
) -> bytes:
    """The class's roster (花名册): everyone whose enrollment stands in ``statuses``, seated first, by unit;
    the waitlisted in the order they wait.

    Its header row is the roster template's, so an exported roster imports again (into another class, say).
    """
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet.ROSTER.name
    headers = [
        "序号",
        sheet.PERSON_ID,
        sheet.NAME,
        sheet.PERSON_KIND,
        sheet.UNIT,
        sheet.BRANCH,
        "政治面貌",
        sheet.NOMINATING_UNIT,
        "报名方式",
        "状态",
        sheet.REMARK,
    ]
    c = training_class
    _title(worksheet, 1, c.title, len(headers), size=16)
    days = f"{c.first_day} 至 {c.last_day}" if c.first_day else "日期待定"
    _title(worksheet, 2, f"{c.category.label}　{days}　{c.place or c.delivery.label}", len(headers))
    _header_row(worksheet, 3, headers)
    listed = sorted(
        (e for e in enrollments if e.class_id == c.class_id and e.status in statuses),
        key=lambda e: (
            _STATUS_ORDER.index(e.status),
            (e.waitlisted_at or e.changed_at).timestamp() if e.status is EnrollmentStatus.WAITLISTED else 0.0,
            people[e.person_id].unit or "",
            e.person_id,
        ),
    )
    for number, enrollment in enumerate(listed, start=1):
        person = people[enrollment.person_id]
        held = as_of(person, c.first_day).status if c.first_day else None
        _body_row(
            worksheet,
            3 + number,
            [
                number,
                person.person_id,
                person.name,
                person.kind.label if person.kind else "",
                _unit_name(organisation, person.unit),
                _party_name(organisation, person.branch),
                held.status.label if held else "",
                _unit_name(organisation, enrollment.nominating_unit),
                enrollment.route.label,
                enrollment.status.label,
                "",  # for the class managers' notes: the record's reasons are in the register
            ],
        )
        worksheet.row_dimensions[3 + number].height = 20
    seated = sum(1 for e in enrollments if e.class_id == c.class_id and e.status is EnrollmentStatus.APPROVED)
    _title(worksheet, 4 + len(listed), f"已录取 {seated} 人，容量 {c.capacity} 人", len(headers), bold=False)
    for column, width in enumerate((6, 12, 10, 8, 24, 28, 12, 24, 10, 8, 24), start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    worksheet.freeze_panes = "A4"
    _printable(worksheet, header_row=3, landscape=True)
    return _saved(workbook)


def sign_in_workbook(
    training_class: TrainingClass,
    sessions: Sequence[ClassSession],
    *,
    enrollments: Sequence[Enrollment],
    people: Mapping[str, Person],
    organisation: Organisation,
    teacher_names: Mapping[str, str],
) -> bytes:
    """签到表: one printable sheet per scheduled session, listing the learners who hold a seat."""
    c = training_class
    scheduled = sorted(
        (s for s in sessions if s.class_id == c.class_id and s.status is SessionStatus.SCHEDULED),
        key=lambda s: s.starts_at,
    )
    if not scheduled:
        raise SessionError(f"class {c.class_id} has no scheduled sessions to sign in to")
    learners = sorted(
        (
            people[e.person_id]
            for e in enrollments
            if e.class_id == c.class_id and e.status is EnrollmentStatus.APPROVED
        ),
        key=lambda p: (p.unit or "", p.person_id),
    )
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    names: set[str] = set()
    for session in scheduled:
        worksheet = workbook.create_sheet(_sheet_name(session, names))
        _sign_in_sheet(worksheet, c, session, learners=learners, organisation=organisation, teacher_names=teacher_names)
    return _saved(workbook)


def _sign_in_sheet(
    worksheet: Worksheet,
    training_class: TrainingClass,
    session: ClassSession,
    *,
    learners: Sequence[Person],
    organisation: Organisation,
    teacher_names: Mapping[str, str],
) -> None:
    headers = ["序号", sheet.NAME, sheet.PERSON_ID, sheet.UNIT, "签到", sheet.REMARK]
    width = len(headers)
    start = session.starts_at.astimezone(SCHOOL_TIMEZONE)
    end = session.ends_at.astimezone(SCHOOL_TIMEZONE)
    teachers = "、".join(teacher_names.get(t, t) for t in session.teachers) or "—"
    _title(worksheet, 1, training_class.title, width, size=16)
    _title(worksheet, 2, "签 到 表", width, size=14)
    _title(worksheet, 3, f"课程：{session.title}（{session.mode.label}）", width, bold=False, centred=False)
    _title(
        worksheet, 4, f"时间：{_when(start, end)}　　地点：{session.place or '网络'}", width, bold=False, centred=False
    )
    _title(
        worksheet, 5, f"授课教师：{teachers}　　学时：{session.hours.normalize():f}", width, bold=False, centred=False
    )
    _header_row(worksheet, 6, headers)
    for number, person in enumerate(learners, start=1):
        row = 6 + number
        _body_row(
            worksheet, row, [number, person.name, person.person_id, _unit_name(organisation, person.unit), "", ""]
        )
        worksheet.row_dimensions[row].height = 28  # room for a signature
    closing = 7 + len(learners)
    _title(
        worksheet,
        closing,
        f"应到 {len(learners)} 人，实到 ____ 人　　跟班管理人员签字：____________",
        width,
        bold=False,
        centred=False,
    )
    worksheet.row_dimensions[closing].height = 32
    for column, column_width in enumerate((6, 12, 14, 30, 20, 14), start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = column_width
    _printable(worksheet, header_row=6, landscape=False)


def _write_instructions(worksheet: Worksheet, layouts: Sequence[SheetLayout]) -> None:
    worksheet.title = INSTRUCTIONS
    worksheet.append(["工作表", "用途", "列", "是否必填", "填写说明"])
    for cell in worksheet[1]:
        cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _BOX
    for layout in layouts:
        for column in layout.columns:
            choices = f"（可选：{'、'.join(m.label for m in column.choices)}）" if column.choices else ""
            worksheet.append(
                [
                    layout.name,
                    layout.purpose,
                    column.header,
                    "必填" if column.required else "选填",
                    column.note + choices,
                ]
            )
    widths = (10, 44, 14, 10, 80)
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    for number, row in enumerate(worksheet.iter_rows(min_row=2), start=2):
        for cell in row:
            cell.alignment, cell.border = _WRAPPED, _BOX
        # Rows are not fitted to wrapped text when the file is opened: give each the lines its note needs
        # (a Chinese character is about two units of column width).
        note = str(row[-1].value)
        lines = -(-len(note) * 2 // widths[-1])
        worksheet.row_dimensions[number].height = 16 * max(lines, 1)
    _printable(worksheet, header_row=1, landscape=True)


def _write_headers(worksheet: Worksheet, layout: SheetLayout) -> None:
    worksheet.append([column.header for column in layout.columns])
    for index, column in enumerate(layout.columns, start=1):
        cell = worksheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BOX, _CENTRED
        cell.comment = Comment(f"{'必填' if column.required else '选填'}：{column.note}", "dangxiao")
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        if column.choices is not None:
            labels = ",".join(member.label for member in column.choices)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not column.required)
            validation.error = f"请从下拉列表中选择：{labels}"
            validation.showErrorMessage = True
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{_VALIDATED_ROWS}")
    worksheet.freeze_panes = "A2"


def _title(
    worksheet: Worksheet,
    row: int,
    value: str,
    width: int,
    *,
    size: int = 11,
    bold: bool = True,
    centred: bool = True,
) -> None:
    worksheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = worksheet.cell(row=row, column=1, value=value)
    cell.font = Font(bold=bold, size=size)
    cell.alignment = _CENTRED if centred else _WRAPPED
    worksheet.row_dimensions[row].height = max(20, size * 2)


def _header_row(worksheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=row, column=column, value=header)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BOX, _CENTRED


def _body_row(worksheet: Worksheet, row: int, values: Sequence[str | int]) -> None:
    for column, value in enumerate(values, start=1):
        cell = worksheet.cell(row=row, column=column, value=value)
        cell.border, cell.alignment = _BOX, _CENTRED if column == 1 else _WRAPPED


def _printable(worksheet: Worksheet, *, header_row: int, landscape: bool) -> None:
    setup = worksheet.page_setup
    setup.paperSize = worksheet.PAPERSIZE_A4
    setup.orientation = worksheet.ORIENTATION_LANDSCAPE if landscape else worksheet.ORIENTATION_PORTRAIT
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as it takes
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    worksheet.print_title_rows = f"{header_row}:{header_row}"
    worksheet.print_options.horizontalCentered = True
    worksheet.page_margins.left = worksheet.page_margins.right = 0.5
    worksheet.page_margins.top = worksheet.page_margins.bottom = 0.6
    footer = HeaderFooterItem()
    footer.center.text = "第 &P 页，共 &N 页"
    worksheet.oddFooter = footer


def _sheet_name(session: ClassSession, taken: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name; the session's day and time lead."""
    start = session.starts_at.astimezone(SCHOOL_TIMEZONE)
    base = _NOT_IN_SHEET_NAMES.sub("", f"{start:%m-%d %H.%M} {session.title}")[:31].strip()
    name, number = base, 2
    while name in taken:
        suffix = f"({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name)
    return name


def _when(start: datetime, end: datetime) -> str:
    day = f"{start.year}年{start.month}月{start.day}日 星期{_WEEKDAYS[start.weekday()]}"
    if end.date() == start.date():
        return f"{day} {start:%H:%M}–{end:%H:%M}"
    return f"{day} {start:%H:%M} 至 {end.year}年{end.month}月{end.day}日 {end:%H:%M}"


def _unit_name(organisation: Organisation, code: str | None) -> str:
    if code is None:
        return ""
    unit = organisation.units.get(code)
    return unit.name if unit else code


def _party_name(organisation: Organisation, code: str | None) -> str:
    if code is None:
        return ""
    found = organisation.party.get(code)
    return found.name if found else code


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
