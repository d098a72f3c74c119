"""The office's workbooks (Excel, openpyxl): a task's fulfilment to send back up, the cultivation record a branch
keeps on file (培养考察登记表), the year's spending by training group, and a unit's yearly training records for the
organisation department. Headings in Chinese, as the school files them; A4, the header row repeated on every page.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from services.planning.domain.cadre_record import UnitYearRow
from services.planning.domain.cultivation import ActivityKind
from services.planning.domain.facts import hours_text
from services.planning.domain.tasks import FulfilmentState, Task
from services.planning.views import Cultivation, Fulfilment, Spending
from shared.vocabulary import POLITICAL_STATUS_LABELS, POSITION_LABELS, category_label, label
from shared.workbooks import cell_text

Cell = str | int | Decimal | date | None
MAX_WIDTH = 60
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAPPED = Alignment(wrap_text=True, vertical="top")
STATE_LABELS = {
    FulfilmentState.DONE: "已完成",
    FulfilmentState.IN_PROGRESS: "学习中",
    FulfilmentState.NOT_STARTED: "未开始",
    FulfilmentState.LATE: "逾期",
}
ACTIVITY_LABELS = {ActivityKind.SOCIAL_PRACTICE: "社会实践", ActivityKind.VOLUNTEER_SERVICE: "志愿服务"}


def _width(value: Cell) -> int:
    """Columns a value needs: characters of Chinese and other wide scripts take two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Sheet:
    """Rows written top to bottom: a title, facts as label–value pairs, and tables with a bold header."""

    def __init__(self, sheet: Worksheet, title: str) -> None:
        self.sheet = sheet
        self.widths: dict[int, int] = {}
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self.row(title, font=TITLE)

    def row(self, *values: Cell, font: Font | None = None) -> int:
        self.sheet.append([_cell(value) for value in values])
        number = self.sheet.max_row
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(number, column)
            cell.alignment = WRAPPED
            if font is not None:
                cell.font = font
            if number > 1:  # the title spans the sheet; it does not size a column
                self.widths[column] = max(self.widths.get(column, 0), min(_width(value), MAX_WIDTH))
        return number

    def facts(self, pairs: Sequence[tuple[str, Cell]]) -> None:
        for name, value in pairs:
            self.row(name, value)
            self.sheet.cell(self.sheet.max_row, 1).font = BOLD

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Cell]], *, repeat: bool = False) -> None:
        number = self.row(*header, font=BOLD)
        if repeat:
            self.sheet.print_title_rows = f"{number}:{number}"
        for values in rows:
            self.row(*values)

    def gap(self) -> None:
        self.sheet.append([])

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = max(width + 2, 8)


def _cell(value: Cell) -> str | int | date | None:
    """Decimals as the school writes them (24, 2.5), not as floats a spreadsheet would round; text without the
    control characters a workbook cannot hold (a title sent with one still exports)."""
    if isinstance(value, Decimal):
        return hours_text(value)
    if isinstance(value, str):
        return cell_text(value)
    return value


def _workbook(sheet_name: str, title: str) -> tuple[Workbook, _Sheet]:
    """A workbook of one sheet named ``sheet_name`` (fixed text: a sheet's name may not hold every character),
    headed by ``title``."""
    book = Workbook()
    active = book.active
    assert active is not None  # a new workbook has its sheet
    active.title = sheet_name
    return book, _Sheet(active, title)


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fulfilment_workbook(task: Task, fulfilment: Fulfilment) -> bytes:
    """A task's fulfilment to send back up (调训任务完成情况)."""
    report = fulfilment.report
    book, sheet = _workbook("调训任务完成情况", "调训任务完成情况")
    sheet.facts(
        [
            ("任务", report.title),
            ("下达单位", report.issuer.label),
            ("名额", f"{report.quota}（已选派 {report.nominated}）"),
            ("学时要求", f"{hours_text(task.required_hours)} 学时"),
            ("截止日期", task.deadline),
            ("统计截至", report.as_of),
            (
                "完成情况",
                f"已完成 {report.done}，学习中 {report.in_progress}，未开始 {report.not_started}，逾期 {report.late}",
            ),
        ]
    )
    sheet.gap()
    rows = []
    for nominee in report.nominees:
        person = fulfilment.persons.get(nominee.person_id)
        rows.append(
            [
                nominee.person_id,
                person.name if person else None,
                person.unit_id if person else None,
                nominee.hours,
                nominee.met_on,
                STATE_LABELS[nominee.state],
                nominee.reason,
            ]
        )
    sheet.table(["工号", "姓名", "单位", "学时", "达标日期", "状态", "说明"], rows, repeat=True)
    sheet.finish()
    return _bytes(book)


