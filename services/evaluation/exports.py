"""Report tables as an Excel workbook (.xlsx), built in memory: one sheet per table.

The same tables give the same bytes (the workbook's dates and the archive's entry times are the ``created``
passed in), so an export can be compared, cached or attached as it is. Text is always written as text: a comment
that begins with ``=`` stays a comment and never becomes a formula.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.evaluation.domain.reports import CellValue, Table

SHEET_NAME_LIMIT = 31  # Excel's
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
WIDEST_COLUMN = 60
BOLD = Font(bold=True)


def workbook_bytes(tables: Sequence[Table], *, created: datetime) -> bytes:
    """The tables as an .xlsx file: each on its own sheet, its title in the first row, its header in the second."""
    workbook = Workbook()
    for blank in workbook.worksheets:  # the sheet every new workbook starts with
        workbook.remove(blank)
    moment = created.astimezone(UTC).replace(tzinfo=None)
    workbook.properties.created = workbook.properties.modified = moment
    workbook.properties.creator = "dangxiao"
    used: set[str] = set()
    for table in tables:
        _fill(workbook.create_sheet(_sheet_name(table.title, used)), table)
    written = BytesIO()
    workbook.save(written)
    return _with_entry_times(written.getvalue(), moment)


def _fill(sheet: Worksheet, table: Table) -> None:
    for row_number, values in enumerate(((table.title,), table.header, *table.rows), start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                cell.value = _text(value)
                cell.data_type = "s"  # never a formula, whatever the text begins with
            else:
                cell.value = value
            if isinstance(value, Decimal):
                exponent = value.as_tuple().exponent
                if isinstance(exponent, int) and exponent < 0:
                    cell.number_format = f"0.{'0' * -exponent}"  # 87.50 shows as 87.50, not 87.5
            if row_number <= 2:
                cell.font = BOLD
    sheet.freeze_panes = "A3"
    for column in range(1, len(table.header) + 1):
        widest = max((_width(row[column - 1]) for row in (table.header, *table.rows)), default=0)
        sheet.column_dimensions[get_column_letter(column)].width = min(widest + 2, WIDEST_COLUMN)


def _text(value: str) -> str:
    """Text as a cell can hold it: control characters, which Excel refuses, left out."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _width(value: CellValue) -> int:
    """Columns a value needs: characters of Chinese and other wide scripts take two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts, unique in the workbook (the full title is on the sheet's first row)."""
    base = NOT_IN_SHEET_NAMES.sub(" ", _text(title)).strip() or "Sheet"
    name = base[:SHEET_NAME_LIMIT].rstrip()
    counter = 1
    while name.lower() in used:  # Excel tells sheet names apart regardless of case
        counter += 1
        suffix = f" ({counter})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix
    used.add(name.lower())
    return name


def _with_entry_times(archive: bytes, moment: datetime) -> bytes:
    """The archive again, every entry dated ``moment`` instead of the time it was written."""
    rewritten = BytesIO()
    with zipfile.ZipFile(BytesIO(archive)) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            dated = zipfile.ZipInfo(entry.filename, date_time=moment.timetuple()[:6])
            dated.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(dated, source.read(entry))
    return rewritten.getvalue()
