"""Excel workbooks of a transcript (学时档案) and of compliance (达标情况), as the school files and circulates them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from services.hours.domain.ledger import EntryKind
from services.hours.models import CompliancePublic, TranscriptPublic
from shared.workbooks import cell_text

CHANNELS = {"offline": "集中", "online": "网络"}
STANDINGS = {
    "met": "已达标",
    "on_track": "进度正常",
    "behind": "进度落后",
    "out_of_reach": "已无法达标",
    "missed": "未达标",
    "in_progress": "进行中",
}
Cell = str | int | Decimal | None


def transcript_workbook(shown: TranscriptPublic) -> bytes:
    book = Workbook()
    lines = book.active
    assert lines is not None  # a new workbook has its sheet
    lines.title = "学时档案"
    lines.append(["工号/学号", cell_text(shown.person_id), "截至", shown.as_of.isoformat(), "合计学时", shown.total])
    _table(
        lines,
        ["培训日期", "类别", "形式", "班次/项目", "学时", "规则", "说明", "来源", "记入时间"],
        [
            [
                line.trained_on.isoformat(),
                line.category_label or "班外学习",
                CHANNELS.get(line.channel, line.channel),
                line.class_id or line.item,
                line.hours if line.kind == EntryKind.CREDIT else -line.hours,
                line.rule,
                line.reason,
                line.source,
                line.recorded_at.isoformat(),
            ]
            for line in shown.lines
        ],
    )
    years = book.create_sheet("年度汇总")
    categories = sorted({c.label for year in shown.years for c in year.by_category})
    _table(
        years,
        ["年度", "合计", "集中", "网络", *categories],
        [
            [
                year.year,
                year.total,
                year.concentrated,
                year.online,
                *({c.label: c.hours for c in year.by_category}.get(label) for label in categories),
            ]
            for year in shown.years
        ],
    )
    return _saved(book)


def compliance_workbook(report: CompliancePublic) -> bytes:
    book = Workbook()
    rows = book.active
    assert rows is not None
    rows.title = "达标情况"
    rows.append(["截至", report.as_of.isoformat()])
    _table(
        rows,
        ["单位", "支部", "工号/学号", "要求", "周期起", "周期止", "应修", "已修", "差额", "状态", "说明", "依据"],
        [
            [
                unit.unit,
                branch.branch,
                row.person_id,
                row.standing.label,
                row.standing.window_start.isoformat(),
                row.standing.window_end.isoformat() if row.standing.window_end else None,
                row.standing.required,
                row.standing.credited,
                row.standing.shortfall,
                STANDINGS.get(row.standing.standing, row.standing.standing),
                row.standing.explanation,
                row.standing.source,
            ]
            for unit in report.units
            for branch in unit.branches
            for row in branch.rows
        ],
    )
    tallies = book.create_sheet("汇总")
    _table(
        tallies,
        ["单位", "支部", "要求", "人数", *STANDINGS.values(), "差额合计"],
        [
            [
                unit.unit,
                branch,
                tally.label,
                tally.under,
                *(tally.by_standing.get(s, 0) for s in STANDINGS),
                tally.shortfall,
            ]
            for unit in report.units
            for branch, unit_tallies in [
                *((branch.branch, branch.tallies) for branch in unit.branches),
                ("（单位合计）", unit.tallies),
            ]
            for tally in unit_tallies
        ],
    )
    return _saved(book)


def _table(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_text(value) if isinstance(value, str) else value for value in row])


def _saved(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
