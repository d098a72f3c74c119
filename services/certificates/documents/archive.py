"""A class's certificates as one ZIP to download (结业证书打包下载)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime

from services.certificates.documents import DocumentError

# Characters no file name may hold on Windows, macOS or Linux, and control characters.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def certificate_file_name(number: str, holder_name: str) -> str:
    """``DX2026-7KQ0M3XH9RV2 张三.pdf``: sorted by number, recognisable by name."""
    name = _NOT_IN_FILE_NAMES.sub("_", holder_name.strip()) or "_"
    return f"{number} {name}.pdf"


def zip_of(files: Iterable[tuple[str, bytes]], modified: datetime) -> bytes:
    """The files in one ZIP, names in UTF-8, every entry dated ``modified``: the same files make the same bytes."""
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            if name in seen:
                raise DocumentError(f"two files named {name!r} in one archive")
            seen.add(name)
            entry = zipfile.ZipInfo(name, date_time=modified.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content)
    return buffer.getvalue()
