"""Reading an uploaded .xlsx workbook or .csv file into rows keyed by their Chinese headers.

A file that cannot be read as asked is refused whole (``MalformedWorkbook``); what is wrong inside a row is
the importer's business, reported row by row. The header row may sit below a title: it is the first of the
first ten rows that carries every required header of a sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from services.enrollment.domain.errors import RegisterError
from services.enrollment.spreadsheets.layouts import SheetLayout

MAX_ROWS = 20_000  # far beyond any school's register; a larger file is a mistake or an attack
HEADER_SEARCH_ROWS = 10
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format


class MalformedWorkbook(RegisterError):
    """A file that is not a readable workbook, or lacks the sheets or headers asked for."""


class CellError(RegisterError):
    """A cell whose content cannot be read as its column asks."""


@dataclass(frozen=True)
class Row:
    line: int  # the row number as the spreadsheet shows it (the line, in a CSV file)
    cells: Mapping[str, object]  # header -> the cell's value: str, int, float, date, datetime or None


@dataclass(frozen=True)
class Table:
    sheet: str
    rows: tuple[Row, ...]


def read_tables(data: bytes, layouts: Sequence[SheetLayout]) -> dict[str, Table]:
    """The sheets of ``layouts`` that the file holds, by sheet name; at least one must be there.

    An .xlsx workbook is read by sheet name. A CSV file holds one sheet, recognised by its header row.
    """
    if data.startswith(_XLS_MAGIC):
        raise MalformedWorkbook("this is an old .xls workbook: save it as .xlsx (Excel 工作簿) and upload again")
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data, layouts)
    table = _read_csv(data, layouts)
    return {table.sheet: table}


def text(value: object) -> str:
    """A cell as text: numbers typed into a text column (工号 20190001) read as they were typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_date(value: object) -> date:
    """A date cell, or a date typed as text the ways people type it: 2024-06-01, 2024/6/1, 2024年6月1日…"""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(written)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise CellError(f"malformed date {written!r}: write it as 2024-06-01")


def _read_xlsx(data: bytes, layouts: Sequence[SheetLayout]) -> dict[str, Table]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise MalformedWorkbook(f"not a readable .xlsx workbook ({type(error).__name__}: {error})") from error
    try:
        present = [layout for layout in layouts if layout.name in workbook.sheetnames]
        if not present:
            wanted = ", ".join(layout.name for layout in layouts)
            raise MalformedWorkbook(
                f"the workbook has no sheet named {wanted} (its sheets: {', '.join(workbook.sheetnames) or 'none'})"
            )
        return {
            layout.name: _table(layout, _numbered(workbook[layout.name].iter_rows(values_only=True)))
            for layout in present
        }
    except MalformedWorkbook:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:  # a damaged part found while reading
        raise MalformedWorkbook(f"the workbook cannot be read ({type(error).__name__}: {error})") from error
    finally:
        workbook.close()


def _read_csv(data: bytes, layouts: Sequence[SheetLayout]) -> Table:
    content = _decoded(data)
    try:
        lines = list(_numbered_csv(content))
    except csv.Error as error:
        raise MalformedWorkbook(f"not a readable CSV file: {error}") from error
    for layout in layouts:
        if _header_at(layout, lines) is not None:
            return _table(layout, iter(lines))
    expected = "; ".join(f"{layout.name}: {', '.join(_required(layout))}" for layout in layouts)
    raise MalformedWorkbook(
        f"not a workbook, nor a CSV file with a known header row in its first {HEADER_SEARCH_ROWS} lines "
        f"(expected {expected})"
    )


def _decoded(data: bytes) -> str:
    # Excel saves "CSV UTF-8" with a byte-order mark, and plain "CSV" in the system's code page: GB18030 here.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MalformedWorkbook("the CSV file is neither UTF-8 nor GB18030 text")


def _numbered_csv(content: str) -> Iterator[tuple[int, tuple[object, ...]]]:
    reader = csv.reader(io.StringIO(content, newline=""))
    for values in reader:
        yield reader.line_num, tuple(values)


def _numbered(rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[int, tuple[object, ...]]]:
    return ((line, values) for line, values in enumerate(rows, start=1))


def _table(layout: SheetLayout, lines: Iterator[tuple[int, tuple[object, ...]]]) -> Table:
    head = []
    for numbered in lines:
        head.append(numbered)
        if len(head) == HEADER_SEARCH_ROWS:
            break
    found = _header_at(layout, head)
    if found is None:
        raise MalformedWorkbook(_missing_headers(layout, head))
    header_index, columns = found
    rows = []
    for line, values in [*head[header_index + 1 :], *lines]:
        cells = {header: values[index] if index < len(values) else None for header, index in columns.items()}
        if all(text(value) == "" for value in cells.values()):
            continue
        rows.append(Row(line, cells))
        if len(rows) > MAX_ROWS:
            raise MalformedWorkbook(f"sheet {layout.name} has more than {MAX_ROWS} rows")
    return Table(layout.name, tuple(rows))


def _header_at(
    layout: SheetLayout, head: Sequence[tuple[int, tuple[object, ...]]]
) -> tuple[int, dict[str, int]] | None:
    """Where the header row is among the first rows, and the column of each header the layout knows."""
    for position, (line, values) in enumerate(head[:HEADER_SEARCH_ROWS]):
        headers = [_header(value) for value in values]
        if not all(header in headers for header in _required(layout)):
            continue
        known = [column.header for column in layout.columns]
        twice = sorted({h for h in headers if h in known and headers.count(h) > 1})
        if twice:
            raise MalformedWorkbook(f"sheet {layout.name}, line {line}: the header {', '.join(twice)} appears twice")
        return position, {header: index for index, header in enumerate(headers) if header in known}
    return None


def _missing_headers(layout: SheetLayout, head: Sequence[tuple[int, tuple[object, ...]]]) -> str:
    required = _required(layout)
    if not head:
        return f"sheet {layout.name} is empty: it needs a header row with {', '.join(required)}"
    best = max(head, key=lambda numbered: sum(_header(v) in required for v in numbered[1]))
    missing = [header for header in required if header not in {_header(v) for v in best[1]}]
    return (
        f"sheet {layout.name} has no header row with {', '.join(required)}: line {best[0]} lacks {', '.join(missing)}"
    )


def _required(layout: SheetLayout) -> list[str]:
    return [column.header for column in layout.columns if column.required]


def _header(value: object) -> str:
    # 工号／学号 typed with a full-width slash, or with spaces, is still the same header.
    return "".join(text(value).split()).replace("／", "/")