def cultivation_workbook(cultivation: Cultivation) -> bytes:
    """The cultivation record a branch keeps on file (入党积极分子、发展对象培养考察登记表)."""
    record, ready = cultivation.record, cultivation.readiness
    book, sheet = _workbook("培养考察登记表", "培养考察登记表")
    sheet.facts(
        [
            ("姓名", record.name),
            ("工号/学号", record.person_id),
            ("所在党支部", record.branch_id),
            ("政治面貌", label(POLITICAL_STATUS_LABELS, record.status) if record.status else None),
            ("确定为入党积极分子时间", record.activist_since),
            ("确定为发展对象时间", record.development_target_since),
            ("记录截至", record.as_of),
        ]
    )
    sheet.gap()
    sheet.row("一、培训情况", font=BOLD)
    sheet.table(
        ["班次", "培训类别", "学时", "培训天数", "结业证书编号"],
        [
            [
                f"{line.class_id} {line.title}" if line.class_id else line.title,
                category_label(line.category) if line.category else None,
                line.hours,
                len(line.days),
                line.certificate_number,
            ]
            for line in record.training
        ],
    )
    sheet.gap()
    sheet.row("二、社会实践与志愿服务", font=BOLD)
    sheet.table(
        ["日期", "类别", "内容", "时长（小时）"],
        [[a.on, ACTIVITY_LABELS[a.kind], a.description, a.duration_hours] for a in record.activities],
    )
    sheet.gap()
    sheet.row("三、谈心谈话记录", font=BOLD)
    sheet.table(["日期", "谈话内容", "培养联系人"], [[t.on, t.content, t.contact_id] for t in record.talks])
    sheet.gap()
    sheet.row("四、培养考察情况", font=BOLD)
    if ready is None:
        sheet.row("（记录截至之日，非入党积极分子或发展对象）")
    else:
        sheet.table(
            ["条件", "是否达到", "依据"],
            [[check.condition, "是" if check.met else "否", check.reason] for check in ready.checks],
        )
        sheet.facts([("结论", "已具备条件" if ready.ready else "尚不具备条件"), ("依据规则", ready.rule)])
    sheet.finish()
    return _bytes(book)


def spending_workbook(spending: Spending) -> bytes:
    """The year's spending by training group (培训经费使用情况)."""
    book, sheet = _workbook("经费使用情况", f"{spending.year}年度培训经费使用情况")
    sheet.table(
        ["培训类别", "班次数", "预算（元）", "支出（元）", "超标准支出项", "超预算班次", "待审批说明班次"],
        [
            [
                group.label,
                group.classes,
                group.planned,
                group.spent,
                group.lines_over_standard,
                group.classes_over_budget,
                group.classes_awaiting_note,
            ]
            for group in spending.groups
        ],
        repeat=True,
    )
    if spending.unmeasured:
        sheet.gap()
        sheet.row("尚无法核算的班次", font=BOLD)
        sheet.table(["班次", "原因"], [[class_id, why] for class_id, why in sorted(spending.unmeasured.items())])
    sheet.finish()
    return _bytes(book)


def unit_records_workbook(unit_id: str, year: int, rows: Sequence[UnitYearRow]) -> bytes:
    """A unit's training records of a year, one row a person (干部教育培训情况), for the organisation department."""
    book, sheet = _workbook("干部教育培训情况", f"{year}年度干部教育培训情况（{unit_id}）")
    sheet.table(
        [
            "工号",
            "姓名",
            "政治面貌",
            "职务",
            "参训班次",
            "结业证书",
            "学时",
            "集中",
            "网络",
            "已达到的要求",
            "未达到的要求",
        ],
        [
            [
                row.person_id,
                row.name,
                label(POLITICAL_STATUS_LABELS, row.status) if row.status else None,
                "、".join(label(POSITION_LABELS, p) for p in sorted(row.positions)) or None,
                row.classes,
                row.certificates,
                row.hours,
                row.offline,
                row.online,
                "；".join(row.requirements_met) or None,
                "；".join(row.requirements_not_met) or None,
            ]
            for row in rows
        ],
        repeat=True,
    )
    sheet.finish()
    return _bytes(book)
