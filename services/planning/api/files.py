"""Workbooks as answers: their media type, a file name in Chinese, and how OpenAPI documents them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}, "description": "an Excel workbook"}
}


def workbook(content: bytes, file_name: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(file_name)}"},
    )
