"""The certificate (结业证书, A4 landscape) and the annual 学时 statement (学时证明, A4 portrait) as PDFs in Chinese.

Each carries its number, the issuer, a seal area (印章处) left blank for the school's stamp, and a QR code that
opens its public verification page. The same document always renders to the same bytes: the PDF's dates are the
issue date, not the time it was rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import segno
from fpdf import FPDF

from services.certificates.documents import DocumentError, date_text
from services.certificates.documents.fonts import CertificateFont
from services.certificates.domain.completion import hours_text
from services.certificates.domain.statements import AnnualHoursStatement

FAMILY = "wenkai"
SEAL_RED = (178, 34, 34)
INK = (33, 33, 33)
FAINT = (150, 150, 150)
_CHINESE_DIGITS = "〇一二三四五六七八九"
# A paragraph breaks between any two units: a run of digits and Latin letters (24.5, DX2026-…) or one character.
_BREAK_UNITS = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-/:]*|.", re.DOTALL)
_NO_LINE_START = frozenset("，。、；：？！）》」』”%…")
_NO_LINE_END = frozenset("（《「『“")


@dataclass(frozen=True)
class CertificateDocument:
    """What the printed certificate says."""

    number: str
    holder_name: str
    class_title: str
    category_label: str
    hours: Decimal  # 学时 credited
    starts_on: date
    ends_on: date
    issued_on: date
    issuer_name: str
    verification_url: str


def certificate_pdf(certificate: CertificateDocument, font: CertificateFont) -> bytes:
    _require_glyphs(font, certificate.holder_name, certificate.class_title, certificate.category_label)
    pdf = _new_pdf(font, "L", f"结业证书 {certificate.number}", certificate.issuer_name, certificate.issued_on)
    width = pdf.w
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, width - 28, pdf.h - 28)

    pdf.set_text_color(*SEAL_RED)
    pdf.set_font(FAMILY, "B", 40)
    pdf.set_xy(14, 28)
    pdf.cell(width - 28, 20, "结 业 证 书", align="C")

    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 20)
    pdf.set_xy(40, 66)
    pdf.cell(text=f"{certificate.holder_name}　同志：")
    pdf.set_font(FAMILY, "", 17)
    _paragraph(
        pdf,
        f"于{date_text(certificate.starts_on)}至{date_text(certificate.ends_on)}参加{certificate.issuer_name}"
        f"举办的{certificate.class_title}（{certificate.category_label}），完成规定的学习任务，"
        f"共计{hours_text(certificate.hours)}学时，符合结业条件，准予结业。",
        x=40,
        y=82,
        width=width - 80,
        line_height=11,
    )

    _qr_block(pdf, certificate.verification_url, certificate.number, x=32, y=136, size=36, label="证书编号")
    _issuer_block(pdf, certificate.issuer_name, certificate.issued_on, right=width - 36, y=150)
    return bytes(pdf.output())


def hours_statement_pdf(
    statement: AnnualHoursStatement, issuer_name: str, verification_url: str, font: CertificateFont
) -> bytes:
    labels = [line.label for line in (*statement.by_channel, *statement.by_category)]
    _require_glyphs(font, statement.holder_name, *(r.label for r in statement.requirements), *labels)
    issued_on = statement.issued_at.date()
    pdf = _new_pdf(font, "P", f"{statement.year}年度学时证明 {statement.number}", issuer_name, issued_on)
    width = pdf.w

    pdf.set_text_color(*SEAL_RED)
    pdf.set_font(FAMILY, "B", 30)
    pdf.set_xy(20, 24)
    pdf.cell(width - 40, 16, "学 时 证 明", align="C")

    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 13)
    pdf.set_xy(20, 44)
    pdf.cell(width - 40, 8, f"编号：{statement.number}", align="R")
    end = _paragraph(
        pdf,
        f"兹证明{statement.holder_name}同志（工号/学号：{statement.person_id}）{statement.year}年度"
        f"参加党校及各类学习培训，累计{hours_text(statement.total_hours)}学时，明细如下：",
        x=24,
        y=58,
        width=width - 48,
        line_height=9,
    )
    pdf.set_xy(24, end + 4)
    rows = [("学习形式", line.label, line.hours) for line in statement.by_channel]
    rows += [("培训类别", line.label, line.hours) for line in statement.by_category]
    with pdf.table(
        width=width - 48, col_widths=(30, 80, 30), text_align=("CENTER", "LEFT", "RIGHT"), line_height=9
    ) as table:
        table.row(["统计口径", "项目", "学时"])
        for kind, label, hours in rows:
            table.row([kind, label, hours_text(hours)])
        table.row(["合计", "", hours_text(statement.total_hours)])
    _paragraph(pdf, statement.conclusion, x=24, y=pdf.get_y() + 6, width=width - 48, line_height=9)

    _qr_block(pdf, verification_url, statement.number, x=28, y=214, size=34, label="编号")
    _issuer_block(pdf, issuer_name, issued_on, right=width - 28, y=226)
    return bytes(pdf.output())


def _paragraph(pdf: FPDF, text: str, *, x: float, y: float, width: float, line_height: float) -> float:
    """A paragraph indented by two characters, broken between characters as Chinese is, but never inside a number
    or a Latin word, before closing punctuation or after opening punctuation; returns where it ends."""
    tokens: list[str] = []
    for token in _BREAK_UNITS.findall(text):
        if tokens and (token[0] in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    indent = 2 * pdf.get_string_width("中")
    lines = [""]
    for token in tokens:
        available = width - (indent if len(lines) == 1 else 0)
        if lines[-1] and pdf.get_string_width(lines[-1] + token) > available:
            lines.append(token)
        else:
            lines[-1] += token
    for position, line in enumerate(lines):
        left = x + (indent if position == 0 else 0)
        pdf.set_xy(left, y + position * line_height)
        pdf.cell(width - (left - x), line_height, line)
    return y + len(lines) * line_height


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules, dark as True, without the quiet zone."""
    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def _new_pdf(font: CertificateFont, orientation: str, title: str, author: str, issued_on: date) -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font(FAMILY, "", str(font.regular))
    pdf.add_font(FAMILY, "B", str(font.bold))
    pdf.set_lang("zh-CN")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creation_date(datetime.combine(issued_on, time(), UTC))
    pdf.add_page()
    return pdf


