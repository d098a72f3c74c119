"""The CJK font certificates are set in: LXGW WenKai (霞鹜文楷), from Debian's package ``fonts-lxgw-wenkai``.

Why this one: its outlines are TrueType, so fpdf2 embeds a subset as an Identity-H CID font with a ToUnicode map,
and the PDF's text can be extracted and searched (pypdf and pdfminer.six read it back as written). Noto CJK from
``fonts-noto-cjk`` is CFF: fpdf2 embeds it through a custom CMap that common extractors misread, and reportlab
cannot embed it at all. WenKai covers some 28,000 characters (GB 18030's common set, CJK Ext-A, the rare characters
of names such as 堃, 喆, 㛃 and 𠮷), and its Kai style suits a certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from services.certificates.documents import DocumentError

WELL_KNOWN_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/lxgw-wenkai"),  # Debian, Ubuntu: apt-get install fonts-lxgw-wenkai
    Path("/usr/local/share/fonts/lxgw-wenkai"),
)
REGULAR = "LXGWWenKai-Regular.ttf"
BOLD = "LXGWWenKai-Bold.ttf"


@dataclass(frozen=True)
class CertificateFont:
    regular: Path
    bold: Path

    @classmethod
    def find(
        cls, directory: Path | None = None, well_known: Sequence[Path] = WELL_KNOWN_DIRECTORIES
    ) -> CertificateFont:
        """The font in ``directory`` (a setting) when given, else in the first well-known directory that has it."""
        candidates = [directory] if directory is not None else list(well_known)
        for candidate in candidates:
            if (candidate / REGULAR).is_file() and (candidate / BOLD).is_file():
                return cls(candidate / REGULAR, candidate / BOLD)
        raise DocumentError(
            f"no {REGULAR} and {BOLD} in {', '.join(map(str, candidates))}: "
            "install Debian's fonts-lxgw-wenkai, or point the setting at a directory holding them"
        )

    def missing_characters(self, text: str) -> str:
        """The characters of ``text`` the font cannot draw (each once, in order), whitespace aside."""
        covered = _covered_code_points(self.regular)
        return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in covered))


@cache
def _covered_code_points(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())
