"""What the services' HTTP APIs share: days as their documents write them, and files to download."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Response
from pydantic import AfterValidator, BeforeValidator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The 200 answer of a route that returns a workbook, as its OpenAPI document describes it.
XLSX_ANSWER: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}, "description": "an Excel workbook"}}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value: Any) -> Any:
    # pydantic would read 0, or "0", as 1970-01-01: a day is accepted only as the schema documents it.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _within_the_calendar_we_keep(day: date) -> date:
    # Far-off years overflow when a day's end is turned into a moment; nothing the school records is near them.
    if not 1900 <= day.year <= 2999:
        raise ValueError("must be between the years 1900 and 2999")
    return day


# A day in a query or a request body: YYYY-MM-DD, in the years the school could mean.
WrittenDay = Annotated[date, BeforeValidator(_written_as_a_day), AfterValidator(_within_the_calendar_we_keep)]


def file_headers(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The header naming a file under any name (RFC 6266: an ASCII stand-in, then the name itself in UTF-8), so
    that a person id or class id of any characters names its file without breaking the header."""
    stand_in = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    disposition = "inline" if inline else "attachment"
    return {"Content-Disposition": f"{disposition}; filename=\"{stand_in}\"; filename*=UTF-8''{quote(filename)}"}


def file_response(content: bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    """A file for download under any name (``file_headers``)."""
    return Response(content, media_type=media_type, headers=file_headers(filename, inline=inline))