def _qr_block(pdf: FPDF, url: str, number: str, *, x: float, y: float, size: float, label: str) -> None:
    """The QR code, and under it the number to type in by hand."""
    matrix = qr_matrix(url)
    quiet = 4  # modules of white around the code, as readers need
    module = size / (len(matrix) + 2 * quiet)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):  # one rectangle per run of dark modules: a smaller file, no hairline seams
            if not row[column]:
                column += 1
                continue
            run = next((end for end in range(column, len(row)) if not row[end]), len(row)) - column
            pdf.rect(x + (quiet + column) * module, y + (quiet + row_index) * module, run * module, module, style="F")
            column += run
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_xy(x - 10, y + size + 1)
    pdf.cell(size + 20, 5, "扫码查验真伪", align="C")
    pdf.set_xy(x - 20, y + size + 6)
    pdf.cell(size + 40, 5, f"{label}：{number}", align="C")


def _issuer_block(pdf: FPDF, issuer_name: str, issued_on: date, *, right: float, y: float) -> None:
    """The issuer and the date, right-aligned, and the seal area over them, left blank for the school's stamp."""
    block = 90
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 16)
    pdf.set_xy(right - block, y)
    pdf.cell(block, 9, issuer_name, align="C")
    pdf.set_xy(right - block, y + 11)
    pdf.cell(block, 9, _chinese_date(issued_on), align="C")
    centre_x, centre_y, radius = right - block / 2, y + 10, 21
    pdf.set_draw_color(*FAINT)
    pdf.set_line_width(0.3)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.circle(centre_x, centre_y, radius)
    pdf.set_text_color(*FAINT)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_xy(centre_x - radius, centre_y + radius + 1)
    pdf.cell(2 * radius, 5, "（印章处）", align="C")


def _chinese_date(day: date) -> str:
    """二〇二六年七月六日, as certificates are dated."""
    year = "".join(_CHINESE_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{_chinese_number(day.month)}月{_chinese_number(day.day)}日"


def _chinese_number(n: int) -> str:
    tens, units = divmod(n, 10)
    return (
        ("" if tens < 2 else _CHINESE_DIGITS[tens]) + ("十" if tens else "") + (_CHINESE_DIGITS[units] if units else "")
    )


def _require_glyphs(font: CertificateFont, *texts: str) -> None:
    missing = font.missing_characters("".join(texts))
    if missing:
        raise DocumentError(f"the certificate font cannot draw {missing}; it would print as empty boxes")
