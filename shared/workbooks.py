"""What every Excel export shares: text as a cell can hold it."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def cell_text(value: str) -> str:
    """Text without the control characters a workbook cannot hold (Excel refuses them): a name or title sent with
    one still exports."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))
